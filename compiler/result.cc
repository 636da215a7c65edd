// The one result builder of both engines (result.h).
#include "conform/compiler/result.h"

#include <fmt/format.h>

#include "conform/compiler/rt_helpers.h"

namespace conform {

Verdict VerdictOf(VerdictCode code) {
  switch (code) {
    case VerdictCode::Conform: return Verdict::Conform;
    case VerdictCode::Nonconform: return Verdict::Nonconform;
    case VerdictCode::NotEvidenced:
    case VerdictCode::AppliesUnknown: return Verdict::NotEvidenced;
    case VerdictCode::NotApplicable:
    case VerdictCode::Excluded: return Verdict::NotApplicable;
  }
  return Verdict::NotEvidenced;
}

RequirementResult MakeResult(const ir::Program& p, const ir::Requirement& r, VerdictCode code, std::string_view exclusion,
                             const HoleText& hole) {
  RequirementResult out;
  out.verdict = VerdictOf(code);
  switch (code) {
    case VerdictCode::Conform: break;
    case VerdictCode::Nonconform:
      if (r.message.empty()) out.message = "requirement not met";
      for (size_t k = 0; k < r.message.size(); ++k) {
        const ir::MessagePiece& piece = r.message[k];
        if (piece.expr < 0) out.message += piece.text;
        else if (hole) out.message += hole(k);
      }
      break;
    case VerdictCode::NotEvidenced: out.message = "the evidence needed to decide this requirement is missing"; break;
    case VerdictCode::NotApplicable: out.message = std::string(kDoesNotApply) + p.node_text[r.applies]; break;
    case VerdictCode::AppliesUnknown:
      out.message = "the evidence needed to decide whether this requirement applies is missing";
      break;
    case VerdictCode::Excluded: out.message = ExclusionMessage(exclusion); break;
  }
  return out;
}

}  // namespace conform
