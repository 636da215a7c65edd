// Evidence loading: YAML and JSON → records in the schema's layout, and every diagnostic.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "conform/compiler/calendar.h"
#include "conform/compiler/driver.h"
#include "conform/runtime/evidence.h"

namespace conform::runtime {
namespace {

constexpr const char* kSchema = R"(schema t {
  enum st { a, b, c }
  entity item { code: string  due: date? }
  entity leaf { v: string }
  entity mid { leaves: list<leaf> }
  root org {
    name: string
    n: int
    items: list<item>?
    tags: set<string>?
    status: st
    ok: bool?
    score: decimal?
    every: duration?
    states: set<st>?
    days: set<date>?
    version: string?
    head: item?
    mids: list<mid>?
  }
})";

// The full, valid document used by several tests (YAML and the same data in JSON).
constexpr const char* kFullYaml = R"(name: acme
n: 42
items:
  - code: A-1
    due: 2024-03-31
  - code: "B-2"
tags: [x, y, x]
status: b
ok: true
score: -2.5
every: 12 months
states: [c, a, c]
days: [2024-01-02, 2023-05-06]
version: 1.20
head: {code: H}
)";

constexpr const char* kFullJson = R"({
  "name": "acme",
  "n": 42,
  "items": [
    {"code": "A-1", "due": "2024-03-31"},
    {"code": "B-2"}
  ],
  "tags": ["x", "y", "x"],
  "status": "b",
  "ok": true,
  "score": -2.5,
  "every": "12 months",
  "states": ["c", "a", "c"],
  "days": ["2024-01-02", "2023-05-06"],
  "version": 1.20,
  "head": {"code": "H"}
}
)";

class EvidenceTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    session_ = new Session({});
    ASSERT_TRUE(session_->LoadText("t.clause", kSchema));
    schema_ = session_->Schema();
    ASSERT_TRUE(schema_) << RenderAll(session_->diags(), session_->sources());
    ASSERT_FALSE(session_->diags().HasErrors()) << RenderAll(session_->diags(), session_->sources());
  }
  static void TearDownTestSuite() {
    schema_.reset();
    delete session_;
    session_ = nullptr;
  }

  std::unique_ptr<Document> Load(const std::string& text, const std::string& path = "e.yaml", LoadOptions opts = {}) {
    return LoadEvidence(path, text, *schema_, &literals_, sm_, diags_, opts);
  }

  const SchemaModel& S() const { return *schema_; }
  const EntityDef& Ent(const std::string& name) const { return S().entities[S().FindEntity(name)]; }
  const EntityDef& Root() const { return S().entities[S().root]; }

  // Field access on a record of entity `e`.
  static bool Present(const void* rec, const EntityDef& e, const std::string& field) {
    const FieldDef* f = e.Find(field);
    EXPECT_NE(f, nullptr) << field;
    return RecordView{static_cast<const uint64_t*>(rec)}.Present(f->index);
  }
  static int64_t Slot(const void* rec, const EntityDef& e, const std::string& field) {
    const FieldDef* f = e.Find(field);
    EXPECT_NE(f, nullptr) << field;
    return RecordView{static_cast<const uint64_t*>(rec)}.Slot(e.presence_words(), f->index);
  }
  static const Seq* SeqOf(const void* rec, const EntityDef& e, const std::string& field) {
    return reinterpret_cast<const Seq*>(Slot(rec, e, field));
  }
  static const void* RecOf(const void* rec, const EntityDef& e, const std::string& field) {
    return reinterpret_cast<const void*>(Slot(rec, e, field));
  }
  static std::string Str(Document& d, int64_t id) { return std::string(d.strings().Get(id)); }
  static double Dec(int64_t bits) {
    double d;
    std::memcpy(&d, &bits, sizeof d);
    return d;
  }

  // The diagnostics with `code`.
  std::vector<const Diagnostic*> With(const std::string& code) const {
    std::vector<const Diagnostic*> out;
    for (const auto& d : diags_.items())
      if (d.code == code) out.push_back(&d);
    return out;
  }
  const Diagnostic* One(const std::string& code) const {
    auto v = With(code);
    EXPECT_EQ(v.size(), 1u) << "diagnostics with " << code << ":\n" << RenderAll(diags_, sm_);
    return v.empty() ? nullptr : v[0];
  }
  uint32_t Line(const Diagnostic& d) const {
    const SourceFile* f = sm_.Get(d.span.file);
    return f ? f->Locate(d.span.begin).line : 0;
  }
  uint32_t Col(const Diagnostic& d) const {
    const SourceFile* f = sm_.Get(d.span.file);
    return f ? f->Locate(d.span.begin).col : 0;
  }
  std::string SpanText(const Diagnostic& d) const { return std::string(sm_.Text(d.span)); }
  std::string All() const { return RenderAll(diags_, sm_); }

  static Session* session_;
  static std::shared_ptr<const SchemaModel> schema_;
  StringPool literals_;
  SourceManager sm_;
  Diagnostics diags_;
};

Session* EvidenceTest::session_ = nullptr;
std::shared_ptr<const SchemaModel> EvidenceTest::schema_;

// ---------------------------------------------------------------- a full document

TEST_F(EvidenceTest, FullYamlDocumentFillsEverySlot) {
  auto doc = Load(kFullYaml);
  ASSERT_TRUE(doc) << All();
  EXPECT_TRUE(diags_.empty()) << All();
  const void* r = doc->root();
  ASSERT_NE(r, nullptr);
  const EntityDef& org = Root();

  EXPECT_EQ(Str(*doc, Slot(r, org, "name")), "acme");
  EXPECT_EQ(Slot(r, org, "n"), 42);
  EXPECT_EQ(Slot(r, org, "status"), 1);  // b
  EXPECT_EQ(Slot(r, org, "ok"), 1);
  EXPECT_DOUBLE_EQ(Dec(Slot(r, org, "score")), -2.5);
  cal::Duration every = cal::Unpack(Slot(r, org, "every"));
  EXPECT_EQ(every.months, 12);
  EXPECT_EQ(every.days, 0);
  EXPECT_EQ(Str(*doc, Slot(r, org, "version")), "1.20");  // a number written where a string goes: its text

  for (const char* f : {"name", "n", "items", "tags", "status", "ok", "score", "every", "states", "days", "version", "head"})
    EXPECT_TRUE(Present(r, org, f)) << f;
  EXPECT_FALSE(Present(r, org, "mids"));

  // list<item>: record pointers in order.
  const Seq* items = SeqOf(r, org, "items");
  ASSERT_EQ(items->size, 2);
  const EntityDef& item = Ent("item");
  const void* i0 = reinterpret_cast<const void*>(items->data[0]);
  const void* i1 = reinterpret_cast<const void*>(items->data[1]);
  EXPECT_EQ(Str(*doc, Slot(i0, item, "code")), "A-1");
  EXPECT_TRUE(Present(i0, item, "due"));
  EXPECT_EQ(Slot(i0, item, "due"), cal::DaysFromCivil(2024, 3, 31));
  EXPECT_EQ(Str(*doc, Slot(i1, item, "code")), "B-2");
  EXPECT_FALSE(Present(i1, item, "due"));  // absent optional field: bit clear

  // set<string>: de-duplicated, sorted by interned id.
  const Seq* tags = SeqOf(r, org, "tags");
  ASSERT_EQ(tags->size, 2);
  EXPECT_LT(tags->data[0], tags->data[1]);
  std::vector<std::string> tag_text{Str(*doc, tags->data[0]), Str(*doc, tags->data[1])};
  std::sort(tag_text.begin(), tag_text.end());
  EXPECT_EQ(tag_text, (std::vector<std::string>{"x", "y"}));

  // set<st>: member indexes, sorted, unique.
  const Seq* states = SeqOf(r, org, "states");
  ASSERT_EQ(states->size, 2);
  EXPECT_EQ(states->data[0], 0);  // a
  EXPECT_EQ(states->data[1], 2);  // c

  // set<date>: days, sorted.
  const Seq* days = SeqOf(r, org, "days");
  ASSERT_EQ(days->size, 2);
  EXPECT_EQ(days->data[0], cal::DaysFromCivil(2023, 5, 6));
  EXPECT_EQ(days->data[1], cal::DaysFromCivil(2024, 1, 2));

  // A nested entity: a record pointer.
  const void* head = RecOf(r, org, "head");
  ASSERT_NE(head, nullptr);
  EXPECT_EQ(Str(*doc, Slot(head, item, "code")), "H");
  EXPECT_FALSE(Present(head, item, "due"));
  EXPECT_GT(doc->arena().bytes_used(), 0u);
}

