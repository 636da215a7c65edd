// Runtime helpers for generated code.
#include "conform/compiler/rt_helpers.h"

#include <algorithm>
#include <cctype>
#include <iterator>

#include "conform/compiler/calendar.h"

namespace conform {

Scratch::Buffer* Scratch::New() {
  if (used_ == buffers_.size()) buffers_.push_back(std::make_unique<Buffer>());
  Buffer* b = buffers_[used_++].get();
  b->items.clear();
  return b;
}

JoinIndex* Scratch::Join(size_t slot) {
  while (slot >= joins_.size()) joins_.push_back(std::make_unique<JoinIndex>());
  return joins_[slot].get();
}

void JoinIndex::Clear() {
  uses_ = 0;
  ready_ = false;
  pairs_.clear();
}

size_t JoinIndex::Find(int64_t key) const {
  size_t mask = table_.size() - 1;
  size_t h = Hash(key) >> shift_;
  while (table_[h].used && table_[h].key != key) h = (h + 1) & mask;
  return h;
}

void JoinIndex::Finish() {
  size_t cap = 8;
  int bits = 3;
  while (cap < 2 * pairs_.size()) cap <<= 1, ++bits;
  shift_ = 64 - bits;
  table_.assign(cap, Slot{0, 0, 0, 0});
  // Count per key, give each key its range, then place the elements in list order.
  for (const auto& [key, element] : pairs_) {
    Slot& s = table_[Find(key)];
    s.key = key;
    s.used = 1;
    ++s.end;
  }
  uint32_t at = 0;
  for (Slot& s : table_) {
    if (!s.used) continue;
    uint32_t n = s.end;
    s.begin = s.end = at;
    at += n;
  }
  elements_.resize(pairs_.size());
  for (const auto& [key, element] : pairs_) elements_[table_[Find(key)].end++] = element;
  ready_ = true;
}

Seq JoinIndex::Probe(int64_t key) const {
  const Slot& s = table_[Find(key)];
  if (!s.used) return {0, elements_.data()};
  return {static_cast<int64_t>(s.end - s.begin), elements_.data() + s.begin};
}

bool ClauseUnder(std::string_view c, std::string_view p) {
  if (c.size() < p.size() || c.compare(0, p.size(), p) != 0) return false;
  return c.size() == p.size() || c[p.size()] == '.';
}

std::string_view ExcludedClause(std::string_view exclusion) {
  size_t colon = exclusion.find(':');
  std::string_view c = exclusion.substr(0, colon);
  while (!c.empty() && c.back() == ' ') c.remove_suffix(1);
  return c;
}

std::string ExclusionMessage(std::string_view exclusion) {
  std::string out = "clause ";
  out += ExcludedClause(exclusion);
  out += " is declared not applicable in the scope";
  size_t colon = exclusion.find(':');
  if (colon == std::string_view::npos) return out;
  std::string_view reason = exclusion.substr(colon + 1);
  while (!reason.empty() && reason.front() == ' ') reason.remove_prefix(1);
  if (!reason.empty()) {
    out += ": ";
    out += reason;
  }
  return out;
}

bool NaturalLess(std::string_view a, std::string_view b) {
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    if (digit(a[i]) && digit(b[j])) {
      size_t ie = i, je = j;
      while (ie < a.size() && digit(a[ie])) ++ie;
      while (je < b.size() && digit(b[je])) ++je;
      std::string_view x = a.substr(i, ie - i), y = b.substr(j, je - j);
      while (x.size() > 1 && x[0] == '0') x.remove_prefix(1);
      while (y.size() > 1 && y[0] == '0') y.remove_prefix(1);
      if (x.size() != y.size()) return x.size() < y.size();
      if (x != y) return x < y;
      i = ie;
      j = je;
      continue;
    }
    if (a[i] != b[j]) return a[i] < b[j];
    ++i;
    ++j;
  }
  return a.size() - i < b.size() - j;
}

