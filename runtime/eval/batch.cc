// Batch evaluation over NDJSON: blocks of lines, evaluated by a pool of threads.
#include "conform/runtime/batch.h"

#include <fmt/format.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <istream>
#include <mutex>
#include <optional>
#include <ostream>
#include <thread>

#include "conform/compiler/calendar.h"
#include "conform/runtime/results.h"
#include "../report/batch_record.h"
#include "../report/json_writer.h"

namespace conform::runtime {
namespace {

struct LineResult {
  bool ok = false;
  bool open_gaps = false;  // a nonconform or not-evidenced requirement
  bool native = false;     // evaluated by native code
  std::string record;
  size_t input_bytes = 0;  // of its line, counted in the batch's in-flight budget
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
  return {false, false, false, w.TakeRaw()};
}

// What every line shares: the record writer and, when no `--param` is given, each program's
// default parameters (a line without `parameters:` uses them as they are).
struct Shared {
  explicit Shared(const BatchJob& job) : writer(job.programs), plan(MakeJsonPlan(*job.schema)) {
    if (!job.overrides.empty()) return;
    for (const auto& p : job.programs) defaults.push_back(ParamValues::Defaults(*p));
  }
  const detail::BatchRecordWriter writer;
  const std::shared_ptr<const JsonPlan> plan;  // the JSON fast path's, built once per batch
  std::vector<ParamValues> defaults;  // parallel to job.programs; empty with --param
};

LineResult EvaluateLine(const BatchJob& job, const Shared& shared, size_t line_no, std::string text) {
  SourceManager sm;
  Diagnostics diags;
  LoadOptions lo;
  lo.format = EvidenceFormat::Json;
  lo.max_errors = 1;
  lo.json_plan = shared.plan.get();
  auto doc = LoadEvidence(fmt::format("{}:{}", job.source_name, line_no), std::move(text), *job.schema, job.literals, sm,
                          diags, lo);
  if (!doc || diags.HasErrors()) return ErrorRecord(line_no, diags);
  const bool defaults = doc->parameters().empty() && shared.defaults.size() == job.programs.size();
  std::vector<ParamOverride> overrides;
  if (!defaults) {
    overrides = doc->parameters();
    overrides.insert(overrides.end(), job.overrides.begin(), job.overrides.end());
  }
  // Native code compiled while the batch runs takes over from the next line on.
  Engine engine = job.engine;
  const std::vector<const jit::CompiledProgram*>* natives = &job.natives;
  if (job.handoff && job.handoff->ready.load(std::memory_order_acquire)) {
    engine = Engine::Jit;
    natives = &job.handoff->natives;
  }
  std::vector<StandardReport> reports;
  reports.reserve(job.programs.size());
  for (size_t i = 0; i < job.programs.size(); ++i) {
    const ir::Program& p = *job.programs[i];
    const jit::CompiledProgram* native = natives->empty() ? nullptr : (*natives)[i];
    if (defaults) {
      reports.push_back(EvaluateResults(p, *doc, job.as_of, shared.defaults[i], engine, job.explain, native));
      continue;
    }
    ParamValues pv = ResolveParameters(p, overrides, doc->strings(), sm, diags);
    if (diags.HasErrors()) return ErrorRecord(line_no, diags);
    reports.push_back(EvaluateResults(p, *doc, job.as_of, pv, engine, job.explain, native));
  }
  LineResult r{true, false, engine == Engine::Jit && !natives->empty(), {}};
  // Records of one batch are much alike: start with room for the previous one, so appending
  // does not reallocate and copy the record as it grows.
  thread_local size_t last_size = 0;
  r.record.reserve(last_size + last_size / 8 + 256);
  r.open_gaps = shared.writer.Write(r.record, line_no, *doc, reports);
  last_size = r.record.size();
  return r;
}

LineResult TooLong(const BatchJob& job, size_t line_no) {
  detail::JsonWriter w(false);
  w.Object().KInt("line", static_cast<int64_t>(line_no)).Key("error").Object().KStr("code", "E0911");
  w.KStr("message",
         fmt::format("the line is longer than the limit of {} bytes (--max-evidence-bytes)", job.max_line_bytes));
  w.KStrOrNull("path", "").EndObject().EndObject();
  return {false, false, false, w.TakeRaw()};
}

// Reads lines (without their '\n') through a buffer of its own. A line longer than `max` bytes
// is read to its end and dropped (`too_long`), so memory stays bounded.
class LineReader {
 public:
  static constexpr size_t kLinePadding = 64;  // = the evidence loader's JSON padding
  LineReader(std::streambuf* sb, size_t max) : sb_(sb), max_(max), buf_(size_t{1} << 20) {}
  // False at the end of the input with nothing read.
  bool Next(std::string& line, bool& too_long) {
    line.clear();
    too_long = false;
    bool any = false;
    for (;;) {
      if (pos_ == end_ && !Fill()) return any;
      any = true;
      const char* b = buf_.data() + pos_;
      const char* nl = static_cast<const char*>(std::memchr(b, '\n', end_ - pos_));
      size_t n = nl ? static_cast<size_t>(nl - b) : end_ - pos_;
      size_t keep = std::min(n, max_ - std::min(max_, line.size()));
      if (keep < n) too_long = true;
      // Room for the padding the JSON loader appends (so it does not copy the line again).
      if (line.capacity() < line.size() + keep + kLinePadding) line.reserve(line.size() + keep + kLinePadding);
      line.append(b, keep);
      pos_ += n + (nl ? 1 : 0);
      if (nl) return true;
    }
  }

