// `conform lsp`: a language server over stdio (JSON-RPC 2.0 with Content-Length framing, LSP
// 3.17) for .clause files — diagnostics on open and change (the compiler's and the lint rules',
// compiled with the document's package and dependencies), hover, go to definition, completion,
// document symbols (the clause tree) and formatting (`conform fmt`). docs/editors.md.
#include <fmt/format.h>
#include <simdjson.h>

#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <functional>
#include <map>
#include <set>

#include "commands.h"
#include "common.h"
#include "conform/compiler/builtins.h"
#include "conform/compiler/driver.h"
#include "conform/runtime/report.h"
#include "fmt.h"
#include "lint.h"
#include "output.h"
#include "packages.h"

namespace fs = std::filesystem;

namespace conform::cli {

namespace {

using ast::Expr;
using ast::ExprKind;
using runtime::JsonQuote;

constexpr size_t kMaxMessage = size_t{64} << 20;  // bytes of one message body
constexpr size_t kMaxHeaderLine = 8192;

// JSON-RPC and LSP error codes.
constexpr int kParseError = -32700, kInvalidRequest = -32600, kMethodNotFound = -32601, kInvalidParams = -32602,
              kInternalError = -32603, kServerNotInitialized = -32002, kRequestFailed = -32803;

// ---- URIs and positions -------------------------------------------------------------------

int Hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The file path of a file:// URI ("" for another scheme or a bad escape).
std::string PathOf(const std::string& uri) {
  if (uri.rfind("file://", 0) != 0) return {};
  std::string out;
  for (size_t i = 7; i < uri.size(); ++i) {
    if (uri[i] != '%') {
      out += uri[i];
      continue;
    }
    if (i + 2 >= uri.size() || Hex(uri[i + 1]) < 0 || Hex(uri[i + 2]) < 0) return {};
    out += static_cast<char>(Hex(uri[i + 1]) * 16 + Hex(uri[i + 2]));
    i += 2;
  }
  return out;
}

std::string UriOf(const std::string& path) {
  std::string abs = fs::absolute(path).lexically_normal().string(), out = "file://";
  for (unsigned char c : abs) {
    if (std::isalnum(c) || c == '/' || c == '-' || c == '.' || c == '_' || c == '~') out += static_cast<char>(c);
    else out += fmt::format("%{:02X}", c);
  }
  return out;
}

// LSP columns count UTF-16 code units; the compiler's count bytes.
uint32_t Utf16Units(std::string_view s) {
  uint32_t n = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) n += c >= 0xF0 ? 2 : 1;
  return n;
}

uint32_t BytesOfUnits(std::string_view line, uint32_t units) {
  uint32_t i = 0, n = 0;
  while (i < line.size() && n < units) {
    unsigned char c = static_cast<unsigned char>(line[i]);
    n += c >= 0xF0 ? 2 : 1;
    ++i;
    while (i < line.size() && (static_cast<unsigned char>(line[i]) & 0xC0) == 0x80) ++i;
  }
  return i;
}

std::string Position(const SourceFile& f, uint32_t offset) {
  LineCol lc = f.Locate(offset);
  std::string_view line = f.Line(lc.line);
  uint32_t col = Utf16Units(line.substr(0, std::min<size_t>(lc.col - 1, line.size())));
  return fmt::format("{{\"line\":{},\"character\":{}}}", lc.line - 1, col);
}

std::string Range(const SourceFile& f, Span s) {
  return fmt::format("{{\"start\":{},\"end\":{}}}", Position(f, s.begin), Position(f, std::max(s.end, s.begin)));
}

std::string Location(const SourceManager& sm, Span s) {
  const SourceFile* f = sm.Get(s.file);
  if (!f) return {};
  return fmt::format("{{\"uri\":{},\"range\":{}}}", JsonQuote(UriOf(f->path())), Range(*f, s));
}

Expr NameExpr(std::string name) {
  Expr e{};
  e.kind = ExprKind::Name;
  e.text = std::move(name);
  return e;
}

bool IsWordChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

std::string TypeText(const ast::TypeRef& t) {
  return t.name + (t.arg ? "<" + TypeText(*t.arg) + ">" : "") + (t.optional ? "?" : "");
}

std::string ScalarName(TypeId t) {
  static const char* const kNames[] = {"error", "bool", "int", "decimal", "string", "date", "duration"};
  return t < 7 ? kNames[t] : "value";
}

// ---- one compiled view of a document ------------------------------------------------------

// The document compiled with its package siblings (from disk), the packages they require, and
// the document's text from the editor in place of its file.
struct Analysis {
  std::unique_ptr<Session> session;
  const ast::File* ast = nullptr;  // the document's syntax tree
  uint32_t file = 0;
  std::shared_ptr<const SchemaModel> schema;
  bool parsed = false;  // the document has no syntax error (its tree is complete)
  std::vector<lint::Finding> lints;
};

std::unique_ptr<Analysis> Analyze(const std::string& path, const std::string& text, const std::vector<std::string>& dirs) {
  auto a = std::make_unique<Analysis>();
  std::error_code ec;
  std::string canon = fs::weakly_canonical(path, ec).string();
  std::string pkg = PackageOf(path);
  if (!pkg.empty()) {
    a->session = OpenPackages({pkg}, dirs, {{canon, text}});
  } else {
    std::vector<std::string> search{fs::path(canon).parent_path().string()};
    for (const auto& d : SearchPath(dirs)) search.push_back(d);
    a->session = std::make_unique<Session>(search);
    a->session->SetOverlay(canon, text);
  }
  a->session->LoadFile(canon);  // a no-op when the package brought it
  for (const auto& f : a->session->files())
    if (fs::weakly_canonical(f->path, ec).string() == canon) a->ast = f.get(), a->file = f->file_id;
  bool syntax = false;
  for (const auto& d : a->session->diags().items())
    if (d.span.file == a->file && d.code.rfind("E01", 0) == 0) syntax = true;
  a->parsed = a->ast && !syntax;
  a->session->CompileAll();
  a->schema = a->session->Schema();
  if (a->ast && !a->session->diags().HasErrors()) {
    std::vector<lint::Unit> units;
    for (const auto& st : a->ast->standards) units.push_back({&st, nullptr, a->schema.get(), &a->session->sources(), &a->session->files()});
    for (const auto& x : a->ast->extensions) units.push_back({nullptr, &x, a->schema.get(), &a->session->sources(), &a->session->files()});
    a->lints = lint::Run(units);
  }
  return a;
}

// ---- what a position refers to --------------------------------------------------------------

void ForEachRequirement(const ast::ClauseDecl& c, const std::function<void(const ast::RequirementDecl&, const ast::ClauseDecl&)>& f) {
  for (const auto& r : c.requirements) f(r, c);
  for (const auto& k : c.clauses) ForEachRequirement(k, f);
}

// Every requirement of a file, with its clause (standards, extensions' clauses, opened clauses
// and amendments — an amendment's clause is null).
void ForEachRequirement(const ast::File& file, const std::function<void(const ast::RequirementDecl&, const ast::ClauseDecl*)>& f) {
  auto g = [&](const ast::RequirementDecl& r, const ast::ClauseDecl& c) { f(r, &c); };
  for (const auto& st : file.standards)
    for (const auto& c : st.clauses) ForEachRequirement(c, g);
  for (const auto& x : file.extensions) {
    for (const auto& c : x.clauses) ForEachRequirement(c, g);
    for (const auto& c : x.opened) ForEachRequirement(c, g);
    for (const auto& am : x.amends) f(am.body, nullptr);
  }
}

// The expressions of a requirement, each with the lets it can see.
void ForEachExpr(const ast::RequirementDecl& r, const std::function<void(const Expr*)>& f) {
  for (const auto& l : r.lets) f(l.value.get());
  f(r.applies.get());
  f(r.pass.get());
  if (r.message)
    for (const auto& p : r.message->pieces) f(p.expr.get());
}

bool Contains(Span s, uint32_t offset) { return s.valid() && offset >= s.begin && offset <= s.end; }

// The names visible at a point: quantifier variables (innermost last) and a requirement's lets.
struct Scope {
  std::vector<const Expr*> binders;
  const ast::RequirementDecl* requirement = nullptr;
};

class Resolver {
 public:
  Resolver(const Analysis& a) : a_(a) {}

