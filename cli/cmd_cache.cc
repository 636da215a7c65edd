// `conform cache warm`: compile standards to native code into the object cache ahead of use —
// run by hand, by the build/install step, or in the background by a `conform check` that
// evaluated with the interpreter (--engine auto) so that the next native run starts warm.
#include <fcntl.h>
#include <fmt/format.h>
#include <spawn.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <memory>
#include <set>

#include "commands.h"
#include "common.h"
#include "conform/compiler/cache_file.h"
#include "conform/embed/engine.h"

extern char** environ;

namespace fs = std::filesystem;

namespace conform::cli {
namespace {

struct WarmOptions {
  std::vector<std::string> standards;  // one rule set; empty: every standard, one by one
  std::vector<std::string> plugin_dirs;
  std::string cache_dir;
  std::string as_of = "today";
  bool quiet = false;
  int opt_level = 2;
};

double Since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count();
}

// One warm-up at a time per cache folder: a second one (two `check`s started together) leaves
// the work to the first. The lock dies with its holder.
bool TryLock(const std::string& dir, int& fd) {
  fd = ::open((fs::path(dir) / "warm.lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  return fd >= 0 && ::flock(fd, LOCK_EX | LOCK_NB) == 0;
}

int RunWarm(const WarmOptions& o) {
  auto as_of = ParseAsOf(o.as_of);
  if (!as_of) return UsageError(fmt::format("invalid --as-of `{}`", o.as_of), "write a date as YYYY-MM-DD, or `today`");
  if (!jit::Available()) {
    std::string why = jit::UnavailableReason();
    return UsageError(fmt::format("conform cache warm needs the native engine, which {}",
                                  why.empty() ? "this build does not have (CONFORM_WITH_JIT=OFF)" : "is not available: " + why),
                      "nothing to warm: `conform check --engine interp` needs no native code");
  }
  std::string dir = CacheDir(o.cache_dir), why;
  if (dir.empty()) return UsageError("no cache folder: $XDG_CACHE_HOME and $HOME are unset", "give --cache-dir DIR");
  if (!cache::CheckDir(dir, /*create=*/true, why))
    return UsageError(fmt::format("cannot use the cache folder: {}", why), "make it private (chmod 700) or choose another");
  int lock = -1;
  if (!TryLock(dir, lock)) {
    if (!o.quiet) fmt::print("another `conform cache warm` is filling {}; nothing to do\n", dir);
    return 0;
  }
  embed::CatalogueOptions co;
  co.plugin_dirs = o.plugin_dirs;
  embed::Engine engine(co);
  std::vector<std::vector<std::string>> sets;
  if (!o.standards.empty()) {
    sets.push_back(o.standards);
  } else {
    std::set<std::string> ids;
    for (const auto& p : engine.catalogue().plugins())
      if (p.kind == "standard" && ids.insert(p.id).second) sets.push_back({p.id});
  }
  embed::CompileOptions opts;
  opts.engine = runtime::Engine::Jit;
  opts.cache_dir = dir;
  opts.as_of = *as_of;
  opts.opt_level = o.opt_level;
  int status = 0;
  auto t0 = std::chrono::steady_clock::now();
  std::vector<std::shared_ptr<const embed::RuleSet>> compiled = engine.CompileEach(sets, opts);
  double ms = Since(t0);
  for (size_t i = 0; i < sets.size(); ++i) {
    const embed::RuleSet& rules = *compiled[i];
    std::string name = fmt::format("{}", fmt::join(sets[i], " + "));
    if (!rules.ok()) {
      fmt::print(stderr, "{}: not compiled\n", name);
      PrintDiagnostics(embed::ErrorsOnly(rules.diags()), rules.sources());
      status = 2;
      continue;
    }
    PrintDiagnostics(embed::CacheWarnings(rules.diags()), rules.sources());
    if (o.quiet) continue;
    bool hit = std::all_of(rules.natives().begin(), rules.natives().end(),
                           [](const auto& n) { return n->stats().disk_hit || n->stats().memory_hit; });
    bool installed = hit && std::all_of(rules.natives().begin(), rules.natives().end(),
                                        [](const auto& n) { return n->stats().installed_hit; });
    fmt::print("{}: {}\n", name, installed ? "already in the installed cache" : hit ? "already in the cache" : "compiled into the cache");
  }
  if (!o.quiet) fmt::print("{} rule set{} in {:.0f} ms\n", sets.size(), sets.size() == 1 ? "" : "s", ms);
  return status;
}

// `conform cache info`: the user's cache and the installed layer, what each holds.
struct InfoOptions {
  std::string cache_dir;
};

void PrintLayer(const char* name, const std::string& dir, bool writable) {
  if (dir.empty()) {
    fmt::print("{}: none\n", name);
    return;
  }
  std::error_code ec;
  std::string why;
  if (!fs::is_directory(dir, ec)) {
    fmt::print("{}: {} (empty: the folder does not exist yet)\n", name, dir);
    return;
  }
  if (!cache::CheckDir(dir, /*create=*/false, why)) {
    fmt::print("{}: {} (not used: {})\n", name, dir, why);
    return;
  }
  size_t programs = 0, objects = 0, hints = 0;
  uintmax_t bytes = 0;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (!e.is_regular_file(ec)) continue;
    std::string f = e.path().filename().string();
    bool program = f.rfind("ir-", 0) == 0 && e.path().extension() == ".bin";
    bool object = e.path().extension() == ".o";
    bool hint = f.rfind("native-", 0) == 0 && e.path().extension() == ".ok";
    if (!program && !object && !hint) continue;
    programs += program;
    objects += object;
    hints += hint;
    bytes += e.file_size(ec);
  }
  fmt::print("{}: {} ({})\n  {} compiled-program entr{}, {} object entr{}, {} native hint{}, {:.1f} MiB\n", name, dir,
             writable ? "read and written" : "read only", programs, programs == 1 ? "y" : "ies", objects,
             objects == 1 ? "y" : "ies", hints, hints == 1 ? "" : "s", static_cast<double>(bytes) / (1 << 20));
}

int RunInfo(const InfoOptions& o) {
  PrintLayer("user cache", CacheDir(o.cache_dir), true);
  PrintLayer("installed cache", embed::InstalledCacheDir(), false);
  return 0;
}

}  // namespace

bool StartBackgroundWarm(const std::vector<std::string>& standards, const std::vector<std::string>& plugin_dirs,
                         const std::string& cache_dir, const std::string& as_of, int opt_level) {
  std::vector<std::string> args = {"conform", "cache", "warm", "--quiet", "--as-of", as_of, "--opt-level",
                                   std::to_string(opt_level)};
  for (const auto& s : standards) args.insert(args.end(), {"-s", s});
  for (const auto& d : plugin_dirs) args.insert(args.end(), {"--plugin-dir", d});
  if (!cache_dir.empty()) args.insert(args.end(), {"--cache-dir", cache_dir});
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  // Detached: its own session, no terminal, output discarded; it outlives this process (it is
  // reparented when `check` exits) and writes the cache atomically like any other run.
  posix_spawn_file_actions_t fa;
  posix_spawnattr_t attr;
  posix_spawn_file_actions_init(&fa);
  for (int fd : {0, 1, 2}) posix_spawn_file_actions_addopen(&fa, fd, "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY, 0);
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID);
  pid_t pid = -1;
  int rc = posix_spawn(&pid, "/proc/self/exe", &fa, &attr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  return rc == 0;
}

void AddCache(CLI::App& app, std::function<int()>& run) {
  auto* cmd = app.add_subcommand("cache", "Manage the compiled-program and object caches");
  cmd->require_subcommand(1);
  auto o = std::make_shared<WarmOptions>();
  auto* warm = cmd->add_subcommand("warm", "Compile standards to native code into the object cache ahead of use");
  warm->add_option("-s,--standard", o->standards,
                   "compile these standards together, as `check -s A -s B` does (default: every standard, one by one)")
      ->allow_extra_args(false);
  warm->add_option("--plugin-dir", o->plugin_dirs, "extra catalogue folder (repeatable)")->allow_extra_args(false);
  warm->add_option("--cache-dir", o->cache_dir, "cache folder (default: $XDG_CACHE_HOME/conform)");
  warm->add_option("--as-of", o->as_of, "pick the editions current at this date YYYY-MM-DD (default: today)");
  warm->add_flag("-q,--quiet", o->quiet, "print nothing but errors");
  warm->add_option("--opt-level", o->opt_level, "LLVM optimisation level 0-3, as `check --opt-level`")
      ->check(CLI::Range(0, 3))
      ->capture_default_str();
  warm->callback([o, &run] { run = [o] { return RunWarm(*o); }; });
  auto io = std::make_shared<InfoOptions>();
  auto* info = cmd->add_subcommand("info", "Show the cache layers: your cache (read and written), then the installed one (read only)");
  info->add_option("--cache-dir", io->cache_dir, "cache folder (default: $XDG_CACHE_HOME/conform)");
  info->callback([io, &run] { run = [io] { return RunInfo(*io); }; });
}

}  // namespace conform::cli
