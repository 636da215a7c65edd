// A scripted client for `conform lsp`: each test writes a sequence of framed JSON-RPC messages,
// runs the real binary on it, and checks every answer (by id) and notification (in order).
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <simdjson.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "conform_process.h"

namespace fs = std::filesystem;

namespace {

using conform::testing::Result;

fs::path Scratch() { return conform::testing::ScratchDir("conform-lsp-test"); }

std::string Frame(const std::string& json) { return fmt::format("Content-Length: {}\r\n\r\n{}", json.size(), json); }

std::string Quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out + "\"";
}

std::string Uri(const fs::path& p) { return "file://" + p.string(); }

// A client script and what the server answered.
struct Client {
  std::string script;
  Result r;
  std::vector<std::string> bodies;             // every message, in order
  std::map<int64_t, std::string> by_id;        // responses
  std::vector<std::string> diagnostics;        // publishDiagnostics, in order
  simdjson::dom::parser parser;

  void Raw(const std::string& bytes) { script += bytes; }
  void Send(const std::string& json) { script += Frame(json); }
  void Request(int id, const std::string& method, const std::string& params) {
    Send(fmt::format(R"({{"jsonrpc":"2.0","id":{},"method":"{}","params":{}}})", id, method, params));
  }
  void Notify(const std::string& method, const std::string& params) {
    Send(fmt::format(R"({{"jsonrpc":"2.0","method":"{}","params":{}}})", method, params));
  }
  void Initialize() {
    Request(1, "initialize", R"({"capabilities":{}})");
    Notify("initialized", "{}");
  }
  void Open(const fs::path& doc, const std::string& text) {
    Notify("textDocument/didOpen",
           fmt::format(R"({{"textDocument":{{"uri":"{}","languageId":"clause","version":1,"text":{}}}}})", Uri(doc), Quote(text)));
  }
  void Change(const fs::path& doc, const std::string& text) {
    Notify("textDocument/didChange",
           fmt::format(R"({{"textDocument":{{"uri":"{}","version":2}},"contentChanges":[{{"text":{}}}]}})", Uri(doc), Quote(text)));
  }
  // One didChange of range edits ({line0, ch0, line1, ch1, text}, applied in order).
  struct Edit {
    int l0, c0, l1, c1;
    std::string text;
  };
  void Edits(const fs::path& doc, const std::vector<Edit>& edits) {
    std::string changes;
    for (const auto& e : edits)
      changes += fmt::format(R"({}{{"range":{{"start":{{"line":{},"character":{}}},"end":{{"line":{},"character":{}}}}},"text":{}}})",
                             changes.empty() ? "" : ",", e.l0, e.c0, e.l1, e.c1, Quote(e.text));
    Notify("textDocument/didChange",
           fmt::format(R"({{"textDocument":{{"uri":"{}","version":3}},"contentChanges":[{}]}})", Uri(doc), changes));
  }
  void At(int id, const char* method, const fs::path& doc, int line, int ch) {
    Request(id, method, fmt::format(R"({{"textDocument":{{"uri":"{}"}},"position":{{"line":{},"character":{}}}}})", Uri(doc), line, ch));
  }
  void Shutdown() {
    Request(999, "shutdown", "null");
    Notify("exit", "null");
  }

  void Run(const std::string& args = "lsp") {
    fs::path file = Scratch() / "script";
    std::ofstream(file, std::ios::binary) << script;
    r = conform::testing::RunConform(CONFORM_BIN, CONFORM_SOURCE_DIR, Scratch(), "",
                                     fmt::format("{} < '{}'", args, file.string()));
    size_t at = 0;
    while ((at = r.out.find("Content-Length: ", at)) != std::string::npos) {
      size_t n = std::stoul(r.out.substr(at + 16));
      size_t body = r.out.find("\r\n\r\n", at) + 4;
      bodies.push_back(r.out.substr(body, n));
      at = body + n;
    }
    for (const auto& b : bodies) {
      simdjson::dom::element e;
      ASSERT_FALSE(parser.parse(b).get(e)) << "not JSON: " << b;
      int64_t id = 0;
      if (!e["id"].get(id)) by_id[id] = b;
      std::string_view m;
      if (!e["method"].get(m) && m == "textDocument/publishDiagnostics") diagnostics.push_back(b);
    }
  }
  std::string Answer(int64_t id) const {
    auto it = by_id.find(id);
    return it == by_id.end() ? std::string("<no answer to ") + std::to_string(id) + ">" : it->second;
  }
};

bool Has(const std::string& hay, const std::string& needle) { return hay.find(needle) != std::string::npos; }