  // The type of `e` in `scope` (TypeTable::kError when it is not known).
  TypeId TypeOf(const Expr* e, const Scope& scope, int depth = 0) const {
    if (!e || !a_.schema || depth > 16) return TypeTable::kError;
    const SchemaModel& m = *a_.schema;
    if (e->kind == ExprKind::Name) {
      for (auto it = scope.binders.rbegin(); it != scope.binders.rend(); ++it)
        if ((*it)->var == e->text) {
          TypeId list = TypeOf((*it)->a.get(), Outer(scope, *it), depth + 1);
          TypeKind k = m.types.Kind(list);
          return k == TypeKind::List || k == TypeKind::Set ? m.types[list].elem : TypeTable::kError;
        }
      if (scope.requirement)
        for (const auto& l : scope.requirement->lets)
          if (l.name == e->text) return TypeOf(l.value.get(), {{}, scope.requirement}, depth + 1);
      if (const FieldDef* f = RootField(e->text)) return f->type;
      return TypeTable::kError;
    }
    if (e->kind == ExprKind::Field) {
      TypeId t = TypeOf(e->a.get(), scope, depth + 1);
      if (m.types.Kind(t) != TypeKind::Entity) return TypeTable::kError;
      const FieldDef* f = m.entities[static_cast<size_t>(m.types[t].ref)].Find(e->text);
      return f ? f->type : TypeTable::kError;
    }
    return TypeTable::kError;
  }

  // The entity `t` is, or holds (lists and sets of entities); nullptr if none.
  const EntityDef* EntityOf(TypeId t) const {
    if (!a_.schema) return nullptr;
    const SchemaModel& m = *a_.schema;
    if (m.types.Kind(t) == TypeKind::List || m.types.Kind(t) == TypeKind::Set) t = m.types[t].elem;
    return m.types.Kind(t) == TypeKind::Entity ? &m.entities[static_cast<size_t>(m.types[t].ref)] : nullptr;
  }

