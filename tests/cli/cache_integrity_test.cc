// Verified caches (issue 15, item 2): every byte of every cache file kind is covered by the
// entry's digest; a damaged entry is a miss with W0911 and the verdicts stay those of an
// uncached run, on both engines; FIFOs and symlinks in place of entries, unsafe folders (W0910)
// and temporary files of interrupted writes are handled.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "conform/compiler/cache_file.h"
#include "conform/compiler/driver.h"
#include "conform/compiler/ir_cache.h"
#include "conform_process.h"

namespace fs = std::filesystem;

namespace {

using conform::testing::Result;
using conform::testing::Slurp;

fs::path Scratch() { return conform::testing::ScratchDir("conform-cache-integrity-test"); }

// A small standard that still uses every kind of node the loader validates: fields of the root
// and of nested entities, enums, string literals, parameters, builtins, quantifiers, `let`,
// messages with holes, `depends on`.
const char* kRules = R"CLAUSE(use core
standard cachet "Cache test" {
  param interval : duration = 12 months "review interval"
  param minimum : int = 2 "fewest employees"
  clause 1 "One" {
    requirement named : major {
      says "the organization is named"
      pass len(default(name, "")) > 0
      else "no name"
    }
    requirement staffed : minor {
      says "enough employees"
      pass employees >= minimum
      else "only {employees} employees (at least {minimum})"
    }
    requirement reviewed : minor {
      says "issues are reviewed"
      applies when count(context_issues) > 0
      pass all i in context_issues : i.reviewed_at is present and i.reviewed_at >= as_of - interval
      else "issue {i.id} was reviewed {i.reviewed_at}"
    }
    requirement internal : minor {
      says "an internal issue"
      let n = count(i in context_issues where i.origin == internal)
      pass n > 0
      else "{n} internal issues"
    }
    requirement entity_name : observation {
      says "the legal entity starts with a capital"
      pass matches(default(legal_entity, ""), "[A-Z].*")
    }
    requirement after_named : minor {
      says "depends on the name"
      depends on named
      pass upper(default(name, "x")) != "ACME"
      else "the name is ACME"
    }
  }
}
)CLAUSE";

const char* kGood = R"({"name": "Widgets", "legal_entity": "Widgets Ltd", "employees": 12,
  "context_issues": [{"id": "i1", "description": "market", "origin": "internal", "reviewed_at": "2026-06-01"},
                     {"id": "i2", "description": "law", "origin": "external", "reviewed_at": "2026-03-01"}]})";
const char* kBad = R"({"name": "Acme", "legal_entity": "acme", "employees": 1,
  "context_issues": [{"id": "i9", "description": "old", "origin": "external", "reviewed_at": "2020-01-01"}]})";

struct Fixture {
  fs::path plugins, good, bad;
};

const Fixture& Files() {
  static Fixture f = [] {
    Fixture x;
    x.plugins = Scratch() / "plugins";
    fs::create_directories(x.plugins / "cachet");
    std::ofstream(x.plugins / "cachet" / "plugin.toml")
        << "id = \"cachet\"\nversion = \"1.0.0\"\ntitle = \"Cache test\"\nkind = \"standard\"\nlanguage = \"0.2\"\n"
           "[edition]\nname = \"1\"\n[requires]\ncore = \">=1.0\"\n";
    std::ofstream(x.plugins / "cachet" / "cachet.clause") << kRules;
    x.good = Scratch() / "good.json";
    x.bad = Scratch() / "bad.json";
    std::ofstream(x.good) << kGood;
    std::ofstream(x.bad) << kBad;
    return x;
  }();
  return f;
}

Result Conform(const std::string& args) {
  return conform::testing::RunConform(CONFORM_BIN, CONFORM_SOURCE_DIR, Scratch(), "", args);
}

// The JSON reports of both organizations with one engine and a cache setting.
std::string Check(const std::string& engine, const std::string& cache, Result* last = nullptr) {
  std::string out;
  for (const fs::path& ev : {Files().good, Files().bad}) {
    Result r = Conform(fmt::format("check '{}' -s cachet --plugin-dir '{}' --as-of 2026-11-22 --format json --engine {} {}",
                                   ev.string(), Files().plugins.string(), engine, cache));
    EXPECT_TRUE(r.status == 0 || r.status == 1) << r.err;
    // Reports name the run's engine; the verdicts and messages must be the same.
    std::string json = r.out;
    for (size_t at; (at = json.find("\"engine\"")) != std::string::npos;) json.erase(at, json.find(',', at) - at);
    out += json;
    if (last) *last = r;
  }
  return out;
}

