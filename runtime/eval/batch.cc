// Batch evaluation over NDJSON: blocks of lines, evaluated by a pool of threads.
#include "conform/runtime/batch.h"

#include <fmt/format.h>

#include <atomic>
#include <chrono>
#include <istream>
#include <ostream>
#include <thread>

#include "conform/compiler/calendar.h"
#include "conform/runtime/results.h"
#include "../report/json_writer.h"

namespace conform::runtime {
namespace {

struct LineResult {
  bool ok = false;
  bool open_gaps = false;  // a nonconform or not-evidenced requirement
  std::string record;
};

LineResult ErrorRecord(size_t line, const Diagnostics& d) {
  std::string code = "E0900", message = "unknown error", path;
  for (const auto& x : d.items())
    if (x.severity == Severity::Error) {
      code = x.code;
      message = x.message;
      path = x.data_path;
      break;
    }
  detail::JsonWriter w(false);
  w.Object().KInt("line", static_cast<int64_t>(line)).Key("error").Object().KStr("code", code).KStr("message", message);
  w.KStrOrNull("path", path).EndObject().EndObject();
  return {false, false, w.TakeRaw()};
}

LineResult EvaluateLine(const BatchJob& job, size_t line_no, std::string text) {
  SourceManager sm;
  Diagnostics diags;
  LoadOptions lo;
  lo.format = EvidenceFormat::Json;
  lo.max_errors = 1;
  auto doc = LoadEvidence(fmt::format("{}:{}", job.source_name, line_no), std::move(text), *job.schema, job.literals, sm,
                          diags, lo);
  if (!doc || diags.HasErrors()) return ErrorRecord(line_no, diags);
  std::vector<ParamOverride> overrides = doc->parameters();
  overrides.insert(overrides.end(), job.overrides.begin(), job.overrides.end());
  std::vector<StandardReport> reports;
  for (size_t i = 0; i < job.programs.size(); ++i) {
    const ir::Program& p = *job.programs[i];
    ParamValues pv = ResolveParameters(p, overrides, doc->strings(), sm, diags);
    if (diags.HasErrors()) return ErrorRecord(line_no, diags);
    reports.push_back(Evaluate(p, *doc, job.as_of, pv, job.engine, job.explain,
                               job.natives.empty() ? nullptr : job.natives[i]));
  }
  RunInfo info{job.source_name, job.as_of, job.engine, {}};
  BuildOptions bo;
  bo.words = false;
  Assessment a = BuildAssessment(reports, info, doc.get(), bo);
  return {true, a.OpenGaps() > 0, WriteJsonRecord(line_no, a)};
}

}  // namespace

BatchStats RunBatch(std::istream& in, std::ostream& out, const BatchJob& job) {
  auto t0 = std::chrono::steady_clock::now();
  BatchStats stats;
  unsigned threads = job.threads ? job.threads : std::max(1u, std::thread::hardware_concurrency());
  const size_t kBlock = 8192;  // lines in flight: bounded memory for any input size
  size_t line_no = job.first_line ? job.first_line - 1 : 0;
  std::vector<std::pair<size_t, std::string>> block;
  std::vector<LineResult> results;
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
    for (const LineResult& r : results) {
      out << r.record << '\n';
      ++stats.lines;
      ++(r.ok ? stats.ok : stats.errors);
      stats.not_conforming += r.open_gaps;
    }
  }
  stats.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return stats;
}

}  // namespace conform::runtime
