// Fuzz target: the compiled-program cache loader behind its digest. The input is an entry's
// payload; the target seals it (so the SHA-256 matches, as a buggy or hostile writer could) and
// loads it for the fingerprint the payload names: the structural validation must reject what
// is malformed without crashing or reading out of bounds. (What a digest-valid image computes
// is not re-derived: type consistency rests on the digest and on refusing folders others can
// write; docs/caching.md.)
#include <cstdint>
#include <cstring>
#include <string>

#include "conform/compiler/cache_file.h"
#include "conform/compiler/ir_cache.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string payload(reinterpret_cast<const char*>(data), size);
  // The fingerprint is the payload's first string (length, then bytes).
  std::string fingerprint;
  if (payload.size() >= 8) {
    uint64_t n = 0;
    std::memcpy(&n, payload.data(), 8);
    if (n <= payload.size() - 8) fingerprint = payload.substr(8, n);
  }
  std::string sealed = conform::cache::Seal(conform::BundleMagic(), payload);
  auto bundle = conform::DecodeBundle(sealed, fingerprint);
  if (bundle)  // re-encoding what was accepted reproduces it
    if (conform::EncodeBundle(fingerprint, *bundle).size() != sealed.size()) __builtin_trap();
  return 0;
}