const std::string& Reference(const std::string& engine) {
  static std::map<std::string, std::string> ref;
  if (!ref.count(engine)) ref[engine] = Check(engine, "--no-cache");
  return ref[engine];
}

// A fresh cache folder holding the entries of one warm run.
fs::path WarmCache(const std::string& name) {
  fs::path dir = Scratch() / name;
  fs::remove_all(dir);
  Check("jit", fmt::format("--cache-dir '{}'", dir.string()));
  return dir;
}

std::vector<fs::path> Entries(const fs::path& dir, const std::string& ext) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == ext) out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

void Write(const fs::path& p, const std::string& data) { std::ofstream(p, std::ios::binary | std::ios::trunc) << data; }

// Positions to flip: every byte of the head (magic, digest, key) and of the tail, and a dense
// sample of the middle, so that every field of the layout is hit.
std::vector<size_t> Positions(size_t size) {
  std::vector<size_t> out;
  for (size_t i = 0; i < size; ++i)
    if (i < 4096 || i + 512 >= size || i % 29 == 0) out.push_back(i);
  return out;
}

// The fingerprint an ir-*.bin was written for: the first string of its payload.
std::string BundleFingerprint(const std::string& data) {
  size_t at = data.find('\n') + 1 + 32;
  uint64_t n = 0;
  std::memcpy(&n, data.data() + at, 8);
  return data.substr(at + 8, n);
}

TEST(CacheIntegrity, EveryByteOfEveryEntryKindIsCoveredByTheDigest) {
  if (!CONFORM_WITH_JIT) GTEST_SKIP() << "an interpreter-only build writes no object entries and has no native engine";
  fs::path dir = WarmCache("envelope");
  std::vector<fs::path> files = Entries(dir, ".bin");
  ASSERT_EQ(files.size(), 1u) << "one compiled-program entry";
  size_t objects = Entries(dir, ".o").size();
  ASSERT_GE(objects, 1u) << "one object entry per program";
  for (const fs::path& o : Entries(dir, ".o")) files.push_back(o);
  for (const fs::path& f : files) {
    std::string data = Slurp(f);
    std::string magic = data.substr(0, data.find('\n') + 1);
    std::string_view payload;
    ASSERT_EQ(conform::cache::Unseal(data, magic, payload), conform::cache::OpenStatus::Ok) << f;
    std::string fingerprint = f.extension() == ".bin" ? BundleFingerprint(data) : "";
    if (f.extension() == ".bin") ASSERT_TRUE(conform::DecodeBundle(data, fingerprint).has_value());
    size_t trials = 0;
    for (size_t i : Positions(data.size())) {
      for (unsigned char mask : {0x01, 0x80, 0xff}) {
        std::string bad = data;
        bad[i] = static_cast<char>(bad[i] ^ mask);
        std::string_view p;
        auto st = conform::cache::Unseal(bad, magic, p);
        ASSERT_NE(st, conform::cache::OpenStatus::Ok) << f.filename() << " byte " << i << " mask " << int(mask);
        // Outside the magic line a flip is always reported as damage (a warning), never a
        // silent miss.
        if (i >= magic.size()) ASSERT_EQ(st, conform::cache::OpenStatus::Corrupt) << f.filename() << " byte " << i;
        if (f.extension() == ".bin") {
          std::string problem;
          ASSERT_FALSE(conform::DecodeBundle(bad, fingerprint, &problem).has_value()) << "byte " << i;
        }
        ++trials;
      }
    }
    // Truncations.
    for (size_t len : {size_t{0}, size_t{1}, magic.size(), magic.size() + 31, magic.size() + 32, data.size() / 2,
                       data.size() - 1}) {
      std::string_view p;
      ASSERT_NE(conform::cache::Unseal(std::string_view(data).substr(0, len), magic, p), conform::cache::OpenStatus::Ok)
          << f.filename() << " truncated to " << len;
    }
    EXPECT_GT(trials, 3u * std::min<size_t>(data.size(), 4096));
  }
}