  const FieldDef* RootField(const std::string& name) const {
    if (!a_.schema || a_.schema->root < 0) return nullptr;
    return a_.schema->entities[static_cast<size_t>(a_.schema->root)].Find(name);
  }

  // The innermost Name, Field or Call of the document whose identifier covers `offset`, with its
  // scope; false if there is none.
  bool At(uint32_t offset, const Expr*& found, Scope& scope) const {
    found = nullptr;
    if (!a_.ast) return false;
    ForEachRequirement(*a_.ast, [&](const ast::RequirementDecl& r, const ast::ClauseDecl*) {
      if (found || !Contains(r.span, offset)) return;
      ForEachExpr(r, [&](const Expr* e) {
        Scope s{{}, &r};
        if (!found) Find(e, offset, s, found, scope);
      });
    });
    return found != nullptr;
  }

  // A variable's binder anywhere in the document (for completion while the text does not parse).
  const Expr* AnyBinder(const std::string& var, Scope& scope) const {
    const Expr* out = nullptr;
    if (!a_.ast) return nullptr;
    ForEachRequirement(*a_.ast, [&](const ast::RequirementDecl& r, const ast::ClauseDecl*) {
      ForEachExpr(r, [&](const Expr* e) {
        Scope s{{}, &r};
        if (!out) FindBinder(e, var, s, out, scope);
      });
    });
    return out;
  }

 private:
  static Scope Outer(const Scope& s, const Expr* binder) {
    Scope o{{}, s.requirement};
    for (const Expr* b : s.binders) {
      if (b == binder) break;
      o.binders.push_back(b);
    }
    return o;
  }

  static bool Binds(const Expr* e) {
    return e->kind == ExprKind::Quant || e->kind == ExprKind::Count || e->kind == ExprKind::Comprehension ||
           e->kind == ExprKind::Filter;
  }

  // Children in evaluation scope: a binder's variable is visible in its filter and body only.
  static void Children(const Expr* e, Scope& s, const std::function<void(const Expr*, Scope&)>& f) {
    if (Binds(e)) {
      f(e->a.get(), s);
      s.binders.push_back(e);
      f(e->b.get(), s);
      f(e->c.get(), s);
      for (const auto& x : e->args) f(x.get(), s);
      s.binders.pop_back();
      return;
    }
    f(e->a.get(), s);
    f(e->b.get(), s);
    f(e->c.get(), s);
    for (const auto& x : e->args) f(x.get(), s);
  }

  static void Find(const Expr* e, uint32_t offset, Scope& s, const Expr*& found, Scope& out) {
    if (!e || found || !Contains(e->span, offset)) return;
    Children(e, s, [&](const Expr* x, Scope& sc) { Find(x, offset, sc, found, out); });
    if (found) return;
    bool hit = false;
    if (e->kind == ExprKind::Name) hit = true;
    if (e->kind == ExprKind::Field) hit = offset + e->text.size() >= e->span.end;  // on the field's name
    if (e->kind == ExprKind::Call) hit = offset <= e->span.begin + e->text.size();
    if (Binds(e) && Contains(e->var_span, offset)) {
      found = e;
      out = s;
      return;
    }
    if (hit) {
      found = e;
      out = s;
    }
  }

  static void FindBinder(const Expr* e, const std::string& var, Scope& s, const Expr*& found, Scope& out) {
    if (!e || found) return;
    if (Binds(e) && e->var == var) {
      found = e;
      out = s;
      out.binders.push_back(e);
      return;
    }
    Children(e, s, [&](const Expr* x, Scope& sc) { FindBinder(x, var, sc, found, out); });
  }

  const Analysis& a_;
};

// ---- input ---------------------------------------------------------------------------------

// Standard input through a buffer of its own, so the server can tell whether more messages are
// already waiting (Pending) — diagnostics of a burst of changes are computed once, after it.
class Input {
 public:
  int Get() {
    if (pos_ == end_ && !Fill()) return EOF;
    return static_cast<unsigned char>(buf_[pos_++]);
  }
  // Up to n bytes into `to` (nullptr: discard); fewer only at the end of the input.
  size_t Read(char* to, size_t n) {
    size_t got = 0;
    while (got < n) {
      if (pos_ == end_ && !Fill()) break;
      size_t k = std::min(n - got, end_ - pos_);
      if (to) std::memcpy(to + got, buf_ + pos_, k);
      pos_ += k, got += k;
    }
    return got;
  }
  // More input can be read without waiting.
  bool Pending() {
    if (pos_ < end_) return true;
    pollfd p{0, POLLIN, 0};
    return ::poll(&p, 1, 0) > 0;
  }

 private:
  bool Fill() {
    ssize_t n;
    do n = ::read(0, buf_, sizeof buf_);
    while (n < 0 && errno == EINTR);
    pos_ = 0;
    end_ = n > 0 ? static_cast<size_t>(n) : 0;
    return end_ > 0;
  }
  char buf_[65536];
  size_t pos_ = 0, end_ = 0;
};

// ---- the server -----------------------------------------------------------------------------

class Server {
 public:
  explicit Server(std::vector<std::string> dirs) : dirs_(std::move(dirs)) {}