TEST_F(EvidenceTest, JsonAndYamlGiveTheSameRecords) {
  auto y = Load(kFullYaml, "e.yaml");
  ASSERT_TRUE(y) << All();
  auto j = Load(kFullJson, "e.json");
  ASSERT_TRUE(j) << All();
  EXPECT_TRUE(diags_.empty()) << All();
  const EntityDef& org = Root();
  const EntityDef& item = Ent("item");
  const void* ry = y->root();
  const void* rj = j->root();
  for (const FieldDef& f : org.fields) {
    ASSERT_EQ(Present(ry, org, f.name), Present(rj, org, f.name)) << f.name;
    if (!Present(ry, org, f.name)) continue;
    TypeKind k = S().types.Kind(f.type);
    if (k == TypeKind::String) {
      EXPECT_EQ(Str(*y, Slot(ry, org, f.name)), Str(*j, Slot(rj, org, f.name))) << f.name;
    } else if (k == TypeKind::List || k == TypeKind::Set) {
      const Seq* a = SeqOf(ry, org, f.name);
      const Seq* b = SeqOf(rj, org, f.name);
      ASSERT_EQ(a->size, b->size) << f.name;
      TypeKind ek = S().types.Kind(S().types[f.type].elem);
      for (int64_t i = 0; i < a->size; ++i) {
        if (ek == TypeKind::String)
          EXPECT_EQ(Str(*y, a->data[i]), Str(*j, b->data[i])) << f.name;
        else if (ek == TypeKind::Entity)
          EXPECT_EQ(Str(*y, Slot(reinterpret_cast<const void*>(a->data[i]), item, "code")),
                    Str(*j, Slot(reinterpret_cast<const void*>(b->data[i]), item, "code")));
        else
          EXPECT_EQ(a->data[i], b->data[i]) << f.name;
      }
    } else if (k == TypeKind::Entity) {
      EXPECT_EQ(Str(*y, Slot(RecOf(ry, org, f.name), item, "code")), Str(*j, Slot(RecOf(rj, org, f.name), item, "code")));
    } else {
      EXPECT_EQ(Slot(ry, org, f.name), Slot(rj, org, f.name)) << f.name;
    }
  }
  // Both documents intern the same strings in the same order.
  const void* jy = reinterpret_cast<const void*>(SeqOf(ry, org, "items")->data[0]);
  const void* jj = reinterpret_cast<const void*>(SeqOf(rj, org, "items")->data[0]);
  EXPECT_EQ(Slot(jy, item, "due"), Slot(jj, item, "due"));
}

// LoadOptions::arena: documents loaded with one arena put their records into it, one after
// another, and read the same as documents with arenas of their own.
TEST_F(EvidenceTest, DocumentsLoadedWithOneArenaShareItInOrder) {
  Arena shared;
  LoadOptions lo;
  lo.arena = &shared;
  auto own = Load(kFullJson, "e.json");
  auto a = Load(kFullJson, "e.json", lo);
  const size_t after_a = shared.bytes_used();
  auto b = Load(kFullYaml, "e.yaml", lo);
  ASSERT_TRUE(own && a && b) << All();
  EXPECT_EQ(&a->arena(), &shared);
  EXPECT_EQ(&b->arena(), &shared);
  EXPECT_EQ(after_a, own->arena().bytes_used());  // all of a's records, none elsewhere
  EXPECT_EQ(shared.bytes_used(), 2 * after_a);
  // One block: b's records follow a's.
  const auto* ra = static_cast<const char*>(a->root());
  const auto* rb = static_cast<const char*>(b->root());
  EXPECT_GT(rb, ra);
  EXPECT_LT(static_cast<size_t>(rb - ra), shared.bytes_used());
  const EntityDef& org = Root();
  const EntityDef& item = Ent("item");
  for (Document* d : {own.get(), a.get(), b.get()}) {
    EXPECT_EQ(Slot(d->root(), org, "n"), 42);
    const Seq* items = SeqOf(d->root(), org, "items");
    ASSERT_EQ(items->size, 2);
    EXPECT_EQ(Str(*d, Slot(reinterpret_cast<const void*>(items->data[1]), item, "code")), "B-2");
  }
}

// Field lookup tries the field after the previous key first (evidence usually follows the
// schema's order) and falls back to a search: any key order must give the same record.
TEST_F(EvidenceTest, KeysInAnyOrderGiveTheSameRecord) {
  auto a = Load(kFullJson, "e.json");
  ASSERT_TRUE(a) << All();
  auto b = Load(R"({"head": {"code": "H"}, "version": 1.20, "days": ["2024-01-02", "2023-05-06"],
    "every": "12 months", "states": ["c", "a", "c"], "score": -2.5, "ok": true, "status": "b",
    "tags": ["x", "y", "x"], "name": "acme",
    "items": [{"due": "2024-03-31", "code": "A-1"}, {"code": "B-2"}], "n": 42})",
                "e.json");
  ASSERT_TRUE(b) << All();
  const EntityDef& org = Root();
  const EntityDef& item = Ent("item");
  for (const char* f : {"n", "status", "ok", "score", "every"}) {
    EXPECT_TRUE(Present(b->root(), org, f)) << f;
    EXPECT_EQ(Slot(a->root(), org, f), Slot(b->root(), org, f)) << f;
  }
  EXPECT_EQ(Str(*b, Slot(b->root(), org, "name")), "acme");
  EXPECT_EQ(Str(*b, Slot(RecOf(b->root(), org, "head"), item, "code")), "H");
  const Seq* items = SeqOf(b->root(), org, "items");
  ASSERT_EQ(items->size, 2);
  const void* i0 = reinterpret_cast<const void*>(items->data[0]);
  const void* i1 = reinterpret_cast<const void*>(items->data[1]);
  EXPECT_EQ(Str(*b, Slot(i0, item, "code")), "A-1");
  EXPECT_TRUE(Present(i0, item, "due"));
  EXPECT_EQ(Str(*b, Slot(i1, item, "code")), "B-2");
  EXPECT_FALSE(Present(i1, item, "due"));
  EXPECT_EQ(SeqOf(b->root(), org, "days")->size, 2);
}