// With the digest recomputed over a damaged payload (what a writer with a bug, or someone with
// write access to the folder, could produce), the structural validation still stands between
// the bytes and evaluation: the loader never crashes or reads out of bounds (ASan in `make
// sanitize`), and what it accepts is a well-formed bundle.
TEST(CacheIntegrity, ResealedDamageIsRejectedByStructuralValidation) {
  fs::path dir = WarmCache("reseal");
  std::vector<fs::path> files = Entries(dir, ".bin");
  ASSERT_EQ(files.size(), 1u);
  std::string data = Slurp(files[0]);
  std::string magic = data.substr(0, data.find('\n') + 1);
  std::string fingerprint = BundleFingerprint(data);
  std::string payload = data.substr(magic.size() + 32);
  size_t accepted = 0, rejected = 0;
  for (size_t i = 0; i < payload.size(); i += (i < 2048 ? 1 : 61)) {
    for (unsigned char mask : {0x01, 0xff}) {
      std::string bad = payload;
      bad[i] = static_cast<char>(bad[i] ^ mask);
      std::string problem;
      auto b = conform::DecodeBundle(conform::cache::Seal(magic, bad), fingerprint, &problem);
      if (b) {
        ++accepted;  // e.g. a flipped letter of a title: still a well-formed program
        for (const auto& p : b->programs) ASSERT_EQ(p->node_text.size(), p->nodes.size());
      } else {
        ++rejected;
      }
    }
  }
  for (size_t len = 0; len < payload.size(); len += 1 + len / 3) {
    auto b = conform::DecodeBundle(conform::cache::Seal(magic, payload.substr(0, len)), fingerprint);
    ASSERT_FALSE(b.has_value()) << "truncated payload of " << len << " bytes accepted";
  }
  EXPECT_GT(rejected, accepted / 4) << "structural validation rejects most damage";
}

// Damage that keeps the structure but breaks the types (a buggy or hostile writer, digest
// recomputed): an engine would follow an integer as a record pointer or read a variable an
// earlier requirement left behind. The type validation refuses each, and accepts the sound entry.
TEST(CacheIntegrity, TypeDamageUnderARecomputedDigestIsRefused) {
  conform::Session session({CONFORM_SOURCE_DIR "/standards"});
  session.LoadText("cachet.clause", kRules);
  auto program = session.Compile("cachet");
  ASSERT_TRUE(program && !session.diags().HasErrors());
  const std::string fingerprint = "type-damage";
  conform::CompiledBundle sound{session.Schema(), session.literals(), {program}};
  ASSERT_TRUE(conform::DecodeBundle(conform::EncodeBundle(fingerprint, sound), fingerprint).has_value());
  using conform::ir::Op;
  const auto& nodes = program->nodes;
  auto find = [&](auto pred) {
    for (size_t i = 0; i < nodes.size(); ++i)
      if (pred(nodes[i])) return static_cast<int32_t>(i);
    return -1;
  };
  const int32_t field = find([](const conform::ir::Node& n) { return n.op == Op::Field; });
  const int32_t var = find([](const conform::ir::Node& n) { return n.op == Op::Var; });
  const int32_t konst = find([&](const conform::ir::Node& n) {
    return n.op == Op::Const && sound.schema->types.Kind(n.type) == conform::TypeKind::Int;
  });
  const int32_t quant = find([](const conform::ir::Node& n) { return n.op == Op::All; });
  ASSERT_TRUE(field >= 0 && var >= 0 && konst >= 0 && quant >= 0);
  conform::TypeId list = 0;
  for (size_t t = 0; t < sound.schema->types.size(); ++t)
    if (sound.schema->types.Kind(static_cast<conform::TypeId>(t)) == conform::TypeKind::List) list = static_cast<conform::TypeId>(t);
  ASSERT_NE(list, 0u);
  const std::vector<std::pair<const char*, std::function<void(conform::ir::Program&)>>> damage = {
      {"an integer constant typed as a list (its bits read as a pointer)", [&](auto& p) { p.nodes[konst].type = list; }},
      {"a field typed unlike its schema field", [&](auto& p) { p.nodes[field].type = conform::TypeTable::kDecimal; }},
      {"a variable read in another slot", [&](auto& p) { p.nodes[var].var = static_cast<int32_t>(p.num_vars); ++p.num_vars, p.var_names.push_back("x"); }},
      {"a quantifier over a number", [&](auto& p) { p.nodes[quant].a = konst; }},
      {"a boolean constant that is neither 0 nor 1",
       [&](auto& p) { p.nodes.push_back({Op::Const, conform::TypeTable::kBool}), p.nodes.back().imm = 7, p.node_text.push_back("7"),
                      p.requirements[0].pass = static_cast<int32_t>(p.nodes.size() - 1); }},
      {"a date constant outside years 0000-9999", [&](auto& p) {
         p.nodes.push_back({Op::Const, conform::TypeTable::kDate}), p.nodes.back().imm = INT64_MAX / 2, p.node_text.push_back("d");
         p.nodes.push_back({Op::Le, conform::TypeTable::kBool}), p.nodes.back().a = static_cast<int32_t>(p.nodes.size() - 2);
         p.nodes.back().b = p.nodes.back().a, p.node_text.push_back("d <= d"), p.requirements[0].pass = static_cast<int32_t>(p.nodes.size() - 1);
       }},
  };
  for (const auto& [what, change] : damage) {
    auto copy = std::make_shared<conform::ir::Program>(*program);
    change(*copy);
    conform::CompiledBundle bad{sound.schema, sound.literals, {copy}};
    std::string problem;
    EXPECT_FALSE(conform::DecodeBundle(conform::EncodeBundle(fingerprint, bad), fingerprint, &problem).has_value()) << what;
    EXPECT_NE(problem.find("a compiled program in it is malformed"), std::string::npos) << what << ": " << problem;
  }
}

