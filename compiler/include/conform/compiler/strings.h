// String interning: rule literals and evidence strings share one id space per evaluation.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace conform {

// Ids first_id()..end_id()-1, stable; the pool owns its text. An open-addressing table over
// (hash tag, id) and the text in chunks of its own: interning a new string allocates only when
// a chunk or the table fills (evidence loading interns every string value it reads).
class StringPool {
 public:
  explicit StringPool(int64_t first_id = 0) : first_(first_id) {}
  StringPool(StringPool&&) noexcept = default;
  StringPool& operator=(StringPool&&) noexcept = default;
  StringPool(const StringPool&) = delete;  // the table's views point into the chunks
  StringPool& operator=(const StringPool&) = delete;

  // The hash both lookups use; LayeredStrings computes it once for the base and the local pool.
  static uint64_t Hash(std::string_view s);

  int64_t Intern(std::string_view s) { return Intern(s, Hash(s)); }
  int64_t Intern(std::string_view s, uint64_t hash);
  // -1 if absent.
  int64_t Find(std::string_view s) const { return Find(s, Hash(s)); }
  int64_t Find(std::string_view s, uint64_t hash) const;
  std::string_view Get(int64_t id) const { return by_id_[id - first_]; }
  bool Owns(int64_t id) const { return id >= first_ && id < first_ + static_cast<int64_t>(by_id_.size()); }
  int64_t first_id() const { return first_; }
  int64_t end_id() const { return first_ + static_cast<int64_t>(by_id_.size()); }
  size_t size() const { return by_id_.size(); }

 private:
  struct Slot {
    uint32_t tag = 0;   // high half of the hash; also its place in the table (tag & mask)
    uint32_t id1 = 0;   // id - first_ + 1; 0: empty
  };
  void Grow();
  std::string_view Store(std::string_view s);

  int64_t first_;
  std::vector<Slot> table_;  // power-of-two size, at most half full
  std::vector<std::string_view> by_id_;
  std::vector<std::unique_ptr<char[]>> chunks_;
  char* free_ = nullptr;
  size_t left_ = 0;
};

// A frozen base pool (the rule set's literals, shared by threads) plus a private layer
// (one evidence document, one evaluation). Equal text always gets an equal id.
class LayeredStrings {
 public:
  explicit LayeredStrings(const StringPool* base) : base_(base), local_(base ? base->end_id() : 0) {}
  int64_t Intern(std::string_view s) {
    const uint64_t h = StringPool::Hash(s);
    if (base_) {
      int64_t id = base_->Find(s, h);
      if (id >= 0) return id;
    }
    return local_.Intern(s, h);
  }
  std::string_view Get(int64_t id) const {
    if (base_ && base_->Owns(id)) return base_->Get(id);
    return local_.Get(id);
  }
  const StringPool* base() const { return base_; }

 private:
  const StringPool* base_;
  StringPool local_;
};

}  // namespace conform