// Keys and strings without an escape are read in place; with one they are unescaped. Both must
// give the same record, and an escaped key still finds its field.
TEST_F(EvidenceTest, JsonEscapesInKeysAndStringsGiveTheSameRecord) {
  auto a = Load(R"({"name": "a\"cme\u00e9", "n": 42, "status": "b", "items": [{"code": "A-1"}]})", "e.json");
  ASSERT_TRUE(a) << All();
  auto b = Load(R"({"na\u006de": "a\"cme\u00e9", "\u006e": 42, "st\u0061tus": "\u0062",
    "items": [{"c\u006fde": "A\u002d1"}]})", "e.json");
  ASSERT_TRUE(b) << All();
  EXPECT_TRUE(diags_.empty()) << All();
  const EntityDef& org = Root();
  EXPECT_EQ(Str(*a, Slot(a->root(), org, "name")), "a\"cme\xc3\xa9");
  EXPECT_EQ(Str(*b, Slot(b->root(), org, "name")), "a\"cme\xc3\xa9");
  for (const char* f : {"n", "status"}) {
    EXPECT_TRUE(Present(b->root(), org, f)) << f;
    EXPECT_EQ(Slot(a->root(), org, f), Slot(b->root(), org, f)) << f;
  }
  const void* i = reinterpret_cast<const void*>(SeqOf(b->root(), org, "items")->data[0]);
  EXPECT_EQ(Str(*b, Slot(i, Ent("item"), "code")), "A-1");
  // An unknown key's span covers the key with its quotes, escaped or not.
  auto c = Load(R"({"name": "x", "n": 1, "status": "a", "zz\u0074": 1, "qq": 2})", "e.json");
  ASSERT_TRUE(c) << All();
  auto w = With("W0701");
  ASSERT_EQ(w.size(), 2u) << All();
  EXPECT_EQ(SpanText(*w[0]), R"("zz\u0074")");
  EXPECT_EQ(SpanText(*w[1]), R"("qq")");
}

// Positions are appended as keys arrive and sorted at the first lookup: thousands of list items
// keep every position, and a path never written still falls back to its nearest written ancestor.
TEST_F(EvidenceTest, PositionsOfManyListItems) {
  LoadOptions opts;
  opts.keep_positions = true;
  std::string text = "name: acme\nn: 1\nstatus: a\nitems:\n";
  const int kItems = 6000;
  for (int i = 0; i < kItems; ++i) text += "  - code: C-" + std::to_string(i) + "\n    due: 2024-03-31\n";
  auto doc = Load(text, "e.yaml", opts);
  ASSERT_TRUE(doc) << All();
  for (int i : {0, 1, 511, 512, 2047, 4095, kItems - 1}) {
    const uint32_t line = 5 + 2 * static_cast<uint32_t>(i);
    const std::string at = "$.items[" + std::to_string(i) + "]";
    EXPECT_EQ(doc->PositionOf(at).line, line) << at;
    EXPECT_EQ(doc->PositionOf(at + ".code").line, line) << at;
    EXPECT_EQ(doc->PositionOf(at + ".due").line, line + 1) << at;
    EXPECT_EQ(doc->PositionOf(at + ".no_such").line, line) << at;  // nearest ancestor
  }
  EXPECT_EQ(doc->PositionOf("$.items[6000]").line, 4u);  // past the end: the list's key
  EXPECT_EQ(doc->PositionOf("$.n").line, 2u);
  EXPECT_EQ(doc->PositionOf("$.nothing").line, 1u);  // the root mapping
  EXPECT_EQ(doc->PositionOf("").line, 0u);
}

// The first position given for a path wins, also when positions are added after a lookup
// (the sorted part and the new tail are merged stably).
TEST(EvidencePositions, FirstWrittenWinsAcrossLookups) {
  Document doc(nullptr);
  doc.AddPosition("$.a", {1, 1});
  doc.AddPosition("$.b", {2, 1});
  doc.AddPosition("$.a", {9, 9});
  EXPECT_EQ(doc.PositionOf("$.a").line, 1u);
  EXPECT_EQ(doc.PositionOf("$.b.c").line, 2u);
  doc.AddPosition("$.b", {8, 8});
  doc.AddPosition("$.c", {3, 4});
  EXPECT_EQ(doc.PositionOf("$.b").line, 2u);
  EXPECT_EQ(doc.PositionOf("$.c").col, 4u);
  EXPECT_EQ(doc.PositionOf("$.a[0]").line, 1u);
  EXPECT_EQ(doc.PositionOf("$.d").line, 0u);
}

// With keep_positions every key and list item records where it was written, under its data
// path (the loader renders paths incrementally: siblings after a deeper path must not keep any
// of its segments).
TEST_F(EvidenceTest, PositionsAreKeptUnderEveryDataPath) {
  LoadOptions opts;
  opts.keep_positions = true;
  auto doc = Load(R"(name: acme
n: 1
status: a
items:
  - code: A-1
    due: 2024-03-31
  - code: B-2
head:
  code: H
mids:
  - leaves:
      - v: p
      - v: q
  - leaves: []
version: v1
)",
                  "e.yaml", opts);
  ASSERT_TRUE(doc) << All();
  const std::pair<const char*, uint32_t> expect[] = {
      {"$.name", 1},           {"$.n", 2},         {"$.items", 4},          {"$.items[0]", 5},
      {"$.items[0].code", 5},  {"$.items[0].due", 6}, {"$.items[1]", 7},    {"$.items[1].code", 7},
      {"$.head", 8},           {"$.head.code", 9}, {"$.mids[0].leaves[1]", 13}, {"$.mids[0].leaves[1].v", 13},
      {"$.mids[1].leaves", 14}, {"$.version", 15},
      // absent: the nearest written ancestor
      {"$.items[1].due", 7},   {"$.head.due", 8},
  };
  for (const auto& [path, line] : expect) EXPECT_EQ(doc->PositionOf(path).line, line) << path;
  // An error after a deep path names its own path only.
  auto bad = Load("name: acme\nn: 1\nstatus: a\nmids:\n  - leaves:\n      - v: p\nitems:\n  - code: 3\n    due: x\n",
                  "e.yaml", opts);
  EXPECT_FALSE(bad);
  const Diagnostic* d = One("E0705");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->data_path, "$.items[0].due");
}

TEST_F(EvidenceTest, StringsShareTheLiteralPoolIds) {
  int64_t acme = literals_.Intern("acme");
  literals_.Intern("other");
  auto doc = Load("name: acme\nn: 1\nstatus: a\nversion: fresh\n");
  ASSERT_TRUE(doc) << All();
  EXPECT_EQ(Slot(doc->root(), Root(), "name"), acme);  // a literal: the pool's id
  int64_t fresh = Slot(doc->root(), Root(), "version");
  EXPECT_GE(fresh, literals_.end_id());  // new text: the document's own layer
  EXPECT_EQ(Str(*doc, fresh), "fresh");
}

TEST_F(EvidenceTest, NullAndAbsentOptionalFieldsLeaveThePresenceBitClear) {
  auto doc = Load("name: a\nn: 1\nstatus: a\nitems: null\ntags: ~\nok:\n");
  ASSERT_TRUE(doc) << All();
  for (const char* f : {"items", "tags", "ok", "score", "head"}) EXPECT_FALSE(Present(doc->root(), Root(), f)) << f;
  EXPECT_TRUE(Present(doc->root(), Root(), "name"));
}

TEST_F(EvidenceTest, EmptyListsAndSetsArePresentAndEmpty) {
  auto doc = Load("name: a\nn: 1\nstatus: a\nitems: []\ntags: []\n");
  ASSERT_TRUE(doc) << All();
  ASSERT_TRUE(Present(doc->root(), Root(), "items"));
  EXPECT_EQ(SeqOf(doc->root(), Root(), "items")->size, 0);
  EXPECT_EQ(SeqOf(doc->root(), Root(), "tags")->size, 0);
}

// ---------------------------------------------------------------- parameters