const std::string kDemo =
    "use core\n"
    "standard demo \"Demo\" {\n"
    "  param review_interval : duration = 12 months \"how often the policy is reviewed\"\n"
    "  clause 5 \"Leadership\" {\n"
    "    requirement policy_documented : major {\n"
    "      says \"An approved policy is kept as a document.\"\n"
    "      let window = review_interval\n"
    "      pass exists d in documents : d.status == approved and d.titel == \"x\"\n"
    "      else \"no approved policy within {window}\"\n"
    "    }\n"
    "  }\n"
    "}\n";

// initialize → didOpen (with an error) → publishDiagnostics → hover → definition → completion →
// documentSymbol → didChange (fixed) → formatting → shutdown → exit.
TEST(Lsp, ScriptedSession) {
  fs::path doc = Scratch() / "demo.clause";
  std::ofstream(doc) << kDemo;
  std::string fixed = kDemo;
  fixed.replace(fixed.find("d.titel"), 7, "d.title");
  std::string messy = fixed;
  messy.replace(messy.find("  clause 5"), 2, "        ");
  messy += "\n\n";
  Client c;
  c.Initialize();
  c.Open(doc, kDemo);
  c.At(2, "textDocument/hover", doc, 7, 38);        // d.st|atus
  c.At(3, "textDocument/definition", doc, 6, 22);   // review_in|terval in the let
  c.At(4, "textDocument/completion", doc, 7, 62);   // d.|titel
  c.Request(5, "textDocument/documentSymbol", fmt::format(R"({{"textDocument":{{"uri":"{}"}}}})", Uri(doc)));
  c.At(6, "textDocument/hover", doc, 7, 11);        // exi|sts d: the bound variable's binder
  c.At(7, "textDocument/hover", doc, 7, 36);        // |d.status: the variable
  c.At(8, "textDocument/definition", doc, 7, 36);   // d → its binder
  c.At(9, "textDocument/hover", doc, 8, 41);        // {win|dow}: the let
  c.At(10, "textDocument/definition", doc, 7, 23);  // docu|ments → core's root field
  c.Change(doc, messy);
  c.Request(11, "textDocument/formatting",
            fmt::format(R"({{"textDocument":{{"uri":"{}"}},"options":{{"tabSize":2,"insertSpaces":true}}}})", Uri(doc)));
  c.Shutdown();
  c.Run();
  EXPECT_EQ(c.r.status, 0) << c.r.err;
  EXPECT_TRUE(Has(c.Answer(1), "\"hoverProvider\":true")) << c.Answer(1);
  EXPECT_TRUE(Has(c.Answer(1), "\"documentFormattingProvider\":true")) << c.Answer(1);
  // publishDiagnostics: E0202 on `titel` (line 7, characters 62–67), with the did-you-mean.
  ASSERT_EQ(c.diagnostics.size(), 2u) << c.r.out;
  EXPECT_TRUE(Has(c.diagnostics[0], "\"code\":\"E0202\"")) << c.diagnostics[0];
  EXPECT_TRUE(Has(c.diagnostics[0], "did you mean `title`?")) << c.diagnostics[0];
  EXPECT_TRUE(Has(c.diagnostics[0], R"("range":{"start":{"line":7,"character":62},"end":{"line":7,"character":67}})"))
      << c.diagnostics[0];
  EXPECT_TRUE(Has(c.Answer(2), "document.status: doc_status")) << c.Answer(2);
  EXPECT_TRUE(Has(c.Answer(3), Uri(doc))) << c.Answer(3);
  EXPECT_TRUE(Has(c.Answer(3), R"("start":{"line":2,"character":8})")) << c.Answer(3);  // the parameter's name
  // Completion after `d.`: the fields of `document` only (d ranges over documents).
  EXPECT_TRUE(Has(c.Answer(4), "\"label\":\"title\"")) << c.Answer(4);
  EXPECT_TRUE(Has(c.Answer(4), "\"label\":\"approved_at\"")) << c.Answer(4);
  EXPECT_FALSE(Has(c.Answer(4), "\"label\":\"employees\"")) << c.Answer(4);
  EXPECT_FALSE(Has(c.Answer(4), "\"label\":\"count\"")) << c.Answer(4);
  EXPECT_TRUE(Has(c.Answer(5), "\"name\":\"5 Leadership\"")) << c.Answer(5);
  EXPECT_TRUE(Has(c.Answer(5), "\"name\":\"policy_documented\"")) << c.Answer(5);
  EXPECT_TRUE(Has(c.Answer(7), "d: document")) << c.Answer(7);
  EXPECT_TRUE(Has(c.Answer(7), "each element of `documents`")) << c.Answer(7);
  EXPECT_TRUE(Has(c.Answer(8), R"("start":{"line":7,"character":18})")) << c.Answer(8);  // `d` after `exists`
  EXPECT_TRUE(Has(c.Answer(9), "let window = review_interval")) << c.Answer(9);
  EXPECT_TRUE(Has(c.Answer(10), "standards/core/")) << c.Answer(10);
  // didChange: the typo is fixed, so no diagnostics.
  EXPECT_TRUE(Has(c.diagnostics[1], "\"diagnostics\":[]")) << c.diagnostics[1];
  // formatting: one edit of the whole document giving the canonical layout.
  simdjson::dom::element f;
  ASSERT_FALSE(c.parser.parse(c.Answer(11)).get(f)) << c.Answer(11);
  simdjson::dom::array edits;
  ASSERT_FALSE(f["result"].get(edits)) << c.Answer(11);
  ASSERT_EQ(edits.size(), 1u) << c.Answer(11);
  std::string_view new_text;
  ASSERT_FALSE((*edits.begin())["newText"].get(new_text));
  EXPECT_EQ(std::string(new_text), fixed);
  EXPECT_TRUE(Has(c.Answer(11), R"("end":{"line":14,"character":0})")) << c.Answer(11);
  EXPECT_TRUE(Has(c.Answer(999), "\"result\":null")) << c.Answer(999);
}

