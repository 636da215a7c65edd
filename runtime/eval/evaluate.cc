// Runs a program over a document and rolls verdicts up the clause tree.
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cstring>

#include "conform/compiler/calendar.h"
#include "conform/compiler/interp.h"
#include "conform/runtime/report.h"

namespace conform::runtime {

const char* EngineName(Engine e) {
  switch (e) {
    case Engine::Interp: return "interp";
    case Engine::Jit: return "jit";
  }
  return "?";
}

void Counts::Add(Verdict v, ir::Grade g) {
  switch (v) {
    case Verdict::Conform: ++conform; break;
    case Verdict::NotEvidenced: ++not_evidenced; break;
    case Verdict::NotApplicable: ++not_applicable; break;
    case Verdict::Blocked: ++blocked; break;
    case Verdict::Nonconform:
      ++nonconform;
      if (g == ir::Grade::Major) ++major;
      else if (g == ir::Grade::Minor) ++minor;
      else ++observation;
      break;
  }
}

namespace {

// Severity order for roll-ups: a clause is as bad as its worst requirement. A blocked
// requirement is less telling than the prerequisite that blocks it (counted where it stands).
int Rank(Verdict v) {
  switch (v) {
    case Verdict::Nonconform: return 4;
    case Verdict::NotEvidenced: return 3;
    case Verdict::Blocked: return 2;
    case Verdict::Conform: return 1;
    case Verdict::NotApplicable: return 0;
  }
  return 0;
}

bool ParseScalar(const ir::Program& p, TypeId t, const std::string& text, LayeredStrings& strings, int64_t& out,
                 std::string& why) {
  const SchemaModel& m = *p.schema;
  const TypeInfo& ti = p.types[t];
  switch (ti.kind) {
    case TypeKind::Bool:
      if (text == "true") { out = 1; return true; }
      if (text == "false") { out = 0; return true; }
      why = "expected true or false";
      return false;
    case TypeKind::Int: {
      auto r = std::from_chars(text.data(), text.data() + text.size(), out);
      if (r.ec != std::errc() || r.ptr != text.data() + text.size()) {
        why = "expected an integer";
        return false;
      }
      return true;
    }
    case TypeKind::Decimal: {
      char* end = nullptr;
      double d = std::strtod(text.c_str(), &end);
      if (text.empty() || *end) {
        why = "expected a number";
        return false;
      }
      std::memcpy(&out, &d, 8);
      return true;
    }
    case TypeKind::String: out = strings.Intern(text); return true;
    case TypeKind::Date: {
      auto d = cal::ParseDate(text);
      if (!d) {
        why = "expected a date YYYY-MM-DD";
        return false;
      }
      out = *d;
      return true;
    }
    case TypeKind::Duration: {
      auto d = cal::ParseDuration(text);
      if (!d) {
        why = "expected a duration such as `12 months`, `30 days` or `4 hours`";
        return false;
      }
      out = cal::Pack(*d);
      return true;
    }
    case TypeKind::Enum: {
      int idx = m.enums[ti.ref].Find(text);
      if (idx < 0) {
        std::string members;
        for (const auto& x : m.enums[ti.ref].members) members += (members.empty() ? "" : ", ") + x;
        why = fmt::format("expected one of: {}", members);
        return false;
      }
      out = idx;
      return true;
    }
    default: why = "unsupported parameter type"; return false;
  }
}

}  // namespace

ParamValues ResolveParameters(const ir::Program& p, const std::vector<ParamOverride>& overrides, LayeredStrings& strings,
                              const SourceManager& sm, Diagnostics& diags) {
  ParamValues v = ParamValues::Defaults(p);
  for (const ParamOverride& o : overrides) {
    std::string name = o.name;
    bool qualified = name.find('.') != std::string::npos;
    // A qualified name is `ID.name`, where ID is the program or, for a standard with extensions
    // applied, any layer of it (`iso9001.audit_interval` on `iatf16949`).
    std::string owner;
    if (qualified) {
      owner = name.substr(0, name.rfind('.'));
      bool layer = std::any_of(p.layers.begin(), p.layers.end(), [&](const ir::Layer& l) { return l.id == owner; });
      if (owner != p.standard && !layer) continue;  // another standard's parameter
      name = name.substr(owner.size() + 1);
    }
    const std::string prefix = owner.empty() ? p.standard + "." : owner + ".";
    int idx = p.FindParam(name);
    if (idx >= 0 && !owner.empty() && owner != p.standard && p.params[idx].origin != owner) {
      auto& d = diags.Error("E0432", o.span,
                            fmt::format("parameter `{}` is declared by `{}`, not by `{}`", name, p.params[idx].origin, owner),
                            fmt::format("write `{}.{}`", p.params[idx].origin, name));
      d.data_path = o.data_path;
      continue;
    }
    if (idx < 0) {
      std::vector<std::string> cands;
      for (const auto& pi : p.params) cands.push_back(pi.name);
      std::string near = ClosestMatch(name, cands);
      std::string params;
      for (const auto& pi : p.params) params += (params.empty() ? "" : ", ") + pi.name;
      std::string help = near.empty() ? (params.empty() ? fmt::format("standard `{}` declares no parameters", p.standard)
                                                        : fmt::format("its parameters: {}", params))
                                      : fmt::format("did you mean `{}{}`?", qualified ? prefix : "", near);
      if (qualified) {
        auto& d = diags.Error("E0711", o.span, fmt::format("standard `{}` has no parameter `{}`", owner, name), help);
        d.data_path = o.data_path;
      } else {
        auto& d = diags.Warning("W0702", o.span, fmt::format("standard `{}` has no parameter `{}`", p.standard, name), help);
        d.data_path = o.data_path;
      }
      continue;
    }
    const ir::ParamInfo& pi = p.params[idx];
    const TypeInfo& ti = p.types[pi.type];
    std::string why;
    bool ok = true;
    if (ti.kind == TypeKind::Set) {
      std::vector<std::string> items = o.items;
      if (!o.is_sequence) {
        items.clear();
        size_t start = 0;
        while (start <= o.text.size()) {
          size_t comma = o.text.find(',', start);
          std::string item = o.text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
          item.erase(0, item.find_first_not_of(' '));
          item.erase(item.find_last_not_of(' ') + 1);
          if (!item.empty()) items.push_back(item);
          if (comma == std::string::npos) break;
          start = comma + 1;
        }
      }
      v.sets[idx].clear();
      for (const auto& item : items) {
        int64_t bits;
        if (!ParseScalar(p, ti.elem, item, strings, bits, why)) {
          ok = false;
          break;
        }
        v.sets[idx].push_back(bits);
      }
    } else if (o.is_sequence) {
      ok = false;
      why = fmt::format("expected a single `{}`, found a list", p.TypeName(pi.type));
    } else {
      ok = ParseScalar(p, pi.type, o.text, strings, v.values[idx], why);
    }
    if (!ok) {
      auto& d = diags.Error("E0712", o.span, fmt::format("invalid value `{}` for parameter `{}`: {}", o.text, o.name, why),
                            fmt::format("`{}` is of type `{}`", pi.name, p.TypeName(pi.type)));
      d.data_path = o.data_path;
    }
  }
  v.Finalize(p);
  return v;
}

StandardReport EvaluateResults(const ir::Program& p, Document& doc, int64_t as_of, const ParamValues& params,
                               Engine engine, bool explain, const jit::CompiledProgram* native) {
  StandardReport r;
  r.program = &p;
  EvalInput in;
  in.root = doc.root();
  in.strings = &doc.strings();
  in.as_of = as_of;
  in.params = &params;
  in.explain = explain;
  r.results = engine == Engine::Jit && native ? native->EvaluateAll(in) : interp::EvaluateAll(p, in);
  for (size_t i = 0; i < p.requirements.size() && i < r.results.size(); ++i)
    r.summary.Add(r.results[i].verdict, p.requirements[i].grade);
  return r;
}

StandardReport Evaluate(const ir::Program& p, Document& doc, int64_t as_of, const ParamValues& params, Engine engine,
                        bool explain, const jit::CompiledProgram* native) {
  StandardReport r = EvaluateResults(p, doc, as_of, params, engine, explain, native);
  r.clauses.resize(p.clauses.size());
  for (size_t i = 0; i < p.clauses.size(); ++i) {
    r.clauses[i].number = p.clauses[i].number;
    r.clauses[i].title = p.clauses[i].title;
    r.clauses[i].depth = p.clauses[i].depth;
  }
  std::vector<bool> has(p.clauses.size(), false);
  for (size_t i = 0; i < p.requirements.size(); ++i) {
    const auto& req = p.requirements[i];
    Verdict v = r.results[i].verdict;
    if (!p.layers.empty()) {
      std::string origin = req.Provenance();
      auto it = std::find_if(r.by_origin.begin(), r.by_origin.end(), [&](const auto& e) { return e.first == origin; });
      if (it == r.by_origin.end()) it = r.by_origin.insert(r.by_origin.end(), {origin, Counts{}});
      it->second.Add(v, req.grade);
    }
    for (int32_t c = req.clause_index; c >= 0; c = p.clauses[c].parent) {
      ClauseRollup& cr = r.clauses[c];
      cr.counts.Add(v, req.grade);
      if (!has[c] || Rank(v) > Rank(cr.verdict)) cr.verdict = v;
      has[c] = true;
    }
  }
  // Origins in layer order: the base, then each extension, each followed by what it amended.
  auto rank = [&](const std::string& o) {
    for (size_t i = 0; i < p.layers.size(); ++i) {
      if (o == p.layers[i].id) return 2 * i;
      if (o.rfind("amended by " + p.layers[i].id, 0) == 0) return 2 * i + 1;
    }
    return 2 * p.layers.size();
  };
  std::stable_sort(r.by_origin.begin(), r.by_origin.end(), [&](const auto& a, const auto& b) { return rank(a.first) < rank(b.first); });
  return r;
}

}  // namespace conform::runtime