TEST_F(EvidenceTest, ParametersAreCollectedNotTreatedAsFields) {
  auto doc = Load(
      "name: a\nn: 1\nstatus: a\nparameters:\n  iso9001.audit_interval: 6 months\n  scope: [\"8.3\", 9]\n");
  ASSERT_TRUE(doc) << All();
  EXPECT_TRUE(diags_.empty()) << All();  // no W0701 for `parameters`
  const auto& ps = doc->parameters();
  ASSERT_EQ(ps.size(), 2u);
  EXPECT_EQ(ps[0].name, "iso9001.audit_interval");
  EXPECT_EQ(ps[0].text, "6 months");
  EXPECT_FALSE(ps[0].is_sequence);
  EXPECT_EQ(ps[0].data_path, "$.parameters[\"iso9001.audit_interval\"]");
  EXPECT_EQ(sm_.Text(ps[0].span), "6 months");
  EXPECT_EQ(sm_.Get(ps[0].span.file)->Locate(ps[0].span.begin).line, 5u);
  EXPECT_EQ(ps[1].name, "scope");
  EXPECT_TRUE(ps[1].is_sequence);
  EXPECT_EQ(ps[1].items, (std::vector<std::string>{"8.3", "9"}));
  ASSERT_EQ(ps[1].item_spans.size(), 2u);
  EXPECT_EQ(sm_.Text(ps[1].item_spans[0]), "\"8.3\"");
}

TEST_F(EvidenceTest, JsonParametersAreCollected) {
  auto doc = Load(R"({"name": "a", "n": 1, "status": "a",
  "parameters": {"iso9001.audit_interval": "6 months", "limit": 3, "scope": ["8.3"]}})",
                  "e.json");
  ASSERT_TRUE(doc) << All();
  const auto& ps = doc->parameters();
  ASSERT_EQ(ps.size(), 3u);
  EXPECT_EQ(ps[0].text, "6 months");
  EXPECT_EQ(ps[0].data_path, "$.parameters[\"iso9001.audit_interval\"]");
  EXPECT_EQ(sm_.Text(ps[0].span), "\"6 months\"");
  EXPECT_EQ(ps[1].text, "3");
  EXPECT_TRUE(ps[2].is_sequence);
  EXPECT_EQ(ps[2].items, (std::vector<std::string>{"8.3"}));
}

TEST_F(EvidenceTest, MalformedParametersAreReported) {
  auto doc = Load("name: a\nn: 1\nstatus: a\nparameters:\n  x: 1\n  x: 2\n  y: {a: 1}\n");
  EXPECT_FALSE(doc);
  const Diagnostic* dup = One("E0709");
  ASSERT_TRUE(dup);
  EXPECT_EQ(dup->data_path, "$.parameters[\"x\"]");
  EXPECT_EQ(Line(*dup), 6u);
  const Diagnostic* map = One("E0704");
  ASSERT_TRUE(map);
  EXPECT_EQ(map->data_path, "$.parameters[\"y\"]");

  diags_ = {};
  EXPECT_FALSE(Load("name: a\nn: 1\nstatus: a\nparameters: 3\n"));
  ASSERT_TRUE(One("E0704"));
  EXPECT_EQ(One("E0704")->data_path, "$.parameters");
}

// ---------------------------------------------------------------- errors, one code at a time

TEST_F(EvidenceTest, MissingRequiredFieldIsE0703WithTheFieldsDataPath) {
  auto doc = Load("name: a\nn: 1\nstatus: a\nitems:\n  - code: A\n  - due: 2024-01-01\n");
  EXPECT_FALSE(doc);
  const Diagnostic* d = One("E0703");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->severity, Severity::Error);
  EXPECT_EQ(d->message, "missing required field `code` of `item`");
  EXPECT_EQ(d->data_path, "$.items[1].code");
  EXPECT_EQ(Line(*d), 6u);  // the enclosing mapping
  EXPECT_NE(d->help.find("add `code: …`"), std::string::npos) << d->help;
  EXPECT_NE(d->help.find("optional"), std::string::npos);
}

TEST_F(EvidenceTest, MissingRootFieldsAreAllReportedInOnePass) {
  EXPECT_FALSE(Load("name: a\n"));
  auto ds = With("E0703");
  ASSERT_EQ(ds.size(), 2u) << All();
  EXPECT_EQ(ds[0]->data_path, "$.n");
  EXPECT_EQ(ds[1]->data_path, "$.status");
}

TEST_F(EvidenceTest, NullRequiredFieldIsE0703) {
  EXPECT_FALSE(Load("name: a\nn: ~\nstatus: a\n"));
  const Diagnostic* d = One("E0703");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->data_path, "$.n");
  EXPECT_EQ(Line(*d), 2u);
}

TEST_F(EvidenceTest, ShapeMismatchIsE0704) {
  EXPECT_FALSE(Load("name: a\nn: 1\nstatus: a\nitems: hello\nhead: [1]\n"));
  auto ds = With("E0704");
  ASSERT_EQ(ds.size(), 2u) << All();
  EXPECT_EQ(ds[0]->message, "expected a list, found a string");
  EXPECT_EQ(ds[0]->data_path, "$.items");
  EXPECT_EQ(Line(*ds[0]), 4u);
  EXPECT_EQ(SpanText(*ds[0]), "hello");
  EXPECT_NE(ds[1]->message.find("expected a mapping"), std::string::npos) << ds[1]->message;
  EXPECT_NE(ds[1]->message.find("found a list"), std::string::npos);
  EXPECT_EQ(ds[1]->data_path, "$.head");
}

TEST_F(EvidenceTest, MappingWhereAScalarGoesIsE0704) {
  EXPECT_FALSE(Load("name: {first: a}\nn: 1\nstatus: a\n"));
  const Diagnostic* d = One("E0704");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->message, "expected a string, found a mapping");
  EXPECT_EQ(d->data_path, "$.name");
}

TEST_F(EvidenceTest, IntsRejectDecimalsOverflowAndWords) {
  EXPECT_FALSE(Load("name: a\nn: 1.5\nstatus: a\n"));
  ASSERT_TRUE(One("E0704"));
  EXPECT_NE(One("E0704")->message.find("decimal `1.5`"), std::string::npos);
  EXPECT_EQ(SpanText(*One("E0704")), "1.5");

  diags_ = {};
  EXPECT_FALSE(Load("name: a\nn: 9223372036854775808\nstatus: a\n"));
  ASSERT_TRUE(One("E0704"));
  EXPECT_NE(One("E0704")->message.find("64 bits"), std::string::npos);

  diags_ = {};
  auto doc = Load("name: a\nn: -9223372036854775808\nstatus: a\n");
  ASSERT_TRUE(doc) << All();
  EXPECT_EQ(Slot(doc->root(), Root(), "n"), INT64_MIN);

  diags_ = {};
  EXPECT_FALSE(Load("name: a\nn: \"5\"\nstatus: a\n"));
  ASSERT_TRUE(One("E0704"));
  EXPECT_NE(One("E0704")->help.find("remove the quotes"), std::string::npos);
}

TEST_F(EvidenceTest, BoolsAreTrueOrFalseOnly) {
  EXPECT_FALSE(Load("name: a\nn: 1\nstatus: a\nok: yes\n"));
  const Diagnostic* d = One("E0704");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->data_path, "$.ok");
  EXPECT_NE(d->help.find("`true` or `false`"), std::string::npos) << d->help;
  EXPECT_NE(d->help.find("yes"), std::string::npos);

  diags_ = {};
  auto doc = Load("name: a\nn: 1\nstatus: a\nok: false\n");
  ASSERT_TRUE(doc) << All();
  EXPECT_TRUE(Present(doc->root(), Root(), "ok"));
  EXPECT_EQ(Slot(doc->root(), Root(), "ok"), 0);
}

