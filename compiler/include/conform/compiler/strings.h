// String interning: rule literals and evidence strings share one id space per evaluation.
#pragma once
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace conform {

// Ids 0..size()-1, stable; the pool owns its text.
class StringPool {
 public:
  explicit StringPool(int64_t first_id = 0) : first_(first_id) {}
  int64_t Intern(std::string_view s);
  // -1 if absent.
  int64_t Find(std::string_view s) const;
  std::string_view Get(int64_t id) const { return by_id_[id - first_]; }
  bool Owns(int64_t id) const { return id >= first_ && id < first_ + static_cast<int64_t>(by_id_.size()); }
  int64_t first_id() const { return first_; }
  int64_t end_id() const { return first_ + static_cast<int64_t>(by_id_.size()); }
  size_t size() const { return by_id_.size(); }

 private:
  int64_t first_;
  std::deque<std::string> store_;
  std::unordered_map<std::string_view, int64_t> map_;
  std::vector<std::string_view> by_id_;
};

// A frozen base pool (the rule set's literals, shared by threads) plus a private layer
// (one evidence document, one evaluation). Equal text always gets an equal id.
class LayeredStrings {
 public:
  explicit LayeredStrings(const StringPool* base) : base_(base), local_(base ? base->end_id() : 0) {}
  int64_t Intern(std::string_view s) {
    if (base_) {
      int64_t id = base_->Find(s);
      if (id >= 0) return id;
    }
    return local_.Intern(s);
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
