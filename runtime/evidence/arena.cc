// The evidence arena: a bump allocator handing out zeroed memory.
#include <algorithm>
#include <cstring>

#include "conform/runtime/evidence.h"

namespace conform::runtime {

namespace {
constexpr size_t kFirstBlock = 4096;
constexpr size_t kMaxBlock = size_t{1} << 20;
}  // namespace

void* Arena::Allocate(size_t bytes, size_t align) {
  if (align == 0 || (align & (align - 1)) != 0) align = 8;
  if (!blocks_.empty()) {
    uintptr_t base = reinterpret_cast<uintptr_t>(blocks_.back().get());
    size_t start = ((base + offset_ + align - 1) & ~(uintptr_t{align} - 1)) - base;
    if (start + bytes <= block_size_) {
      offset_ = start + bytes;
      used_ += bytes;
      return blocks_.back().get() + start;
    }
  }
  // A new block: grows geometrically up to kMaxBlock; a large request gets a block of its own.
  size_t next = blocks_.empty() ? kFirstBlock : std::min(kMaxBlock, std::max(kFirstBlock, block_size_ * 2));
  size_t need = bytes + align;  // room to align inside the block
  size_t size = std::max(next, need);
  // make_unique<char[]> value-initialises: every byte starts at zero (presence bits clear).
  blocks_.push_back(std::make_unique<char[]>(size));
  block_size_ = size;
  uintptr_t base = reinterpret_cast<uintptr_t>(blocks_.back().get());
  size_t start = ((base + align - 1) & ~(uintptr_t{align} - 1)) - base;
  offset_ = start + bytes;
  used_ += bytes;
  return blocks_.back().get() + start;
}

}  // namespace conform::runtime
