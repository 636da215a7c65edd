// The compiler driver: module discovery, parsing, schema, compilation.
#include <fmt/format.h>

#include <algorithm>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "conform/compiler/driver.h"
#include "conform/compiler/parser.h"
#include "conform/compiler/sema.h"

namespace fs = std::filesystem;

namespace conform {

bool ReadFile(const std::string& path, std::string& out, std::string& error, size_t max_bytes) {
  // open(2) and read(2), so that the message names the real cause (a symlink loop, a missing
  // permission) and a limit bounds what is read from a pipe or device as well as from a file.
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    error = std::strerror(errno);
    return false;
  }
  struct stat st {};
  if (::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
    ::close(fd);
    error = "is a directory";
    return false;
  }
  out.clear();
  if (S_ISREG(st.st_mode) && static_cast<uint64_t>(st.st_size) <= max_bytes) out.reserve(static_cast<size_t>(st.st_size));
  char buf[1 << 16];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      error = std::strerror(errno);
      ::close(fd);
      return false;
    }
    if (n == 0) break;
    if (out.size() + static_cast<size_t>(n) > max_bytes) {
      ::close(fd);
      out.clear();
      error = fmt::format("larger than the limit of {} bytes", max_bytes);
      return false;
    }
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return true;
}

Session::Session(std::vector<std::string> search_dirs) : search_dirs_(std::move(search_dirs)) {}

std::vector<std::string> Session::AvailableModules() const {
  std::vector<std::string> out;
  for (const auto& dir : search_dirs_) {
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir, ec)) {
      if (!e.is_directory()) continue;
      bool has = false;
      for (const auto& f : fs::directory_iterator(e.path(), ec))
        if (f.path().extension() == ".clause") has = true;
      if (has) out.push_back(e.path().filename().string());
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

bool Session::ParseAndTrack(uint32_t id) {
  size_t before = diags_.ErrorCount();
  auto file = syntax::ParseFile(sources_, id, diags_);
  if (!languages_.empty()) {
    std::error_code ec;
    auto it = languages_.find(fs::weakly_canonical(fs::path(file->path), ec).parent_path().string());
    if (it != languages_.end()) file->language = it->second;
  }
  sema::CheckLanguageLevel(*file, diags_);
  std::vector<ast::UseDecl> uses = file->uses;
  // An extension loads its base like a `use`, unless the base is declared in a loaded file.
  for (const auto& x : file->extensions) {
    bool here = false;
    for (const auto& s : file->standards) here = here || s.name == x.base;
    for (const auto& f : files_) {
      for (const auto& s : f->standards) here = here || s.name == x.base;
      for (const auto& e : f->extensions) here = here || e.name == x.base;
    }
    for (const auto& e : file->extensions) here = here || e.name == x.base;
    if (!here) uses.push_back({x.base, x.base_span});
  }
  files_.push_back(std::move(file));
  schema_.reset();
  bool ok = diags_.ErrorCount() == before;
  for (const auto& u : uses) ok = LoadModule(u.module, u.span) && ok;
  return ok;
}

bool Session::LoadText(const std::string& path, std::string text) {
  return ParseAndTrack(sources_.Add(path, std::move(text)));
}

void Session::SetLanguage(const std::string& folder, std::string version) {
  std::error_code ec;
  languages_[fs::weakly_canonical(folder, ec).string()] = std::move(version);
}

void Session::SetOverlay(const std::string& path, std::string text) {
  overlays_[fs::weakly_canonical(path).string()] = std::move(text);
}

bool Session::LoadFile(const std::string& path) {
  std::string canon = fs::weakly_canonical(path).string();
  if (paths_.count(canon)) return true;
  paths_[canon] = true;
  std::string text, err;
  if (auto o = overlays_.find(canon); o != overlays_.end()) return LoadText(path, o->second);
  if (!ReadFile(path, text, err)) {
    auto& d = diags_.Error("E0601", {}, fmt::format("cannot read rule file: {}", err));
    d.path = path;
    return false;
  }
  return LoadText(path, std::move(text));
}

namespace {
bool LoadFolder(Session& s, const fs::path& folder, bool& found) {
  std::error_code ec;
  found = false;
  if (!fs::is_directory(folder, ec)) return false;
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(folder, ec))
    if (e.path().extension() == ".clause") files.push_back(e.path().string());
  if (files.empty()) return false;
  found = true;
  std::sort(files.begin(), files.end());
  bool ok = true;
  for (const auto& f : files) ok = s.LoadFile(f) && ok;
  return ok;
}
}  // namespace