  int Run() {
    while (true) {
      if (!in_.Pending()) Flush();  // the editor is idle: the pending changes' diagnostics
      std::string body;
      switch (Read(body)) {
        case ReadResult::Eof: return shutdown_ ? 0 : 1;
        case ReadResult::Fatal: return 1;
        case ReadResult::Skipped: continue;
        case ReadResult::Ok: break;
      }
      if (Handle(body) && exit_) return shutdown_ ? 0 : 1;
      if (failed_) return OutputFailure(-1);
    }
  }

 private:
  struct Doc {
    std::string path, text;
    std::unique_ptr<Analysis> now, good;  // the latest analysis, and the latest that parsed
    bool dirty = false;                   // changed since `now`
  };

  enum class ReadResult { Ok, Eof, Skipped, Fatal };

  // One framed message. Malformed headers are answered (id null) and the message skipped when
  // the framing can still be followed; a body over kMaxMessage is read and dropped in chunks.
  ReadResult Read(std::string& body) {
    size_t length = 0;
    bool have_length = false, any = false, bad = false;
    std::string line;
    while (true) {
      int c = in_.Get();
      if (c == EOF) return any ? ReadResult::Fatal : ReadResult::Eof;
      any = true;
      if (c != '\n') {
        if (line.size() >= kMaxHeaderLine) {
          Error("null", kInvalidRequest, "header line longer than 8 KiB; closing");
          return ReadResult::Fatal;
        }
        line += static_cast<char>(c);
        continue;
      }
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.empty()) break;
      size_t colon = line.find(':');
      if (colon == std::string::npos) {
        bad = true;
      } else if (line.compare(0, colon, "Content-Length") == 0) {
        std::string v = line.substr(colon + 1);
        v.erase(0, v.find_first_not_of(' '));
        have_length = !v.empty() && v.size() <= 19 && std::all_of(v.begin(), v.end(), [](char d) { return std::isdigit(static_cast<unsigned char>(d)); });
        if (have_length) length = std::stoull(v);
      }
      line.clear();
    }
    if (!have_length) {
      // Without a length the body cannot be found: nothing after it can be trusted.
      Error("null", kInvalidRequest, bad ? "malformed header (no `Name: value`) and no Content-Length; closing"
                                         : "message without a valid Content-Length header; closing");
      return ReadResult::Fatal;
    }
    if (length > kMaxMessage) {
      size_t left = length - in_.Read(nullptr, length);
      Error("null", kInvalidRequest, fmt::format("message of {} bytes is over the {} MiB limit; dropped", length, kMaxMessage >> 20));
      return left ? ReadResult::Eof : ReadResult::Skipped;
    }
    body.resize(length);
    if (length && in_.Read(body.data(), length) != length) return ReadResult::Eof;
    return ReadResult::Ok;
  }

  void Send(const std::string& json) {
    std::string framed = fmt::format("Content-Length: {}\r\n\r\n{}", json.size(), json);
    if (std::fwrite(framed.data(), 1, framed.size(), stdout) != framed.size() || std::fflush(stdout) != 0) failed_ = true;
  }

  void Reply(const std::string& id, const std::string& result) {
    Send(fmt::format("{{\"jsonrpc\":\"2.0\",\"id\":{},\"result\":{}}}", id, result));
  }

  void Error(const std::string& id, int code, const std::string& message) {
    Send(fmt::format("{{\"jsonrpc\":\"2.0\",\"id\":{},\"error\":{{\"code\":{},\"message\":{}}}}}", id, code, JsonQuote(message)));
  }

  // Handles one message; true when it was `exit`.
  bool Handle(const std::string& body) {
    simdjson::dom::parser parser;
    simdjson::dom::element msg;
    if (auto err = parser.parse(body).get(msg)) {
      Error("null", kParseError, fmt::format("the message is not JSON: {}", simdjson::error_message(err)));
      return false;
    }
    simdjson::dom::element id_el, params;
    bool has_id = !msg["id"].get(id_el) && (id_el.is_int64() || id_el.is_uint64() || id_el.is_string());
    std::string id = has_id ? simdjson::to_string(id_el) : "null";
    std::string_view method;
    if (!msg.is_object() || msg["method"].get(method)) {
      Error(id, kInvalidRequest, "a request needs a `method` string");
      return false;
    }
    bool has_params = !msg["params"].get(params) && params.is_object();
    if (method == "exit") {
      exit_ = true;
      return true;
    }
    try {
      Dispatch(std::string(method), has_id, id, has_params ? &params : nullptr);
    } catch (const std::exception& e) {
      if (has_id) Error(id, kInternalError, fmt::format("internal error: {}", e.what()));
    }
    return false;
  }

