// A batch that starts with the interpreter and switches to native code when it lands
// (runtime::NativeHandoff, `conform check --batch` under --engine auto, issue 14.5): the lines
// evaluated after the handoff use the native code, and the records are the same bytes as an
// all-interpreter and an all-native batch. Deterministic: the handoff is made by the input
// stream itself, after a chosen line, with one worker thread.
#include <gtest/gtest.h>

#include <memory>
#include <sstream>
#include <streambuf>
#include <string>

#include "conform/compiler/jit.h"
#include "conform/runtime/batch.h"
#include "fuzz_program.h"

namespace {

using conform::runtime::Engine;

using Rules = conform::fuzz::CompiledRules;

// Hands out the text one line per read; once `after` lines are out, sets `handoff` ready.
class LineByLine : public std::streambuf {
 public:
  LineByLine(std::string text, size_t after, conform::runtime::NativeHandoff* handoff)
      : text_(std::move(text)), after_(after), handoff_(handoff) {}

 protected:
  std::streamsize xsgetn(char* s, std::streamsize n) override {
    if (pos_ >= text_.size()) return 0;
    size_t nl = text_.find('\n', pos_);
    size_t len = std::min<size_t>(static_cast<size_t>(n), (nl == std::string::npos ? text_.size() : nl + 1) - pos_);
    text_.copy(s, len, pos_);
    pos_ += len;
    if (nl != std::string::npos && pos_ == nl + 1 && ++lines_ == after_ && handoff_)
      handoff_->ready.store(true, std::memory_order_release);
    return static_cast<std::streamsize>(len);
  }
  int_type underflow() override { return traits_type::eof(); }

 private:
  std::string text_;
  size_t pos_ = 0, lines_ = 0, after_;
  conform::runtime::NativeHandoff* handoff_;
};

std::string Batch(size_t lines) {
  std::string text;
  for (size_t i = 0; i < lines; ++i) text += std::string(conform::fuzz::kOrganizations[i % 4]) + "\n";
  return text;
}

conform::runtime::BatchJob Job(const Rules& r, Engine engine) {
  conform::runtime::BatchJob job;
  job.programs = {r.program};
  if (engine == Engine::Jit) job.natives = {r.native.get()};
  job.schema = r.program->schema.get();
  job.literals = r.program->literals.get();
  job.as_of = conform::fuzz::kAsOf;
  job.engine = engine;
  job.threads = 1;
  job.source_name = "handoff.ndjson";
  return job;
}

TEST(BatchHandoff, LinesAfterTheHandoffRunNativelyWithTheSameRecords) {
  Rules r;
  ASSERT_TRUE(r.program) << "the rules did not compile";
  if (!r.native) GTEST_SKIP() << "no native engine in this process: " << conform::jit::UnavailableReason();
  const size_t n = 300;
  std::string text = Batch(n);
  std::ostringstream interp_out, jit_out, switched_out;
  {
    std::istringstream in(text);
    auto st = conform::runtime::RunBatch(in, interp_out, Job(r, Engine::Interp));
    EXPECT_EQ(st.native_lines, 0u);
  }
  {
    std::istringstream in(text);
    auto st = conform::runtime::RunBatch(in, jit_out, Job(r, Engine::Jit));
    EXPECT_EQ(st.native_lines, n);
  }
  EXPECT_EQ(interp_out.str(), jit_out.str());
  // The interpreter starts; the native code lands after line 100, while the worker reads its
  // second chunk of 64 lines (65–128): that chunk and every later one run natively.
  auto handoff = std::make_shared<conform::runtime::NativeHandoff>();
  handoff->natives = {r.native.get()};
  conform::runtime::BatchJob job = Job(r, Engine::Interp);
  job.handoff = handoff;
  LineByLine buf(text, 100, handoff.get());
  std::istream in(&buf);
  auto st = conform::runtime::RunBatch(in, switched_out, job);
  EXPECT_EQ(st.ok, n);
  EXPECT_EQ(st.native_lines, n - 64);
  EXPECT_EQ(switched_out.str(), jit_out.str());
  // Never ready: the whole batch is interpreted.
  auto never = std::make_shared<conform::runtime::NativeHandoff>();
  never->natives = {r.native.get()};
  job.handoff = never;
  std::istringstream in2(text);
  std::ostringstream never_out;
  EXPECT_EQ(conform::runtime::RunBatch(in2, never_out, job).native_lines, 0u);
  EXPECT_EQ(never_out.str(), interp_out.str());
}

}  // namespace