TEST_F(EvidenceTest, InvalidDateIsE0705) {
  EXPECT_FALSE(Load("name: a\nn: 1\nstatus: a\nitems:\n  - code: A\n  - code: B\n    due: 2024-02-30\n"));
  const Diagnostic* d = One("E0705");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->data_path, "$.items[1].due");
  EXPECT_EQ(Line(*d), 7u);
  EXPECT_EQ(Col(*d), 10u);
  EXPECT_EQ(SpanText(*d), "2024-02-30");

  diags_ = {};
  EXPECT_FALSE(Load("name: a\nn: 1\nstatus: a\nhead: {code: A, due: 31/12/2024}\n"));
  ASSERT_TRUE(One("E0705"));
  EXPECT_EQ(One("E0705")->data_path, "$.head.due");
  EXPECT_NE(One("E0705")->help.find("YYYY-MM-DD"), std::string::npos);
}

TEST_F(EvidenceTest, InvalidDurationIsE0706) {
  EXPECT_FALSE(Load("name: a\nn: 1\nstatus: a\nevery: 12 monts\n"));
  const Diagnostic* d = One("E0706");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->data_path, "$.every");
  EXPECT_EQ(Line(*d), 4u);
  EXPECT_EQ(d->help, "write e.g. `12 months`, `30 days`, `4 hours`");
}

TEST_F(EvidenceTest, UnknownEnumMemberIsE0707WithSuggestion) {
  EXPECT_FALSE(Load("name: a\nn: 1\nstatus: bb\n"));
  const Diagnostic* d = One("E0707");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->data_path, "$.status");
  EXPECT_EQ(Line(*d), 3u);
  EXPECT_NE(d->message.find("`bb`"), std::string::npos);
  EXPECT_NE(d->help.find("did you mean `b`?"), std::string::npos) << d->help;
  EXPECT_NE(d->help.find("a, b, c"), std::string::npos) << d->help;

  diags_ = {};
  EXPECT_FALSE(Load("name: a\nn: 1\nstatus: a\nstates: [a, zzzzzz]\n"));
  ASSERT_TRUE(One("E0707"));
  EXPECT_EQ(One("E0707")->data_path, "$.states[1]");
}

TEST_F(EvidenceTest, EmptyOrNonMappingDocumentIsE0708) {
  EXPECT_FALSE(Load(""));
  ASSERT_TRUE(One("E0708"));
  EXPECT_EQ(One("E0708")->message, "evidence file is empty");

  for (const char* text : {"# only a comment\n", "~\n", "---\n"}) {
    diags_ = {};
    EXPECT_FALSE(Load(text));
    ASSERT_TRUE(One("E0708")) << text;
    EXPECT_EQ(One("E0708")->message, "evidence file is empty") << text;
  }

  diags_ = {};
  EXPECT_FALSE(Load("- a\n- b\n"));
  ASSERT_TRUE(One("E0708"));
  EXPECT_EQ(One("E0708")->message, "the top level must be a mapping of the `org` fields");

  diags_ = {};
  EXPECT_FALSE(Load("just words"));
  ASSERT_TRUE(One("E0708"));

  diags_ = {};
  EXPECT_FALSE(Load("[1, 2]", "e.json"));
  ASSERT_TRUE(One("E0708"));
  EXPECT_EQ(One("E0708")->message, "the top level must be a mapping of the `org` fields");

  diags_ = {};
  EXPECT_FALSE(Load("  \n", "e.json"));
  ASSERT_TRUE(One("E0708"));
  EXPECT_EQ(One("E0708")->message, "evidence file is empty");
}

TEST_F(EvidenceTest, SeveralYamlDocumentsAreE0708) {
  EXPECT_FALSE(Load("name: a\nn: 1\nstatus: a\n---\nname: b\n"));
  ASSERT_TRUE(One("E0708")) << All();
  EXPECT_EQ(One("E0708")->message, "evidence file holds more than one YAML document");
  EXPECT_EQ(Line(*One("E0708")), 4u);
}

TEST_F(EvidenceTest, InputThatMakesYamlCppLoadAllLoopEndsInADiagnostic) {
  // yaml-cpp 0.7's LoadAll never returns on this text (found by fuzzing the loader).
  const char* text =
      ",ame: acme\nn: 3\nitems:\n  -[ code: A\n    due: 2024-01-01\n   7 leaves: [{v: x}, {v: y}]\n  - co\n"
      "tags: [a, b]\nstatus: a\nok: d: 1.5\ne: 3  months\nparametersus: a\nok: tr:\n  x: 1\n  y: [a, b]\n";
  EXPECT_FALSE(Load(text));
  EXPECT_TRUE(diags_.HasErrors());
}

TEST_F(EvidenceTest, AliasesAreFollowedAndReportedWhereTheyAreUsed) {
  auto doc = Load("name: &nm acme\nn: 1\nstatus: a\nversion: *nm\nhead: &h {code: H}\nitems: [*h, *h]\n");
  ASSERT_TRUE(doc) << All();
  EXPECT_EQ(Str(*doc, Slot(doc->root(), Root(), "version")), "acme");
  EXPECT_EQ(SeqOf(doc->root(), Root(), "items")->size, 2);

  diags_ = {};
  EXPECT_FALSE(Load("name: &nm acme\nn: 1\nstatus: a\nevery: *nm\n"));
  ASSERT_TRUE(One("E0706"));
  EXPECT_EQ(Line(*One("E0706")), 4u);
  EXPECT_EQ(SpanText(*One("E0706")), "*nm");

  // A sequence that contains itself.
  diags_ = {};
  EXPECT_FALSE(Load("name: a\nn: 1\nstatus: a\nextra: &s [*s]\n"));
  ASSERT_TRUE(One("E0710")) << All();
}

TEST_F(EvidenceTest, DuplicateKeyIsE0709) {
  EXPECT_FALSE(Load("name: a\nn: 1\nstatus: a\nn: 2\n"));
  const Diagnostic* d = One("E0709");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->data_path, "$.n");
  EXPECT_EQ(Line(*d), 4u);
  ASSERT_EQ(d->notes.size(), 1u);
  EXPECT_EQ(sm_.Get(d->notes[0].span.file)->Locate(d->notes[0].span.begin).line, 2u);

  diags_ = {};
  EXPECT_FALSE(Load(R"({"name": "a", "n": 1, "status": "a", "name": "b"})", "e.json"));
  ASSERT_TRUE(One("E0709"));
  EXPECT_EQ(One("E0709")->data_path, "$.name");
  EXPECT_EQ(SpanText(*One("E0709")), "\"name\"");
}

TEST_F(EvidenceTest, DeepNestingIsE0710) {
  // Deep under an unknown field: still measured, in both formats.
  std::string deep = std::string(200, '[') + std::string(200, ']');
  EXPECT_FALSE(Load("name: a\nn: 1\nstatus: a\nextra: " + deep + "\n"));
  ASSERT_TRUE(One("E0710")) << All();
  EXPECT_EQ(One("E0710")->message, "evidence nested deeper than 64 levels");
  EXPECT_EQ(Line(*One("E0710")), 4u);

  diags_ = {};
  EXPECT_FALSE(Load(R"({"name": "a", "n": 1, "status": "a", "extra": )" + deep + "}", "e.json"));
  ASSERT_TRUE(One("E0710")) << All();
  EXPECT_EQ(One("E0710")->message, "evidence nested deeper than 64 levels");

  // Nesting of block sequences on one line, under a known field.
  diags_ = {};
  std::string dashes;
  for (int i = 0; i < 100; ++i) dashes += "- ";
  EXPECT_FALSE(Load("name: a\nn: 1\nstatus: a\ntags:\n  " + dashes + "x\n"));
  ASSERT_TRUE(One("E0710")) << All();

  // 1 MB of `[`: yaml-cpp's own guard, reported the same way.
  diags_ = {};
  EXPECT_FALSE(Load("name: a\nn: 1\nstatus: a\nitems: " + std::string(1 << 20, '[')));
  ASSERT_TRUE(One("E0710")) << All();
}