// Module- and standard-level lets whose values bind variables of their own (a filter, a
// quantifier, a comprehension) keep slots 0 … n-1 for the lets themselves, so their programs load from the
// cache (they were refused as malformed, a W0911 and a recompile on every warm run).
TEST(CacheIntegrity, LetsThatBindVariablesRoundTrip) {
  conform::Session session({CONFORM_SOURCE_DIR "/standards"});
  session.LoadText("lets.clause", R"CLAUSE(use core
let own = [i in context_issues where i.origin == internal]
standard lets "Lets that bind" {
  let open_issues = [i in own where i.reviewed_at is absent]
  let reviewed = count(i in context_issues where i.reviewed_at is present)
  let any_internal = exists i in context_issues : i.origin == internal
  clause 1 "One" {
    requirement all_reviewed : minor {
      says "every issue is reviewed"
      pass count(open_issues) == 0 and (reviewed > 0 or not any_internal)
      else "{count(open_issues)} issues are not reviewed"
    }
  }
}
)CLAUSE");
  auto program = session.Compile("lets");
  ASSERT_TRUE(program && !session.diags().HasErrors()) << conform::RenderAll(session.diags(), session.sources());
  ASSERT_EQ(program->globals.size(), 4u);
  for (size_t g = 0; g < program->globals.size(); ++g) EXPECT_EQ(program->globals[g].var, static_cast<int32_t>(g));
  const std::string fingerprint = "lets";
  conform::CompiledBundle bundle{session.Schema(), session.literals(), {program}};
  std::string problem;
  EXPECT_TRUE(conform::DecodeBundle(conform::EncodeBundle(fingerprint, bundle), fingerprint, &problem).has_value())
      << problem;
  // The loader holds the IR to that layout: a let moved out of its slot is refused.
  auto moved = std::make_shared<conform::ir::Program>(*program);
  moved->globals[1].var = moved->globals[0].var;
  conform::CompiledBundle bad{session.Schema(), session.literals(), {moved}};
  EXPECT_FALSE(conform::DecodeBundle(conform::EncodeBundle(fingerprint, bad), fingerprint, &problem).has_value());
}