// Columns are UTF-16 code units: `é` is one, `😀` two (four bytes in the file).
TEST(Lsp, Utf16Columns) {
  fs::path doc = Scratch() / "wide.clause";
  std::string text = kDemo;
  text.replace(text.find("d.titel == \"x\""), 14, "\"é😀\" == d.titel");
  Client c;
  c.Initialize();
  c.Open(doc, text);
  c.Shutdown();
  c.Run();
  ASSERT_EQ(c.diagnostics.size(), 1u) << c.r.out;
  // `titel` starts at byte 74; `"é😀"` before it is 8 bytes but 5 UTF-16 units (3 fewer).
  EXPECT_TRUE(Has(c.diagnostics[0], R"("start":{"line":7,"character":71},"end":{"line":7,"character":76})")) << c.diagnostics[0];
}

// Incremental sync: range edits in UTF-16 positions, on a line with `é` (one unit) and `😀`
// (two units, four bytes), applied in order within a notification; consecutive changes are
// analysed once, after the last.
TEST(Lsp, IncrementalSync) {
  fs::path doc = Scratch() / "incremental.clause";
  std::string text = kDemo;
  text.replace(text.find("d.titel == \"x\""), 14, "\"é😀\" == d.titel");
  Client c;
  c.Initialize();
  c.Open(doc, text);
  // `titel` is at UTF-16 columns 71–76 of line 7 (bytes 74–79); then a line inserted above.
  c.Edits(doc, {{7, 71, 7, 76, "title"}, {0, 0, 0, 0, "// ü\n"}});
  // `"é😀"` (columns 60–65, now on line 8) becomes `"😀😀"` (one unit longer).
  c.Edits(doc, {{8, 60, 8, 65, "\"😀😀\""}});
  c.At(2, "textDocument/hover", doc, 8, 74);  // d.ti|tle, one column to the right of before
  c.At(3, "textDocument/hover", doc, 5, 20);  // requirement poli|cy_documented, one line down
  c.Shutdown();
  c.Run();
  EXPECT_EQ(c.r.status, 0) << c.r.err;
  EXPECT_TRUE(Has(c.Answer(1), R"("textDocumentSync":{"openClose":true,"change":2})")) << c.Answer(1);
  ASSERT_EQ(c.diagnostics.size(), 2u) << c.r.out;  // didOpen, and one for both changes
  EXPECT_TRUE(Has(c.diagnostics[0], "\"code\":\"E0202\"")) << c.diagnostics[0];
  EXPECT_TRUE(Has(c.diagnostics[1], "\"diagnostics\":[]")) << c.diagnostics[1];
  EXPECT_TRUE(Has(c.Answer(2), "document.title: string")) << c.Answer(2);
  EXPECT_TRUE(Has(c.Answer(3), "requirement policy_documented")) << c.Answer(3);
}

