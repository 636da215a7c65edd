// The small rule set of the `batch` and `cache` fuzz targets: its own schema and one standard
// that uses most of the language (exclusions, `depends on`, `applies when`, `{each …}` holes,
// `matches`, dates, durations, sets, decimals, parameters), and organizations that reach every
// verdict code.
#pragma once
#include <cstdint>

namespace conform::fuzz {

inline constexpr const char* kRules = R"CLAUSE(schema fz {
  enum level { low, high }
  entity issue { id: string  reviewed_at: date?  level: level  cost: decimal? }
  entity excl { clause_number: string  justification: string }
  root org {
    name: string  employees: int  since: date?  step: duration?  tags: set<string>?
    issues: list<issue>?  excluded: list<excl>?  ratio: decimal?  certified: bool?
  }
}
standard fz "Fuzz" {
  param minimum : int = 2 "fewest employees"
  param window : duration = 12 months "review interval"
  param wanted : set<string> = {"a", "b"} "tags wanted"
  exclusions distinct(x.clause_number for x in excluded where x.justification != "")
  clause 1 "Basics" {
    requirement named : major { says "named" pass len(name) > 0 and not matches(name, "(a|aa)*b") else "bad name {name}" }
    requirement staffed : minor { says "staffed" depends on named pass employees >= minimum else "{employees} < {minimum}" }
    requirement tagged : minor { says "tags" applies when tags is present pass wanted <= tags else "missing {wanted - tags}" }
  }
  clause 2 "Issues" {
    requirement reviewed : major {
      says "issues reviewed"
      applies when count(issues) > 0
      pass all i in issues : i.reviewed_at is present and i.reviewed_at >= as_of - window
      else "issues {each i.id} not reviewed"
    }
    clause 2.1 "Costs" {
      requirement cheap : minor {
        says "costs"
        pass sum(default(i.cost, 0.0) for i in issues where i.level == high) < ratio * 100.0
        else "too costly"
      }
      requirement recent : minor { says "recent" depends on reviewed pass since + default(step, 1 month) <= as_of }
    }
  }
}
)CLAUSE";

inline constexpr int64_t kAsOf = 20262;  // 2025-06-23

// JSON organizations (one per line of the batch seeds).
inline constexpr const char* kOrganizations[] = {
    R"({"name":"Acme","employees":5,"since":"2020-01-01","step":"6 months","tags":["a","b","c"],"issues":[{"id":"I1","level":"high","reviewed_at":"2025-01-01","cost":3.5},{"id":"I2","level":"low"}],"excluded":[{"clause_number":"2.1","justification":"no costs"}],"ratio":0.5,"certified":true})",
    R"({"name":"aab","employees":1})",
    R"({"name":"","employees":3,"tags":["x"],"parameters":{"fz.minimum":0,"wanted":["x"]}})",
    R"({"name":"Many","employees":9,"issues":[{"id":"I0","level":"high"},{"id":"I1","level":"high"},{"id":"I2","level":"low"}],"ratio":0.01})",
};

}  // namespace conform::fuzz
