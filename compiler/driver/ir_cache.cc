// The compiled-program cache: a plain binary image of programs, schema and literals.
#include "conform/compiler/ir_cache.h"

#include <fmt/format.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "conform/compiler/driver.h"
#include "conform/compiler/jit.h"

namespace fs = std::filesystem;

namespace conform {
namespace {

constexpr const char* kMagic = "CONFORM-IR-CACHE 7\n";  // bump when the IR or schema shape changes (7: depends on)

uint64_t Fnv1a(std::string_view s) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

class Writer {
 public:
  void U64(uint64_t v) { out_.append(reinterpret_cast<const char*>(&v), 8); }
  void I64(int64_t v) { U64(static_cast<uint64_t>(v)); }
  void Str(std::string_view s) {
    U64(s.size());
    out_.append(s);
  }
  std::string& out() { return out_; }

 private:
  std::string out_;
};

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  bool ok() const { return ok_; }
  uint64_t U64() {
    if (pos_ + 8 > in_.size()) {
      ok_ = false;
      return 0;
    }
    uint64_t v;
    std::memcpy(&v, in_.data() + pos_, 8);
    pos_ += 8;
    return v;
  }
  int64_t I64() { return static_cast<int64_t>(U64()); }
  // A count that must fit in what is left (each element takes at least `unit` bytes).
  size_t Count(size_t unit = 1) {
    uint64_t n = U64();
    if (n > (in_.size() - std::min(pos_, in_.size())) / unit) {
      ok_ = false;
      return 0;
    }
    return static_cast<size_t>(n);
  }
  std::string Str() {
    size_t n = Count();
    if (!ok_) return {};
    std::string s(in_.substr(pos_, n));
    pos_ += n;
    return s;
  }
  bool AtEnd() const { return pos_ == in_.size(); }