namespace {
std::vector<int64_t> AsSet(const Seq* s, bool sorted) {
  std::vector<int64_t> v(s->data, s->data + s->size);
  if (!sorted) {
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
  }
  return v;
}
}  // namespace

std::vector<int64_t> SetAlgebra(const Seq* a, bool a_sorted, const Seq* b, bool b_sorted, int op) {
  std::vector<int64_t> x = AsSet(a, a_sorted), y = AsSet(b, b_sorted), out;
  out.reserve(op == 0 ? x.size() + y.size() : x.size());
  if (op == 0) std::set_union(x.begin(), x.end(), y.begin(), y.end(), std::back_inserter(out));
  else if (op == 1) std::set_intersection(x.begin(), x.end(), y.begin(), y.end(), std::back_inserter(out));
  else std::set_difference(x.begin(), x.end(), y.begin(), y.end(), std::back_inserter(out));
  return out;
}

bool SetRelation(const Seq* a, bool a_sorted, const Seq* b, bool b_sorted, int aux) {
  std::vector<int64_t> x = AsSet(a, a_sorted), y = AsSet(b, b_sorted);
  if (aux == 2) return x == y;
  bool sub = std::includes(y.begin(), y.end(), x.begin(), x.end());
  return aux == 0 ? sub : sub && x.size() < y.size();
}

const std::vector<HelperSymbol>& HelperSymbols() {
  static const std::vector<HelperSymbol> kAll = [] {
    std::vector<HelperSymbol> out = {
#define CONFORM_RT_ENTRY(ret, name, pure, ...)                                                      \
  {"conform_rt_" #name, reinterpret_cast<void*>(&conform_rt_##name), RtSignatureOf<decltype(&conform_rt_##name)>::value, \
   pure},
        CONFORM_RT_HELPERS(CONFORM_RT_ENTRY)
#undef CONFORM_RT_ENTRY
    };
    for (const auto& b : BuiltinRegistry::Default().all())
      if (b.fn) out.push_back({b.symbol.c_str(), reinterpret_cast<void*>(b.fn), RtSignatureOf<BuiltinFn>::value, false});
    return out;
  }();
  return kAll;
}

const HelperSymbol* FindHelper(std::string_view name) {
  for (const auto& h : HelperSymbols())
    if (name == h.name) return &h;
  return nullptr;
}

}  // namespace conform

using conform::EvalContext;
using conform::Scratch;
using conform::Seq;

