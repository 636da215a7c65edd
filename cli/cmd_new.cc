// `conform new standard ID` / `conform new extension ID --extends BASE`: scaffolds a plugin
// package that passes `conform test` as generated — manifest, rules, a schema addition, a
// conforming and a gap fixture, and their tests — for an author to grow from. An extension's
// skeleton is written against its real base: an existing base clause, the base's root fields in
// the fixtures, and (commented) an amendment and a parameter setting naming real base items.
#include <fmt/format.h>

#include <cctype>
#include <filesystem>
#include <fstream>

#include "commands.h"
#include "common.h"
#include "conform/compiler/calendar.h"
#include "conform/compiler/ir.h"
#include "conform/runtime/catalogue.h"
#include "packages.h"

namespace fs = std::filesystem;

namespace conform::cli {

namespace {

bool IsIdent(const std::string& id) {
  if (id.empty() || !(std::islower(static_cast<unsigned char>(id[0])) || id[0] == '_')) return false;
  for (char c : id)
    if (!(std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) || c == '_')) return false;
  return true;
}

struct Scaffold {
  std::string id, title, today;
  std::vector<std::pair<std::string, std::string>> files;  // relative path, text

  // plugin.toml of a new package of `kind` that requires `dependency` in `range`.
  void Manifest(std::string_view kind, std::string_view dependency, std::string_view range) {
    files.push_back({"plugin.toml", fmt::format(R"(id       = "{0}"
version  = "0.1.0"
title    = "{1}"
kind     = "{3}"
language = "{6}"

[edition]
name      = "1"
published = {2}

[requires]
{4} = "{5}"
)", id, title, today, kind, dependency, range, runtime::kLanguageVersion)});
  }

  void Standard() {
    Manifest("standard", "core", ">=1.2, <2");
    files.push_back({"schema.clause", fmt::format(R"(// Evidence only the rules of {0} read: optional fields added to the core schema's entities
// (docs/evidence.md). Optional, so evidence written for other standards still loads.
schema {0} {{
  extend organization {{
    {0}_policy_reviewed_at: date?   "when top management last reviewed the policy; absent if never"
  }}
}}
)", id)});
    files.push_back({fmt::format("{}.clause", id), fmt::format(R"(// {1}
//
// Clause numbers and short titles identify the standard's clauses; every `says` text is your
// own paraphrase, never the text of the standard (docs/language.md).
use core

standard {0} "{1}" {{
  edition   "1"
  published {2}

  param policy_review_interval : duration = 12 months
    "longest accepted time between two reviews of the policy"

  clause 5 "Leadership" {{
    clause 5.2 "Policy" {{
      requirement policy_documented : major {{
        says "A policy is documented and approved."
        pass exists d in documents : d.doc_type == policy and d.status == approved
        else "no approved policy document"
      }}
      // A review of a policy that does not exist cannot be assessed: `depends on` reports it
      // *blocked* by policy_documented, not *not applicable* (which means out of scope).
      requirement policy_reviewed : minor {{
        says "Top management reviews the policy at planned intervals."
        depends on policy_documented
        pass {0}_policy_reviewed_at is present and {0}_policy_reviewed_at >= as_of - policy_review_interval
        else "the policy was not reviewed within {{policy_review_interval}} before {{as_of}}"
      }}
    }}
  }}
}}
)", id, title, today)});
    files.push_back({"examples/complete.yaml", fmt::format(R"(# A conforming organization: an approved policy, reviewed this year.
name: Example Ltd
employees: 12
{0}_policy_reviewed_at: 2026-03-01
documents:
  - {{ id: D1, code: POL-01, title: Policy, doc_type: policy, version: "1", status: approved, approved_at: 2026-01-15 }}
)", id)});
    files.push_back({"examples/gaps.yaml", fmt::format(R"(# An organization with a gap: the policy is approved but its last review is two years old.
name: Example Ltd
employees: 12
{0}_policy_reviewed_at: 2024-09-01
documents:
  - {{ id: D1, code: POL-01, title: Policy, doc_type: policy, version: "1", status: approved, approved_at: 2024-06-03 }}
)", id)});
    files.push_back({"examples/no-policy.yaml", fmt::format(R"(# An organization without an approved policy: only a draft.
name: Example Ltd
employees: 12
documents:
  - {{ id: D1, code: POL-01, title: Policy, doc_type: policy, version: "0.3", status: draft }}
)", id)});
    files.push_back({"tests/complete.test.yaml", fmt::format(R"(name: a complete organization conforms everywhere
evidence: ../examples/complete.yaml
as_of: 2026-11-22
standard: {0}
expect:
  default: conform
)", id)});
    files.push_back({"tests/gaps.test.yaml", fmt::format(R"(name: an approved policy that is not reviewed
evidence: ../examples/gaps.yaml
as_of: 2026-11-22
standard: {0}
expect:
  requirements:
    policy_documented: conform
    policy_reviewed: {{ verdict: nonconform, message: "the policy was not reviewed within 12 months before 2026-11-22" }}
)", id)});
    files.push_back({"tests/no-policy.test.yaml", fmt::format(R"(name: without an approved policy, its review cannot be assessed
evidence: ../examples/no-policy.yaml
as_of: 2026-11-22
standard: {0}
expect:
  requirements:
    policy_documented: {{ verdict: nonconform, message: "no approved policy document" }}
    policy_reviewed: blocked   # by policy_documented
)", id)});
  }

  // What the extension skeleton needs to know of its base (from the compiled base program).
  struct Base {
    std::string id, edition_year, version_range;
    std::string clause, clause_title;        // an existing base clause to add a requirement to
    std::string amend_owner, amend_id, amend_grade, amend_to;  // a real base requirement
    std::string param_owner, param_name, param_value;          // a real base parameter
    std::string root_fields;                 // YAML lines for the root's required fields
  };

  void Extension(const Base& b) {
    Manifest("extension", b.id, b.version_range);
    std::string constraint = b.edition_year.empty() ? "" : fmt::format(" >= \"{}\"", b.edition_year);
    std::string amend =
        b.amend_id.empty()
            ? ""
            : fmt::format(R"(
  // Make a requirement of {0} stricter: `base` is its criterion, so `pass base and …`
  // strengthens it (docs/extensions.md). Amended requirements count for `--require-coverage`.
  // amend {0}.{1} {{
  //   grade {2}
  // }}
)", b.amend_owner, b.amend_id, b.amend_to);
    std::string param = b.param_name.empty()
                            ? ""
                            : fmt::format(R"(
  // Set the default of a parameter of {0}: {2} today, so write the value your layer needs
  // (keeping the default is lint L0012).
  // param {0}.{1} = {2}
)", b.param_owner, b.param_name, b.param_value);
    files.push_back({fmt::format("{}.clause", id), fmt::format(R"(// {1}: an extension of {2}.
//
// Clause numbers and short titles identify the clauses; every `says` text is your own
// paraphrase, never the text of a standard (docs/language.md, docs/extensions.md).

extension {0} "{1}" extends {2}{3} {{
  edition   "1"
  published {4}

  // Evidence only this layer reads: optional, so evidence written for {2} still loads.
  schema {{
    extend organization {{
      {0}_confirmed_at: date?   "when the organization last confirmed it meets {0}; absent if never"
    }}
  }}

  param confirmation_interval : duration = 12 months
    "longest accepted time between two confirmations"

  // A new requirement in clause {5} of {2} ({6}): open the clause without a
  // title to add to it, or give a new clause number and title to place a clause under it.
  clause {5} {{
    requirement {0}_confirmed : minor {{
      says "The organization confirms at planned intervals that it meets the additional requirements."
      pass {0}_confirmed_at is present and {0}_confirmed_at >= as_of - confirmation_interval
      else "the last confirmation ({{{0}_confirmed_at}}) is older than {{confirmation_interval}} before {{as_of}}"
    }}
  }}
{7}{8}}}
)", id, title, b.id, constraint, today, b.clause, b.clause_title, amend, param)});
    files.push_back({"examples/complete.yaml", fmt::format(R"(# Conforms to {0}'s own requirement: confirmed this year.
{1}{0}_confirmed_at: 2026-03-01
)", id, b.root_fields)});
    files.push_back({"examples/gaps.yaml", fmt::format(R"(# A gap in {0}'s own requirement: the last confirmation is two years old.
{1}{0}_confirmed_at: 2024-09-01
)", id, b.root_fields)});
    // The base's requirements are tested by the base's own package: these name the layer's.
    files.push_back({"tests/complete.test.yaml", fmt::format(R"(name: {0}'s requirements are met
evidence: ../examples/complete.yaml
as_of: 2026-11-22
standard: {0}
expect:
  requirements:
    {0}_confirmed: conform
)", id)});
    files.push_back({"tests/gaps.test.yaml", fmt::format(R"(name: {0}'s requirements are not met
evidence: ../examples/gaps.yaml
as_of: 2026-11-22
standard: {0}
expect:
  requirements:
    {0}_confirmed: {{ verdict: nonconform, message: "the last confirmation (2024-09-01) is older than 12 months before 2026-11-22" }}
)", id)});
  }
};


// A YAML value of type `t` for a required field of the fixtures.
std::string Placeholder(const SchemaModel& m, TypeId t, const std::string& field, const std::string& today, int depth) {
  const TypeInfo& ti = m.types[t];
  switch (ti.kind) {
    case TypeKind::Bool: return "false";
    case TypeKind::Int: return field == "employees" ? "12" : "1";
    case TypeKind::Decimal: return "1.0";
    case TypeKind::String: return field == "name" ? "Example Ltd" : fmt::format("\"{}-1\"", field);
    case TypeKind::Date: return today;
    case TypeKind::Duration: return "\"12 months\"";
    case TypeKind::Enum: return m.enums[static_cast<size_t>(ti.ref)].members.front();
    case TypeKind::List:
    case TypeKind::Set: return "[]";
    case TypeKind::Entity: {
      std::string out;
      if (depth < 4)
        for (const auto& f : m.entities[static_cast<size_t>(ti.ref)].fields)
          if (!f.optional)
            out += fmt::format("{}{}: {}", out.empty() ? "" : ", ", f.name, Placeholder(m, f.type, f.name, today, depth + 1));
      return "{ " + out + " }";
    }
    case TypeKind::Error: break;
  }
  return "null";
}

// Looks `spec` up in the catalogue and compiles it: what the extension skeleton builds on.
// False with the diagnostics printed.
bool ReadBase(const std::string& spec, const std::vector<std::string>& plugin_dirs, const std::string& today,
              Scaffold::Base& b) {
  Diagnostics d;
  runtime::Catalogue cat = runtime::Catalogue::Discover(SearchPath(plugin_dirs), d);
  const runtime::PluginManifest* m = cat.Find(spec, d);
  if (!m) {
    PrintDiagnostics(ErrorsOnly(d), SourceManager());
    return false;
  }
  if (m->kind != "standard" && m->kind != "extension") {
    UsageError(fmt::format("`{}` is a {} package; an extension extends a standard or another extension", m->id, m->kind));
    return false;
  }
  auto s = OpenPackages({m->dir}, plugin_dirs);
  auto program = s->CompileSelection({m->id});
  if (!program || s->diags().HasErrors()) {
    PrintDiagnostics(ErrorsOnly(s->diags()), s->sources());
    if (!s->diags().HasErrors()) UsageError(fmt::format("`{}` declares no standard or extension `{}`", m->dir, m->id));
    return false;
  }
  b.id = m->id;
  for (char c : m->edition) {
    if (!std::isdigit(static_cast<unsigned char>(c))) break;
    b.edition_year += c;
  }
  b.version_range = fmt::format(">={}.{}, <{}", m->version.major, m->version.minor, m->version.major + 1);
  // The first clause holding requirements: a place the base surely has.
  for (const auto& r : program->requirements) {
    const ir::ClauseInfo& c = program->clauses[static_cast<size_t>(r.clause_index)];
    b.clause = c.number;
    b.clause_title = c.title;
    break;
  }
  // A requirement the example amendment can make stricter (minor → major, observation → minor).
  for (const auto& r : program->requirements)
    if (r.grade == ir::Grade::Minor || r.grade == ir::Grade::Observation) {
      b.amend_owner = r.origin;
      b.amend_id = r.id;
      b.amend_to = r.grade == ir::Grade::Minor ? "major" : "minor";
      break;
    }
  for (const auto& p : program->params) {
    // The default as written in the base's source.
    for (const auto& f : s->files())
      for (const auto& st : f->standards)
        for (const auto& pd : st.params)
          if (st.name == p.origin && pd.name == p.name && pd.value) b.param_value = std::string(s->sources().Text(pd.value->span));
    for (const auto& f : s->files())
      for (const auto& x : f->extensions)
        for (const auto& pd : x.params)
          if (x.name == p.origin && pd.name == p.name && pd.value) b.param_value = std::string(s->sources().Text(pd.value->span));
    if (b.param_value.empty()) continue;
    b.param_owner = p.origin;
    b.param_name = p.name;
    break;
  }
  auto schema = s->Schema();
  if (schema->root >= 0)
    for (const auto& f : schema->entities[static_cast<size_t>(schema->root)].fields)
      if (!f.optional) b.root_fields += fmt::format("{}: {}\n", f.name, Placeholder(*schema, f.type, f.name, today, 0));
  return !b.clause.empty() || (UsageError(fmt::format("`{}` has no requirements to build on", m->id)), false);
}

}  // namespace

void AddNew(CLI::App& app, std::function<int()>& run) {
  struct Opts {
    std::string kind, id, dir = ".", title, extends;
    std::vector<std::string> plugin_dirs;
  };
  auto o = std::make_shared<Opts>();
  auto* cmd = app.add_subcommand("new", "Scaffold a plugin package that passes `conform test` as generated");
  cmd->add_option("kind", o->kind, "standard or extension")->required()->check(CLI::IsMember({"standard", "extension"}));
  cmd->add_option("id", o->id, "the package id (a Clause identifier: lowercase letters, digits, _)")->required();
  cmd->add_option("--dir", o->dir, "folder to create the package in (default: the current folder)");
  cmd->add_option("--title", o->title, "the standard's title (default: the id)");
  cmd->add_option("--extends", o->extends, "for an extension: the standard or extension it builds on (e.g. iso9001)");
  cmd->add_option("--plugin-dir", o->plugin_dirs, "extra catalogue folder where the base is found (repeatable)")
      ->allow_extra_args(false);
  cmd->callback([o, &run] {
    run = [o] {
      if (!IsIdent(o->id))
        return UsageError(fmt::format("`{}` is not a package id", o->id), "use lowercase letters, digits and `_`, e.g. iso50001");
      if (o->kind == "extension" && o->extends.empty())
        return UsageError("`conform new extension` needs the base it builds on", "add `--extends iso9001` (a standard or extension)");
      if (o->kind == "standard" && !o->extends.empty())
        return UsageError("a standard extends nothing", "use `conform new extension ID --extends BASE`");
      fs::path root = fs::path(o->dir) / o->id;
      std::error_code ec;
      if (fs::exists(root, ec))
        return UsageError(fmt::format("{} already exists", root.string()), "choose another id or --dir");
      // Published today; the fixtures are dated and their tests pin `as_of`, so they stay green.
      Scaffold s{o->id, o->title.empty() ? o->id : o->title, cal::FormatDate(*ParseAsOf("today")), {}};
      if (o->kind == "extension") {
        Scaffold::Base base;
        if (!ReadBase(o->extends, o->plugin_dirs, s.today, base)) return 2;
        s.Extension(base);
      } else {
        s.Standard();
      }
      for (const auto& [rel, text] : s.files) {
        fs::path p = root / rel;
        fs::create_directories(p.parent_path(), ec);
        std::ofstream out(p, std::ios::binary);
        out << text;
        if (!out) return UsageError(fmt::format("cannot write {}", p.string()));
      }
      fmt::print("created {} ({} files)\n", root.string(), s.files.size());
      std::string dirs = " --plugin-dir " + fs::path(o->dir).string();
      for (const auto& d : o->plugin_dirs) dirs += " --plugin-dir " + d;
      fmt::print("next:\n  conform compile {0}{1}\n  conform test {0}{1}\n", root.string(), dirs);
      return 0;
    };
  });
}

}  // namespace conform::cli