 private:
  std::string_view in_;
  size_t pos_ = 0;
  bool ok_ = true;
};

void WriteSchema(Writer& w, const SchemaModel& m) {
  w.U64(m.types.raw().size());
  for (const auto& t : m.types.raw()) {
    w.U64(static_cast<uint64_t>(t.kind));
    w.I64(t.ref);
    w.U64(t.elem);
  }
  w.U64(m.enums.size());
  for (const auto& e : m.enums) {
    w.Str(e.name);
    w.U64(e.members.size());
    for (const auto& x : e.members) w.Str(x);
  }
  w.U64(m.entities.size());
  for (const auto& e : m.entities) {
    w.Str(e.name);
    w.Str(e.module);
    w.U64(e.is_root);
    w.U64(e.fields.size());
    for (const auto& f : e.fields) {
      w.Str(f.name);
      w.U64(f.type);
      w.U64(f.optional);
      w.Str(f.doc);
    }
  }
  w.I64(m.root);
}

std::shared_ptr<SchemaModel> ReadSchema(Reader& r) {
  auto m = std::make_shared<SchemaModel>();
  std::vector<TypeInfo> types(r.Count(24));
  for (auto& t : types) {
    t.kind = static_cast<TypeKind>(r.U64());
    t.ref = static_cast<int32_t>(r.I64());
    t.elem = static_cast<TypeId>(r.U64());
  }
  m->types.Restore(std::move(types));
  m->enums.resize(r.Count(16));
  for (auto& e : m->enums) {
    e.name = r.Str();
    e.members.resize(r.Count(8));
    for (auto& x : e.members) x = r.Str();
  }
  m->entities.resize(r.Count(32));
  for (auto& e : m->entities) {
    e.name = r.Str();
    e.module = r.Str();
    e.is_root = r.U64() != 0;
    e.fields.resize(r.Count(32));
    for (uint32_t i = 0; i < e.fields.size(); ++i) {
      auto& f = e.fields[i];
      f.name = r.Str();
      f.type = static_cast<TypeId>(r.U64());
      f.optional = r.U64() != 0;
      f.doc = r.Str();
      f.index = i;
      e.by_name[f.name] = i;
    }
  }
  m->root = static_cast<int32_t>(r.I64());
  return r.ok() ? m : nullptr;
}

// Extension provenance (sema/extend.cc): layers and the origin of each element.
void WriteLayers(Writer& w, const ir::Program& p) {
  w.U64(p.layers.size());
  for (const auto& l : p.layers) {
    w.Str(l.id);
    w.Str(l.title);
    w.Str(l.edition);
  }
  for (const auto& q : p.requirements) {
    w.Str(q.origin);
    w.U64(q.amended_by.size());
    for (const auto& a : q.amended_by) w.Str(a);
  }
  for (const auto& c : p.clauses) w.Str(c.origin);
  for (const auto& pi : p.params) {
    w.Str(pi.origin);
    w.Str(pi.set_by);
    w.I64(pi.base_value);
    w.U64(pi.base_set_value.size());
    for (int64_t v : pi.base_set_value) w.I64(v);
  }
}

void ReadLayers(Reader& r, ir::Program& p) {
  p.layers.resize(r.Count(24));
  for (auto& l : p.layers) {
    l.id = r.Str();
    l.title = r.Str();
    l.edition = r.Str();
  }
  for (auto& q : p.requirements) {
    q.origin = r.Str();
    q.amended_by.resize(r.Count(8));
    for (auto& a : q.amended_by) a = r.Str();
  }
  for (auto& c : p.clauses) c.origin = r.Str();
  for (auto& pi : p.params) {
    pi.origin = r.Str();
    pi.set_by = r.Str();
    pi.base_value = r.I64();
    pi.base_set_value.resize(r.Count(8));
    for (auto& v : pi.base_set_value) v = r.I64();
  }
}

void WriteProgram(Writer& w, const ir::Program& p) {
  w.Str(p.standard);
  w.Str(p.title);
  w.U64(p.meta.size());
  for (const auto& [k, v] : p.meta) {
    w.Str(k);
    w.Str(v);
  }
  w.U64(p.nodes.size());
  for (const auto& n : p.nodes) {
    w.U64(static_cast<uint64_t>(n.op));
    w.U64(n.type);
    w.I64(n.a);
    w.I64(n.b);
    w.I64(n.c);
    w.I64(n.var);
    w.U64(n.aux);
    w.I64(n.imm);
    w.U64(n.args.size());
    for (int32_t x : n.args) w.I64(x);
  }
  w.U64(p.requirements.size());
  for (const auto& q : p.requirements) {
    w.Str(q.id);
    w.Str(q.clause);
    w.I64(q.clause_index);
    w.U64(static_cast<uint64_t>(q.grade));
    w.Str(q.says);
    w.I64(q.applies);
    w.U64(q.lets.size());
    for (const auto& l : q.lets) {
      w.Str(l.name);
      w.I64(l.var);
      w.I64(l.value);
    }
    w.I64(q.pass);
    w.U64(q.message.size());
    for (const auto& m : q.message) {
      w.Str(m.text);
      w.I64(m.expr);
    }
    w.I64(q.witness_var);
    w.U64(q.depends.size());
    for (int32_t d : q.depends) w.I64(d);
  }
  w.U64(p.clauses.size());
  for (const auto& c : p.clauses) {
    w.Str(c.number);
    w.Str(c.title);
    w.I64(c.parent);
    w.I64(c.depth);
  }
  w.U64(p.params.size());
  for (const auto& pi : p.params) {
    w.Str(pi.name);
    w.U64(pi.type);
    w.I64(pi.value);
    w.U64(pi.set_value.size());
    for (int64_t v : pi.set_value) w.I64(v);
    w.Str(pi.doc);
  }
  w.I64(p.exclusions);
  w.U64(p.num_vars);
  w.U64(p.var_names.size());
  for (const auto& v : p.var_names) w.Str(v);
  w.U64(p.node_text.size());
  for (const auto& t : p.node_text) w.Str(t);
  WriteLayers(w, p);
}

std::shared_ptr<ir::Program> ReadProgram(Reader& r) {
  auto p = std::make_shared<ir::Program>();
  p->standard = r.Str();
  p->title = r.Str();
  p->meta.resize(r.Count(16));
  for (auto& [k, v] : p->meta) {
    k = r.Str();
    v = r.Str();
  }
  p->nodes.resize(r.Count(72));
  for (auto& n : p->nodes) {
    n.op = static_cast<ir::Op>(r.U64());
    n.type = static_cast<TypeId>(r.U64());
    n.a = static_cast<int32_t>(r.I64());
    n.b = static_cast<int32_t>(r.I64());
    n.c = static_cast<int32_t>(r.I64());
    n.var = static_cast<int32_t>(r.I64());
    n.aux = static_cast<uint32_t>(r.U64());
    n.imm = r.I64();
    n.args.resize(r.Count(8));
    for (auto& x : n.args) x = static_cast<int32_t>(r.I64());
  }
  p->requirements.resize(r.Count(64));
  for (auto& q : p->requirements) {
    q.id = r.Str();
    q.clause = r.Str();
    q.clause_index = static_cast<int32_t>(r.I64());
    q.grade = static_cast<ir::Grade>(r.U64());
    q.says = r.Str();
    q.applies = static_cast<int32_t>(r.I64());
    q.lets.resize(r.Count(24));
    for (auto& l : q.lets) {
      l.name = r.Str();
      l.var = static_cast<int32_t>(r.I64());
      l.value = static_cast<int32_t>(r.I64());
    }
    q.pass = static_cast<int32_t>(r.I64());
    q.message.resize(r.Count(16));
    for (auto& m : q.message) {
      m.text = r.Str();
      m.expr = static_cast<int32_t>(r.I64());
    }
    q.witness_var = static_cast<int32_t>(r.I64());
    q.depends.resize(r.Count(8));
    for (auto& d : q.depends) d = static_cast<int32_t>(r.I64());
  }
  p->clauses.resize(r.Count(32));
  for (auto& c : p->clauses) {
    c.number = r.Str();
    c.title = r.Str();
    c.parent = static_cast<int32_t>(r.I64());
    c.depth = static_cast<int32_t>(r.I64());
  }
  p->params.resize(r.Count(40));
  for (auto& pi : p->params) {
    pi.name = r.Str();
    pi.type = static_cast<TypeId>(r.U64());
    pi.value = r.I64();
    pi.set_value.resize(r.Count(8));
    for (auto& v : pi.set_value) v = r.I64();
    pi.doc = r.Str();
  }
  p->exclusions = static_cast<int32_t>(r.I64());
  p->num_vars = static_cast<uint32_t>(r.U64());
  p->var_names.resize(r.Count(8));
  for (auto& v : p->var_names) v = r.Str();
  p->node_text.resize(r.Count(8));
  for (auto& t : p->node_text) t = r.Str();
  ReadLayers(r, *p);
  // Indices must stay inside the program: a damaged file is a miss, never a crash later.
  const int64_t nn = static_cast<int64_t>(p->nodes.size());
  auto node_ok = [&](int64_t i) { return i >= -1 && i < nn; };
  for (const auto& n : p->nodes) {
    if (!node_ok(n.a) || !node_ok(n.b) || !node_ok(n.c) || n.var >= static_cast<int32_t>(p->num_vars) ||
        static_cast<uint8_t>(n.op) > static_cast<uint8_t>(ir::Op::If))
      return nullptr;
    for (int32_t x : n.args)
      if (x < 0 || x >= nn) return nullptr;
  }
  for (const auto& q : p->requirements) {
    if (!node_ok(q.applies) || !node_ok(q.pass) || q.clause_index < -1 ||
        q.clause_index >= static_cast<int32_t>(p->clauses.size()))
      return nullptr;
    for (const auto& l : q.lets)
      if (!node_ok(l.value) || l.var < 0 || l.var >= static_cast<int32_t>(p->num_vars)) return nullptr;
    for (const auto& m : q.message)
      if (!node_ok(m.expr)) return nullptr;
    for (int32_t d : q.depends)
      if (d < 0 || d >= static_cast<int32_t>(p->requirements.size())) return nullptr;
  }
  if (p->node_text.size() != p->nodes.size() || !node_ok(p->exclusions)) return nullptr;
  return r.ok() ? p : nullptr;
}

}  // namespace