extern "C" {
void* conform_rt_buf_new(EvalContext* ctx) { return static_cast<Scratch*>(ctx->scratch)->New(); }
void conform_rt_buf_push(void* buf, int64_t v) { static_cast<Scratch::Buffer*>(buf)->items.push_back(v); }
void conform_rt_buf_push_seq(void* buf, const Seq* s) {
  auto& items = static_cast<Scratch::Buffer*>(buf)->items;
  items.insert(items.end(), s->data, s->data + s->size);
}
const Seq* conform_rt_buf_finish(void* buf) {
  auto* b = static_cast<Scratch::Buffer*>(buf);
  std::sort(b->items.begin(), b->items.end());
  b->items.erase(std::unique(b->items.begin(), b->items.end()), b->items.end());
  b->seq = {static_cast<int64_t>(b->items.size()), b->items.data()};
  return &b->seq;
}
const Seq* conform_rt_buf_finish_list(void* buf) {  // a list: order and repeats kept
  auto* b = static_cast<Scratch::Buffer*>(buf);
  b->seq = {static_cast<int64_t>(b->items.size()), b->items.data()};
  return &b->seq;
}
int64_t conform_rt_seq_contains(const Seq* s, int64_t v, int64_t sorted) {
  if (sorted) return std::binary_search(s->data, s->data + s->size, v);
  return std::find(s->data, s->data + s->size, v) != s->data + s->size;
}
int64_t conform_rt_under(EvalContext* ctx, int64_t a, int64_t b) {
  return conform::ClauseUnder(ctx->strings->Get(a), ctx->strings->Get(b));
}
int64_t conform_rt_under_any(EvalContext* ctx, int64_t a, const Seq* s) {
  auto c = ctx->strings->Get(a);
  for (int64_t i = 0; i < s->size; ++i)
    if (conform::ClauseUnder(c, ctx->strings->Get(s->data[i]))) return 1;
  return 0;
}
int64_t conform_rt_strcmp(EvalContext* ctx, int64_t a, int64_t b) {
  int r = ctx->strings->Get(a).compare(ctx->strings->Get(b));
  return r < 0 ? -1 : r > 0 ? 1 : 0;
}
int64_t conform_rt_case_eq(EvalContext* ctx, int64_t s, int64_t t, int64_t upper) {
  // The same mapping as the builtins lower/upper (std::tolower/std::toupper per byte); texts
  // have one id each, so this is `lower(s) == t` without interning lower(s).
  std::string_view a = ctx->strings->Get(s), b = ctx->strings->Get(t);
  if (a.size() != b.size()) return 0;
  for (size_t i = 0; i < a.size(); ++i) {
    int ch = static_cast<unsigned char>(a[i]);
    if ((upper ? std::toupper(ch) : std::tolower(ch)) != static_cast<unsigned char>(b[i])) return 0;
  }
  return 1;
}
int64_t conform_rt_date_add(int64_t date, int64_t duration, int64_t sign) {
  return conform::cal::AddDuration(date, conform::cal::Unpack(duration), static_cast<int>(sign));
}
int64_t conform_rt_dur_add(int64_t a, int64_t b, int64_t sign) {
  using namespace conform::cal;
  return Pack(Add(Unpack(a), Unpack(b), static_cast<int>(sign)));
}
int64_t conform_rt_dur_mul(int64_t a, int64_t k) {
  using namespace conform::cal;
  return Pack(Scale(Unpack(a), k));
}
int64_t conform_rt_dur_cmp(int64_t a, int64_t b, int64_t as_of) {
  using namespace conform::cal;
  return Compare(Unpack(a), Unpack(b), as_of);
}
void* conform_rt_join_index(EvalContext* ctx, int64_t slot) {
  return static_cast<Scratch*>(ctx->scratch)->Join(static_cast<size_t>(slot));
}
int64_t conform_rt_join_use(void* index) { return static_cast<conform::JoinIndex*>(index)->Use(); }
int64_t conform_rt_join_ready(void* index) { return static_cast<conform::JoinIndex*>(index)->ready(); }
void conform_rt_join_add(void* index, int64_t key, int64_t element) {
  static_cast<conform::JoinIndex*>(index)->Add(key, element);
}
void conform_rt_join_finish(void* index) { static_cast<conform::JoinIndex*>(index)->Finish(); }
void conform_rt_join_probe(void* index, int64_t key, Seq* out) {
  *out = static_cast<const conform::JoinIndex*>(index)->Probe(key);
}
}

const Seq* conform_rt_set_op(EvalContext* ctx, const Seq* a, int64_t a_sorted, const Seq* b, int64_t b_sorted, int64_t op) {
  auto* buf = static_cast<Scratch*>(ctx->scratch)->New();
  buf->items = conform::SetAlgebra(a, a_sorted != 0, b, b_sorted != 0, static_cast<int>(op));
  buf->seq = {static_cast<int64_t>(buf->items.size()), buf->items.data()};
  return &buf->seq;
}
int64_t conform_rt_set_rel(const Seq* a, int64_t a_sorted, const Seq* b, int64_t b_sorted, int64_t aux) {
  return conform::SetRelation(a, a_sorted != 0, b, b_sorted != 0, static_cast<int>(aux)) ? 1 : 0;
}
int64_t* conform_rt_globals(EvalContext* ctx, int64_t n) {
  return static_cast<Scratch*>(ctx->scratch)->Globals(static_cast<size_t>(n));
}
