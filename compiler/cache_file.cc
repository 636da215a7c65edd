// Verified cache files: see cache_file.h.
#include "conform/compiler/cache_file.h"

#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <openssl/evp.h>
#include <signal.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>

#ifndef CONFORM_VERSION_STRING
#error "CONFORM_VERSION_STRING must be defined by the build"
#endif

namespace fs = std::filesystem;

namespace conform::cache {
namespace {

constexpr size_t kDigestBytes = 32;
constexpr uint64_t kMaxEntryBytes = 1ull << 30;  // no real entry comes near 1 GiB
constexpr time_t kStaleSeconds = 3600;

bool Sha256(std::string_view data, unsigned char out[kDigestBytes]) {
  unsigned int len = 0;
  return EVP_Digest(data.data(), data.size(), out, &len, EVP_sha256(), nullptr) == 1 && len == kDigestBytes;
}

bool TrustedOwner(uid_t uid) { return uid == ::geteuid() || uid == 0; }

// `.NAME.PID.N.tmp` → PID (0 if the name is not one of ours).
pid_t TempWriter(std::string_view name) {
  if (name.size() < 5 || name.front() != '.' || name.substr(name.size() - 4) != ".tmp") return 0;
  name.remove_suffix(4);
  size_t dot = name.rfind('.');  // before N
  if (dot == std::string_view::npos || dot == 0) return 0;
  std::string_view rest = name.substr(0, dot);
  size_t dot2 = rest.rfind('.');  // before PID
  if (dot2 == std::string_view::npos || dot2 == 0) return 0;
  std::string_view pid = rest.substr(dot2 + 1);
  if (pid.empty() || pid.size() > 9) return 0;
  pid_t v = 0;
  for (char c : pid) {
    if (c < '0' || c > '9') return 0;
    v = v * 10 + (c - '0');
  }
  return v;
}

}  // namespace

const char* ConformVersion() { return CONFORM_VERSION_STRING; }

std::string Sha256Hex(std::string_view data) {
  unsigned char d[kDigestBytes];
  if (!Sha256(data, d)) return {};
  std::string out;
  for (unsigned char b : d) out += fmt::format("{:02x}", b);
  return out;
}

bool CheckDir(const std::string& dir, bool create, std::string& why) {
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0) {
    if (errno != ENOENT) {
      why = fmt::format("cannot use the cache folder {}: {}", dir, std::strerror(errno));
      return false;
    }
    if (!create) return true;
    std::error_code ec;
    fs::path p(dir);
    if (p.has_parent_path()) fs::create_directories(p.parent_path(), ec);
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
      why = fmt::format("cannot create the cache folder {}: {}", dir, std::strerror(errno));
      return false;
    }
    if (::stat(dir.c_str(), &st) != 0) {
      why = fmt::format("cannot use the cache folder {}: {}", dir, std::strerror(errno));
      return false;
    }
  }
  if (!S_ISDIR(st.st_mode)) {
    why = fmt::format("the cache folder {} is not a folder", dir);
    return false;
  }
  if (!TrustedOwner(st.st_uid)) {
    why = fmt::format("the cache folder {} belongs to another user (uid {}); its entries could run code inside conform",
                      dir, st.st_uid);
    return false;
  }
  if ((st.st_mode & S_IWOTH) && !(st.st_mode & S_ISVTX)) {
    why = fmt::format("the cache folder {} is writable by every user (mode {:04o}); its entries could run code inside conform",
                      dir, st.st_mode & 07777);
    return false;
  }
  return true;
}

