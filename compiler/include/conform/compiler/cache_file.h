// Verified cache files, shared by the compiled-program cache (driver/ir_cache.cc) and the object
// cache (jit/jit.cc). A cache file is never trusted:
//  - the folder must not be writable by other users (world-writable without the sticky bit, or
//    owned by another user): such a folder is refused and the run goes uncached (W0910);
//  - only regular files owned by the user (or root) are opened, never following a symlink and
//    never blocking on a FIFO or device (O_NOFOLLOW | O_NONBLOCK, then fstat);
//  - every entry is sealed: a magic line naming its kind and format version, the SHA-256 of the
//    payload, then the payload; a digest mismatch or a truncation is a corrupt entry (a miss,
//    W0911), checked before anything of the payload is parsed or any native code runs;
//  - writes go to a temporary file (O_EXCL, 0600), fsync, rename: readers see the old entry or
//    the whole new one; temporary files left by an interrupted writer are removed later.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace conform::cache {

// The Conform version every cache key includes (a new release never reuses an old entry).
const char* ConformVersion();

// SHA-256 of `data`, as 64 lowercase hex digits.
std::string Sha256Hex(std::string_view data);

// Checks the cache folder `dir` (creating it, mode 0700, if it is missing and `create`). False
// with `why` (a sentence) if it must not be used: not a folder, writable by others without the
// sticky bit, or owned by another user. A missing folder with !create is fine (nothing cached).
bool CheckDir(const std::string& dir, bool create, std::string& why);

enum class ReadStatus {
  Missing,   // no such entry: an ordinary miss
  Ok,        // `data` holds the file
  Refused,   // not a regular file, a symlink, owned by another user, too large: `why` says which
  Error,     // a read error: `why` says which
};
ReadStatus ReadFile(const std::string& path, std::string& data, std::string& why);

// Writes `data` to `path` atomically (temporary file in the same folder, fsync, rename), after
// removing stale temporary files of earlier interrupted writes. False on any error (nothing is
// left behind).
bool WriteFile(const std::string& path, std::string_view data);

// Removes temporary files (`*.tmp` made by WriteFile) in `dir` whose writer has exited or that
// are older than an hour. Returns how many were removed.
int CleanStaleTemps(const std::string& dir);

// The sealed form: `magic` (one line, e.g. "CONFORM-IR-CACHE 8\n"), 32 bytes of SHA-256 of the
// payload, the payload.
std::string Seal(std::string_view magic, std::string_view payload);

enum class OpenStatus {
  Ok,       // `payload` is intact
  Foreign,  // another kind or format version: an ordinary miss (an older Conform wrote it)
  Corrupt,  // right magic but truncated or the digest does not match
};
OpenStatus Unseal(std::string_view data, std::string_view magic, std::string_view& payload);

}  // namespace conform::cache