  void Dispatch(const std::string& method, bool has_id, const std::string& id, const simdjson::dom::element* params) {
    if (method != "textDocument/didChange") Flush();
    if (method == "initialize") {
      initialized_ = true;
      Reply(id, fmt::format(R"({{"capabilities":{{"positionEncoding":"utf-16","textDocumentSync":{{"openClose":true,"change":2}},"hoverProvider":true,)"
                            R"("definitionProvider":true,"completionProvider":{{"triggerCharacters":["."]}},)"
                            R"("documentSymbolProvider":true,"documentFormattingProvider":true}},)"
                            R"("serverInfo":{{"name":"conform","version":"{}"}}}})",
                            kVersion));
      return;
    }
    if (!has_id) {  // notifications
      if (!initialized_ || !params) return;
      std::string_view uri, text;
      if (method == "textDocument/didOpen") {
        if (!(*params)["textDocument"]["uri"].get(uri) && !(*params)["textDocument"]["text"].get(text))
          Update(std::string(uri), std::string(text));
      } else if (method == "textDocument/didChange") {
        simdjson::dom::array changes;
        if ((*params)["textDocument"]["uri"].get(uri) || (*params)["contentChanges"].get(changes)) return;
        auto it = docs_.find(std::string(uri));
        if (it == docs_.end()) return;
        Doc& d = it->second;
        // In order: a change with a range replaces it (UTF-16 positions), one without is the
        // whole document. Analysed once the changes stop coming (Flush).
        for (auto c : changes) {
          if (c["text"].get(text)) continue;
          simdjson::dom::element range;
          if (c["range"].get(range)) {
            d.text = std::string(text);
          } else {
            int64_t l0 = -1, c0 = -1, l1 = -1, c1 = -1;
            if (range["start"]["line"].get(l0) || range["start"]["character"].get(c0) || range["end"]["line"].get(l1) ||
                range["end"]["character"].get(c1) || l0 < 0 || c0 < 0 || l1 < 0 || c1 < 0)
              continue;
            uint32_t b = OffsetIn(d.text, static_cast<uint32_t>(l0), static_cast<uint32_t>(c0));
            uint32_t e = OffsetIn(d.text, static_cast<uint32_t>(l1), static_cast<uint32_t>(c1));
            if (e < b) std::swap(b, e);
            d.text.replace(b, e - b, text);
          }
          d.dirty = true;
        }
        return;
      } else if (method == "textDocument/didClose") {
        if (!(*params)["textDocument"]["uri"].get(uri)) {
          docs_.erase(std::string(uri));
          Publish(std::string(uri), "");
        }
      }
      return;
    }
    if (!initialized_) return Error(id, kServerNotInitialized, "send `initialize` first");
    if (shutdown_) return Error(id, kInvalidRequest, "the server is shutting down");
    if (method == "shutdown") {
      shutdown_ = true;
      return Reply(id, "null");
    }
    static const std::set<std::string> kDocRequests = {"textDocument/hover", "textDocument/definition", "textDocument/completion",
                                                        "textDocument/documentSymbol", "textDocument/formatting"};
    if (!kDocRequests.count(method)) return Error(id, kMethodNotFound, fmt::format("`{}` is not supported", method));
    std::string_view uri;
    if (!params || (*params)["textDocument"]["uri"].get(uri)) return Error(id, kInvalidParams, "params.textDocument.uri is missing");
    auto it = docs_.find(std::string(uri));
    if (it == docs_.end()) return Error(id, kInvalidParams, fmt::format("{} is not open", uri));
    Doc& d = it->second;
    if (method == "textDocument/documentSymbol") return Reply(id, Symbols(d));
    if (method == "textDocument/formatting") return Formatting(id, d);
    int64_t line = -1, character = -1;
    if ((*params)["position"]["line"].get(line) || (*params)["position"]["character"].get(character) || line < 0 || character < 0)
      return Error(id, kInvalidParams, "params.position {line, character} is missing");
    uint32_t offset = OffsetIn(d.text, static_cast<uint32_t>(line), static_cast<uint32_t>(character));
    if (method == "textDocument/hover") return Reply(id, Hover(d, offset));
    if (method == "textDocument/definition") return Reply(id, Definition(d, offset));
    return Reply(id, Completion(d, offset));
  }

  static uint32_t OffsetIn(const std::string& text, uint32_t line, uint32_t character) {
    size_t at = 0;
    for (uint32_t l = 0; l < line; ++l) {
      size_t nl = text.find('\n', at);
      if (nl == std::string::npos) return static_cast<uint32_t>(text.size());
      at = nl + 1;
    }
    size_t end = text.find('\n', at);
    std::string_view ln(text.data() + at, (end == std::string::npos ? text.size() : end) - at);
    return static_cast<uint32_t>(at + BytesOfUnits(ln, character));
  }

  // Analyses the documents changed since their last analysis.
  void Flush() {
    for (auto& [uri, d] : docs_)
      if (d.dirty) d.dirty = false, Update(uri, d.text);
  }