TEST_F(EvidenceTest, AliasesThatMultiplyDataAreStopped) {
  // Each level repeats the one below ten times: 10^6 leaves from a few hundred bytes.
  std::string yaml = "name: a\nn: 1\nstatus: a\nmids:\n";
  std::string leaves = "&l [" ;
  for (int i = 0; i < 1000; ++i) leaves += std::string(i ? ", " : "") + "{v: x}";
  leaves += "]";
  yaml += "  - {leaves: " + leaves + "}\n";
  for (int i = 0; i < 3000; ++i) yaml += "  - {leaves: *l}\n";
  auto doc = Load(yaml);
  // 3001 × 1000 leaves: more values than the text can hold without aliases.
  EXPECT_FALSE(doc);
  ASSERT_TRUE(One("E0710")) << All();
  EXPECT_NE(One("E0710")->message.find("expands"), std::string::npos);
}

TEST_F(EvidenceTest, UnknownFieldIsAWarningUnlessConfigured) {
  auto doc = Load("name: a\nn: 1\nstatus: a\nstatsu: b\nitems:\n  - code: A\n    cod: B\n");
  ASSERT_TRUE(doc) << All();  // warnings do not fail the load
  auto ws = With("W0701");
  ASSERT_EQ(ws.size(), 2u) << All();
  EXPECT_EQ(ws[0]->severity, Severity::Warning);
  EXPECT_EQ(ws[0]->message, "unknown field `statsu` on `org`");
  EXPECT_EQ(ws[0]->data_path, "$.statsu");
  EXPECT_EQ(ws[0]->help, "did you mean `status`?");
  EXPECT_EQ(Line(*ws[0]), 4u);
  EXPECT_EQ(ws[1]->data_path, "$.items[0].cod");
  EXPECT_FALSE(diags_.HasErrors());

  diags_ = {};
  LoadOptions strict;
  strict.unknown_fields_are_errors = true;
  EXPECT_FALSE(Load("name: a\nn: 1\nstatus: a\nstatsu: b\n", "e.yaml", strict));
  ASSERT_TRUE(One("W0701"));
  EXPECT_EQ(One("W0701")->severity, Severity::Error);
}

TEST_F(EvidenceTest, MalformedYamlIsE0702WithTheParserPosition) {
  EXPECT_FALSE(Load("name: a\nn: [1, 2\nstatus: a\n"));
  ASSERT_EQ(diags_.ErrorCount(), 1u) << All();
  const Diagnostic& d = diags_.items()[0];
  EXPECT_EQ(d.code, "E0702");
  EXPECT_EQ(d.message.rfind("malformed YAML: ", 0), 0u) << d.message;
  EXPECT_GE(Line(d), 2u);
}

TEST_F(EvidenceTest, MalformedJsonIsE0702WithSimdjsonsMessageAndPosition) {
  EXPECT_FALSE(Load("{\"name\": \"a\",\n \"n\": 1\n \"status\": \"a\"}", "e.json"));
  const Diagnostic* d = One("E0702");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->message.rfind("malformed JSON", 0), 0u);
  EXPECT_NE(d->help.find("simdjson"), std::string::npos);
  EXPECT_EQ(Line(*d), 3u);

  diags_ = {};
  EXPECT_FALSE(Load(R"({"name": "a", "n": tru, "status": "a"})", "e.json"));
  ASSERT_TRUE(One("E0702"));
  EXPECT_EQ(One("E0702")->data_path, "$.n");

  diags_ = {};
  EXPECT_FALSE(Load(R"({"name": "a", "n": 1, "status": "a"} trailing)", "e.json"));
  ASSERT_TRUE(One("E0702"));

  diags_ = {};
  EXPECT_FALSE(Load("{\"name\": \"a\xff\", \"n\": 1, \"status\": \"a\"}", "e.json"));
  ASSERT_TRUE(One("E0702"));
  EXPECT_EQ(Col(*One("E0702")), 12u);

  // A syntax error inside an unknown field is still found.
  diags_ = {};
  EXPECT_FALSE(Load(R"({"name": "a", "n": 1, "status": "a", "zz": [1 2]})", "e.json"));
  ASSERT_TRUE(One("E0702")) << All();
}

TEST_F(EvidenceTest, JsonTypeErrorsCarryExactSpans) {
  std::string text = "{\n  \"name\": \"a\",\n  \"n\": 1,\n  \"status\": \"a\",\n  \"items\": [{\"code\": \"A\"}, {\"code\": \"B\", \"due\": \"2024-02-30\"}]\n}";
  EXPECT_FALSE(Load(text, "e.json"));
  const Diagnostic* d = One("E0705");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->data_path, "$.items[1].due");
  EXPECT_EQ(Line(*d), 5u);
  EXPECT_EQ(SpanText(*d), "\"2024-02-30\"");

  diags_ = {};
  EXPECT_FALSE(Load("{\"name\": \"a\", \"status\": \"a\",\n \"items\": [{\"due\": \"2024-01-01\"}]}", "e.json"));
  auto ds = With("E0703");
  ASSERT_EQ(ds.size(), 2u) << All();
  EXPECT_EQ(ds[0]->data_path, "$.items[0].code");
  EXPECT_EQ(Line(*ds[0]), 2u);
  EXPECT_EQ(ds[1]->data_path, "$.n");
}

TEST_F(EvidenceTest, ManyErrorsInOnePassAndMaxErrorsStops) {
  const char* text = "name: a\nn: x\nstatus: q\nevery: soon\nscore: high\nok: maybe\n";
  EXPECT_FALSE(Load(text));
  EXPECT_EQ(diags_.ErrorCount(), 5u) << All();

  diags_ = {};
  LoadOptions two;
  two.max_errors = 2;
  EXPECT_FALSE(Load(text, "e.yaml", two));
  EXPECT_EQ(diags_.ErrorCount(), 2u) << All();
}

TEST_F(EvidenceTest, FormatIsDetectedFromExtensionThenText) {
  EXPECT_EQ(DetectFormat("x.json", "name: a", EvidenceFormat::Auto), EvidenceFormat::Json);
  EXPECT_EQ(DetectFormat("x.JSON", "name: a", EvidenceFormat::Auto), EvidenceFormat::Json);
  EXPECT_EQ(DetectFormat("x.txt", "  \n{\"a\": 1}", EvidenceFormat::Auto), EvidenceFormat::Json);
  EXPECT_EQ(DetectFormat("x.txt", "a: 1", EvidenceFormat::Auto), EvidenceFormat::Yaml);
  EXPECT_EQ(DetectFormat("x.json", "{}", EvidenceFormat::Yaml), EvidenceFormat::Yaml);
  // A YAML file may open with a flow mapping: its extension wins over the text.
  EXPECT_EQ(DetectFormat("x.yaml", "{name: a}", EvidenceFormat::Auto), EvidenceFormat::Yaml);
  EXPECT_TRUE(Load("{name: a, n: 1, status: a}", "x.yml")) << All();

  // A JSON text under a neutral name loads through the JSON front end: its spans are JSON tokens.
  EXPECT_FALSE(Load(R"({"name": "a", "n": "x", "status": "a"})", "evidence.txt"));
  ASSERT_TRUE(One("E0704"));
  EXPECT_EQ(SpanText(*One("E0704")), "\"x\"");
}

