// Batch evaluation over NDJSON: blocks of lines, evaluated by a pool of threads.
#include "conform/runtime/batch.h"

#include <fmt/format.h>

#include <atomic>
#include <chrono>
#include <istream>
#include <mutex>
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

// Reads one line (without its '\n') of at most `max` bytes; the rest of a longer line is read
// and dropped, so memory stays bounded. False at the end of the input with nothing read.
static bool ReadLine(std::streambuf* sb, std::string& line, size_t max, bool& too_long) {
  line.clear();
  too_long = false;
  bool any = false;
  for (int c; (c = sb->sbumpc()) != std::char_traits<char>::eof();) {
    any = true;
    if (c == '\n') return true;
    if (line.size() < max)
      line.push_back(static_cast<char>(c));
    else
      too_long = true;
  }
  return any;
}

BatchStats RunBatch(std::istream& in, std::ostream& out, const BatchJob& job) {
  auto t0 = std::chrono::steady_clock::now();
  BatchStats stats;
  unsigned threads = job.threads ? job.threads : std::max(1u, std::thread::hardware_concurrency());
  // In flight at once: at most kBlock lines and about job.max_bytes_in_flight bytes of input
  // (plus one line of up to job.max_line_bytes): bounded memory for any input.
  const size_t kBlock = 8192;
  size_t line_no = job.first_line ? job.first_line - 1 : 0;
  struct Line {
    size_t number;
    std::string text;
    bool too_long;
  };
  std::vector<Line> block;
  std::vector<LineResult> results;
  std::vector<char> done;
  std::string line;
  std::streambuf* sb = in.rdbuf();
  bool eof = sb == nullptr;
  std::atomic<bool> stop{false};
  while (!eof && !stop) {
    block.clear();
    size_t bytes = 0;
    while (block.size() < kBlock && bytes < job.max_bytes_in_flight) {
      bool too_long = false;
      if (!ReadLine(sb, line, job.max_line_bytes, too_long)) {
        eof = true;
        break;
      }
      ++line_no;
      if (too_long) {
        block.push_back({line_no, std::string(), true});
        continue;
      }
      if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
      bytes += line.size();
      block.push_back({line_no, std::move(line), false});
    }
    results.assign(block.size(), {});
    done.assign(block.size(), 0);
    // Records are written in input order as soon as they and every record before them are
    // done, then flushed: a failure later in the block never loses finished results.
    std::mutex mu;
    size_t next_out = 0;
    auto emit = [&](size_t i, LineResult r) {
      std::lock_guard<std::mutex> lock(mu);
      results[i] = std::move(r);
      done[i] = 1;
      bool wrote = false;
      while (next_out < block.size() && done[next_out] && !stop) {
        LineResult& w = results[next_out];
        out << w.record << '\n';
        ++stats.lines;
        ++(w.ok ? stats.ok : stats.errors);
        stats.not_conforming += w.open_gaps;
        std::string().swap(w.record);
        ++next_out;
        wrote = true;
      }
      if (wrote) out.flush();
      if (!out) {
        stats.output_failed = true;
        stop = true;
      }
    };
    std::atomic<size_t> next{0};
    auto work = [&] {
      for (size_t i; !stop && (i = next.fetch_add(1)) < block.size();) {
        if (block[i].too_long) {
          detail::JsonWriter w(false);
          w.Object().KInt("line", static_cast<int64_t>(block[i].number)).Key("error").Object().KStr("code", "E0911");
          w.KStr("message", fmt::format("the line is longer than the limit of {} bytes (--max-evidence-bytes)",
                                        job.max_line_bytes));
          w.KStrOrNull("path", "").EndObject().EndObject();
          emit(i, {false, false, w.TakeRaw()});
          continue;
        }
        emit(i, EvaluateLine(job, block[i].number, std::move(block[i].text)));
      }
    };
    std::vector<std::thread> pool;
    for (unsigned t = 1; t < threads && t < block.size(); ++t) pool.emplace_back(work);
    work();
    for (auto& t : pool) t.join();
  }
  stats.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return stats;
}

}  // namespace conform::runtime
