// The regular expressions of `matches`: RE2 (linear time in the subject, no backtracking),
// checked at compile time and compiled once per program, shared by both engines and all threads.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

namespace re2 {
class RE2;
}

namespace conform {
namespace ir {
struct Program;
}

class PatternSet {
 public:
  ~PatternSet();
  // The compiled `matches` patterns of `p`, built on first use and kept with the program
  // (thread-safe; later calls return the same set).
  static std::shared_ptr<const PatternSet> For(const ir::Program& p);
  // The compiled pattern for literal id `id`, or nullptr if the program has no such pattern.
  const re2::RE2* Find(int64_t id) const;
  size_t size() const { return by_id_.size(); }

  // Empty if `pattern` is a valid pattern, else RE2's reason (for E0305).
  static std::string Check(std::string_view pattern);
  // Whole-string match of `subject` against `re`.
  static bool FullMatch(const re2::RE2& re, std::string_view subject);
  // The "Regular expressions" section of docs/builtins.md.
  static std::string SyntaxMarkdown();
  // Compiles and matches once (helpers called without a program's set, e.g. unit tests).
  static bool MatchOnce(std::string_view pattern, std::string_view subject);

 private:
  std::unordered_map<int64_t, std::unique_ptr<re2::RE2>> by_id_;
};

}  // namespace conform