// A document inside a package is compiled with its siblings and dependencies, the editor's text
// replacing the file on disk; definitions reach into other packages.
TEST(Lsp, PackageAware) {
  fs::path root = Scratch() / "pkgs";
  fs::remove_all(root);
  fs::create_directories(root);
  Result made = conform::testing::RunConform(CONFORM_BIN, CONFORM_SOURCE_DIR, Scratch(), "",
                                             fmt::format("new standard lspstd --dir '{}'", root.string()));
  ASSERT_EQ(made.status, 0) << made.err;
  Result ext = conform::testing::RunConform(CONFORM_BIN, CONFORM_SOURCE_DIR, Scratch(), "",
                                            fmt::format("new extension lspext --extends iso9001 --dir '{}'", root.string()));
  ASSERT_EQ(ext.status, 0) << ext.err;
  fs::path std_doc = root / "lspstd/lspstd.clause", ext_doc = root / "lspext/lspext.clause";
  std::string std_text = conform::testing::Slurp(std_doc);
  // The sibling schema.clause declares `lspstd_policy_reviewed_at`: no error, and its definition
  // is there.
  int line = 0, ch = 0;
  {
    size_t at = std_text.find("pass lspstd_policy_reviewed_at");
    for (size_t i = 0; i < at; ++i)
      if (std_text[i] == '\n') ++line, ch = 0;
      else ++ch;
    ch += 8;
  }
  std::string ext_text = conform::testing::Slurp(ext_doc);
  ext_text.replace(ext_text.find("  // amend iso9001."), 19, "  amend iso9001.");
  ext_text.replace(ext_text.find("  //   grade"), 12, "    grade");
  ext_text.replace(ext_text.find("  // }"), 6, "  }");
  int amend_line = 0;
  for (size_t i = 0; i < ext_text.find("  amend iso9001."); ++i) amend_line += ext_text[i] == '\n';
  Client c;
  c.Initialize();
  c.Open(std_doc, std_text);
  c.At(2, "textDocument/definition", std_doc, line, ch);
  c.At(3, "textDocument/hover", std_doc, line, ch);
  c.Open(ext_doc, ext_text);  // unsaved: the amendment exists only in the editor
  c.At(4, "textDocument/definition", ext_doc, amend_line, 20);
  c.Change(ext_doc, ext_text + "\n// end\n" + "extension oops \"x\" extends iso9001 { amend iso9001.no_such_requirement { grade major } }\n");
  // A package that cannot be resolved (a dependency that does not exist): the error is shown at
  // the top of the document.
  fs::create_directories(root / "broken");
  std::ofstream(root / "broken/plugin.toml") << "id = \"broken\"\nversion = \"1.0.0\"\ntitle = \"b\"\nkind = \"standard\"\n"
                                                 "language = \"0.1\"\n[edition]\nname = \"1\"\n[requires]\nnosuch = \">=1.0, <2\"\n";
  std::ofstream(root / "broken/broken.clause") << "use core\nstandard broken \"B\" { }\n";
  c.Open(root / "broken/broken.clause", "use core\nstandard broken \"B\" { }\n");
  c.Shutdown();
  c.Run();
  EXPECT_EQ(c.r.status, 0) << c.r.err;
  ASSERT_EQ(c.diagnostics.size(), 4u) << c.r.out;
  EXPECT_TRUE(Has(c.diagnostics[0], "\"diagnostics\":[]")) << c.diagnostics[0];
  EXPECT_TRUE(Has(c.diagnostics[3], "nosuch")) << c.diagnostics[3];
  EXPECT_TRUE(Has(c.diagnostics[3], R"("start":{"line":0,"character":0})")) << c.diagnostics[3];
  EXPECT_TRUE(Has(c.Answer(2), "lspstd/schema.clause")) << c.Answer(2);
  EXPECT_TRUE(Has(c.Answer(3), "date?")) << c.Answer(3);
  EXPECT_TRUE(Has(c.diagnostics[1], "\"diagnostics\":[]")) << c.diagnostics[1];
  EXPECT_TRUE(Has(c.Answer(4), "standards/iso9001/iso9001.clause")) << c.Answer(4);
  EXPECT_TRUE(Has(c.diagnostics[2], "\"code\":\"E0420\"")) << c.diagnostics[2];
}

// While the text does not parse (`d.` being typed), completion answers from the last analysis
// that did; hover on a builtin gives its signature and documentation; lint findings are
// published as warnings.
TEST(Lsp, CompletionWhileTypingBuiltinsAndLint) {
  fs::path doc = Scratch() / "typing.clause";
  std::string typing = kDemo;
  typing.replace(typing.find("d.status == approved and d.titel == \"x\""), 39, "d.");
  std::string counted = kDemo;
  counted.replace(counted.find("d.status == approved and d.titel == \"x\""), 39, "len(d.title) > 0");
  counted.replace(counted.find("    }\n"), 0, "      let unused = 1\n");
  Client c;
  c.Initialize();
  c.Open(doc, kDemo);
  c.Change(doc, typing);
  c.At(2, "textDocument/completion", doc, 7, 37);
  c.Change(doc, counted);
  c.At(3, "textDocument/hover", doc, 7, 36);  // |len(
  c.At(4, "textDocument/completion", doc, 7, 0);
  c.Shutdown();
  c.Run();
  ASSERT_EQ(c.diagnostics.size(), 3u) << c.r.out;
  EXPECT_TRUE(Has(c.diagnostics[1], "\"code\":\"E0101\"")) << c.diagnostics[1];
  EXPECT_TRUE(Has(c.Answer(2), "\"label\":\"status\"")) << c.Answer(2);
  EXPECT_TRUE(Has(c.Answer(3), "len(string) -> int")) << c.Answer(3);
  EXPECT_TRUE(Has(c.diagnostics[2], "\"code\":\"L0004\"")) << c.diagnostics[2];
  EXPECT_TRUE(Has(c.diagnostics[2], "\"severity\":2")) << c.diagnostics[2];
  // Outside a field access: root fields, builtins, parameters, keywords.
  EXPECT_TRUE(Has(c.Answer(4), "\"label\":\"documents\"")) << c.Answer(4).substr(0, 300);
  EXPECT_TRUE(Has(c.Answer(4), "\"label\":\"count\"")) << c.Answer(4).substr(0, 300);
  EXPECT_TRUE(Has(c.Answer(4), "\"label\":\"review_interval\"")) << c.Answer(4).substr(0, 300);
}