 private:
  bool Fill() {
    if (!sb_) return false;
    std::streamsize got = sb_->sgetn(buf_.data(), static_cast<std::streamsize>(buf_.size()));
    pos_ = 0;
    end_ = got > 0 ? static_cast<size_t>(got) : 0;
    return end_ > 0;
  }
  std::streambuf* sb_;
  size_t max_;
  std::vector<char> buf_;
  size_t pos_ = 0, end_ = 0;
};

}  // namespace

// A pipeline without a serial phase: each worker takes the next chunk of lines from the shared
// reader, evaluates them and hands the records to the writer, which writes them in input order.
// In flight at once: at most kWindow lines and about job.max_bytes_in_flight bytes of input
// (plus one line of up to job.max_line_bytes) — bounded memory for any input.
BatchStats RunBatch(std::istream& in, std::ostream& out, const BatchJob& job) {
  auto t0 = std::chrono::steady_clock::now();
  BatchStats stats;
  unsigned threads = job.threads ? job.threads : std::max(1u, std::thread::hardware_concurrency());
  const size_t kWindow = 8192;          // lines read and not yet written
  const size_t kChunkLines = 64;        // lines a worker takes at once
  const size_t kChunkBytes = size_t{1} << 20;
  const Shared shared(job);

  struct Line {
    size_t seq, number;
    std::string text;
    bool too_long;
    size_t bytes;  // counted in the in-flight budget
  };
  // Reader side (in_mu).
  std::mutex in_mu;
  LineReader reader(in.rdbuf(), job.max_line_bytes);
  bool eof = in.rdbuf() == nullptr;
  size_t line_no = job.first_line ? job.first_line - 1 : 0;
  size_t next_seq = 0;
  // Writer side (out_mu): records done out of order wait in `pending` (indexed by seq - next_out).
  std::mutex out_mu;
  std::condition_variable room;
  std::deque<std::optional<LineResult>> pending;
  size_t next_out = 0;
  size_t in_flight_bytes = 0, in_flight_lines = 0;  // read and not yet written
  std::atomic<bool> stop{false};

  // Takes the next chunk; empty at the end of the input. The budget is checked between lines and
  // waited for only with an empty chunk: every line in flight is then with a worker that is
  // evaluating it or already in `pending`, so the window always drains.
  auto take = [&](std::vector<Line>& chunk) {
    chunk.clear();
    std::lock_guard<std::mutex> lock(in_mu);
    size_t bytes = 0;
    std::string text;
    while (!eof && !stop && chunk.size() < kChunkLines && bytes < kChunkBytes) {
      {
        std::unique_lock<std::mutex> ol(out_mu);
        auto fits = [&] { return in_flight_lines < kWindow && in_flight_bytes < job.max_bytes_in_flight; };
        if (!fits()) {
          if (!chunk.empty()) break;
          room.wait(ol, [&] { return fits() || stop.load(); });
          if (stop) break;
        }
      }
      bool too_long = false;
      if (!reader.Next(text, too_long)) {
        eof = true;
        break;
      }
      ++line_no;
      if (!too_long && text.find_first_not_of(" \t\r") == std::string::npos) continue;
      size_t n = too_long ? 1 : std::max<size_t>(1, text.size());
      bytes += n;
      {
        std::lock_guard<std::mutex> ol(out_mu);
        in_flight_bytes += n;
        ++in_flight_lines;
      }
      chunk.push_back({next_seq++, line_no, too_long ? std::string() : std::move(text), too_long, n});
      text = std::string();
    }
  };
  // Hands over the chunk's records and writes every record that is now in order, then flushes.
  auto emit = [&](std::vector<Line>& chunk, std::vector<LineResult>& results) {
    std::lock_guard<std::mutex> lock(out_mu);
    for (size_t k = 0; k < chunk.size(); ++k) {
      size_t at = chunk[k].seq - next_out;
      if (pending.size() <= at) pending.resize(at + 1);
      pending[at] = std::move(results[k]);
      pending[at]->input_bytes = chunk[k].bytes;
    }
    bool wrote = false;
    while (!pending.empty() && pending.front() && !stop) {
      LineResult& w = *pending.front();
      out.write(w.record.data(), static_cast<std::streamsize>(w.record.size()));
      out.put('\n');
      ++stats.lines;
      ++(w.ok ? stats.ok : stats.errors);
      stats.not_conforming += w.open_gaps;
      stats.native_lines += w.native;
      in_flight_bytes -= w.input_bytes;
      --in_flight_lines;
      pending.pop_front();
      ++next_out;
      wrote = true;
    }
    if (wrote) out.flush();
    if (!out) {
      stats.output_failed = true;
      stop = true;
    }
    room.notify_all();
  };
  auto work = [&] {
    std::vector<Line> chunk;
    std::vector<LineResult> results;
    for (;;) {
      take(chunk);
      if (chunk.empty()) return;
      results.clear();
      for (Line& l : chunk)
        results.push_back(l.too_long ? TooLong(job, l.number)
                                     : EvaluateLine(job, shared, l.number, std::move(l.text)));
      emit(chunk, results);
      if (stop) return;
    }
  };
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
  stats.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return stats;
}

}  // namespace conform::runtime