// End to end, per entry kind: damage at each class of position (magic, digest, key, length
// fields, body, last byte), truncation, an empty file and garbage. Each run warns (W0911),
// gives exactly the verdicts of an uncached run on both engines, and rewrites a sound entry.
TEST(CacheIntegrity, DamagedEntriesAreMissesWithIdenticalVerdicts) {
  if (!CONFORM_WITH_JIT) GTEST_SKIP() << "an interpreter-only build writes no object entries and has no native engine";
  const std::string ref_interp = Reference("interp"), ref_jit = Reference("jit");
  ASSERT_EQ(ref_interp, ref_jit);
  ASSERT_NE(ref_jit.find("nonconform"), std::string::npos);
  for (const std::string ext : {".bin", ".o"}) {
    fs::path dir = WarmCache("e2e" + std::string(ext == ".o" ? "o" : "b"));
    std::vector<fs::path> files = Entries(dir, ext);
    ASSERT_FALSE(files.empty());
    fs::path f = files[0];
    const std::string good = Slurp(f);
    const size_t magic = good.find('\n') + 1;
    std::vector<std::pair<std::string, std::string>> damages;
    auto flip = [&](const char* what, size_t at) {
      std::string d = good;
      d[at] = static_cast<char>(d[at] ^ 0x20);
      damages.emplace_back(fmt::format("{} (byte {})", what, at), d);
    };
    flip("magic", 2);
    flip("digest", magic + 5);
    flip("key length", magic + 32);
    flip("key", magic + 32 + 8 + 20);
    flip("body", good.size() / 2);
    flip("last byte", good.size() - 1);
    damages.emplace_back("truncated", good.substr(0, good.size() * 2 / 3));
    damages.emplace_back("empty", "");
    damages.emplace_back("garbage", std::string(4096, '\x7f'));
    for (const auto& [what, bytes] : damages) {
      for (const std::string engine : {"jit", "interp"}) {
        if (ext == ".o" && engine == "interp") continue;  // the interpreter reads no object
        Write(f, bytes);
        Result last;
        std::string got = Check(engine, fmt::format("--cache-dir '{}'", dir.string()), &last);
        EXPECT_EQ(got, Reference(engine)) << ext << " " << what << " " << engine;
        // The first of the two runs met the damage: a warning, then a rewritten entry that the
        // second run used silently.
        std::string_view p;
        std::string now = Slurp(f);
        EXPECT_EQ(conform::cache::Unseal(now, now.substr(0, now.find('\n') + 1), p), conform::cache::OpenStatus::Ok)
            << ext << " " << what << ": the entry was not rewritten";
        EXPECT_EQ(last.err.find("W0911"), std::string::npos) << "the second run saw a sound entry";
      }
    }
    // The warning itself, and the count in --timings.
    Write(f, damages[1].second);
    Result r = Conform(fmt::format("check '{}' -s cachet --plugin-dir '{}' --as-of 2026-11-22 --cache-dir '{}' --timings --engine jit",
                                   Files().good.string(), Files().plugins.string(), dir.string()));
    EXPECT_NE(r.err.find("warning[W0911]"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(f.filename().string()), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("does not match its SHA-256 digest"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("cache: 1 damaged entries ignored"), std::string::npos) << r.err;
  }
}

TEST(CacheIntegrity, FifoAndSymlinkEntriesAreRefusedWithoutHanging) {
  if (!CONFORM_WITH_JIT) GTEST_SKIP() << "an interpreter-only build writes no object entries and has no native engine";
  for (const std::string ext : {".bin", ".o"}) {
    fs::path dir = WarmCache("special" + std::string(ext == ".o" ? "o" : "b"));
    fs::path f = Entries(dir, ext).at(0);
    // A FIFO nobody writes to: opening it for reading would block forever without O_NONBLOCK.
    fs::remove(f);
    ASSERT_EQ(::mkfifo(f.c_str(), 0600), 0);
    Result last;
    EXPECT_EQ(Check("jit", fmt::format("--cache-dir '{}'", dir.string()), &last), Reference("jit"));
    EXPECT_TRUE(fs::is_regular_file(fs::symlink_status(f))) << "the FIFO is replaced by a sound entry";
    // A symlink to a file elsewhere (here a copy of a sound entry): never followed.
    fs::path outside = Scratch() / ("outside" + ext);
    fs::copy_file(f, outside, fs::copy_options::overwrite_existing);
    fs::remove(f);
    fs::create_symlink(outside, f);
    Result r = Conform(fmt::format("check '{}' -s cachet --plugin-dir '{}' --as-of 2026-11-22 --cache-dir '{}' --engine jit",
                                   Files().good.string(), Files().plugins.string(), dir.string()));
    EXPECT_NE(r.err.find("warning[W0911]"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("symbolic link"), std::string::npos) << r.err;
    EXPECT_TRUE(fs::is_regular_file(fs::symlink_status(f))) << "the symlink is replaced, not written through";
  }
}

TEST(CacheIntegrity, AFolderOthersCanWriteIsRefused) {
  fs::path dir = WarmCache("loose");
  ::chmod(dir.c_str(), 0777);
  Result r = Conform(fmt::format("check '{}' -s cachet --plugin-dir '{}' --as-of 2026-11-22 --cache-dir '{}' --format json",
                                 Files().bad.string(), Files().plugins.string(), dir.string()));
  EXPECT_EQ(r.status, 1) << r.err;
  EXPECT_NE(r.err.find("warning[W0910]"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("writable by every user"), std::string::npos) << r.err;
  // With the sticky bit (as /tmp) the folder is used.
  ::chmod(dir.c_str(), 01777);
  r = Conform(fmt::format("check '{}' -s cachet --plugin-dir '{}' --as-of 2026-11-22 --cache-dir '{}'",
                          Files().bad.string(), Files().plugins.string(), dir.string()));
  EXPECT_EQ(r.err.find("W0910"), std::string::npos) << r.err;
  ::chmod(dir.c_str(), 0700);
  // A folder that belongs to another user (only root can make one here).
  if (::geteuid() == 0) {
    ASSERT_EQ(::chown(dir.c_str(), 65534, 65534), 0);
    r = Conform(fmt::format("check '{}' -s cachet --plugin-dir '{}' --as-of 2026-11-22 --cache-dir '{}'",
                            Files().bad.string(), Files().plugins.string(), dir.string()));
    EXPECT_NE(r.err.find("belongs to another user"), std::string::npos) << r.err;
    // An entry owned by another user in a folder of ours is refused too.
    ASSERT_EQ(::chown(dir.c_str(), 0, 0), 0);
    fs::path f = Entries(dir, ".bin").at(0);
    ASSERT_EQ(::chown(f.c_str(), 65534, 65534), 0);
    r = Conform(fmt::format("check '{}' -s cachet --plugin-dir '{}' --as-of 2026-11-22 --cache-dir '{}'",
                            Files().bad.string(), Files().plugins.string(), dir.string()));
    EXPECT_NE(r.err.find("belongs to another user"), std::string::npos) << r.err;
  }
}

TEST(CacheIntegrity, TemporaryFilesOfInterruptedWritesAreRemoved) {
  fs::path dir = WarmCache("temps");
  // A writer killed between creating and renaming its temporary file: pid 999999999 is not a
  // live process (pid_max is at most 2^22).
  fs::path stale = dir / ".ir-0123.bin.999999999.0.tmp";
  fs::path live = dir / fmt::format(".ir-0123.bin.{}.0.tmp", getppid());  // a running writer
  Write(stale, "half an entry");
  Write(live, "being written");
  EXPECT_EQ(conform::cache::CleanStaleTemps(dir.string()), 1);
  EXPECT_FALSE(fs::exists(stale));
  EXPECT_TRUE(fs::exists(live)) << "a live writer's file stays";
  // And a run that writes an entry cleans them too.
  Write(stale, "half an entry");
  for (const auto& f : Entries(dir, ".bin")) fs::remove(f);
  Check("interp", fmt::format("--cache-dir '{}'", dir.string()));
  EXPECT_FALSE(fs::exists(stale));
  fs::remove(live);
}

}  // namespace

namespace {

// Structural validation accepts every program the compiler produces: each catalogue standard
// (extensions and both ISO 27001 editions included) is a compiled-program cache hit when warm.
TEST(CacheIntegrity, EveryCatalogueProgramPassesValidation) {
  fs::path dir = Scratch() / "catalogue";
  fs::remove_all(dir);
  for (const std::string standards :
       {"-s hs -s iso9001 -s iatf16949 -s tyne_csr -s iso14001 -s iso17011 -s iso17021_1 -s iso17025 -s iso22301 "
        "-s iso27001 -s iso45001 -s mra_signatory",
        "-s iso27001@2013"}) {
    std::string cmd = fmt::format("check examples/young-company.yaml {} --as-of 2026-11-22 --engine interp --cache-dir '{}' "
                                  "--timings --format json",
                                  standards, dir.string());
    Result cold = Conform(cmd);
    Result warm = Conform(cmd);
    EXPECT_EQ(warm.err.find("W0911"), std::string::npos) << standards << "\n" << cold.err << warm.err;
    EXPECT_NE(warm.err.find("compiled-program cache hit"), std::string::npos) << standards << "\n" << warm.err;
    EXPECT_EQ(cold.out, warm.out) << standards;
  }
}

// The compiled-program key names each source file by its package folder and name, not its
// absolute path: the catalogue of the build tree and the same catalogue installed elsewhere share
// keys (the installed cache layer depends on it); any change of content still changes the key.
TEST(CacheIntegrity, SourceFingerprintDependsOnContentsNotOnWhereTheCatalogueLies) {
  fs::path root = Scratch() / "moved";
  fs::remove_all(root);
  auto write = [](const fs::path& p, const std::string& text) {
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
  };
  const std::string text = "standard demo \"Demo\" { }\n";
  write(root / "build" / "demo" / "a.clause", text);
  write(root / "usr" / "share" / "conform" / "standards" / "demo" / "a.clause", text);
  std::string here = conform::SourceFingerprint({"demo"}, {(root / "build" / "demo" / "a.clause").string()});
  std::string there = conform::SourceFingerprint({"demo"}, {(root / "usr" / "share" / "conform" / "standards" / "demo" / "a.clause").string()});
  ASSERT_FALSE(here.empty());
  EXPECT_EQ(here, there);
  write(root / "usr" / "share" / "conform" / "standards" / "demo" / "a.clause", text + "// changed\n");
  EXPECT_NE(here, conform::SourceFingerprint({"demo"}, {(root / "usr" / "share" / "conform" / "standards" / "demo" / "a.clause").string()}));
  // Another package folder or file name is another key.
  write(root / "build" / "other" / "a.clause", text);
  write(root / "build" / "demo" / "b.clause", text);
  EXPECT_NE(here, conform::SourceFingerprint({"demo"}, {(root / "build" / "other" / "a.clause").string()}));
  EXPECT_NE(here, conform::SourceFingerprint({"demo"}, {(root / "build" / "demo" / "b.clause").string()}));
}

}  // namespace

// The package manifest is part of the compiled-program key: its `language` decides what the
// sources may use. A rule set compiled as Clause 0.2 and cached must not be served once its
// plugin.toml declares 0.1 (whose compile reports E0210 for the 0.2 construct).
TEST(CacheIntegrity, AChangedManifestIsACacheMiss) {
  const fs::path plugins = Scratch() / "manifest-plugins", pkg = plugins / "langpkg", cache = Scratch() / "manifest-cache";
  fs::remove_all(plugins);
  fs::remove_all(cache);
  fs::create_directories(pkg);
  auto manifest = [&](const char* language) {
    std::ofstream(pkg / "plugin.toml", std::ios::trunc)
        << "id = \"langpkg\"\nversion = \"1.0.0\"\ntitle = \"Language level\"\nkind = \"standard\"\nlanguage = \""
        << language << "\"\n[edition]\nname = \"1\"\n[requires]\ncore = \">=1.0\"\n";
  };
  manifest("0.2");
  std::ofstream(pkg / "langpkg.clause") << R"CLAUSE(use core
standard langpkg "Language level" {
  def named(x: string) : bool = len(x) > 0
  clause 1 "One" {
    requirement has_name : minor {
      says "the organization is named"
      pass named(default(name, ""))
    }
  }
}
)CLAUSE";
  const std::string args = fmt::format("check '{}' -s langpkg --plugin-dir '{}' --as-of 2026-11-22 --cache-dir '{}'",
                                       Files().good.string(), plugins.string(), cache.string());
  Result first = Conform(args);
  EXPECT_EQ(first.status, 0) << first.err;
  ASSERT_FALSE(Entries(cache, ".bin").empty()) << "the compile was not cached";
  manifest("0.1");
  Result second = Conform(args);
  EXPECT_EQ(second.status, 2) << second.out << second.err;
  EXPECT_NE(second.err.find("E0210"), std::string::npos) << second.err;
}