// Clause 0.2 names: a module-level def (with its doc comment) and let, a standard-level let
// over a filtered list, `depends on` — hover, definition, completion, references and rename
// (and the renames that are refused).
const std::string kDefs =
    "use core\n"
    "// Whether a document is approved.\n"
    "def approved_doc(d: document) : bool = d.status == approved\n"
    "let module_docs = [d in documents where d.status == approved]\n"
    "standard demo \"Demo\" {\n"
    "  // The documents in force.\n"
    "  let current = [d in documents where approved_doc(d)]\n"
    "  clause 5 \"Leadership\" {\n"
    "    requirement policy_documented : major {\n"
    "      says \"An approved policy is kept as a document.\"\n"
    "      pass exists d in current : d.title != \"\"\n"
    "      else \"no approved policy\"\n"
    "    }\n"
    "    requirement policy_reviewed : minor {\n"
    "      says \"The policy is reviewed.\"\n"
    "      depends on policy_documented\n"
    "      pass count(module_docs) > 0\n"
    "      else \"no documents\"\n"
    "    }\n"
    "  }\n"
    "}\n";

std::string Pos(int line, int ch) { return fmt::format(R"("start":{{"line":{},"character":{}}})", line, ch); }

size_t Count(const std::string& hay, const std::string& needle) {
  size_t n = 0;
  for (size_t at = hay.find(needle); at != std::string::npos; at = hay.find(needle, at + 1)) ++n;
  return n;
}