std::string SourceFingerprint(const std::vector<std::string>& standards, const std::vector<std::string>& files) {
  std::string fp = fmt::format("{}", kMagic);
  for (const auto& s : standards) fp += "standard " + s + "\n";
  for (const auto& f : files) {
    std::string text, err;
    if (!ReadFile(f, text, err)) return {};
    fp += fmt::format("{} {} {:016x}\n", f, text.size(), Fnv1a(text));
  }
  return fp;
}

bool SaveBundle(const std::string& path, const std::string& fingerprint, const CompiledBundle& b) {
  if (fingerprint.empty() || !b.schema || !b.literals) return false;
  Writer w;
  w.out() = kMagic;
  w.Str(fingerprint);
  WriteSchema(w, *b.schema);
  w.U64(b.literals->size());
  for (int64_t i = b.literals->first_id(); i < b.literals->end_id(); ++i) w.Str(b.literals->Get(i));
  w.U64(b.programs.size());
  for (const auto& p : b.programs) WriteProgram(w, *p);
  std::error_code ec;
  fs::create_directories(fs::path(path).parent_path(), ec);
  static std::atomic<uint64_t> counter{0};
  std::string tmp = fmt::format("{}.{}.{}.tmp", path, getpid(), counter++);
  {
    std::ofstream out(tmp, std::ios::binary);
    if (!out) return false;
    out << w.out();
    if (!out) {
      out.close();
      fs::remove(tmp, ec);
      return false;
    }
  }
  fs::rename(tmp, path, ec);
  if (ec) fs::remove(tmp, ec);
  return !ec;
}

