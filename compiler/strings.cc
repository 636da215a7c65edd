// String interning.
#include "conform/compiler/strings.h"

namespace conform {

int64_t StringPool::Intern(std::string_view s) {
  auto it = map_.find(s);
  if (it != map_.end()) return it->second;
  store_.emplace_back(s);
  std::string_view v = store_.back();
  int64_t id = end_id();
  by_id_.push_back(v);
  map_.emplace(v, id);
  return id;
}

int64_t StringPool::Find(std::string_view s) const {
  auto it = map_.find(s);
  return it == map_.end() ? -1 : it->second;
}

}  // namespace conform