  void Update(const std::string& uri, const std::string& text) {
    std::string path = PathOf(uri);
    if (path.empty()) return;  // not a file: nothing to compile it with
    Doc& d = docs_[uri];
    d.path = path;
    d.text = text;
    auto next = Analyze(path, text, dirs_);
    if (!next->parsed && d.now && d.now->parsed) d.good = std::move(d.now);
    if (next->parsed) d.good.reset();  // `now` is the good one
    d.now = std::move(next);
    const Analysis& a = *d.now;
    const SourceFile* f = a.session->sources().Get(a.file);
    std::string items;
    auto add = [&](const Diagnostic& x) {
      if (!f) return;
      // An error without a place (the package's manifest, a missing dependency) stops the
      // package from compiling: shown at the top of the document, as `conform compile` shows it.
      if (!x.span.valid() && x.severity == Severity::Error) {
        std::string message = x.message + (x.path.empty() ? "" : " (" + x.path + ")") + (x.help.empty() ? "" : "\nhelp: " + x.help);
        items += fmt::format("{}{{\"range\":{{\"start\":{{\"line\":0,\"character\":0}},\"end\":{{\"line\":0,\"character\":0}}}},"
                             "\"severity\":1,\"code\":{},\"source\":\"conform\",\"message\":{}}}",
                             items.empty() ? "" : ",", JsonQuote(x.code), JsonQuote(message));
        return;
      }
      if (x.span.file != a.file) return;
      std::string message = x.message + (x.help.empty() ? "" : "\nhelp: " + x.help);
      for (const auto& n : x.notes) message += "\nnote: " + n.message;
      int severity = x.severity == Severity::Error ? 1 : x.severity == Severity::Warning ? 2 : 3;
      items += fmt::format("{}{{\"range\":{},\"severity\":{},\"code\":{},\"source\":\"conform\",\"message\":{}}}",
                           items.empty() ? "" : ",", Range(*f, x.span), severity, JsonQuote(x.code), JsonQuote(message));
    };
    for (const auto& x : a.session->diags().items()) add(x);
    for (const auto& l : a.lints) add(l.diag);
    Publish(uri, items);
  }

  void Publish(const std::string& uri, const std::string& items) {
    Send(fmt::format(R"({{"jsonrpc":"2.0","method":"textDocument/publishDiagnostics","params":{{"uri":{},"diagnostics":[{}]}}}})",
                     JsonQuote(uri), items));
  }

  // The analysis to answer from: the latest, or (while the text does not parse) the last that did.
  static const Analysis& Current(Doc& d) { return d.now->parsed || !d.good ? *d.now : *d.good; }

  struct Target {
    std::string markdown;
    Span where;
  };

  static std::string FieldDoc(const SchemaModel& m, const EntityDef& e, const FieldDef& f) {
    return fmt::format("```clause\n{}.{}: {}{}\n```\n{}", e.name, f.name, m.TypeName(f.type), f.optional ? "?" : "", f.doc);
  }

  static std::string BuiltinDoc(const std::string& name) {
    std::string md;
    for (const auto* b : BuiltinRegistry::Default().Named(name)) {
      std::string sig = b->Signature();
      if (b->form == Form::Function) sig += " -> " + ScalarName(b->result);
      md += fmt::format("```clause\n{}\n```\n{}\n\n", sig, b->doc);
    }
    return md;
  }

  // What the identifier at `offset` stands for.
  std::vector<Target> Resolve(Doc& d, uint32_t offset) {
    std::vector<Target> out;
    if (!d.now->parsed) return out;  // positions of an older text would not match
    const Analysis& a = *d.now;
    Resolver r(a);
    const Expr* e = nullptr;
    Scope scope;
    if (r.At(offset, e, scope) && a.schema) {
      const SchemaModel& m = *a.schema;
      if (e->kind == ExprKind::Call) {
        if (std::string md = BuiltinDoc(e->text); !md.empty()) out.push_back({md, {}});
        return out;
      }
      if (e->kind == ExprKind::Quant || e->kind == ExprKind::Count || e->kind == ExprKind::Comprehension ||
          e->kind == ExprKind::Filter) {
        Expr name = NameExpr(e->var);
        scope.binders.push_back(e);
        TypeId t = r.TypeOf(&name, scope);
        out.push_back({fmt::format("```clause\n{}: {}\n```\neach element of `{}`", e->var, m.TypeName(t),
                                   std::string(a.session->sources().Text(e->a->span))),
                       e->var_span});
        return out;
      }
      if (e->kind == ExprKind::Field) {
        if (const EntityDef* ent = r.EntityOf(r.TypeOf(e->a.get(), scope)))
          if (const FieldDef* f = ent->Find(e->text)) out.push_back({FieldDoc(m, *ent, *f), f->span});
        return out;
      }
      for (auto it = scope.binders.rbegin(); it != scope.binders.rend(); ++it)
        if ((*it)->var == e->text) {
          TypeId t = r.TypeOf(e, scope);
          out.push_back({fmt::format("```clause\n{}: {}\n```\neach element of `{}`", e->text, m.TypeName(t),
                                     std::string(a.session->sources().Text((*it)->a->span))),
                         (*it)->var_span});
          return out;
        }
      if (scope.requirement)
        for (const auto& l : scope.requirement->lets)
          if (l.name == e->text) {
            out.push_back({fmt::format("```clause\nlet {} = {}\n```\n{}", l.name, std::string(a.session->sources().Text(l.value->span)),
                                       m.TypeName(r.TypeOf(e, scope))),
                           l.span});
            return out;
          }
    }
    // Declarations by name: parameters, requirements, root fields, entities, enums and their
    // members, builtins.
    uint32_t b = std::min<uint32_t>(offset, static_cast<uint32_t>(d.text.size())), en = b;
    while (b > 0 && IsWordChar(d.text[b - 1])) --b;
    while (en < d.text.size() && IsWordChar(d.text[en])) ++en;
    std::string w = d.text.substr(b, en - b);
    if (w.empty() || (b > 0 && d.text[b - 1] == '.' && !e && !IsRequirementRef(d, b))) return out;
    for (const auto& f : a.session->files()) {
      for (const auto& st : f->standards)
        for (const auto& p : st.params)
          if (p.name == w) out.push_back({fmt::format("```clause\nparam {}: {}\n```\n{} (of `{}`)", p.name, TypeText(p.type), p.doc, st.name), p.span});
      for (const auto& x : f->extensions)
        for (const auto& p : x.params)
          if (p.name == w) out.push_back({fmt::format("```clause\nparam {}: {}\n```\n{} (of `{}`)", p.name, TypeText(p.type), p.doc, x.name), p.span});
      ForEachRequirement(*f, [&](const ast::RequirementDecl& q, const ast::ClauseDecl* c) {
        if (q.id == w && c)
          out.push_back({fmt::format("```clause\nrequirement {} : {}\n```\nclause {} {} — {}", q.id, q.grade, c->number, c->title, q.says),
                         q.id_span});
      });
    }
    if (a.schema) {
      const SchemaModel& m = *a.schema;
      if (const FieldDef* f = r.RootField(w)) out.push_back({FieldDoc(m, m.entities[static_cast<size_t>(m.root)], *f), f->span});
      for (const auto& ent : m.entities)
        if (ent.name == w) out.push_back({fmt::format("```clause\n{} {}\n```\n{} fields", ent.is_root ? "root" : "entity", ent.name, ent.fields.size()), ent.span});
      for (const auto& en2 : m.enums) {
        if (en2.name == w) out.push_back({fmt::format("```clause\nenum {}\n```\n{}", en2.name, fmt::join(en2.members, ", ")), en2.span});
        else if (en2.Find(w) >= 0) out.push_back({fmt::format("```clause\n{}: {}\n```\na member of enum `{}`", w, en2.name, en2.name), en2.span});
      }
    }
    if (std::string md = BuiltinDoc(w); !md.empty()) out.push_back({md, {}});
    return out;
  }