std::optional<CompiledBundle> LoadBundle(const std::string& path, const std::string& fingerprint) {
  std::string data, err;
  if (fingerprint.empty() || !ReadFile(path, data, err)) return std::nullopt;
  size_t magic = std::strlen(kMagic);
  if (data.compare(0, magic, kMagic) != 0) return std::nullopt;
  Reader r(std::string_view(data).substr(magic));
  if (r.Str() != fingerprint || !r.ok()) return std::nullopt;  // the full fingerprint, not a hash
  CompiledBundle b;
  auto schema = ReadSchema(r);
  if (!schema) return std::nullopt;
  b.schema = schema;
  b.literals = std::make_shared<StringPool>();
  size_t n = r.Count(8);
  for (size_t i = 0; i < n && r.ok(); ++i)
    if (b.literals->Intern(r.Str()) != static_cast<int64_t>(i)) return std::nullopt;
  size_t np = r.Count(8);
  for (size_t i = 0; i < np && r.ok(); ++i) {
    auto p = ReadProgram(r);
    if (!p) return std::nullopt;
    p->schema = schema;
    p->literals = b.literals;
    b.programs.push_back(std::move(p));
  }
  if (!r.ok() || !r.AtEnd()) return std::nullopt;
  // Cross-checks between the parts: type ids, enum/entity refs, string literal ids.
  const auto& types = schema->types.raw();
  for (const auto& t : types) {
    if ((t.kind == TypeKind::List || t.kind == TypeKind::Set) && t.elem >= types.size()) return std::nullopt;
    if (t.kind == TypeKind::Enum && (t.ref < 0 || t.ref >= static_cast<int32_t>(schema->enums.size()))) return std::nullopt;
    if (t.kind == TypeKind::Entity && (t.ref < 0 || t.ref >= static_cast<int32_t>(schema->entities.size()))) return std::nullopt;
  }
  for (const auto& e : schema->entities)
    for (const auto& f : e.fields)
      if (f.type >= types.size()) return std::nullopt;
  if (schema->root >= static_cast<int32_t>(schema->entities.size())) return std::nullopt;
  for (const auto& p : b.programs)
    for (const auto& node : p->nodes) {
      if (node.type >= types.size()) return std::nullopt;
      if (node.op == ir::Op::Const && types[node.type].kind == TypeKind::String &&
          (node.imm < 0 || node.imm >= b.literals->end_id()))
        return std::nullopt;
    }
  return b;
}

}  // namespace conform

// Shared by both caches (and by builds without the JIT), so it lives outside compiler/jit.
namespace conform::jit {
std::string DefaultCacheDir() {
  if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x) return (fs::path(x) / "conform").string();
  if (const char* h = std::getenv("HOME"); h && *h) return (fs::path(h) / ".cache" / "conform").string();
  return {};
}
}  // namespace conform::jit