TEST_F(EvidenceTest, HostileInputEndsInDiagnostics) {
  std::string garbage;
  uint32_t x = 12345;
  for (int i = 0; i < 200000; ++i) {
    x = x * 1103515245 + 12345;
    garbage += static_cast<char>(x >> 24);
  }
  EXPECT_FALSE(Load(garbage, "g.yaml"));
  EXPECT_TRUE(diags_.HasErrors());
  diags_ = {};
  EXPECT_FALSE(Load(garbage, "g.json"));
  EXPECT_TRUE(diags_.HasErrors());

  // A 1 MB single line value loads.
  diags_ = {};
  std::string big(1 << 20, 'x');
  auto doc = Load("name: " + big + "\nn: 1\nstatus: a\n");
  ASSERT_TRUE(doc) << All();
  EXPECT_EQ(doc->strings().Get(Slot(doc->root(), Root(), "name")).size(), big.size());

  // A 1 MB single line of flow mappings.
  diags_ = {};
  std::string flow = "{name: a, n: 1, status: a, tags: [";
  while (flow.size() < (1 << 20)) flow += "t, ";
  flow += "t]}";
  doc = Load(flow);
  ASSERT_TRUE(doc) << All();
  EXPECT_EQ(SeqOf(doc->root(), Root(), "tags")->size, 1);
}

// ---------------------------------------------------------------- the YAML front end (libyaml)

TEST_F(EvidenceTest, YamlSpansAreByteOffsetsPastMultibyteText) {
  // libyaml's marks count characters; spans and columns are bytes.
  EXPECT_FALSE(Load("name: \"\xC3\xA9\"\nn: 1\nstatus: \xC3\xA9\n"));
  ASSERT_TRUE(One("E0707"));
  EXPECT_EQ(SpanText(*One("E0707")), "\xC3\xA9");
  EXPECT_EQ(Col(*One("E0707")), 9u);

  diags_ = {};
  EXPECT_FALSE(Load("name: a\nn: 1\nstatus: a\nhead: {code: \xC3\xA9\xC3\xA9, due: 2024-02-30}\n"));
  ASSERT_TRUE(One("E0705"));
  EXPECT_EQ(SpanText(*One("E0705")), "2024-02-30");
  EXPECT_EQ(Col(*One("E0705")), 25u);

  // A byte-order mark, then an error on the first line.
  diags_ = {};
  EXPECT_FALSE(Load("\xEF\xBB\xBFn: x\nname: a\nstatus: a\n"));
  ASSERT_TRUE(One("E0704"));
  EXPECT_EQ(SpanText(*One("E0704")), "x");
  EXPECT_EQ(Col(*One("E0704")), 7u);

  // CRLF and CR line breaks.
  for (const char* text : {"name: a\r\nn: x\r\nstatus: a\r\n", "name: a\rn: x\rstatus: a\r"}) {
    diags_ = {};
    EXPECT_FALSE(Load(text));
    ASSERT_TRUE(One("E0704")) << All();
    EXPECT_EQ(One("E0704")->data_path, "$.n");
    EXPECT_EQ(SpanText(*One("E0704")), "x");
  }

  // Past a long multi-byte line: the 1 MB value, then an error after it.
  diags_ = {};
  std::string wide;
  for (int i = 0; i < (1 << 18); ++i) wide += "\xE2\x80\x94";  // em dashes
  EXPECT_FALSE(Load("name: " + wide + "\nn: 1\nstatus: a\nevery: 12 monts\n"));
  ASSERT_TRUE(One("E0706"));
  EXPECT_EQ(Line(*One("E0706")), 4u);
  EXPECT_EQ(SpanText(*One("E0706")), "12 monts");
}

TEST_F(EvidenceTest, YamlThatIsNotUtf8IsE0702AtTheByte) {
  // Latin-1 `café`: the byte after 0xE9 cannot continue a UTF-8 sequence.
  EXPECT_FALSE(Load("name: caf\xE9\nn: 1\nstatus: a\n"));
  ASSERT_TRUE(One("E0702"));
  EXPECT_NE(One("E0702")->message.find("UTF-8"), std::string::npos) << One("E0702")->message;
  EXPECT_EQ(Line(*One("E0702")), 1u);
  EXPECT_NE(One("E0702")->help.find("UTF-8"), std::string::npos);

  diags_ = {};
  EXPECT_FALSE(Load("name: a\nn: 1\nstatus: a\nversion: \"a\x01" "b\"\n"));
  ASSERT_TRUE(One("E0702"));
  EXPECT_EQ(One("E0702")->message, "malformed YAML: control characters are not allowed (#x1)");
  EXPECT_EQ(Line(*One("E0702")), 4u);
  EXPECT_EQ(Col(*One("E0702")), 12u);
}

TEST_F(EvidenceTest, MalformedYamlCarriesLibyamlsProblemAndContext) {
  EXPECT_FALSE(Load("name: a\nn: [1, 2\nstatus: a\n"));
  const Diagnostic* d = One("E0702");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->message, "malformed YAML: did not find expected ',' or ']'");
  EXPECT_EQ(Line(*d), 3u);
  ASSERT_EQ(d->notes.size(), 1u);
  EXPECT_EQ(d->notes[0].message, "while parsing a flow sequence");
  EXPECT_EQ(sm_.Text(d->notes[0].span), "[");

  diags_ = {};
  EXPECT_FALSE(Load("name: a\nn: 1\nstatus: a\nhead:\n\tcode: x\n"));
  ASSERT_TRUE(One("E0702"));
  EXPECT_EQ(Line(*One("E0702")), 5u);
  EXPECT_EQ(One("E0702")->help, "YAML indents with spaces; this line is indented with a tab");

  diags_ = {};
  EXPECT_FALSE(Load("name: a\nn: 1\nstatus: a\nversion: *zz\n"));
  ASSERT_TRUE(One("E0702"));
  EXPECT_EQ(One("E0702")->message, "malformed YAML: the referenced anchor is not defined");
  EXPECT_EQ(Line(*One("E0702")), 4u);
  EXPECT_EQ(Col(*One("E0702")), 10u);
}

TEST_F(EvidenceTest, YamlScalarStylesAndTagsDecideStrings) {
  // A tag overrides the style: `!!int "5"` is an int, `! 5` and `!!str` are strings.
  auto doc = Load("name: !!str\nn: !!int \"5\"\nstatus: a\nversion: !!str 1.0\n");
  ASSERT_TRUE(doc) << All();
  EXPECT_EQ(Slot(doc->root(), Root(), "n"), 5);
  EXPECT_EQ(Str(*doc, Slot(doc->root(), Root(), "name")), "");
  EXPECT_EQ(Str(*doc, Slot(doc->root(), Root(), "version")), "1.0");

  for (const char* text : {"name: a\nn: ! 5\nstatus: a\n", "name: a\nn: '5'\nstatus: a\n",
                           "name: a\nn: |\n  5\nstatus: a\n", "name: a\nn: >-\n  5\nstatus: a\n"}) {
    diags_ = {};
    EXPECT_FALSE(Load(text));
    ASSERT_TRUE(One("E0704")) << text;
    EXPECT_NE(One("E0704")->message.find("string `5"), std::string::npos) << One("E0704")->message;
  }

  // Plain `~`, `null`, `Null`, `NULL` and nothing are null; quoted, they are strings.
  diags_ = {};
  doc = Load("name: a\nn: 1\nstatus: a\nversion: NULL\nok: Null\nscore:\nevery: ~\n");
  ASSERT_TRUE(doc) << All();
  for (const char* f : {"version", "ok", "score", "every"}) EXPECT_FALSE(Present(doc->root(), Root(), f)) << f;
  doc = Load("name: a\nn: 1\nstatus: a\nversion: \"null\"\n");
  ASSERT_TRUE(doc) << All();
  EXPECT_EQ(Str(*doc, Slot(doc->root(), Root(), "version")), "null");
}

