// `matches` patterns on RE2. RE2 runs in time linear in the subject and uses no recursion, so
// neither a long string nor a pathological pattern can crash or stall an evaluation.
#include "conform/compiler/patterns.h"

#include <re2/re2.h>

#include <mutex>

#include "conform/compiler/builtins.h"
#include "conform/compiler/ir.h"

namespace conform {
namespace {

RE2::Options Options() {
  RE2::Options o;  // UTF-8 subjects and patterns, leftmost-first (Perl) semantics
  o.set_log_errors(false);
  return o;
}

std::mutex& BuildMutex() {
  static std::mutex mu;
  return mu;
}

}  // namespace

PatternSet::~PatternSet() = default;

std::shared_ptr<const PatternSet> PatternSet::For(const ir::Program& p) {
  std::lock_guard<std::mutex> lock(BuildMutex());
  if (p.patterns) return p.patterns;
  auto set = std::make_shared<PatternSet>();
  for (const ir::Node& n : p.nodes) {
    if (n.op != ir::Op::Call || n.args.size() != 2 || n.imm < 0 || static_cast<size_t>(n.imm) >= p.builtins.size())
      continue;
    if (p.builtins[static_cast<size_t>(n.imm)] != "conform_rt_matches") continue;
    if (n.args[1] < 0 || static_cast<size_t>(n.args[1]) >= p.nodes.size()) continue;
    const ir::Node& lit = p.nodes[n.args[1]];
    if (lit.op != ir::Op::Const || !p.literals || !p.literals->Owns(lit.imm) || set->by_id_.count(lit.imm)) continue;
    auto re = std::make_unique<RE2>(std::string(p.literals->Get(lit.imm)), Options());
    if (re->ok()) set->by_id_.emplace(lit.imm, std::move(re));
  }
  p.patterns = set;
  return set;
}

const RE2* PatternSet::Find(int64_t id) const {
  auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : it->second.get();
}

std::string PatternSet::Check(std::string_view pattern) {
  RE2 re(pattern, Options());
  return re.ok() ? std::string() : re.error();
}

bool PatternSet::FullMatch(const RE2& re, std::string_view subject) {
  return RE2::FullMatch(re2::StringPiece(subject.data(), subject.size()), re);
}

bool PatternSet::MatchOnce(std::string_view pattern, std::string_view subject) {
  RE2 re(pattern, Options());
  return re.ok() && FullMatch(re, subject);
}

std::string PatternSet::SyntaxMarkdown() {
  return R"md(
## Regular expressions (`matches`)

`matches(s, "pattern")` is true when the *whole* of `s` matches the pattern (as if it were
written `^(?:pattern)$`). Patterns use [RE2 syntax](https://github.com/google/re2/wiki/Syntax),
the common Perl/ECMAScript subset:

- literals, `.` (any character except a newline), classes `[A-Z]`, `[^0-9]`, `\d \w \s \D \W \S`,
  POSIX classes `[[:alpha:]]`, Unicode classes `\pL`, `\p{Greek}`;
- alternation `a|b`, groups `(…)` and `(?:…)`, repetition `* + ? {n} {n,} {n,m}` and their lazy
  forms (laziness does not change whether a whole string matches);
- anchors `^ $ \A \z`, word boundaries `\b \B`, flags `(?i)` (case-insensitive) and `(?s)`.

Not supported, because they need backtracking: backreferences (`\1`) and lookaround (`(?=…)`,
`(?!…)`, `(?<=…)`, `(?<!…)`). Such a pattern is rejected when the rules are compiled (E0305), as is
any other invalid pattern. Subjects and patterns are UTF-8 and `.` matches one code point.

Matching takes time linear in the length of the subject whatever the pattern, so no evidence can
make an evaluation stall or crash. Each pattern is compiled once per compiled program and shared by
both engines and every batch thread. In a rule file a backslash is written twice (`"\\d{4}"`).
)md";
}

}  // namespace conform
