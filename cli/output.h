// The one place where conform decides what a failed write means. Results go to stdout and
// diagnostics to stderr through stdio (fmt::print, std::cout); a failed write to stdout is
// reported as E0910 with exit status 2, never as success and never as an internal error, and a
// failing stderr never aborts the process.
#pragma once
#include <string_view>

namespace conform::cli {

// Writes to stderr with write(2), ignoring every error: for last-resort messages.
void StderrNoThrow(std::string_view text) noexcept;

// Flushes stdout (stdio and std::cout); 0 if everything written so far reached the file,
// else the errno of the failure (-1 if unknown).
int FlushStdout() noexcept;

// True if a write to stdout has failed (stdio error flag or std::cout's badbit).
bool StdoutFailed() noexcept;

// Reports a failed write to stdout (E0910) on stderr, if stderr still works; returns 2.
int OutputFailure(int err) noexcept;

// The exit status of the process: `status`, or 2 with E0910 if stdout could not be written.
// Call once, after the command has finished.
int Finish(int status) noexcept;

}  // namespace conform::cli