TEST_F(EvidenceTest, EmptyYamlValuesSitAtTheNextToken) {
  // A bare `-` or `key:` has no text of its own: it is reported where the next token starts.
  EXPECT_FALSE(Load("name: a\nn: 1\nstatus: a\ntags:\n  - x\n  -\n\n# c\nversion: v\n"));
  const Diagnostic* d = One("E0704");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->message, "expected a string, found null");
  EXPECT_EQ(d->data_path, "$.tags[1]");
  EXPECT_EQ(Line(*d), 9u);
  EXPECT_EQ(SpanText(*d), "version: v");

  // At the end of the text: the end.
  diags_ = {};
  const std::string last = "name: a\nn: 1\nstatus: a\ntags:\n  - x\n  -\n";
  EXPECT_FALSE(Load(last));
  ASSERT_TRUE(One("E0704"));
  EXPECT_EQ(One("E0704")->span.begin, last.size());
}

TEST_F(EvidenceTest, YamlDocumentsAreCountedPastDirectivesAndTags) {
  for (const char* text : {"--- !!str\n", "&a\n", "--- # c\n\n"}) {
    diags_ = {};
    EXPECT_FALSE(Load(text));
    ASSERT_TRUE(One("E0708")) << text;
    EXPECT_EQ(One("E0708")->message, "evidence file is empty") << text;
  }

  // The second document is reported at its `---`, after its directives.
  diags_ = {};
  EXPECT_FALSE(Load("%YAML 1.1\n---\nname: a\nn: 1\nstatus: a\n...\n%YAML 1.1\n---\nname: b\n"));
  ASSERT_TRUE(One("E0708"));
  EXPECT_EQ(One("E0708")->message, "evidence file holds more than one YAML document");
  EXPECT_EQ(Line(*One("E0708")), 8u);

  // A syntax error in the second document is still a syntax error; past it, nothing is read.
  diags_ = {};
  EXPECT_FALSE(Load("name: a\nn: 1\nstatus: a\n---\nx: [\n"));
  ASSERT_TRUE(One("E0702"));
  diags_ = {};
  EXPECT_FALSE(Load("name: a\nn: 1\nstatus: a\n---\nx: 1\n---\nx: [\n"));
  ASSERT_TRUE(One("E0708"));
}

TEST_F(EvidenceTest, VeryDeepYamlStopsWhileParsing) {
  // 600 nested block mappings: stopped at the 500th level (the key on line 502), before any
  // record is built.
  std::string text = "name: a\nn: 1\nstatus: a\nextra:\n";
  for (int i = 0; i < 600; ++i) text += std::string(2 * i + 2, ' ') + "k:\n";
  EXPECT_FALSE(Load(text));
  ASSERT_TRUE(One("E0710")) << All();
  EXPECT_EQ(One("E0710")->data_path, "$");
  EXPECT_EQ(Line(*One("E0710")), 502u);

  // 1 MB of flow mappings opening.
  diags_ = {};
  std::string flow;
  while (flow.size() < (1 << 20)) flow += "{a: ";
  EXPECT_FALSE(Load("name: a\nn: 1\nstatus: a\nhead: " + flow));
  ASSERT_TRUE(One("E0710")) << All();
  EXPECT_EQ(One("E0710")->data_path, "$");
}

TEST_F(EvidenceTest, UnreadableFileIsE0701) {
  auto doc = LoadEvidenceFile("/nonexistent/evidence.yaml", S(), &literals_, sm_, diags_);
  EXPECT_FALSE(doc);
  const Diagnostic* d = One("E0701");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->path, "/nonexistent/evidence.yaml");
  EXPECT_FALSE(d->span.valid());
  EXPECT_NE(d->help.find("check the path"), std::string::npos);

  diags_ = {};
  EXPECT_FALSE(LoadEvidenceFile(::testing::TempDir(), S(), &literals_, sm_, diags_));
  ASSERT_TRUE(One("E0701"));
}

TEST_F(EvidenceTest, LoadEvidenceFileReadsAndRegistersTheText) {
  std::string path = ::testing::TempDir() + "/evidence_test_ok.yaml";
  {
    std::ofstream out(path);
    out << "name: a\nn: 7\nstatus: c\n";
  }
  auto doc = LoadEvidenceFile(path, S(), &literals_, sm_, diags_);
  ASSERT_TRUE(doc) << All();
  EXPECT_EQ(Slot(doc->root(), Root(), "n"), 7);
  EXPECT_EQ(Slot(doc->root(), Root(), "status"), 2);
  std::filesystem::remove(path);
}

// ---------------------------------------------------------------- layout and arena

TEST(EvidenceLayout, PresenceBitsBeyondTheFirstWord) {
  std::string text = "schema w { root wide {";
  for (int i = 0; i < 70; ++i) text += " f" + std::to_string(i) + ": int?";
  text += " } }";
  Session s({});
  ASSERT_TRUE(s.LoadText("w.clause", text));
  auto schema = s.Schema();
  ASSERT_TRUE(schema);
  const EntityDef& root = schema->entities[schema->root];
  ASSERT_EQ(root.presence_words(), 2u);
  SourceManager sm;
  Diagnostics diags;
  auto doc = LoadEvidence("w.yaml", "f65: 5\nf1: 9\n", *schema, nullptr, sm, diags);
  ASSERT_TRUE(doc) << RenderAll(diags, sm);
  const auto* base = static_cast<const uint64_t*>(doc->root());
  uint32_t i65 = root.Find("f65")->index, i1 = root.Find("f1")->index;
  EXPECT_EQ(base[0], uint64_t{1} << i1);
  EXPECT_EQ(base[1], uint64_t{1} << (i65 - 64));
  EXPECT_EQ(reinterpret_cast<const int64_t*>(base)[2 + i65], 5);
  EXPECT_EQ(reinterpret_cast<const int64_t*>(base)[2 + i1], 9);
}

TEST(EvidenceArena, AllocationsAreZeroedAlignedAndDistinct) {
  Arena a;
  std::vector<char*> ptrs;
  for (size_t n : {1u, 24u, 7u, 5000u, 3u << 20, 16u}) {
    auto* p = static_cast<char*>(a.Allocate(n, 16));
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % 16, 0u);
    for (size_t i = 0; i < n; ++i) ASSERT_EQ(p[i], 0) << n;
    std::memset(p, 0xab, n);
    ptrs.push_back(p);
  }
  for (size_t i = 1; i < ptrs.size(); ++i) EXPECT_NE(ptrs[i], ptrs[i - 1]);
  EXPECT_GE(a.bytes_used(), 1u + 24 + 7 + 5000 + (3u << 20) + 16);
}

// A first block sized below 4 KiB holds what fits; the arena then grows as before.
TEST(EvidenceArena, FirstBlockSizeIsAHintNotALimit) {
  Arena a;
  a.SizeFirstBlock(300);
  auto* p = static_cast<char*>(a.Allocate(200));
  auto* q = static_cast<char*>(a.Allocate(64));
  EXPECT_EQ(q, p + 200);  // same block
  auto* r = static_cast<char*>(a.Allocate(200));  // does not fit: a new block
  ASSERT_NE(r, nullptr);
  EXPECT_TRUE(r >= q + 64 + 36 || r + 200 <= p);
  for (int i = 0; i < 200; ++i) ASSERT_EQ(r[i], 0);
  a.SizeFirstBlock(16);  // ignored once allocated
  EXPECT_EQ(a.bytes_used(), 464u);
}

}  // namespace
}  // namespace conform::runtime
