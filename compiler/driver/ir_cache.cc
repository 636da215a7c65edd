// The compiled-program cache: a plain binary image of programs, schema and literals.
#include "conform/compiler/ir_cache.h"

#include <fmt/format.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <map>
#include <set>
#include <fstream>
#include <sstream>

#include "conform/compiler/builtins.h"
#include "conform/compiler/cache_file.h"
#include "conform/compiler/calendar.h"
#include "conform/compiler/driver.h"
#include "conform/compiler/jit.h"

namespace fs = std::filesystem;

namespace conform {
namespace {

// Bump when the IR, the schema or this file's layout changes (7: depends on; 8: sealed with a
// SHA-256 of the payload, full structural validation, version and builtin fingerprint in the key;
// 9: Clause 0.2 — standard-level lets (globals), filters, set algebra, `{each}` holes;
// 10: Call nodes name their builtin through Program::builtins, by symbol; 11: each program
// carries its type table).
constexpr const char* kMagic = "CONFORM-IR-CACHE 12\n";  // 12: Program::inline_calls

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

void WriteTypes(Writer& w, const TypeTable& types) {
  w.U64(types.raw().size());
  for (const auto& t : types.raw()) {
    w.U64(static_cast<uint64_t>(t.kind));
    w.I64(t.ref);
    w.U64(t.elem);
  }
}

void ReadTypes(Reader& r, TypeTable& out) {
  std::vector<TypeInfo> types(r.Count(24));
  for (auto& t : types) {
    t.kind = static_cast<TypeKind>(r.U64());
    t.ref = static_cast<int32_t>(r.I64());
    t.elem = static_cast<TypeId>(r.U64());
  }
  out.Restore(std::move(types));
}

void WriteSchema(Writer& w, const SchemaModel& m) {
  WriteTypes(w, m.types);
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
  ReadTypes(r, m->types);
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
  WriteTypes(w, p.types);
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
      w.U64(m.each ? 1 : 0);
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
  w.U64(p.globals.size());
  for (const auto& g : p.globals) {
    w.Str(g.name);
    w.I64(g.var);
    w.I64(g.value);
  }
  w.U64(p.num_vars);
  w.U64(p.var_names.size());
  for (const auto& v : p.var_names) w.Str(v);
  w.U64(p.builtins.size());
  for (const auto& b : p.builtins) w.Str(b);
  w.U64(p.node_text.size());
  for (const auto& t : p.node_text) w.Str(t);
  w.U64(p.inline_calls.size());
  for (int32_t n : p.inline_calls) w.I64(n);
  WriteLayers(w, p);
}

std::shared_ptr<ir::Program> ReadProgram(Reader& r) {
  auto p = std::make_shared<ir::Program>();
  p->standard = r.Str();
  p->title = r.Str();
  ReadTypes(r, p->types);
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
      m.each = r.U64() != 0;
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
  p->globals.resize(r.Count(24));
  for (auto& g : p->globals) {
    g.name = r.Str();
    g.var = static_cast<int32_t>(r.I64());
    g.value = static_cast<int32_t>(r.I64());
  }
  p->num_vars = static_cast<uint32_t>(r.U64());
  p->var_names.resize(r.Count(8));
  for (auto& v : p->var_names) v = r.Str();
  p->builtins.resize(r.Count(8));
  for (auto& b : p->builtins) b = r.Str();
  p->node_text.resize(r.Count(8));
  for (auto& t : p->node_text) t = r.Str();
  p->inline_calls.resize(r.Count(8));
  for (auto& n : p->inline_calls) n = static_cast<int32_t>(r.I64());
  ReadLayers(r, *p);
  return r.ok() ? p : nullptr;
}

// Full structural validation of a loaded bundle: every index a consumer follows (types, enums,
// entities, fields, presence words, parameters, builtins and their arity, variables, nodes,
// clauses, requirements, string literals) lies inside what it indexes, and every node refers
// only to nodes before it (the IR is built bottom-up), so that evaluation can neither read out
// of bounds nor loop. What a structurally valid image computes is vouched for by the digest.
// True if the graph over 0..n-1 (edges(i) fills i's successors, all < n) has no cycle.
// Iterative: a long chain must not exhaust the stack.
bool Acyclic(size_t n, const std::function<void(size_t, std::vector<int32_t>&)>& edges) {
  std::vector<uint8_t> state(n, 0);  // 0 new, 1 on the path, 2 done
  struct Frame {
    size_t node;
    std::vector<int32_t> next;
    size_t k = 0;
  };
  std::vector<Frame> stack;
  for (size_t s = 0; s < n; ++s) {
    if (state[s]) continue;
    state[s] = 1;
    stack.push_back({s, {}});
    edges(s, stack.back().next);
    while (!stack.empty()) {
      Frame& f = stack.back();
      if (f.k == f.next.size()) {
        state[f.node] = 2;
        stack.pop_back();
        continue;
      }
      size_t d = static_cast<size_t>(f.next[f.k++]);
      if (state[d] == 1) return false;
      if (state[d] == 0) {
        state[d] = 1;
        stack.push_back({d, {}});
        edges(d, stack.back().next);
      }
    }
  }
  return true;
}

// Every type of `types` refers to known types, enums and entities of `m`.
bool ValidTypes(const std::vector<TypeInfo>& types, const SchemaModel& m) {
  for (const auto& t : types) {
    if (static_cast<uint8_t>(t.kind) > static_cast<uint8_t>(TypeKind::Set)) return false;
    if ((t.kind == TypeKind::List || t.kind == TypeKind::Set) && t.elem >= types.size()) return false;
    if (t.kind == TypeKind::Enum && (t.ref < 0 || t.ref >= static_cast<int32_t>(m.enums.size()))) return false;
    if (t.kind == TypeKind::Entity && (t.ref < 0 || t.ref >= static_cast<int32_t>(m.entities.size()))) return false;
  }
  return true;
}

bool ValidSchema(const SchemaModel& m) {
  const auto& types = m.types.raw();
  if (!ValidTypes(types, m)) return false;
  for (const auto& e : m.entities) {
    if (e.by_name.size() != e.fields.size()) return false;  // duplicate field names
    for (const auto& f : e.fields)
      if (f.type >= types.size()) return false;
  }
  return m.root >= -1 && m.root < static_cast<int32_t>(m.entities.size());
}

// nullptr if valid, else which rule failed (for the warning).
const char* ValidProgram(const ir::Program& p, const SchemaModel& m, const StringPool& literals) {
  auto Bad = [](const char* why) { return why; };
  using ir::Op;
  // The program's types extend the schema's: the same ids for the schema's types.
  const auto& types = p.types.raw();
  const auto& schema_types = m.types.raw();
  if (types.size() < schema_types.size() || !ValidTypes(types, m)) return Bad("its types are malformed");
  for (size_t i = 0; i < schema_types.size(); ++i)
    if (types[i].kind != schema_types[i].kind || types[i].ref != schema_types[i].ref || types[i].elem != schema_types[i].elem)
      return Bad("its types do not extend the schema's");
  const auto& builtins = BuiltinRegistry::Default();
  const int64_t nn = static_cast<int64_t>(p.nodes.size());
  const int64_t nv = static_cast<int64_t>(p.num_vars);
  auto node_ok = [&](int64_t i) { return i >= -1 && i < nn; };
  auto is_string = [&](TypeId t) { return t < types.size() && types[t].kind == TypeKind::String; };
  if (p.node_text.size() != p.nodes.size() || p.var_names.size() != p.num_vars) return Bad("node texts or variable names do not match the program");
  for (size_t i = 0; i < p.inline_calls.size(); ++i)
    if (p.inline_calls[i] < 0 || p.inline_calls[i] >= static_cast<int32_t>(p.nodes.size()) || (i > 0 && p.inline_calls[i] <= p.inline_calls[i - 1]))
      return Bad("the inlined calls are not sorted node indices of the program");
  for (int64_t i = 0; i < nn; ++i) {
    const ir::Node& n = p.nodes[static_cast<size_t>(i)];
    if (static_cast<uint8_t>(n.op) > static_cast<uint8_t>(Op::If) || n.type >= types.size()) return Bad("an unknown operation or type");
    // Operands inside the program (-1 only where an operand is optional; acyclic: see below).
    if (!node_ok(n.a) || !node_ok(n.b) || !node_ok(n.c) || n.var < -1 || n.var >= nv)
      return Bad("a node refers to an unknown node or variable");
    for (int32_t x : n.args)
      if (x < 0 || x >= nn) return Bad("an argument refers to an unknown node");
    bool a = n.a >= 0, b = n.b >= 0, c = n.c >= 0;
    switch (n.op) {
      case Op::Const:
        if (is_string(n.type) && (n.imm < literals.first_id() || n.imm >= literals.end_id())) return Bad("a string constant outside the literals");
        if (types[n.type].kind == TypeKind::Enum &&
            (n.imm < 0 || n.imm >= static_cast<int64_t>(m.enums[static_cast<size_t>(types[n.type].ref)].members.size())))
          return Bad("an enum constant outside its enum");
        break;
      case Op::Param:
        if (n.imm < 0 || n.imm >= static_cast<int64_t>(p.params.size())) return Bad("an unknown parameter");
        break;
      case Op::AsOf: case Op::Root: break;
      case Op::Var:
        if (n.var < 0) return Bad("a variable reference without a variable");
        break;
      case Op::Field: {
        if (!a) return Bad("an operation without its operand");
        const TypeInfo& rt = types[p.nodes[n.a].type];
        if (rt.kind != TypeKind::Entity) return Bad("a field of something that is not an entity");
        const auto& ent = m.entities[static_cast<size_t>(rt.ref)];
        if (n.imm < 0 || n.imm >= static_cast<int64_t>(ent.fields.size()) || n.aux != ent.presence_words()) return Bad("an unknown field or a wrong record layout");
        break;
      }
      case Op::IsPresent: case Op::IsAbsent: case Op::Neg: case Op::IntToDec: case Op::Not:
        if (!a) return Bad("an operation without its operand");
        break;
      case Op::Eq: case Op::Ne: case Op::Lt: case Op::Le: case Op::Gt: case Op::Ge:
        if (!a || !b || n.aux > 3) return Bad("a comparison without operands or of an unknown kind");
        break;
      case Op::SetLit: break;
      case Op::Exists: case Op::All: case Op::None:
      case Op::Sum: case Op::Min: case Op::Max: case Op::Avg: case Op::Distinct: case Op::Union:
        if (!a || !c || n.var < 0) return Bad("a quantifier without a collection, body or variable");
        break;
      case Op::Count:  // without a filter, no variable
        if (!a || (b && n.var < 0)) return Bad("a count without a collection or variable");
        break;
      case Op::Call: {
        if (n.imm < 0 || n.imm >= static_cast<int64_t>(p.builtins.size())) return Bad("a call of an unlisted builtin");
        const Builtin* bi = builtins.BySymbol(p.builtins[static_cast<size_t>(n.imm)]);
        if (!bi || !bi->fn) return Bad("a call of a builtin this release does not have");
        if (n.args.size() != bi->params.size() || n.args.size() > 8) return Bad("a builtin call with the wrong number of arguments");
        break;
      }
      case Op::If:
        if (!a || !b || !c) return Bad("a conditional without its operands");
        break;
      case Op::Filter:
        if (!a || !b || n.var < 0) return Bad("a filter without a collection, condition or variable");
        break;
      case Op::SetRel:
        if (!a || !b || n.aux > 2) return Bad("a set relation without operands or of an unknown kind");
        break;
      default:  // the binary operators (arithmetic, logic, membership, set algebra)
        if (!a || !b) return Bad("an operation without its operands");
        break;
    }
  }
  const int64_t nr = static_cast<int64_t>(p.requirements.size());
  for (const auto& q : p.requirements) {
    if (!node_ok(q.applies) || q.pass < 0 || q.pass >= nn || q.clause_index < -1 ||
        q.clause_index >= static_cast<int32_t>(p.clauses.size()) ||
        static_cast<uint8_t>(q.grade) > static_cast<uint8_t>(ir::Grade::Observation) || q.witness_var < -1 ||
        q.witness_var >= nv)
      return Bad("a requirement refers to an unknown node, clause, grade or variable");
    for (const auto& l : q.lets)
      if (l.value < 0 || l.value >= nn || l.var < 0 || l.var >= nv) return Bad("a `let` refers to an unknown node or variable");
    for (const auto& msg : q.message)
      if (!node_ok(msg.expr) || (msg.each && (msg.expr < 0 || q.witness_var < 0)))
        return Bad("a message refers to an unknown node, or names every failing element without a quantifier");
    for (int32_t d : q.depends)
      if (d < 0 || d >= nr) return Bad("`depends on` names an unknown requirement");
  }
  // Evaluation recurses through operands and settles `depends on` depth-first: both graphs
  // must be acyclic, or a damaged image would never finish.
  if (!Acyclic(p.nodes.size(), [&](size_t i, std::vector<int32_t>& out) {
        const ir::Node& n = p.nodes[i];
        out.assign(n.args.begin(), n.args.end());
        for (int32_t x : {n.a, n.b, n.c})
          if (x >= 0) out.push_back(x);
      }))
    return Bad("its expression graph has a cycle");
  if (!Acyclic(p.requirements.size(), [&](size_t i, std::vector<int32_t>& out) { out = p.requirements[i].depends; }))
    return Bad("`depends on` forms a cycle");
  for (const auto& c : p.clauses)
    if (c.parent < -1 || c.parent >= static_cast<int32_t>(p.clauses.size())) return Bad("a clause has an unknown parent");
  for (const auto& pi : p.params) {
    if (pi.type >= types.size()) return Bad("a parameter of an unknown type");
    if (is_string(pi.type) && (pi.value < literals.first_id() || pi.value >= literals.end_id())) return Bad("a string parameter outside the literals");
  }
  // Standard-level lets: the i-th in slot i, which nothing else binds (TypesConsistent).
  for (size_t g = 0; g < p.globals.size(); ++g)
    if (p.globals[g].value < 0 || p.globals[g].value >= nn || p.globals[g].var != static_cast<int32_t>(g) ||
        p.globals[g].var >= nv)
      return Bad("a standard-level `let` refers to an unknown node or variable");
  return node_ok(p.exclusions) ? nullptr : Bad("the exclusions refer to an unknown node");
}

// Type consistency: every node's operands have the types its operation reads, so that the bits
// an engine passes around always mean what their type says (a record pointer is a record, a
// string id is in the literals or the evidence, a date is a real day). Without it, an image
// whose digest was recomputed (a buggy or hostile writer) could make an engine follow an integer
// as a pointer. The rules mirror the type checker and the lowering (sema/typecheck.cc, sema/lower.cc); nullptr if consistent.
constexpr int kMaxExpressionDepth = 10000;
const char* TypesConsistent(const ir::Program& p, const SchemaModel& m, const StringPool& literals) {
  using ir::Op;
  const TypeTable& tt = p.types;  // the schema's types and the program's own
  const auto& builtins = BuiltinRegistry::Default();
  auto K = [&](TypeId t) { return tt.Kind(t); };
  auto T = [&](int32_t x) { return p.nodes[static_cast<size_t>(x)].type; };
  // Structural equality (list and set elements precede their list in the table: finite).
  std::function<bool(TypeId, TypeId)> same = [&](TypeId a, TypeId b) {
    if (a == b) return true;
    const TypeInfo &x = tt[a], &y = tt[b];
    if (x.kind != y.kind) return false;
    switch (x.kind) {
      case TypeKind::Enum: case TypeKind::Entity: return x.ref == y.ref;
      case TypeKind::List: case TypeKind::Set: return same(x.elem, y.elem);
      default: return true;
    }
  };
  auto coll = [&](TypeId t) { return K(t) == TypeKind::List || K(t) == TypeKind::Set; };
  auto scalar = [&](TypeId t) {
    switch (K(t)) {
      case TypeKind::Bool: case TypeKind::Int: case TypeKind::Decimal: case TypeKind::String:
      case TypeKind::Date: case TypeKind::Duration: case TypeKind::Enum: return true;
      default: return false;
    }
  };
  auto numeric = [&](TypeId t) { return K(t) == TypeKind::Int || K(t) == TypeKind::Decimal; };
  auto is = [&](TypeId t, TypeKind k) { return K(t) == k; };
  // Dates a rule file can write: years 0000 to 9999.
  static const int64_t first_day = *cal::ParseDate("0000-01-01"), last_day = *cal::ParseDate("9999-12-31");
  // A constant's bits must be a value of its type (evidence values are checked by the loader).
  auto value_ok = [&](TypeId t, int64_t v) {
    switch (K(t)) {
      case TypeKind::Bool: return v == 0 || v == 1;
      case TypeKind::String: return literals.Owns(v);
      case TypeKind::Enum: return v >= 0 && v < static_cast<int64_t>(m.enums[static_cast<size_t>(tt[t].ref)].members.size());
      case TypeKind::Date: return v >= first_day && v <= last_day;
      case TypeKind::Duration: {
        cal::Duration d = cal::Unpack(v);
        return cal::Pack(cal::Normalize(d.months, d.days, d.minutes)) == v;
      }
      case TypeKind::Int: case TypeKind::Decimal: return true;
      default: return false;
    }
  };
  // Builtins' signatures use the fixed ids: they must be what they are everywhere.
  const std::pair<TypeId, TypeKind> fixed[] = {{TypeTable::kBool, TypeKind::Bool}, {TypeTable::kInt, TypeKind::Int},
                                               {TypeTable::kDecimal, TypeKind::Decimal}, {TypeTable::kString, TypeKind::String},
                                               {TypeTable::kDate, TypeKind::Date}, {TypeTable::kDuration, TypeKind::Duration}};
  for (auto [id, kind] : fixed)
    if (id >= tt.size() || K(id) != kind) return "its type table is malformed";
  for (size_t i = 0; i < tt.size(); ++i)
    if ((K(static_cast<TypeId>(i)) == TypeKind::List || K(static_cast<TypeId>(i)) == TypeKind::Set) && tt[static_cast<TypeId>(i)].elem >= i)
      return "its type table is malformed";
  // Variables: slots are reused across requirements, so a variable's type is that of what binds
  // it where it is read: a standard-level let, a requirement's let, the element of the
  // collection a quantifier, aggregate or filter walks, or a requirement's witness. Every
  // expression is walked with the types of the variables bound around it (each node once per
  // distinct scope); a variable read outside its binding is refused (an engine would read what
  // an earlier requirement left in the slot). The walk's depth is bounded too: evaluation
  // recurses through operands.
  std::vector<std::vector<TypeId>> scopes;
  std::map<std::vector<TypeId>, size_t> scope_ids;
  auto scope_id = [&](const std::vector<TypeId>& vars) {
    auto [it, fresh] = scope_ids.emplace(vars, scopes.size());
    if (fresh) scopes.push_back(vars);
    return it->second;
  };
  std::map<std::pair<int32_t, size_t>, int> height;  // (node, scope) → longest operand chain below it
  const char* var_problem = nullptr;
  std::function<int(int32_t, size_t, int)> walk = [&](int32_t x, size_t scope, int depth) -> int {
    if (x < 0 || var_problem) return 0;
    if (auto it = height.find({x, scope}); it != height.end()) {
      if (depth + it->second > kMaxExpressionDepth) var_problem = "an expression is nested too deeply";
      return it->second;
    }
    if (depth > kMaxExpressionDepth) {
      var_problem = "an expression is nested too deeply";
      return 0;
    }
    const ir::Node& n = p.nodes[static_cast<size_t>(x)];
    int h = 0;
    if (n.op == Op::Var) {
      TypeId bound = scopes[scope][static_cast<size_t>(n.var)];
      if (bound == TypeTable::kError || !same(bound, n.type)) var_problem = "a variable is read outside its binding or as another type";
    } else {
      const size_t outer = scope;
      h = std::max(h, walk(n.a, scope, depth + 1));
      if (n.var >= 0) {  // a binder: its variable is the element of `a` in the filter and the body
        if (n.a < 0 || !coll(T(n.a))) {
          var_problem = "a variable is bound to something that is not a collection";
          return 0;
        }
        std::vector<TypeId> inner = scopes[scope];
        inner[static_cast<size_t>(n.var)] = tt[T(n.a)].elem;
        scope = scope_id(inner);
      }
      h = std::max(h, walk(n.b, scope, depth + 1));
      h = std::max(h, walk(n.c, scope, depth + 1));
      for (int32_t y : n.args) h = std::max(h, walk(y, scope, depth + 1));
      scope = outer;
      ++h;
    }
    height[{x, scope}] = h;
    return h;
  };
  // A standard-level let's slot holds its value for the whole evaluation: nothing may rebind it.
  std::vector<uint8_t> global(p.num_vars, 0);
  for (const auto& g : p.globals) global[static_cast<size_t>(g.var)] = 1;
  for (const auto& n : p.nodes)
    if (n.op != Op::Var && n.var >= 0 && global[static_cast<size_t>(n.var)]) return "a standard-level `let`'s variable is bound again";
  for (const auto& r : p.requirements)
    for (const auto& l : r.lets)
      if (global[static_cast<size_t>(l.var)]) return "a standard-level `let`'s variable is bound again";
  std::vector<TypeId> vars(p.num_vars, TypeTable::kError);
  for (const auto& g : p.globals) {
    walk(g.value, scope_id(vars), 0);
    vars[static_cast<size_t>(g.var)] = T(g.value);
  }
  const size_t global_scope = scope_id(vars);
  walk(p.exclusions, global_scope, 0);
  for (const auto& r : p.requirements) {
    std::vector<TypeId> local = vars;
    for (const auto& l : r.lets) {
      walk(l.value, scope_id(local), 0);
      local[static_cast<size_t>(l.var)] = T(l.value);
    }
    walk(r.applies, scope_id(local), 0);
    walk(r.pass, scope_id(local), 0);
    if (r.witness_var >= 0) {
      const ir::Node& q = p.nodes[static_cast<size_t>(r.pass)];
      if ((q.op != Op::All && q.op != Op::None) || q.var != r.witness_var || !coll(T(q.a)))
        return "a requirement's witness is not the element of a top-level all or none";
      local[static_cast<size_t>(r.witness_var)] = tt[T(q.a)].elem;
    }
    for (const auto& piece : r.message) walk(piece.expr, scope_id(local), 0);
  }
  if (var_problem) return var_problem;
  for (const auto& n : p.nodes) {
    const TypeId t = n.type;
    bool ok = true;
    switch (n.op) {
      case Op::Const: ok = scalar(t) && value_ok(t, n.imm); break;
      case Op::Param: ok = same(t, p.params[static_cast<size_t>(n.imm)].type); break;
      case Op::AsOf: ok = is(t, TypeKind::Date); break;
      case Op::Root: ok = is(t, TypeKind::Entity) && tt[t].ref == m.root; break;
      case Op::Var: break;  // checked in its scope above
      case Op::Field: {
        const auto& ent = m.entities[static_cast<size_t>(tt[T(n.a)].ref)];
        ok = same(t, ent.fields[static_cast<size_t>(n.imm)].type);
        break;
      }
      case Op::IsPresent: case Op::IsAbsent: ok = is(t, TypeKind::Bool); break;
      case Op::Default: ok = same(t, T(n.a)) && same(t, T(n.b)); break;
      case Op::Neg: ok = numeric(t) && same(t, T(n.a)); break;
      case Op::Add: case Op::Sub: case Op::Mul: case Op::Div: case Op::Mod:
        ok = numeric(t) && same(t, T(n.a)) && same(t, T(n.b));
        break;
      case Op::IntToDec: ok = is(t, TypeKind::Decimal) && is(T(n.a), TypeKind::Int); break;
      case Op::DateAdd: case Op::DateSub:
        ok = is(t, TypeKind::Date) && is(T(n.a), TypeKind::Date) && is(T(n.b), TypeKind::Duration);
        break;
      case Op::DateDiff: ok = is(t, TypeKind::Int) && is(T(n.a), TypeKind::Date) && is(T(n.b), TypeKind::Date); break;
      case Op::DurMul: ok = is(t, TypeKind::Duration) && is(T(n.a), TypeKind::Duration) && is(T(n.b), TypeKind::Int); break;
      case Op::DurAdd: case Op::DurSub:
        ok = is(t, TypeKind::Duration) && is(T(n.a), TypeKind::Duration) && is(T(n.b), TypeKind::Duration);
        break;
      case Op::Eq: case Op::Ne: case Op::Lt: case Op::Le: case Op::Gt: case Op::Ge: {
        const TypeId a = T(n.a), b = T(n.b);
        ok = is(t, TypeKind::Bool) && scalar(a) && scalar(b);
        if (n.aux == 1) ok = ok && is(a, TypeKind::Decimal) && is(b, TypeKind::Decimal);
        if (n.aux == 2) ok = ok && is(a, TypeKind::String) && is(b, TypeKind::String);
        if (n.aux == 3) ok = ok && is(a, TypeKind::Duration) && is(b, TypeKind::Duration);
        break;
      }
      case Op::And: case Op::Or: case Op::Implies:
        ok = is(t, TypeKind::Bool) && is(T(n.a), TypeKind::Bool) && is(T(n.b), TypeKind::Bool);
        break;
      case Op::Not: ok = is(t, TypeKind::Bool) && is(T(n.a), TypeKind::Bool); break;
      case Op::In: ok = is(t, TypeKind::Bool) && coll(T(n.b)) && scalar(T(n.a)) && same(T(n.a), tt[T(n.b)].elem); break;
      case Op::Under:
        ok = is(t, TypeKind::Bool) && is(T(n.a), TypeKind::String) &&
             (is(T(n.b), TypeKind::String) || (coll(T(n.b)) && is(tt[T(n.b)].elem, TypeKind::String)));
        break;
      case Op::SetLit:
        ok = is(t, TypeKind::Set) && scalar(tt[t].elem);
        for (int32_t x : n.args) ok = ok && same(T(x), tt[t].elem);
        break;
      case Op::Exists: case Op::All: case Op::None:
        ok = is(t, TypeKind::Bool) && coll(T(n.a)) && is(T(n.c), TypeKind::Bool);
        break;
      case Op::Count: ok = is(t, TypeKind::Int) && coll(T(n.a)); break;
      case Op::Sum: ok = numeric(t) && coll(T(n.a)) && same(t, T(n.c)); break;
      case Op::Avg: ok = is(t, TypeKind::Decimal) && coll(T(n.a)) && numeric(T(n.c)); break;
      case Op::Min: case Op::Max:
        ok = coll(T(n.a)) && same(t, T(n.c)) && (numeric(t) || is(t, TypeKind::Date) || is(t, TypeKind::Duration));
        break;
      case Op::Distinct: ok = coll(T(n.a)) && is(t, TypeKind::Set) && scalar(T(n.c)) && same(tt[t].elem, T(n.c)); break;
      case Op::Union:
        ok = coll(T(n.a)) && is(t, TypeKind::Set) && coll(T(n.c)) && scalar(tt[t].elem) && same(tt[t].elem, tt[T(n.c)].elem);
        break;
      case Op::Call: {
        // ValidProgram resolved the symbol (a function of this release) and checked the arity.
        const Builtin& b = *builtins.BySymbol(p.builtins[static_cast<size_t>(n.imm)]);
        ok = same(t, b.result);
        for (size_t i = 0; i < n.args.size(); ++i) ok = ok && same(T(n.args[i]), b.params[i]);
        break;
      }
      case Op::Filter: ok = coll(T(n.a)) && same(t, T(n.a)); break;
      case Op::SetUnion: case Op::SetInter: case Op::SetDiff:
        ok = is(t, TypeKind::Set) && coll(T(n.a)) && coll(T(n.b)) && scalar(tt[t].elem) && same(tt[t].elem, tt[T(n.a)].elem) &&
             same(tt[t].elem, tt[T(n.b)].elem);
        break;
      case Op::SetRel:
        ok = is(t, TypeKind::Bool) && coll(T(n.a)) && coll(T(n.b)) && scalar(tt[T(n.a)].elem) &&
             same(tt[T(n.a)].elem, tt[T(n.b)].elem);
        break;
      case Op::If: ok = is(T(n.a), TypeKind::Bool) && same(t, T(n.b)) && same(t, T(n.c)); break;
    }
    // Filters (b) of quantifiers, aggregates, counts and filters are conditions.
    if (ok && n.b >= 0 && n.var >= 0 && n.op != Op::Var) ok = is(T(n.b), TypeKind::Bool);
    if (!ok) return "an operation's operands do not have the types it needs";
  }
  for (const auto& pi : p.params) {
    const TypeId t = pi.type;
    if (K(t) == TypeKind::Set) {
      if (!scalar(tt[t].elem)) return "a parameter of an unknown type";
      for (int64_t v : pi.set_value)
        if (!value_ok(tt[t].elem, v)) return "a parameter's value is not of its type";
    } else if (!scalar(t) || !value_ok(t, pi.value)) {
      return "a parameter's value is not of its type";
    }
  }
  for (const auto& r : p.requirements) {
    if ((r.applies >= 0 && !is(T(r.applies), TypeKind::Bool)) || !is(T(r.pass), TypeKind::Bool))
      return "a requirement's condition is not a truth value";
  }
  if (p.exclusions >= 0 && !(coll(T(p.exclusions)) && is(tt[T(p.exclusions)].elem, TypeKind::String)))
    return "the exclusions are not clause numbers";
  return nullptr;
}

}  // namespace

std::string SourceFingerprint(const std::vector<std::string>& standards, const std::vector<std::string>& files) {
  // The cache format, the Conform release and the builtin registry (an upgrade that changes a
  // builtin's signature, null policy or implementation changes what a program means) are part
  // of every key.
  std::string fp = fmt::format("{}conform {}\nbuiltins {}\n", kMagic, cache::ConformVersion(),
                               cache::Sha256Hex(BuiltinRegistry::Default().Canonical()));
  for (const auto& s : standards) fp += "standard " + s + "\n";
  // Each file by its package folder and name, not its absolute path: the catalogue compiled in
  // the build tree and the same catalogue installed under <prefix>/share/conform have the same
  // key, so the installed cache layer (docs/caching.md) serves installed runs. Contents decide.
  for (const auto& f : files) {
    std::string text, err;
    if (!ReadFile(f, text, err)) return {};
    std::filesystem::path p(f);
    fp += fmt::format("{}/{} {} {}\n", p.parent_path().filename().string(), p.filename().string(), text.size(),
                      cache::Sha256Hex(text));
  }
  return fp;
}

std::string_view BundleMagic() { return kMagic; }

std::string BundleFileName(const std::string& fingerprint) {
  return fmt::format("ir-{}.bin", cache::Sha256Hex(fingerprint).substr(0, 32));
}

std::string EncodeBundle(const std::string& fingerprint, const CompiledBundle& b) {
  Writer w;
  w.Str(fingerprint);
  WriteSchema(w, *b.schema);
  w.U64(b.literals->size());
  for (int64_t i = b.literals->first_id(); i < b.literals->end_id(); ++i) w.Str(b.literals->Get(i));
  w.U64(b.programs.size());
  for (const auto& p : b.programs) WriteProgram(w, *p);
  return cache::Seal(kMagic, w.out());
}

bool SaveBundle(const std::string& path, const std::string& fingerprint, const CompiledBundle& b) {
  if (fingerprint.empty() || !b.schema || !b.literals) return false;
  return cache::WriteFile(path, EncodeBundle(fingerprint, b));
}

std::optional<CompiledBundle> DecodeBundle(std::string_view data, const std::string& fingerprint, std::string* problem) {
  auto corrupt = [&](const char* what) -> std::optional<CompiledBundle> {
    if (problem) *problem = what;
    return std::nullopt;
  };
  std::string_view payload;
  switch (cache::Unseal(data, kMagic, payload)) {
    case cache::OpenStatus::Foreign: return std::nullopt;  // another format version: a plain miss
    case cache::OpenStatus::Corrupt: return corrupt("its content does not match its SHA-256 digest");
    case cache::OpenStatus::Ok: break;
  }
  Reader r(payload);
  if (r.Str() != fingerprint || !r.ok()) return std::nullopt;  // the full fingerprint, not a hash
  CompiledBundle b;
  auto schema = ReadSchema(r);
  if (!schema || !ValidSchema(*schema)) return corrupt("its schema is malformed");
  b.schema = schema;
  b.literals = std::make_shared<StringPool>();
  size_t n = r.Count(8);
  for (size_t i = 0; i < n && r.ok(); ++i)
    if (b.literals->Intern(r.Str()) != b.literals->first_id() + static_cast<int64_t>(i))
      return corrupt("its string literals are malformed");
  size_t np = r.Count(8);
  for (size_t i = 0; i < np && r.ok(); ++i) {
    auto p = ReadProgram(r);
    if (!p) return corrupt("a compiled program in it is malformed");
    const char* bad = ValidProgram(*p, *schema, *b.literals);
    if (!bad) bad = TypesConsistent(*p, *schema, *b.literals);
    if (bad) {
      static thread_local std::string what;
      what = fmt::format("a compiled program in it is malformed ({})", bad);
      return corrupt(what.c_str());
    }
    p->schema = schema;
    p->literals = b.literals;
    b.programs.push_back(std::move(p));
  }
  if (!r.ok() || !r.AtEnd()) return corrupt("it is truncated or has trailing data");
  return b;
}

std::optional<CompiledBundle> LoadBundle(const std::string& path, const std::string& fingerprint, std::string* problem) {
  if (fingerprint.empty()) return std::nullopt;
  std::string data, why;
  switch (cache::ReadFile(path, data, why)) {
    case cache::ReadStatus::Missing: return std::nullopt;
    case cache::ReadStatus::Ok: break;
    case cache::ReadStatus::Refused:
    case cache::ReadStatus::Error:
      if (problem) *problem = "it cannot be used: " + why;
      return std::nullopt;
  }
  return DecodeBundle(data, fingerprint, problem);
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