TEST(Lsp, DefsLetsReferencesRename) {
  fs::path doc = Scratch() / "defs.clause";
  std::ofstream(doc) << kDefs;
  Client c;
  c.Initialize();
  c.Open(doc, kDefs);
  c.At(2, "textDocument/hover", doc, 6, 40);        // appr|oved_doc(d): the def
  c.At(3, "textDocument/definition", doc, 6, 40);   // → its name on line 2
  c.At(4, "textDocument/hover", doc, 10, 25);       // cur|rent: the standard-level let
  c.At(5, "textDocument/definition", doc, 10, 25);  // → line 6
  c.At(6, "textDocument/hover", doc, 16, 20);       // modu|le_docs: the module-level let
  c.At(7, "textDocument/definition", doc, 2, 39);   // |d.status in the def's body → its parameter
  c.At(8, "textDocument/completion", doc, 10, 35);  // d.|title, d over the filtered `current`
  c.At(9, "textDocument/completion", doc, 16, 11);  // in a pass: defs and lets in scope
  c.Request(10, "textDocument/references",
            fmt::format(R"({{"textDocument":{{"uri":"{}"}},"position":{{"line":8,"character":20}},"context":{{"includeDeclaration":true}}}})",
                        Uri(doc)));                 // policy_documented → its `depends on`
  c.At(11, "textDocument/references", doc, 2, 6);   // def approved_doc → declaration and call
  c.At(12, "textDocument/prepareRename", doc, 10, 25);
  c.Request(13, "textDocument/rename",
            fmt::format(R"({{"textDocument":{{"uri":"{}"}},"position":{{"line":10,"character":25}},"newName":"in_force"}})", Uri(doc)));
  c.At(14, "textDocument/prepareRename", doc, 6, 22);   // documents: declared in core
  c.At(15, "textDocument/prepareRename", doc, 16, 12);  // count: a builtin
  c.At(16, "textDocument/prepareRename", doc, 10, 7);   // pass: a keyword
  c.Request(17, "textDocument/rename",
            fmt::format(R"({{"textDocument":{{"uri":"{}"}},"position":{{"line":10,"character":18}},"newName":"all"}})", Uri(doc)));
  c.Request(18, "textDocument/rename",
            fmt::format(R"({{"textDocument":{{"uri":"{}"}},"position":{{"line":10,"character":18}},"newName":"doc"}})", Uri(doc)));
  c.Request(19, "textDocument/rename",
            fmt::format(R"({{"textDocument":{{"uri":"{}"}},"position":{{"line":15,"character":20}},"newName":"policy_kept"}})", Uri(doc)));
  // Renames that would change the program are refused: a second `let module_docs` (E0204), a
  // let named like a root field it would hide, a variable that would capture a let.
  c.Request(20, "textDocument/rename",
            fmt::format(R"({{"textDocument":{{"uri":"{}"}},"position":{{"line":6,"character":8}},"newName":"module_docs"}})", Uri(doc)));
  c.Request(21, "textDocument/rename",
            fmt::format(R"({{"textDocument":{{"uri":"{}"}},"position":{{"line":3,"character":6}},"newName":"documents"}})", Uri(doc)));
  c.Request(22, "textDocument/rename",
            fmt::format(R"({{"textDocument":{{"uri":"{}"}},"position":{{"line":10,"character":18}},"newName":"current"}})", Uri(doc)));
  c.Shutdown();
  c.Run();
  EXPECT_EQ(c.r.status, 0) << c.r.err;
  EXPECT_TRUE(Has(c.Answer(1), R"("referencesProvider":true,"renameProvider":{"prepareProvider":true})")) << c.Answer(1);
  ASSERT_GE(c.diagnostics.size(), 1u);
  EXPECT_FALSE(Has(c.diagnostics[0], "\"severity\":1")) << c.diagnostics[0];  // it compiles
  EXPECT_TRUE(Has(c.Answer(2), "def approved_doc(d: document) : bool = d.status == approved")) << c.Answer(2);
  EXPECT_TRUE(Has(c.Answer(2), "Whether a document is approved.")) << c.Answer(2);  // its doc comment
  EXPECT_TRUE(Has(c.Answer(3), Pos(2, 4))) << c.Answer(3);
  EXPECT_TRUE(Has(c.Answer(4), "let current = [d in documents where approved_doc(d)]")) << c.Answer(4);
  EXPECT_TRUE(Has(c.Answer(4), "list<document>")) << c.Answer(4);
  EXPECT_TRUE(Has(c.Answer(4), "computed once per organization")) << c.Answer(4);
  EXPECT_TRUE(Has(c.Answer(4), "The documents in force.")) << c.Answer(4);
  EXPECT_TRUE(Has(c.Answer(5), Pos(6, 6))) << c.Answer(5);
  EXPECT_TRUE(Has(c.Answer(6), "let module_docs = [d in documents where d.status == approved]")) << c.Answer(6);
  EXPECT_TRUE(Has(c.Answer(7), Pos(2, 17))) << c.Answer(7);
  EXPECT_TRUE(Has(c.Answer(8), "\"label\":\"status\"")) << c.Answer(8);
  EXPECT_FALSE(Has(c.Answer(8), "\"label\":\"employees\"")) << c.Answer(8);
  EXPECT_TRUE(Has(c.Answer(9), "\"label\":\"approved_doc\"")) << c.Answer(9).substr(0, 400);
  EXPECT_TRUE(Has(c.Answer(9), "\"label\":\"current\"")) << c.Answer(9).substr(0, 400);
  EXPECT_TRUE(Has(c.Answer(9), "\"label\":\"module_docs\"")) << c.Answer(9).substr(0, 400);
  EXPECT_EQ(Count(c.Answer(10), "\"uri\""), 2u) << c.Answer(10);
  EXPECT_TRUE(Has(c.Answer(10), Pos(8, 16))) << c.Answer(10);
  EXPECT_TRUE(Has(c.Answer(10), Pos(15, 17))) << c.Answer(10);
  EXPECT_EQ(Count(c.Answer(11), "\"uri\""), 2u) << c.Answer(11);
  EXPECT_TRUE(Has(c.Answer(11), Pos(6, 38))) << c.Answer(11);
  EXPECT_TRUE(Has(c.Answer(12), R"("placeholder":"current")")) << c.Answer(12);
  EXPECT_TRUE(Has(c.Answer(12), Pos(10, 23))) << c.Answer(12);
  // rename current → in_force: the declaration and the use, nothing else.
  EXPECT_EQ(Count(c.Answer(13), "\"newText\":\"in_force\""), 2u) << c.Answer(13);
  EXPECT_TRUE(Has(c.Answer(13), Pos(6, 6))) << c.Answer(13);
  EXPECT_TRUE(Has(c.Answer(13), Pos(10, 23))) << c.Answer(13);
  EXPECT_TRUE(Has(c.Answer(14), "\"code\":-32803")) << c.Answer(14);
  EXPECT_TRUE(Has(c.Answer(14), "standards/core/")) << c.Answer(14);
  EXPECT_TRUE(Has(c.Answer(14), "outside this file")) << c.Answer(14);
  EXPECT_TRUE(Has(c.Answer(15), "`count` is a builtin")) << c.Answer(15);
  EXPECT_TRUE(Has(c.Answer(16), "`pass` is a keyword")) << c.Answer(16);
  EXPECT_TRUE(Has(c.Answer(17), "`all` is a keyword")) << c.Answer(17);
  // The quantifier variable `d` of line 10: its binder and its use, not the other `d`s.
  EXPECT_EQ(Count(c.Answer(18), "\"newText\":\"doc\""), 2u) << c.Answer(18);
  EXPECT_TRUE(Has(c.Answer(18), Pos(10, 18))) << c.Answer(18);
  EXPECT_TRUE(Has(c.Answer(18), Pos(10, 33))) << c.Answer(18);
  // A requirement renamed from its `depends on`: the declaration too.
  EXPECT_EQ(Count(c.Answer(19), "\"newText\":\"policy_kept\""), 2u) << c.Answer(19);
  EXPECT_TRUE(Has(c.Answer(20), "\"code\":-32803")) << c.Answer(20);
  EXPECT_TRUE(Has(c.Answer(20), "would not compile: E0204")) << c.Answer(20);
  EXPECT_TRUE(Has(c.Answer(21), "would change what a name means")) << c.Answer(21);
  // `exists current in current : current.title`: the range is still the let (outside the
  // variable's scope), so this one keeps every meaning.
  EXPECT_EQ(Count(c.Answer(22), "\"newText\":\"current\""), 2u) << c.Answer(22);
}

