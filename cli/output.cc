// Checked output: see output.h.
#include "output.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>

namespace conform::cli {

void StderrNoThrow(std::string_view text) noexcept {
  while (!text.empty()) {
    ssize_t n = ::write(2, text.data(), text.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    text.remove_prefix(static_cast<size_t>(n));
  }
}

int FlushStdout() noexcept {
  errno = 0;
  try {
    std::cout.flush();
  } catch (...) {
  }
  int err = std::cout.bad() ? (errno ? errno : -1) : 0;
  errno = 0;
  if (std::fflush(stdout) != 0 && !err) err = errno ? errno : -1;
  if (!err && std::ferror(stdout)) err = -1;
  return err;
}

bool StdoutFailed() noexcept { return std::ferror(stdout) || std::cout.bad(); }

int OutputFailure(int err) noexcept {
  static bool reported = false;
  if (reported) return 2;
  reported = true;
  std::string msg = "error[E0910]: cannot write the output to standard output: ";
  msg += err > 0 ? std::strerror(err) : "a write failed (a full disk or a closed output?)";
  msg += "\n  = help: the results are incomplete; check the disk space and the file or pipe that "
         "standard output goes to, then run the command again\n";
  StderrNoThrow(msg);
  return 2;
}

int Finish(int status) noexcept {
  if (int err = FlushStdout()) return OutputFailure(err);
  std::fflush(stderr);  // unbuffered in practice; a failing stderr changes nothing here
  return status;
}

}  // namespace conform::cli
