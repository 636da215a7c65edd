// Batch evaluation over NDJSON: blocks of lines, evaluated by a pool of threads.
#include "conform/runtime/batch.h"

#include <fmt/format.h>

#include <atomic>
#include <chrono>
#include <istream>
#include <ostream>
#include <thread>

#include "conform/compiler/calendar.h"

namespace conform::runtime {
namespace {

std::string ErrorRecord(size_t line, const Diagnostics& d) {
  for (const auto& x : d.items())
    if (x.severity == Severity::Error)
      return fmt::format("{{\"line\":{},\"error\":{{\"code\":\"{}\",\"message\":{},\"path\":{}}}}}", line, x.code,
                         JsonQuote(x.message), x.data_path.empty() ? "null" : JsonQuote(x.data_path));
  return fmt::format("{{\"line\":{},\"error\":{{\"code\":\"E0900\",\"message\":\"unknown error\",\"path\":null}}}}", line);
}

std::string Record(size_t line, const std::vector<StandardReport>& reports) {
  std::string out = fmt::format("{{\"line\":{},\"standards\":[", line);
  for (size_t s = 0; s < reports.size(); ++s) {
    const StandardReport& r = reports[s];
    const ir::Program& p = *r.program;
    const Counts& c = r.summary;
    out += fmt::format(
        "{}{{\"standard\":{},\"summary\":{{\"requirements\":{},\"conform\":{},\"nonconform\":{},\"major\":{},"
        "\"minor\":{},\"observation\":{},\"not_evidenced\":{},\"not_applicable\":{}}},\"requirements\":[",
        s ? "," : "", JsonQuote(p.standard), c.total(), c.conform, c.nonconform, c.major, c.minor, c.observation,
        c.not_evidenced, c.not_applicable);
    for (size_t i = 0; i < p.requirements.size(); ++i) {
      const auto& req = p.requirements[i];
      const RequirementResult& res = r.results[i];
      out += fmt::format("{}{{\"clause\":{},\"id\":{},\"verdict\":\"{}\",\"grade\":{},\"message\":{}", i ? "," : "",
                         JsonQuote(req.clause), JsonQuote(req.id), VerdictName(res.verdict),
                         res.verdict == Verdict::Nonconform ? fmt::format("\"{}\"", ir::GradeName(req.grade)) : "null",
                         res.message.empty() ? "null" : JsonQuote(res.message));
      if (!res.facts.empty()) {
        out += ",\"facts\":[";
        for (size_t f = 0; f < res.facts.size(); ++f)
          out += fmt::format("{}{{\"expr\":{},\"value\":{},\"path\":{}}}", f ? "," : "", JsonQuote(res.facts[f].expr),
                             JsonQuote(res.facts[f].value), res.facts[f].path.empty() ? "null" : JsonQuote(res.facts[f].path));
        out += "]";
      }
      out += "}";
    }
    out += "]}";
  }
  return out + "]}";
}

// Returns (loaded, record).
std::pair<bool, std::string> EvaluateLine(const BatchJob& job, size_t line_no, std::string text) {
  SourceManager sm;
  Diagnostics diags;
  LoadOptions lo;
  lo.format = EvidenceFormat::Json;
  lo.max_errors = 1;
  auto doc = LoadEvidence(fmt::format("{}:{}", job.source_name, line_no), std::move(text), *job.schema, job.literals, sm,
                          diags, lo);
  if (!doc || diags.HasErrors()) return {false, ErrorRecord(line_no, diags)};
  std::vector<ParamOverride> overrides = doc->parameters();
  overrides.insert(overrides.end(), job.overrides.begin(), job.overrides.end());
  std::vector<StandardReport> reports;
  for (size_t i = 0; i < job.programs.size(); ++i) {
    const ir::Program& p = *job.programs[i];
    ParamValues pv = ResolveParameters(p, overrides, doc->strings(), sm, diags);
    if (diags.HasErrors()) return {false, ErrorRecord(line_no, diags)};
    reports.push_back(Evaluate(p, *doc, job.as_of, pv, job.engine, job.explain,
                               job.natives.empty() ? nullptr : job.natives[i]));
  }
  return {true, Record(line_no, reports)};
}

}  // namespace

BatchStats RunBatch(std::istream& in, std::ostream& out, const BatchJob& job) {
  auto t0 = std::chrono::steady_clock::now();
  BatchStats stats;
  unsigned threads = job.threads ? job.threads : std::max(1u, std::thread::hardware_concurrency());
  const size_t kBlock = 8192;  // lines in flight: bounded memory for any input size
  size_t line_no = job.first_line ? job.first_line - 1 : 0;
  std::vector<std::pair<size_t, std::string>> block;
  std::vector<std::pair<bool, std::string>> results;
  std::string line;
  bool eof = false;
  while (!eof) {
    block.clear();
    while (block.size() < kBlock) {
      if (!std::getline(in, line)) {
        eof = true;
        break;
      }
      ++line_no;
      if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
      block.emplace_back(line_no, std::move(line));
    }
    results.assign(block.size(), {});
    std::atomic<size_t> next{0};
    auto work = [&] {
      for (size_t i; (i = next.fetch_add(1)) < block.size();)
        results[i] = EvaluateLine(job, block[i].first, std::move(block[i].second));
    };
    std::vector<std::thread> pool;
    for (unsigned t = 1; t < threads && t < block.size(); ++t) pool.emplace_back(work);
    work();
    for (auto& t : pool) t.join();
    for (const auto& [ok, record] : results) {
      out << record << '\n';
      ++stats.lines;
      ++(ok ? stats.ok : stats.errors);
      if (ok && (record.find("\"verdict\":\"nonconform\"") != std::string::npos ||
                 record.find("\"verdict\":\"not_evidenced\"") != std::string::npos))
        ++stats.not_conforming;
    }
  }
  stats.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return stats;
}

}  // namespace conform::runtime