// Renames in a package: a requirement's id is also renamed as a key of the package's tests, a
// field's name as a key of its evidence; once another package requires this one, the rename
// is refused (that package is not loaded here).
TEST(Lsp, RenameInPackage) {
  fs::path root = Scratch() / "rename-pkgs";
  fs::remove_all(root);
  fs::create_directories(root);
  Result made = conform::testing::RunConform(CONFORM_BIN, CONFORM_SOURCE_DIR, Scratch(), "",
                                             fmt::format("new standard rnstd --dir '{}'", root.string()));
  ASSERT_EQ(made.status, 0) << made.err;
  fs::path doc = root / "rnstd/rnstd.clause";
  std::string text = conform::testing::Slurp(doc);
  auto where = [&](const std::string& what, int& line, int& ch) {
    size_t at = text.find(what);
    ASSERT_NE(at, std::string::npos) << what;
    line = static_cast<int>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(at), '\n'));
    ch = static_cast<int>(at - (text.rfind('\n', at) + 1));
  };
  int rl = 0, rc = 0, fl = 0, fc = 0;
  where("requirement policy_reviewed", rl, rc);
  rc += 14;
  where("rnstd_policy_reviewed_at is present", fl, fc);
  auto rename = [&](Client& c, int id, int line, int ch, const char* to) {
    c.Request(id, "textDocument/rename",
              fmt::format(R"({{"textDocument":{{"uri":"{}"}},"position":{{"line":{},"character":{}}},"newName":"{}"}})", Uri(doc), line,
                          ch, to));
  };
  Client c;
  c.Initialize();
  c.Open(doc, text);
  rename(c, 2, rl, rc, "policy_review_done");
  rename(c, 3, fl, fc + 2, "rnstd_reviewed_on");
  c.Shutdown();
  c.Run();
  EXPECT_EQ(c.r.status, 0) << c.r.err;
  // How often `key:` stands in the package's files whose names end with `suffix`.
  auto keys = [&](const std::string& key, const std::string& suffix) {
    size_t n = 0;
    for (const auto& e : fs::recursive_directory_iterator(root / "rnstd")) {
      std::string f = e.path().filename().string();
      if (f.size() >= suffix.size() && f.compare(f.size() - suffix.size(), suffix.size(), suffix) == 0)
        n += Count(conform::testing::Slurp(e.path()), key + ":");
    }
    return n;
  };
  size_t tests = keys("policy_reviewed", ".test.yaml"), examples = keys("rnstd_policy_reviewed_at", ".yaml") - keys("rnstd_policy_reviewed_at", ".test.yaml");
  ASSERT_GE(tests, 1u);
  ASSERT_GE(examples, 1u);
  EXPECT_EQ(Count(c.Answer(2), "\"newText\":\"policy_review_done\""), 1 + tests) << c.Answer(2);  // the id, the tests' keys
  EXPECT_TRUE(Has(c.Answer(2), "rnstd/tests/gaps.test.yaml")) << c.Answer(2);
  EXPECT_TRUE(Has(c.Answer(3), "rnstd/schema.clause")) << c.Answer(3);
  EXPECT_TRUE(Has(c.Answer(3), "rnstd/examples/gaps.yaml")) << c.Answer(3);
  // Its 2 uses, the field, the examples' keys.
  EXPECT_EQ(Count(c.Answer(3), "\"newText\":\"rnstd_reviewed_on\""), 3 + examples) << c.Answer(3);
  // A package that requires rnstd appears: renaming its names is refused, naming it.
  fs::create_directories(root / "rnuser");
  std::ofstream(root / "rnuser/plugin.toml") << "id = \"rnuser\"\nversion = \"1.0.0\"\ntitle = \"u\"\nkind = \"standard\"\n"
                                                "language = \"0.1\"\n[edition]\nname = \"1\"\n[requires]\nrnstd = \">=0.1\"\n";
  Client u;
  u.Initialize();
  u.Open(doc, text);
  u.At(2, "textDocument/prepareRename", doc, rl, rc);
  u.Shutdown();
  u.Run();
  EXPECT_TRUE(Has(u.Answer(2), "\"code\":-32803")) << u.Answer(2);
  EXPECT_TRUE(Has(u.Answer(2), "rnuser")) << u.Answer(2);
}

