// The requirement table shared by the CSV and XLSX formats: one row per requirement.
#pragma once
#include <string>
#include <vector>

#include "conform/runtime/results.h"

namespace conform::runtime::detail {

// standard, clause, clause title, requirement, statement, verdict, grade, message, evidence,
// action, owner, due, accepted deviation.
const std::vector<std::string>& TableColumns();
std::vector<std::string> TableRow(const RequirementRow& r);
// Evidence of a requirement in one line: "$.documents[3] (WI-LOG-003), line 212; …".
std::string EvidenceCell(const RequirementRow& r);

}  // namespace conform::runtime::detail
