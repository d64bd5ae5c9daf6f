#ifndef ONRAMP_SERVICES_PROFILE_RENDER_LAYER_EDITS_H_
#define ONRAMP_SERVICES_PROFILE_RENDER_LAYER_EDITS_H_

// What a write does to layers, decided without I/O: a layer's parameters
// from a request (checked), masked secrets written back, a partial edit
// merged into a layer, and bulk site assignments checked row by row. The
// service reads, calls these, and writes.

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "google/protobuf/repeated_ptr_field.h"
#include "onramp/profile/v1/profile.pb.h"
#include "services/profile-render/render.h"

namespace onramp::profile {

inline constexpr int kMaxParameters = 1000;
inline constexpr int kMaxAssignments = 10000;

// Each parameter checked (ValidateParameter), none named twice, at most
// kMaxParameters. Errors name the field ("parameters[3].name").
absl::StatusOr<std::vector<LayerParameter>> ParametersOf(
    const google::protobuf::RepeatedPtrField<v1::Parameter>& parameters);

// A secret written as kMasked (read, edited, written back) keeps its value
// in `current`; INVALID_ARGUMENT naming parameters[i].value when it has
// none there.
absl::Status KeepMaskedSecrets(std::vector<LayerParameter>& written, const std::vector<LayerParameter>& current);

// `current` with each of `set` replacing the parameter of its name (or
// added at the end) and the names in `remove` taken out; masked secrets
// kept. At most kMaxParameters after the edit.
absl::StatusOr<std::vector<LayerParameter>> MergeParameters(std::vector<LayerParameter> current,
                                                            std::vector<LayerParameter> set,
                                                            const std::vector<std::string>& remove);

struct SiteRow {
  int row = 0;  // index in the request
  std::string mac;  // $MA form
  std::string site;
};

struct CheckedAssignments {
  std::vector<SiteRow> valid;             // in request order
  std::vector<v1::AssignResult> invalid;  // INVALID, with field and reason
};

// Each row's MAC and site name checked; a MAC given again is invalid the
// second time. INVALID_ARGUMENT (field "assignments") beyond
// kMaxAssignments rows.
absl::StatusOr<CheckedAssignments> CheckAssignments(
    const google::protobuf::RepeatedPtrField<v1::SiteAssignment>& assignments);

}  // namespace onramp::profile

#endif  // ONRAMP_SERVICES_PROFILE_RENDER_LAYER_EDITS_H_
