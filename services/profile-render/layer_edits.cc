#include "services/profile-render/layer_edits.h"

#include <algorithm>
#include <set>

#include "absl/strings/str_cat.h"
#include "lib/kit/status/error_detail.h"
#include "lib/kit/status/status_macros.h"
#include "lib/kit/validation/fields.h"
#include "services/profile-render/layer_proto.h"

namespace onramp::profile {

using status::InvalidField;
using validation::Presence;

absl::StatusOr<std::vector<LayerParameter>> ParametersOf(
    const google::protobuf::RepeatedPtrField<v1::Parameter>& parameters) {
  if (parameters.size() > kMaxParameters) {
    return InvalidField("parameters", absl::StrCat("a layer holds at most ", kMaxParameters, " parameters"));
  }
  std::vector<LayerParameter> checked;
  std::set<std::string> names;
  for (int i = 0; i < parameters.size(); ++i) {
    const v1::Parameter& p = parameters[i];
    LayerParameter parameter{p.name(), p.value(), FromProto(p.ua()), p.secret()};
    std::string field = absl::StrCat("parameters[", i, "]");
    RETURN_IF_ERROR(ValidateParameter(field, parameter));
    if (!names.insert(p.name()).second) return InvalidField(field + ".name", absl::StrCat(p.name(), " appears twice"));
    checked.push_back(std::move(parameter));
  }
  return checked;
}

absl::Status KeepMaskedSecrets(std::vector<LayerParameter>& written, const std::vector<LayerParameter>& current) {
  for (size_t i = 0; i < written.size(); ++i) {
    LayerParameter& parameter = written[i];
    if (parameter.value != kMasked || !IsSecret(parameter)) continue;
    auto kept = std::find_if(current.begin(), current.end(),
                             [&](const LayerParameter& old) { return old.name == parameter.name; });
    if (kept == current.end()) {
      return InvalidField(absl::StrCat("parameters[", i, "].value"),
                          absl::StrCat(kMasked, " keeps a secret's value, and ", parameter.name, " has none yet"));
    }
    parameter.value = kept->value;
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<LayerParameter>> MergeParameters(std::vector<LayerParameter> current,
                                                            std::vector<LayerParameter> set,
                                                            const std::vector<std::string>& remove) {
  RETURN_IF_ERROR(KeepMaskedSecrets(set, current));
  std::set<std::string> removed(remove.begin(), remove.end());
  for (const LayerParameter& parameter : set) {
    if (removed.contains(parameter.name)) {
      return InvalidField("remove", absl::StrCat(parameter.name, " is both set and removed"));
    }
  }
  std::erase_if(current, [&](const LayerParameter& p) { return removed.contains(p.name); });
  for (LayerParameter& parameter : set) {
    auto same = std::find_if(current.begin(), current.end(),
                             [&](const LayerParameter& old) { return old.name == parameter.name; });
    if (same != current.end()) {
      *same = std::move(parameter);
    } else {
      current.push_back(std::move(parameter));
    }
  }
  if (current.size() > static_cast<size_t>(kMaxParameters)) {
    return InvalidField("parameters", absl::StrCat("a layer holds at most ", kMaxParameters, " parameters"));
  }
  return current;
}

absl::StatusOr<CheckedAssignments> CheckAssignments(
    const google::protobuf::RepeatedPtrField<v1::SiteAssignment>& assignments) {
  if (assignments.size() > kMaxAssignments) {
    return InvalidField("assignments", absl::StrCat("at most ", kMaxAssignments, " rows at once"));
  }
  CheckedAssignments checked;
  std::set<std::string> seen;
  for (int i = 0; i < assignments.size(); ++i) {
    const v1::SiteAssignment& assignment = assignments[i];
    std::string at = absl::StrCat("assignments[", i, "]");
    absl::Status problem;
    absl::StatusOr<std::string> mac = validation::Mac(at + ".mac", assignment.mac().value());
    if (!mac.ok()) {
      problem = mac.status();
    } else if (absl::Status site = validation::Name(at + ".site", assignment.site(), 64, Presence::kOptional);
               !site.ok()) {
      problem = site;
    } else if (!seen.insert(*mac).second) {
      problem = InvalidField(at + ".mac", absl::StrCat(*mac, " appears in an earlier row"));
    }
    if (problem.ok()) {
      checked.valid.push_back({i, *mac, assignment.site()});
      continue;
    }
    v1::AssignResult& result = checked.invalid.emplace_back();
    result.set_row(i);
    result.set_mac(assignment.mac().value());
    result.set_outcome(v1::ASSIGN_OUTCOME_INVALID);
    result.set_field(status::FieldOf(problem).value_or(""));
    result.set_reason(std::string(problem.message()));
  }
  return checked;
}

}  // namespace onramp::profile
