// The evidence arena: a bump allocator handing out zeroed memory.
#include <algorithm>
#include <cstring>
#include <memory>

#include "conform/runtime/evidence.h"

namespace conform::runtime {

namespace {
constexpr size_t kFirstBlock = 4096;
constexpr size_t kMinFirstBlock = 256;
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
      return std::memset(blocks_.back().get() + start, 0, bytes);
    }
  }
  // A new block: grows geometrically up to kMaxBlock; a large request gets a block of its own.
  size_t next = blocks_.empty() ? (first_block_ ? first_block_ : kFirstBlock)
                                : std::min(kMaxBlock, std::max(kFirstBlock, block_size_ * 2));
  size_t need = bytes + align;  // room to align inside the block
  size_t size = std::max(next, need);
  // Not zeroed as a whole: each allocation is zeroed as it is handed out (a small document uses
  // a fraction of its first block; zeroing all of it was a tenth of loading one in a batch).
  blocks_.push_back(std::make_unique_for_overwrite<char[]>(size));
  block_size_ = size;
  uintptr_t base = reinterpret_cast<uintptr_t>(blocks_.back().get());
  size_t start = ((base + align - 1) & ~(uintptr_t{align} - 1)) - base;
  offset_ = start + bytes;
  used_ += bytes;
  return std::memset(blocks_.back().get() + start, 0, bytes);
}

void Arena::SizeFirstBlock(size_t bytes) {
  if (blocks_.empty()) first_block_ = std::clamp(bytes, kMinFirstBlock, kMaxBlock);
}

}  // namespace conform::runtime