ReadStatus ReadFile(const std::string& path, std::string& data, std::string& why) {
  // O_NONBLOCK: a FIFO put in place of an entry must not hang the run (it is refused below).
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
  if (fd < 0) {
    if (errno == ENOENT) return ReadStatus::Missing;
    why = errno == ELOOP ? "it is a symbolic link" : std::strerror(errno);
    return errno == ELOOP ? ReadStatus::Refused : ReadStatus::Error;
  }
  struct stat st {};
  ReadStatus status = ReadStatus::Ok;
  if (::fstat(fd, &st) != 0) {
    why = std::strerror(errno);
    status = ReadStatus::Error;
  } else if (!S_ISREG(st.st_mode)) {
    why = "it is not a regular file";
    status = ReadStatus::Refused;
  } else if (!TrustedOwner(st.st_uid)) {
    why = fmt::format("it belongs to another user (uid {})", st.st_uid);
    status = ReadStatus::Refused;
  } else if (static_cast<uint64_t>(st.st_size) > kMaxEntryBytes) {
    why = fmt::format("it is larger than {} bytes", kMaxEntryBytes);
    status = ReadStatus::Refused;
  }
  if (status != ReadStatus::Ok) {
    ::close(fd);
    return status;
  }
  // A regular file: clear O_NONBLOCK (meaningless for files, but be plain about it).
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  data.clear();
  data.reserve(static_cast<size_t>(st.st_size));
  char buf[1 << 16];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      why = std::strerror(errno);
      ::close(fd);
      return ReadStatus::Error;
    }
    if (n == 0) break;
    if (data.size() + static_cast<size_t>(n) > kMaxEntryBytes) {
      why = fmt::format("it is larger than {} bytes", kMaxEntryBytes);
      ::close(fd);
      return ReadStatus::Refused;
    }
    data.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return ReadStatus::Ok;
}

int CleanStaleTemps(const std::string& dir) {
  DIR* d = ::opendir(dir.c_str());
  if (!d) return 0;
  int removed = 0;
  time_t now = ::time(nullptr);
  while (struct dirent* e = ::readdir(d)) {
    std::string_view name = e->d_name;
    pid_t pid = TempWriter(name);
    if (pid <= 0) continue;
    struct stat st {};
    if (::fstatat(::dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
    bool writer_gone = pid != ::getpid() && ::kill(pid, 0) != 0 && errno == ESRCH;
    bool old = now - st.st_mtime > kStaleSeconds;
    if ((writer_gone || old) && ::unlinkat(::dirfd(d), e->d_name, 0) == 0) ++removed;
  }
  ::closedir(d);
  return removed;
}

bool WriteFile(const std::string& path, std::string_view data) {
  fs::path p(path);
  std::string dir = p.has_parent_path() ? p.parent_path().string() : ".";
  CleanStaleTemps(dir);
  static std::atomic<uint64_t> counter{0};
  std::string tmp = (fs::path(dir) / fmt::format(".{}.{}.{}.tmp", p.filename().string(), ::getpid(), counter++)).string();
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return false;
  bool ok = true;
  while (ok && !data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) ok = false;
    else data.remove_prefix(static_cast<size_t>(n));
  }
  if (ok && ::fsync(fd) != 0) ok = false;
  if (::close(fd) != 0) ok = false;
  if (ok && ::rename(tmp.c_str(), path.c_str()) != 0) ok = false;
  if (!ok) ::unlink(tmp.c_str());
  return ok;
}

std::string Seal(std::string_view magic, std::string_view payload) {
  unsigned char d[kDigestBytes] = {};
  Sha256(payload, d);
  std::string out;
  out.reserve(magic.size() + kDigestBytes + payload.size());
  out.append(magic);
  out.append(reinterpret_cast<const char*>(d), kDigestBytes);
  out.append(payload);
  return out;
}

OpenStatus Unseal(std::string_view data, std::string_view magic, std::string_view& payload) {
  // The first line names the kind and format version. The same kind with another version is
  // an older (or newer) Conform's entry: an ordinary miss. Anything else is damage.
  size_t nl = data.find('\n');
  if (nl == std::string_view::npos || data.substr(0, nl + 1) != magic) {
    std::string_view kind = magic.substr(0, magic.rfind(' ') + 1);
    std::string_view line = nl == std::string_view::npos ? data : data.substr(0, nl);
    if (nl != std::string_view::npos && line.size() > kind.size() && line.substr(0, kind.size()) == kind &&
        line.find_first_not_of("0123456789", kind.size()) == std::string_view::npos)
      return OpenStatus::Foreign;
    return OpenStatus::Corrupt;
  }
  if (data.size() < magic.size() + kDigestBytes) return OpenStatus::Corrupt;
  std::string_view body = data.substr(magic.size() + kDigestBytes);
  unsigned char d[kDigestBytes];
  if (!Sha256(body, d) || std::memcmp(d, data.data() + magic.size(), kDigestBytes) != 0) return OpenStatus::Corrupt;
  payload = body;
  return OpenStatus::Ok;
}

}  // namespace conform::cache