bool Session::LoadModule(const std::string& name, Span use_site) {
  if (modules_.count(name)) return true;
  modules_[name] = true;  // before loading: `use` cycles end here
  std::string why;
  if (resolver_) {
    std::string dir = resolver_(name, why);
    bool found = false;
    if (!dir.empty()) {
      bool ok = LoadFolder(*this, dir, found);
      if (found) return ok;
      why = fmt::format("package folder {} holds no .clause files", dir);
    }
  } else {
    for (const auto& dir : search_dirs_) {
      bool found = false;
      bool ok = LoadFolder(*this, fs::path(dir) / name, found);
      if (found) return ok;
    }
  }
  std::vector<std::string> avail = AvailableModules();
  std::string near = ClosestMatch(name, avail);
  std::string list;
  for (size_t i = 0; i < avail.size(); ++i) list += (i ? ", " : "") + avail[i];
  std::string help = !why.empty() ? why
                     : !near.empty() ? fmt::format("did you mean `{}`?", near)
                     : list.empty()  ? "no modules found on the search path"
                                     : "available modules: " + list;
  diags_.Error("E0205", use_site, fmt::format("unknown module `{}`", name), help);
  missing_modules_.push_back({name, diags_.items().size() - 1});
  return false;
}

namespace {
// Errors that a missing module explains: its names, types and what fails to type because of them.
bool ExplainedByMissingModule(const std::string& code) {
  static const char* const kCodes[] = {"E0201", "E0202", "E0203", "E0206", "E0207", "E0301", "E0303", "E0410"};
  return std::any_of(std::begin(kCodes), std::end(kCodes), [&](const char* c) { return code == c; });
}
}  // namespace

void Session::PoisonAfterMissingModule(size_t first) {
  if (missing_modules_.empty()) return;
  auto& items = diags_.items();
  size_t dropped = 0;
  std::vector<Diagnostic> kept(items.begin(), items.begin() + static_cast<std::ptrdiff_t>(first));
  for (size_t i = first; i < items.size(); ++i) {
    if (items[i].severity == Severity::Error && ExplainedByMissingModule(items[i].code)) {
      ++dropped;
      continue;
    }
    kept.push_back(items[i]);
  }
  items = std::move(kept);
  if (!dropped) return;
  poisoned_ += dropped;
  // One root cause, one diagnostic: the E0205 says how many follow-on errors it hides.
  const auto& [name, at] = missing_modules_.front();
  if (at < items.size() && items[at].code == "E0205") {
    if (missing_help_.empty()) missing_help_ = items[at].help;
    items[at].help = missing_help_ + fmt::format(" ({} later error{} about names and types not shown: they may come from `{}`)", poisoned_,
                        poisoned_ == 1 ? "" : "s", name);
  }
}

std::shared_ptr<const SchemaModel> Session::Schema() {
  if (!schema_) {
    std::vector<const ast::File*> fs;
    for (const auto& f : files_) fs.push_back(f.get());
    size_t first = diags_.items().size();
    schema_ = sema::BuildSchema(fs, sources_, diags_);
    PoisonAfterMissingModule(first);
  }
  return schema_;
}

std::shared_ptr<ir::Program> Session::Compile(const std::string& id) {
  auto it = compiled_.find(id);
  if (it != compiled_.end()) return it->second;
  auto schema = Schema();
  std::vector<const ast::File*> fs;
  for (const auto& f : files_) fs.push_back(f.get());
  for (const auto& f : files_)
    for (const auto& s : f->standards)
      if (s.name == id) {
        size_t first = diags_.items().size();
        auto p = sema::CompileStandard(s, schema, literals_, sources_, diags_, fs);
        PoisonAfterMissingModule(first);
        compiled_[id] = p;
        return p;
      }
  if (IsExtension(id)) {
    auto p = CompileSelection({id});
    compiled_[id] = p;
    return p;
  }
  return nullptr;
}

bool Session::IsExtension(const std::string& id) const {
  for (const auto& f : files_)
    for (const auto& x : f->extensions)
      if (x.name == id) return true;
  return false;
}

std::shared_ptr<ir::Program> Session::CompileSelection(const std::vector<std::string>& ids) {
  std::vector<const ast::File*> fs;
  for (const auto& f : files_) fs.push_back(f.get());
  return sema::CompileSelection(fs, ids, Schema(), literals_, sources_, diags_);
}

std::vector<std::shared_ptr<ir::Program>> Session::CompileAll() {
  std::vector<std::shared_ptr<ir::Program>> out;
  std::map<std::string, Span> seen;
  for (const auto& f : files_)
    for (const auto& s : f->standards) {
      auto [it, fresh] = seen.emplace(s.name, s.name_span);
      if (!fresh) {
        auto& d = diags_.Error("E0204", s.name_span, fmt::format("standard `{}` is declared twice", s.name));
        d.notes.push_back({it->second, "first declared here"});
        continue;
      }
      out.push_back(Compile(s.name));
    }
  for (const auto& f : files_)
    for (const auto& x : f->extensions) {
      auto [it, fresh] = seen.emplace(x.name, x.name_span);
      if (!fresh) {
        auto& d = diags_.Error("E0423", x.name_span, fmt::format("`{}` is already declared as a standard or extension", x.name),
                               "an extension needs an id of its own");
        d.notes.push_back({it->second, "first declared here"});
        continue;
      }
      if (auto p = Compile(x.name)) out.push_back(p);
    }
  return out;
}

}  // namespace conform
