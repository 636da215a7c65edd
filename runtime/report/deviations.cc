// Accepted deviations (`conform check --deviations FILE.yaml`): a gap the organization accepted,
// with a justification, an approver and an end date. Reported as accepted — never hidden, never
// counted as conform; it no longer fails the run. Expired acceptances are ignored with W1101.
#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <fstream>
#include <sstream>

#include "conform/compiler/calendar.h"
#include "conform/runtime/results.h"

namespace conform::runtime {
namespace {

Span At(const SourceFile* f, uint32_t file, const YAML::Mark& m) {
  if (!f || m.line < 0) return {};
  uint32_t off = f->OffsetOf(static_cast<uint32_t>(m.line + 1), static_cast<uint32_t>(m.column + 1));
  return {file, off, off + 1};
}

}  // namespace

std::vector<Deviation> LoadDeviations(const std::string& path, const Assessment& a, SourceManager& sm, Diagnostics& diags) {
  std::vector<Deviation> out;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    auto& d = diags.Error("E1101", {}, fmt::format("cannot read deviations file `{}`", path),
                          "check the path: --deviations names a YAML file of accepted deviations");
    d.path = path;
    return out;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  uint32_t file = sm.Add(path, text);
  const SourceFile* src = sm.Get(file);
  auto error = [&](const YAML::Mark& m, std::string msg, std::string help) -> Diagnostic& {
    auto& d = diags.Error("E1102", At(src, file, m), std::move(msg), std::move(help));
    d.path = path;
    return d;
  };
  const char* kShape =
      "write `deviations:` then one `- requirement: ID` entry per deviation with `justification`, `approver` and "
      "`accepted_until: YYYY-MM-DD` (docs/output.md)";
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    error(e.mark, "the deviations file is not valid YAML: " + e.msg, kShape);
    return out;
  }
  YAML::Node list = root.IsMap() ? root["deviations"] : root;
  if (!list || !list.IsSequence()) {
    error(root.Mark(), "the deviations file has no `deviations:` list", kShape);
    return out;
  }
  // Every requirement of the standards checked, for the id check and did-you-mean.
  std::vector<std::string> ids;
  for (const auto& s : a.standards)
    for (const auto& r : s.requirements) ids.push_back(r.id);
  for (size_t i = 0; i < list.size(); ++i) {
    YAML::Node e = list[i];
    std::string where = fmt::format("deviations[{}]", i);
    if (!e.IsMap()) {
      error(e.Mark(), where + " is not a mapping", kShape);
      continue;
    }
    Deviation d;
    d.line = static_cast<uint32_t>(e.Mark().line + 1);
    bool ok = true;
    for (const char* key : {"requirement", "justification", "approver", "accepted_until"}) {
      YAML::Node v = e[key];
      if (!v || !v.IsScalar() || v.Scalar().empty()) {
        error(e.Mark(), fmt::format("{} has no `{}`", where, key), kShape).data_path = where + "." + key;
        ok = false;
      }
    }
    if (!ok) continue;
    d.requirement = e["requirement"].Scalar();
    d.justification = e["justification"].Scalar();
    d.approver = e["approver"].Scalar();
    if (e["standard"] && e["standard"].IsScalar()) d.standard = e["standard"].Scalar();
    // `standard/requirement` is accepted too (the SARIF rule id).
    if (size_t slash = d.requirement.find('/'); slash != std::string::npos && d.standard.empty()) {
      d.standard = d.requirement.substr(0, slash);
      d.requirement = d.requirement.substr(slash + 1);
    }
    auto until = cal::ParseDate(e["accepted_until"].Scalar());
    if (!until) {
      error(e["accepted_until"].Mark(), fmt::format("{}.accepted_until `{}` is not a date", where, e["accepted_until"].Scalar()),
            "write the date as YYYY-MM-DD")
          .data_path = where + ".accepted_until";
      continue;
    }
    d.accepted_until = *until;
    // The requirement must exist in the standards checked (and be unambiguous).
    std::vector<const StandardResults*> in;
    for (const auto& s : a.standards)
      if (d.standard.empty() || s.id == d.standard)
        for (const auto& r : s.requirements)
          if (r.id == d.requirement) in.push_back(&s);
    if (in.empty()) {
      std::string guess = ClosestMatch(d.requirement, ids);
      auto& x = diags.Error("E1103", At(src, file, e["requirement"].Mark()),
                            fmt::format("{} names requirement `{}`, which {}", where, d.requirement,
                                        d.standard.empty() ? "is not a requirement of any standard checked"
                                                           : "`" + d.standard + "` does not have"),
                            guess.empty() ? "`conform catalogue show STANDARD` lists the requirement ids"
                                          : fmt::format("did you mean `{}`?", guess));
      x.path = path;
      x.data_path = where + ".requirement";
      continue;
    }
    if (in.size() > 1) {
      auto& x = diags.Error("E1105", At(src, file, e["requirement"].Mark()),
                            fmt::format("{}: requirement `{}` exists in several standards checked ({} and {})", where,
                                        d.requirement, in[0]->id, in[1]->id),
                            "add `standard: ID` to the entry, or write `STANDARD/REQUIREMENT`");
      x.path = path;
      continue;
    }
    d.standard = in[0]->id;
    if (d.accepted_until < a.info.as_of) {
      auto& x = diags.Warning("W1101", At(src, file, e["accepted_until"].Mark()),
                              fmt::format("the deviation for `{}` expired on {}; it is ignored", d.requirement,
                                          cal::FormatDate(d.accepted_until)),
                              "renew the acceptance (a new accepted_until, approved again) or close the gap");
      x.path = path;
      continue;
    }
    out.push_back(std::move(d));
  }
  return out;
}

void ApplyDeviations(Assessment& a, const std::vector<Deviation>& deviations, Diagnostics* diags) {
  for (const Deviation& d : deviations)
    for (auto& s : a.standards) {
      if (s.id != d.standard) continue;
      for (auto& r : s.requirements) {
        if (r.id != d.requirement) continue;
        if (!r.IsGap()) {
          if (diags)
            diags->Warning("W1102", {},
                           fmt::format("the deviation for `{}` (line {}) has nothing to accept: the requirement is {}", d.requirement,
                                       d.line, VerdictLabel(r.verdict)),
                           "remove the entry from the deviations file");
          continue;
        }
        if (!r.deviation) ++s.accepted;
        r.deviation = d;
      }
    }
}

}  // namespace conform::runtime
