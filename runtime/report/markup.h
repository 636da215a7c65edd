// XML/HTML text escaping, shared by the JUnit, HTML and XLSX-free markup formats.
#pragma once
#include <string>
#include <string_view>

namespace conform::runtime::detail {

// Escapes & < > " ' and drops the control characters XML 1.0 forbids.
inline std::string Xml(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 8);
  for (char ch : s) {
    unsigned char c = static_cast<unsigned char>(ch);
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default:
        if (c < 0x20 && c != '\n' && c != '\t' && c != '\r') break;
        out += ch;
    }
  }
  return out;
}

}  // namespace conform::runtime::detail

#include <cstdint>
#include <fmt/format.h>

namespace conform::runtime::detail {

// A deterministic UUID (version 5 layout, variant 1) named by `name`: the same assessment gives
// the same identifiers, so reports diff cleanly. Two FNV-1a passes, not SHA-1: an identifier,
// not a security property.
inline std::string NameUuid(std::string_view name) {
  auto fnv = [&](uint64_t h) {
    for (unsigned char c : name) {
      h ^= c;
      h *= 0x100000001b3ULL;
    }
    return h;
  };
  uint64_t hi = fnv(0xcbf29ce484222325ULL), lo = fnv(0x84222325cbf29ce4ULL ^ hi);
  hi = (hi & ~0xF000ULL) | 0x5000ULL;                    // version 5
  lo = (lo & ~(0xC000ULL << 48)) | (0x8000ULL << 48);   // variant 10xx
  return fmt::format("{:08x}-{:04x}-{:04x}-{:04x}-{:012x}", hi >> 32, (hi >> 16) & 0xFFFF, hi & 0xFFFF, lo >> 48,
                     lo & 0xFFFFFFFFFFFFULL);
}

}  // namespace conform::runtime::detail