  // `amend owner.id` / `depends on`: a dotted requirement reference, not a field.
  static bool IsRequirementRef(const Doc& d, uint32_t word_begin) {
    size_t line = d.text.rfind('\n', word_begin);
    line = line == std::string::npos ? 0 : line + 1;
    std::string_view head(d.text.data() + line, word_begin - line);
    return head.find("amend ") != std::string_view::npos || head.find("param ") != std::string_view::npos;
  }

  std::string Hover(Doc& d, uint32_t offset) {
    auto ts = Resolve(d, offset);
    if (ts.empty()) return "null";
    std::string md;
    for (size_t i = 0; i < ts.size() && i < 6; ++i) md += (i ? "\n\n---\n\n" : "") + ts[i].markdown;
    return fmt::format("{{\"contents\":{{\"kind\":\"markdown\",\"value\":{}}}}}", JsonQuote(md));
  }

  std::string Definition(Doc& d, uint32_t offset) {
    std::string locs;
    for (const auto& t : Resolve(d, offset))
      if (t.where.valid())
        if (std::string l = Location(d.now->session->sources(), t.where); !l.empty()) locs += (locs.empty() ? "" : ",") + l;
    return "[" + locs + "]";
  }

  std::string Completion(Doc& d, uint32_t offset) {
    const Analysis& a = Current(d);
    if (!a.schema) return "[]";
    const SchemaModel& m = *a.schema;
    Resolver r(a);
    // The word being typed, and the dotted chain before it (`s.owner.` → s, owner).
    uint32_t b = std::min<uint32_t>(offset, static_cast<uint32_t>(d.text.size()));
    while (b > 0 && IsWordChar(d.text[b - 1])) --b;
    std::vector<std::string> chain;
    for (uint32_t at = b; at > 0 && d.text[at - 1] == '.';) {
      uint32_t e = at - 1, s = e;
      while (s > 0 && IsWordChar(d.text[s - 1])) --s;
      if (s == e) break;
      chain.insert(chain.begin(), d.text.substr(s, e - s));
      at = s;
    }
    std::string out;
    auto item = [&](const std::string& label, int kind, const std::string& detail, const std::string& doc) {
      out += fmt::format("{}{{\"label\":{},\"kind\":{},\"detail\":{}{}}}", out.empty() ? "" : ",", JsonQuote(label), kind,
                         JsonQuote(detail), doc.empty() ? "" : ",\"documentation\":" + JsonQuote(doc));
    };
    auto fields = [&](const EntityDef& ent) {
      for (const auto& f : ent.fields) item(f.name, 5, m.TypeName(f.type) + (f.optional ? "?" : ""), f.doc);
    };
    if (!chain.empty()) {
      Scope scope;
      TypeId t = TypeTable::kError;
      Expr head = NameExpr(chain[0]);
      if (r.AnyBinder(chain[0], scope)) t = r.TypeOf(&head, scope);
      else if (const FieldDef* f = r.RootField(chain[0])) t = f->type;
      for (size_t i = 1; i < chain.size() && t != TypeTable::kError; ++i) {
        const EntityDef* ent = r.EntityOf(t);
        const FieldDef* f = ent && m.types.Kind(t) == TypeKind::Entity ? ent->Find(chain[i]) : nullptr;
        t = f ? f->type : TypeTable::kError;
      }
      if (m.types.Kind(t) == TypeKind::Entity) fields(m.entities[static_cast<size_t>(m.types[t].ref)]);
      return "[" + out + "]";
    }
    if (m.root >= 0) fields(m.entities[static_cast<size_t>(m.root)]);
    std::set<std::string> seen;
    for (const auto& bi : BuiltinRegistry::Default().all())
      if (seen.insert(bi.name).second) item(bi.name, 3, "builtin", bi.doc);
    for (const auto& f : a.session->files())
      for (const auto& st : f->standards)
        for (const auto& p : st.params)
          if (seen.insert(p.name).second) item(p.name, 6, "param " + TypeText(p.type), p.doc);
    for (const char* k : {"exists", "all", "none", "count", "in", "under", "and", "or", "not", "implies", "is present",
                          "is absent", "if", "then", "else", "where", "as_of"})
      if (seen.insert(k).second) item(k, 14, "keyword", "");
    return "[" + out + "]";
  }

