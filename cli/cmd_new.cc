// `conform new standard|extension ID [--dir DIR]`: scaffolds a plugin package that passes
// `conform test` as generated — manifest, rules, a schema addition, a conforming and a gap
// fixture, and their tests — for an author to grow from.
#include <fmt/format.h>

#include <cctype>
#include <filesystem>
#include <fstream>

#include "commands.h"
#include "common.h"
#include "conform/compiler/calendar.h"

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

  void Standard() {
    files.push_back({"plugin.toml", fmt::format(R"(id       = "{0}"
version  = "0.1.0"
title    = "{1}"
kind     = "standard"
language = "0.1"

[edition]
name      = "1"
published = {2}

[requires]
core = ">=1.2, <2"
)", id, title, today)});
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
      requirement policy_reviewed : minor {{
        says "Top management reviews the policy at planned intervals."
        applies when exists d in documents : d.doc_type == policy
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
    files.push_back({"examples/gaps.yaml", fmt::format(R"(# An organization with gaps: the policy is a draft and its last review is two years old.
name: Example Ltd
employees: 12
{0}_policy_reviewed_at: 2024-09-01
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
    files.push_back({"tests/gaps.test.yaml", fmt::format(R"(name: an organization with gaps
evidence: ../examples/gaps.yaml
as_of: 2026-11-22
standard: {0}
expect:
  requirements:
    policy_documented: {{ verdict: nonconform, message: "no approved policy document" }}
    policy_reviewed: nonconform
)", id)});
  }
};

}  // namespace

void AddNew(CLI::App& app, std::function<int()>& run) {
  struct Opts {
    std::string kind, id, dir = ".", title;
  };
  auto o = std::make_shared<Opts>();
  auto* cmd = app.add_subcommand("new", "Scaffold a plugin package that passes `conform test` as generated");
  cmd->add_option("kind", o->kind, "standard or extension")->required()->check(CLI::IsMember({"standard", "extension"}));
  cmd->add_option("id", o->id, "the package id (a Clause identifier: lowercase letters, digits, _)")->required();
  cmd->add_option("--dir", o->dir, "folder to create the package in (default: the current folder)");
  cmd->add_option("--title", o->title, "the standard's title (default: the id)");
  cmd->callback([o, &run] {
    run = [o] {
      if (!IsIdent(o->id))
        return UsageError(fmt::format("`{}` is not a package id", o->id), "use lowercase letters, digits and `_`, e.g. iso50001");
      if (o->kind == "extension")
        return UsageError("`conform new extension` is not available yet",
                          "the `extension … extends` declaration is not in this build's language; scaffold a standard");
      fs::path root = fs::path(o->dir) / o->id;
      std::error_code ec;
      if (fs::exists(root, ec))
        return UsageError(fmt::format("{} already exists", root.string()), "choose another id or --dir");
      // Published today; the fixtures are dated and their tests pin `as_of`, so they stay green.
      Scaffold s{o->id, o->title.empty() ? o->id : o->title, cal::FormatDate(*ParseAsOf("today")), {}};
      s.Standard();
      for (const auto& [rel, text] : s.files) {
        fs::path p = root / rel;
        fs::create_directories(p.parent_path(), ec);
        std::ofstream out(p, std::ios::binary);
        out << text;
        if (!out) return UsageError(fmt::format("cannot write {}", p.string()));
      }
      fmt::print("created {} ({} files)\n", root.string(), s.files.size());
      fmt::print("next:\n  conform compile {0}\n  conform test {0} --plugin-dir {1}\n", root.string(),
                 fs::path(o->dir).string());
      return 0;
    };
  });
}

}  // namespace conform::cli