// Protocol errors are answered and the server goes on; what cannot be framed ends it.
TEST(Lsp, BadInput) {
  fs::path doc = Scratch() / "bad.clause";
  Client c;
  c.Request(1, "textDocument/hover", "{}");  // before initialize
  c.Request(2, "initialize", R"({"capabilities":{}})");
  c.Raw(Frame("{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":"));  // malformed JSON
  c.Raw(Frame("[1,2,3]"));                                    // not a request
  c.Request(4, "workspace/symbol", R"({"query":""})");       // not supported
  c.Request(5, "textDocument/hover", R"({"textDocument":{"uri":"file:///nowhere.clause"},"position":{"line":0,"character":0}})");
  c.Open(doc, kDemo);
  c.Request(6, "textDocument/hover", fmt::format(R"({{"textDocument":{{"uri":"{}"}}}})", Uri(doc)));  // no position
  c.At(7, "textDocument/hover", doc, 9999, 9999);  // past the end: no crash, nothing there
  c.Raw("Content-Length: 99999999999999\r\n\r\n{\"jsonrpc\":\"2.0\"}");  // over the limit, and cut short
  c.Run();
  EXPECT_EQ(c.r.status, 1) << c.r.err;  // the stream ended without shutdown
  EXPECT_TRUE(Has(c.Answer(1), "\"code\":-32002")) << c.Answer(1);
  EXPECT_TRUE(Has(c.Answer(2), "\"capabilities\"")) << c.Answer(2);
  size_t parse_errors = 0, invalid = 0;
  for (const auto& b : c.bodies) {
    parse_errors += Has(b, "\"code\":-32700");
    invalid += Has(b, "\"code\":-32600");
  }
  EXPECT_EQ(parse_errors, 1u) << c.r.out;
  EXPECT_EQ(invalid, 2u) << c.r.out;  // `[1,2,3]` and the oversized message
  EXPECT_TRUE(Has(c.r.out, "over the 64 MiB limit")) << c.r.out;
  EXPECT_TRUE(Has(c.Answer(4), "\"code\":-32601")) << c.Answer(4);
  EXPECT_TRUE(Has(c.Answer(5), "\"code\":-32602")) << c.Answer(5);
  EXPECT_TRUE(Has(c.Answer(6), "\"code\":-32602")) << c.Answer(6);
  EXPECT_TRUE(Has(c.Answer(7), "\"result\":null")) << c.Answer(7);

  // A header without Content-Length cannot be framed: answered, then the server stops.
  Client h;
  h.Raw("Content-Type: application/vscode-jsonrpc\r\n\r\n{}");
  h.Run();
  EXPECT_EQ(h.r.status, 1);
  EXPECT_TRUE(Has(h.r.out, "without a valid Content-Length")) << h.r.out;
  // `exit` without `shutdown` exits 1; after shutdown, requests are refused.
  Client e;
  e.Initialize();
  e.Request(2, "shutdown", "null");
  e.Request(3, "textDocument/hover", "{}");
  e.Notify("exit", "null");
  e.Run();
  EXPECT_EQ(e.r.status, 0);
  EXPECT_TRUE(Has(e.Answer(3), "\"code\":-32600")) << e.Answer(3);
  Client x;
  x.Initialize();
  x.Notify("exit", "null");
  x.Run();
  EXPECT_EQ(x.r.status, 1);
}

}  // namespace