  std::string Symbols(Doc& d) {
    const Analysis& a = *d.now;
    if (!a.ast) return "[]";
    const SourceFile* f = a.session->sources().Get(a.file);
    auto sym = [&](const std::string& name, const std::string& detail, int kind, Span range, Span sel, const std::string& children) {
      if (!sel.valid() || sel.begin < range.begin || sel.end > range.end) sel = range;
      return fmt::format("{{\"name\":{},\"detail\":{},\"kind\":{},\"range\":{},\"selectionRange\":{},\"children\":[{}]}}",
                         JsonQuote(name.empty() ? "?" : name), JsonQuote(detail), kind, Range(*f, range), Range(*f, sel), children);
    };
    auto join = [](std::string& to, const std::string& s) { to += (to.empty() ? "" : ",") + s; };
    std::function<std::string(const ast::ClauseDecl&)> clause = [&](const ast::ClauseDecl& c) {
      std::string kids;
      for (const auto& k : c.clauses) join(kids, clause(k));
      for (const auto& r : c.requirements) join(kids, sym(r.id, r.grade, 12, r.span, r.id_span, ""));
      return sym(c.number + (c.title.empty() ? "" : " " + c.title), "clause", 5, c.span, c.number_span, kids);
    };
    std::string out;
    for (const auto& st : a.ast->standards) {
      std::string kids;
      for (const auto& p : st.params) join(kids, sym(p.name, TypeText(p.type), 7, p.span, p.span, ""));
      for (const auto& c : st.clauses) join(kids, clause(c));
      join(out, sym(st.name, st.title, 2, st.span, st.name_span, kids));
    }
    for (const auto& x : a.ast->extensions) {
      std::string kids;
      for (const auto& p : x.params) join(kids, sym(p.name, TypeText(p.type), 7, p.span, p.span, ""));
      for (const auto& c : x.opened) join(kids, clause(c));
      for (const auto& c : x.clauses) join(kids, clause(c));
      for (const auto& am : x.amends) join(kids, sym("amend " + am.owner + "." + am.body.id, "amendment", 12, am.span, am.target_span, ""));
      join(out, sym(x.name, x.title, 2, x.span, x.name_span, kids));
    }
    for (const auto& sc : a.ast->schemas) {
      std::string kids;
      for (const auto& e : sc.entities) join(kids, sym(e.name, "entity", 23, e.span, e.span, ""));
      for (const auto& e : sc.enums) join(kids, sym(e.name, "enum", 10, e.span, e.span, ""));
      join(out, sym(sc.name, "schema", 3, sc.span, sc.span, kids));
    }
    return "[" + out + "]";
  }

  void Formatting(const std::string& id, Doc& d) {
    std::string formatted, why;
    if (!fmt_clause::FormatVerified(d.path, d.text, formatted, why))
      return Error(id, kRequestFailed, fmt::format("not formatted: {}", why));
    if (formatted == d.text) return Reply(id, "[]");
    size_t lines = static_cast<size_t>(std::count(d.text.begin(), d.text.end(), '\n'));
    size_t last = d.text.rfind('\n');
    std::string_view tail = last == std::string::npos ? std::string_view(d.text) : std::string_view(d.text).substr(last + 1);
    Reply(id, fmt::format(R"([{{"range":{{"start":{{"line":0,"character":0}},"end":{{"line":{},"character":{}}}}},"newText":{}}}])",
                          lines, Utf16Units(tail), JsonQuote(formatted)));
  }

  std::vector<std::string> dirs_;
  std::map<std::string, Doc> docs_;
  Input in_;
  bool initialized_ = false, shutdown_ = false, exit_ = false, failed_ = false;
};

}  // namespace

void AddLsp(CLI::App& app, std::function<int()>& run) {
  auto dirs = std::make_shared<std::vector<std::string>>();
  auto* cmd = app.add_subcommand("lsp", "Run the Clause language server on standard input and output (for editors)");
  cmd->add_option("--plugin-dir", *dirs, "extra catalogue folder (repeatable)")->allow_extra_args(false);
  cmd->callback([dirs, &run] {
    run = [dirs] { return Server(*dirs).Run(); };
  });
}

}  // namespace conform::cli
