// String interning.
#include "conform/compiler/strings.h"

#include <algorithm>
#include <cstring>

namespace conform {

namespace {

inline uint64_t Mix(uint64_t a, uint64_t b) {
  __uint128_t m = static_cast<__uint128_t>(a) * b;
  return static_cast<uint64_t>(m) ^ static_cast<uint64_t>(m >> 64);
}

inline uint64_t Load8(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

constexpr uint64_t kP0 = 0xa0761d6478bd642full, kP1 = 0xe7037ed1a0b428dbull, kP2 = 0x8ebc6af09c88c6e3ull;
constexpr size_t kFirstChunk = 1024, kMaxChunk = size_t{64} << 10;

}  // namespace

// A multiply-mix hash over 8-byte words (the scheme of wyhash): a few instructions per word.
uint64_t StringPool::Hash(std::string_view s) {
  const char* p = s.data();
  size_t n = s.size();
  uint64_t h = kP0 ^ (n * kP1);
  while (n >= 16) {
    h = Mix(Load8(p) ^ kP1, Load8(p + 8) ^ h);
    p += 16;
    n -= 16;
  }
  uint64_t a = 0, b = 0;
  if (n >= 8) {
    a = Load8(p);
    b = Load8(p + n - 8);
  } else if (n >= 4) {
    uint32_t x, y;
    std::memcpy(&x, p, 4);
    std::memcpy(&y, p + n - 4, 4);
    a = x;
    b = y;
  } else if (n > 0) {
    a = (static_cast<uint64_t>(static_cast<unsigned char>(p[0])) << 16) |
        (static_cast<uint64_t>(static_cast<unsigned char>(p[n >> 1])) << 8) | static_cast<unsigned char>(p[n - 1]);
  }
  return Mix(kP2 ^ s.size(), Mix(a ^ kP1, b ^ h));
}

int64_t StringPool::Find(std::string_view s, uint64_t hash) const {
  if (table_.empty()) return -1;
  const size_t mask = table_.size() - 1;
  const uint32_t tag = static_cast<uint32_t>(hash >> 32);
  for (size_t i = tag & mask;; i = (i + 1) & mask) {
    const Slot& e = table_[i];
    if (e.id1 == 0) return -1;
    if (e.tag == tag && by_id_[e.id1 - 1] == s) return first_ + e.id1 - 1;
  }
}

int64_t StringPool::Intern(std::string_view s, uint64_t hash) {
  if (2 * (by_id_.size() + 1) > table_.size()) Grow();
  const size_t mask = table_.size() - 1;
  const uint32_t tag = static_cast<uint32_t>(hash >> 32);
  size_t i = tag & mask;
  for (;; i = (i + 1) & mask) {
    const Slot& e = table_[i];
    if (e.id1 == 0) break;
    if (e.tag == tag && by_id_[e.id1 - 1] == s) return first_ + e.id1 - 1;
  }
  by_id_.push_back(Store(s));
  table_[i] = {tag, static_cast<uint32_t>(by_id_.size())};
  return first_ + static_cast<int64_t>(by_id_.size()) - 1;
}

void StringPool::Grow() {
  std::vector<Slot> old = std::move(table_);
  table_.assign(std::max<size_t>(16, 2 * old.size()), Slot{});
  const size_t mask = table_.size() - 1;
  for (const Slot& e : old) {
    if (e.id1 == 0) continue;
    size_t i = e.tag & mask;  // the slot keeps what placing it needs: no string is hashed again
    while (table_[i].id1 != 0) i = (i + 1) & mask;
    table_[i] = e;
  }
}

std::string_view StringPool::Store(std::string_view s) {
  if (s.empty()) return std::string_view("", 0);
  if (s.size() > left_) {
    size_t last = chunks_.empty() ? 0 : std::min(kMaxChunk, kFirstChunk << std::min<size_t>(chunks_.size(), 6));
    size_t size = std::max({kFirstChunk, last, s.size()});
    chunks_.push_back(std::make_unique_for_overwrite<char[]>(size));
    free_ = chunks_.back().get();
    left_ = size;
  }
  char* at = free_;
  std::memcpy(at, s.data(), s.size());
  free_ += s.size();
  left_ -= s.size();
  return {at, s.size()};
}

}  // namespace conform
