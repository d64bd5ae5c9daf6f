#include "services/device-activation/service.h"

#include <openssl/rand.h>

#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "lib/base/digest/digest.h"
#include "lib/base/strings/strings.h"
#include "lib/kit/log/log.h"
#include "lib/kit/proto/messages.h"
#include "lib/kit/server/request_id.h"
#include "lib/kit/status/error_detail.h"
#include "lib/kit/status/grpc_status.h"
#include "lib/kit/status/status_macros.h"
#include "lib/kit/validation/fields.h"
#include "lib/phone/activation_code/check_digit.h"
#include "lib/phone/flat_profile/flat_profile.h"
#include "lib/phone/rule/rule.h"
#include "services/device-activation/onboarding.h"

namespace onramp::device {
namespace {

using status::InvalidField;
using status::ToGrpcStatus;
using validation::Presence;

constexpr int kMaxClaimRows = 10000;
constexpr int kProgressChunk = 1000;

absl::Status CheckTarget(const std::string& field, const v1::RedirectTarget& target) {
  RETURN_IF_ERROR(validation::Text(field + ".profile_rule", target.profile_rule(), 2048));
  RETURN_IF_ERROR(CheckNoSecrets(field, target));
  absl::StatusOr<rule::Rule> parsed = rule::ParseRule(target.profile_rule());
  if (!parsed.ok()) {
    return InvalidField(field + ".profile_rule", std::string(parsed.status().message()));
  }
  if (target.parameters_size() > 200) {
    return InvalidField(field + ".parameters", "at most 200 parameters");
  }
  for (int i = 0; i < target.parameters_size(); ++i) {
    const v1::Parameter& parameter = target.parameters(i);
    std::string at = absl::StrCat(field, ".parameters[", i, "]");
    if (!flat_profile::IsValidName(parameter.name())) {
      return InvalidField(at + ".name", "parameter name is not a valid flat-profile element");
    }
    RETURN_IF_ERROR(validation::Text(at + ".value", parameter.value(), 1024, Presence::kOptional));
  }
  return absl::OkStatus();
}

std::string EncodeTarget(const v1::RedirectTarget& target) {
  return absl::Base64Escape(proto::DeterministicBytes(target));
}

void DecodeTarget(const std::string& encoded, v1::RedirectTarget* out) {
  std::string bytes;
  if (absl::Base64Unescape(encoded, &bytes)) out->ParseFromString(bytes);
}

v1::CustomizationState ToProto(std::optional<CustomizationState> state) {
  if (!state) return v1::CUSTOMIZATION_STATE_OPEN;
  switch (*state) {
    case CustomizationState::kOpen: return v1::CUSTOMIZATION_STATE_OPEN;
    case CustomizationState::kPending: return v1::CUSTOMIZATION_STATE_PENDING;
    case CustomizationState::kCustomPending: return v1::CUSTOMIZATION_STATE_CUSTOM_PENDING;
    case CustomizationState::kAcquired: return v1::CUSTOMIZATION_STATE_ACQUIRED;
    case CustomizationState::kAborted: return v1::CUSTOMIZATION_STATE_ABORTED;
    case CustomizationState::kUnavailable: return v1::CUSTOMIZATION_STATE_UNAVAILABLE;
  }
  return v1::CUSTOMIZATION_STATE_UNSPECIFIED;
}

std::optional<CustomizationState> FromProto(v1::CustomizationState state) {
  switch (state) {
    case v1::CUSTOMIZATION_STATE_OPEN: return CustomizationState::kOpen;
    case v1::CUSTOMIZATION_STATE_PENDING: return CustomizationState::kPending;
    case v1::CUSTOMIZATION_STATE_CUSTOM_PENDING: return CustomizationState::kCustomPending;
    case v1::CUSTOMIZATION_STATE_ACQUIRED: return CustomizationState::kAcquired;
    case v1::CUSTOMIZATION_STATE_ABORTED: return CustomizationState::kAborted;
    case v1::CUSTOMIZATION_STATE_UNAVAILABLE: return CustomizationState::kUnavailable;
    default: return std::nullopt;
  }
}

v1::DeviceTrust ToProto(Trust trust) {
  return trust == Trust::kMacOnly ? v1::DEVICE_TRUST_MAC_ONLY : v1::DEVICE_TRUST_FACTORY_CERTIFICATE;
}

Trust FromProto(v1::DeviceTrust trust) {
  return trust == v1::DEVICE_TRUST_MAC_ONLY ? Trust::kMacOnly : Trust::kFactoryCertificate;
}

// What a phone's request proved, for its timeline.
std::string ProofName(const common::v1::Evidence& evidence, Trust trust) {
  switch (evidence.proof()) {
    case common::v1::PROOF_FACTORY_CERTIFICATE: return "factory certificate";
    case common::v1::PROOF_REGISTRATION_CERTIFICATE: return "registration certificate";
    default: return trust == Trust::kMacOnly ? "MAC-only trust" : "no proof";
  }
}

void ToProto(const DeviceRecord& device, v1::Device* out) {
  out->mutable_mac()->set_value(device.mac);
  out->set_serial(device.serial);
  out->set_model(device.model);
  out->set_partner(device.partner);
  if (device.redirect_profile_id.empty()) {
    DecodeTarget(device.target, out->mutable_target());
  } else {
    out->set_redirect_profile_id(device.redirect_profile_id);
  }
  out->set_state(ToProto(device.state));
  out->set_registered(device.registered);
  out->set_certificate_serial(device.certificate_serial);
  proto::SetTimestamp(device.claimed, out->mutable_claim_time());
  out->set_trust(ToProto(device.trust));
}

void ToProto(const ProfileRecord& profile, v1::RedirectProfile* out) {
  out->set_id(profile.id);
  out->set_partner(profile.partner);
  out->set_name(profile.name);
  out->set_short_code(profile.short_code);
  DecodeTarget(profile.target, out->mutable_target());
}

absl::StatusOr<std::string> DeviceMac(const v1::DeviceRequest& request) {
  RETURN_IF_ERROR(validation::Name("partner", request.partner(), 64));
  return validation::Mac("mac", request.mac().value());
}

// Rows checked one by one; results for every row, INVALID ones included.
struct CheckedClaim {
  ClaimBatch batch;                      // valid rows
  std::vector<v1::ClaimResult> results;  // one per request row, outcome set for invalid ones
  std::vector<int> valid_rows;           // request index of each batch row
};

absl::StatusOr<CheckedClaim> CheckClaim(const v1::ClaimDevicesRequest& request, int first,
                                        int last) {
  CheckedClaim checked;
  checked.batch.partner = request.partner();
  checked.batch.trust = FromProto(request.trust());
  if (request.has_target()) {
    checked.batch.target = EncodeTarget(request.target());
  } else {
    checked.batch.redirect_profile_id = request.redirect_profile_id();
  }
  std::set<std::string> seen;
  for (int i = first; i < last; ++i) {
    const v1::DeviceRow& row = request.devices(i);
    v1::ClaimResult result;
    result.set_row(i);
    std::string prefix = absl::StrCat("devices[", i, "]");
    absl::StatusOr<std::string> mac = validation::Mac(prefix + ".mac", row.mac().value());
    absl::Status problem = mac.status();
    if (problem.ok()) problem = validation::Name(prefix + ".serial", row.serial(), 64, Presence::kOptional);
    if (problem.ok()) problem = validation::Name(prefix + ".model", row.model(), 64, Presence::kOptional);
    if (problem.ok() && !seen.insert(*mac).second) {
      problem = InvalidField(prefix + ".mac", "mac repeats an earlier row");
    }
    result.set_mac(mac.ok() ? *mac : row.mac().value());
    if (!problem.ok()) {
      result.set_outcome(v1::CLAIM_OUTCOME_INVALID);
      result.set_field(status::FieldOf(problem).value_or(prefix));
      result.set_reason(std::string(problem.message()));
    } else {
      checked.batch.rows.push_back({*mac, row.serial(), row.model()});
      checked.valid_rows.push_back(static_cast<int>(checked.results.size()));
    }
    checked.results.push_back(std::move(result));
  }
  return checked;
}

absl::Status CheckClaimRequest(const v1::ClaimDevicesRequest& request) {
  RETURN_IF_ERROR(validation::Name("partner", request.partner(), 64));
  if (request.devices_size() == 0 || request.devices_size() > kMaxClaimRows) {
    return InvalidField("devices", "devices must hold 1 to 10,000 rows");
  }
  if (!v1::DeviceTrust_IsValid(request.trust())) return InvalidField("trust", "trust is not a DeviceTrust");
  if (request.has_target()) {
    RETURN_IF_ERROR(CheckTarget("target", request.target()));
  } else if (!request.redirect_profile_id().empty()) {
    RETURN_IF_ERROR(validation::Uuid("redirect_profile_id", request.redirect_profile_id()));
  } else {
    return InvalidField("target", "a target or a redirect_profile_id is required");
  }
  return validation::Text("idempotency_key", request.idempotency_key(), 128);
}

void Count(const v1::ClaimResult& result, v1::ClaimCounts* counts) {
  switch (result.outcome()) {
    case v1::CLAIM_OUTCOME_CLAIMED: counts->set_claimed(counts->claimed() + 1); break;
    case v1::CLAIM_OUTCOME_ALREADY_YOURS: counts->set_already_yours(counts->already_yours() + 1); break;
    case v1::CLAIM_OUTCOME_CONFLICT: counts->set_conflicts(counts->conflicts() + 1); break;
    case v1::CLAIM_OUTCOME_INVALID: counts->set_invalid(counts->invalid() + 1); break;
    default: break;
  }
}

// Claims rows [first, last) of `request`; returns the serialised response.
absl::StatusOr<v1::ClaimDevicesResponse> ClaimRange(DeviceStore& store,
                                                    const v1::ClaimDevicesRequest& request,
                                                    int first, int last,
                                                    const std::string& idempotency_key) {
  ASSIGN_OR_RETURN(CheckedClaim checked, CheckClaim(request, first, last));
  checked.batch.idempotency_key = idempotency_key;
  checked.batch.request_sha256 = digest::Sha256Hex(proto::DeterministicBytes(request));
  auto render = [&](const std::vector<ClaimOutcome>& outcomes) {
    v1::ClaimDevicesResponse response;
    for (size_t i = 0; i < outcomes.size(); ++i) {
      v1::ClaimResult& result = checked.results[checked.valid_rows[i]];
      result.set_outcome(outcomes[i] == ClaimOutcome::kClaimed        ? v1::CLAIM_OUTCOME_CLAIMED
                         : outcomes[i] == ClaimOutcome::kAlreadyYours ? v1::CLAIM_OUTCOME_ALREADY_YOURS
                                                                      : v1::CLAIM_OUTCOME_CONFLICT);
    }
    for (const v1::ClaimResult& result : checked.results) {
      *response.add_results() = result;
      Count(result, response.mutable_counts());
    }
    // Kept as text: the response waits in a text column for retries.
    return absl::Base64Escape(response.SerializeAsString());
  };
  ASSIGN_OR_RETURN(std::string stored, store.Claim(checked.batch, render));
  std::string bytes;
  v1::ClaimDevicesResponse response;
  if (!absl::Base64Unescape(stored, &bytes) || !response.ParseFromString(bytes)) {
    return absl::DataLossError("stored claim response is corrupt");
  }
  return response;
}

}  // namespace

DeviceActivationServiceImpl::DeviceActivationServiceImpl(DeviceStore& store,
                                                         const pki::CertificateAuthority& ca,
                                                         ServiceOptions options,
                                                         prometheus::Registry& registry,
                                                         clients::ProfileRender* profiles)
    : store_(store),
      ca_(ca),
      options_(options),
      lookups_(prometheus::BuildCounter()
                   .Name("onramp_device_lookups_total")
                   .Help("Redirect lookups by outcome.")
                   .Register(registry)),
      registrations_(prometheus::BuildCounter()
                         .Name("onramp_device_registrations_total")
                         .Help("Client certificates issued.")
                         .Register(registry)
                         .Add({})),
      acquisitions_(prometheus::BuildCounter()
                        .Name("onramp_device_acquisitions_total")
                        .Help("Phones whose first profile made them Acquired (Custom Pending before).")
                        .Register(registry)
                        .Add({})),
      profiles_(profiles) {}

grpc::Status DeviceActivationServiceImpl::ClaimDevices(grpc::ServerContext* context,
                                                       const v1::ClaimDevicesRequest* request,
                                                       v1::ClaimDevicesResponse* response) {
  auto run = [&]() -> absl::Status {
    RETURN_IF_ERROR(CheckClaimRequest(*request));
    ASSIGN_OR_RETURN(*response, ClaimRange(store_, *request, 0, request->devices_size(),
                                           request->idempotency_key()));
    log::Info("devices claimed", {{"request_id", server::RequestIdOf(*context)},
                                  {"partner", request->partner()},
                                  {"rows", request->devices_size()},
                                  {"claimed", response->counts().claimed()}});
    return absl::OkStatus();
  };
  return ToGrpcStatus(run());
}

grpc::Status DeviceActivationServiceImpl::ClaimDevicesWithProgress(
    grpc::ServerContext* context, const v1::ClaimDevicesRequest* request,
    grpc::ServerWriter<v1::ClaimProgress>* writer) {
  auto run = [&]() -> absl::Status {
    RETURN_IF_ERROR(CheckClaimRequest(*request));
    v1::ClaimCounts totals;
    for (int first = 0; first < request->devices_size(); first += kProgressChunk) {
      if (context->IsCancelled()) return absl::CancelledError("client went away");
      int last = std::min(first + kProgressChunk, request->devices_size());
      // Each chunk is its own transaction and idempotency key, so a retried
      // import skips the chunks that already landed.
      ASSIGN_OR_RETURN(v1::ClaimDevicesResponse chunk,
                       ClaimRange(store_, *request, first, last,
                                  absl::StrCat(request->idempotency_key(), "#", first)));
      v1::ClaimProgress progress;
      progress.set_rows_done(last);
      progress.set_rows_total(request->devices_size());
      for (const v1::ClaimResult& result : chunk.results()) {
        *progress.add_results() = result;
        Count(result, &totals);
      }
      *progress.mutable_counts() = totals;
      writer->Write(progress);
    }
    return absl::OkStatus();
  };
  return ToGrpcStatus(run());
}

grpc::Status DeviceActivationServiceImpl::ReleaseDevice(grpc::ServerContext* context,
                                                        const v1::DeviceRequest* request,
                                                        v1::Device* response) {
  auto run = [&]() -> absl::Status {
    ASSIGN_OR_RETURN(std::string mac, DeviceMac(*request));
    // The owner's hold ends whole: first what profile-render keeps for the
    // phone (its layer, its keys), then the claim and its certificates. A
    // failure in between leaves the claim, and a retry finishes the job.
    RETURN_IF_ERROR(store_.Get(request->partner(), mac).status());
    if (profiles_ != nullptr) {
      profile::v1::DeviceKeyRequest forget;
      forget.set_partner(request->partner());
      forget.mutable_mac()->set_value(mac);
      RETURN_IF_ERROR(profiles_->ForgetDevice(forget, server::RequestIdOf(*context)).status());
    }
    ASSIGN_OR_RETURN(DeviceRecord device, store_.Release(request->partner(), mac));
    ToProto(device, response);
    return absl::OkStatus();
  };
  return ToGrpcStatus(run());
}

grpc::Status DeviceActivationServiceImpl::GetDevice(grpc::ServerContext*,
                                                    const v1::DeviceRequest* request,
                                                    v1::Device* response) {
  auto run = [&]() -> absl::Status {
    ASSIGN_OR_RETURN(std::string mac, DeviceMac(*request));
    ASSIGN_OR_RETURN(DeviceRecord device, store_.Get(request->partner(), mac));
    ToProto(device, response);
    return absl::OkStatus();
  };
  return ToGrpcStatus(run());
}

grpc::Status DeviceActivationServiceImpl::ListDevices(grpc::ServerContext*,
                                                      const v1::ListDevicesRequest* request,
                                                      v1::ListDevicesResponse* response) {
  auto run = [&]() -> absl::Status {
    RETURN_IF_ERROR(validation::Name("partner", request->partner(), 64));
    RETURN_IF_ERROR(validation::Name("model", request->model(), 64, Presence::kOptional));
    ASSIGN_OR_RETURN(int page_size, validation::PageSize(request->page().page_size()));
    auto listed = store_.List(request->partner(), request->model(), FromProto(request->state()), page_size,
                              request->page().page_token());
    if (!listed.ok()) return validation::PageTokenError(listed.status());
    for (const DeviceRecord& device : listed->first) ToProto(device, response->add_devices());
    response->mutable_page()->set_next_page_token(listed->second);
    return absl::OkStatus();
  };
  return ToGrpcStatus(run());
}

absl::StatusOr<std::pair<std::string, std::string>> DeviceActivationServiceImpl::NewCredential() {
  unsigned char secret[32];
  if (RAND_bytes(secret, sizeof secret) != 1) return absl::InternalError("RAND_bytes failed");
  std::string credential =
      absl::WebSafeBase64Escape(absl::string_view(reinterpret_cast<const char*>(secret), sizeof secret));
  std::string hash = digest::Sha256Hex(credential);
  return std::make_pair(std::move(credential), std::move(hash));
}

absl::Status DeviceActivationServiceImpl::AddSecrets(const std::string& mac, const std::string& partner,
                                                     const std::string& credential, const std::string& request_id,
                                                     v1::LookupResponse* response) {
  response->set_registration_credential(credential);
  if (profiles_ == nullptr) return absl::OkStatus();
  profile::v1::DeviceKeyRequest request;
  request.set_partner(partner);
  request.mutable_mac()->set_value(mac);
  ASSIGN_OR_RETURN(profile::v1::DeliveredKey key, profiles_->DeliverDeviceKey(request, request_id));
  ASSIGN_OR_RETURN(*response->mutable_target(), WithKey(response->target(), key));
  return absl::OkStatus();
}

grpc::Status DeviceActivationServiceImpl::Lookup(grpc::ServerContext* context,
                                                 const v1::LookupRequest* request,
                                                 v1::LookupResponse* response) {
  auto run = [&]() -> absl::Status {
    ASSIGN_OR_RETURN(std::string mac, validation::Mac("device.mac", request->device().mac().value()));
    RETURN_IF_ERROR(validation::Name("device.model", request->device().model(), 64));
    RETURN_IF_ERROR(validation::Text("source_address", request->source_address(), 64));
    ASSIGN_OR_RETURN(auto credential, NewCredential());
    Trust trust = Trust::kFactoryCertificate;
    SecretsAllowed allowed = [&](Trust claimed) {
      trust = claimed;
      return MayHaveSecrets(request->evidence(), ToProto(claimed));
    };
    ASSIGN_OR_RETURN(LookupOutcome outcome,
                     store_.Lookup(mac, request->device().model(), request->source_address(), allowed,
                                   credential.second, ProofName(request->evidence(), trust)));
    const char* label = "found";
    absl::Status result;
    switch (outcome.kind) {
      case LookupOutcome::Kind::kFound:
        response->set_partner(outcome.partner);
        DecodeTarget(outcome.target, response->mutable_target());
        if (outcome.with_secrets) {
          result = AddSecrets(mac, outcome.partner, credential.first, server::RequestIdOf(*context), response);
        } else {
          label = "found_without_proof";
        }
        break;
      case LookupOutcome::Kind::kNotClaimed:
        label = "not_claimed";
        result = absl::NotFoundError("no provider has claimed this phone");
        break;
      case LookupOutcome::Kind::kWrongModel:
        label = "wrong_model";
        result = absl::FailedPreconditionError("the phone's model does not match its claim");
        break;
      case LookupOutcome::Kind::kRateLimited:
        label = "rate_limited";
        result = status::LimitExceeded("too many unknown phones from this source", outcome.retry_after);
        break;
    }
    lookups_.Add({{"outcome", label}}).Increment();
    return result;
  };
  return ToGrpcStatus(run());
}

grpc::Status DeviceActivationServiceImpl::Admit(grpc::ServerContext* context, const v1::AdmitRequest* request,
                                                v1::LookupResponse* response) {
  auto run = [&]() -> absl::Status {
    ASSIGN_OR_RETURN(std::string mac, validation::Mac("device.mac", request->device().mac().value()));
    RETURN_IF_ERROR(validation::Name("device.model", request->device().model(), 64));
    RETURN_IF_ERROR(validation::Name("device.serial", request->device().serial(), 64, Presence::kOptional));
    RETURN_IF_ERROR(validation::Name("partner", request->partner(), 64));
    RETURN_IF_ERROR(validation::Text("source_address", request->source_address(), 64));
    v1::RedirectTarget target;
    target.set_profile_rule(request->profile_rule());
    RETURN_IF_ERROR(CheckTarget("profile_rule", target));
    ASSIGN_OR_RETURN(auto credential, NewCredential());
    SecretsAllowed allowed = [&](Trust trust) {
      return MayHaveSecretsByCode(request->evidence(), ToProto(trust), request->code_names_phone());
    };
    ASSIGN_OR_RETURN(AdmitOutcome outcome,
                     store_.Admit({mac, request->device().serial(), request->device().model()}, request->partner(),
                                  EncodeTarget(target), allowed, credential.second, request->source_address()));
    response->set_partner(request->partner());
    *response->mutable_target() = target;
    lookups_.Add({{"outcome", outcome.with_secrets ? "admitted" : "admitted_without_proof"}}).Increment();
    if (!outcome.with_secrets) return absl::OkStatus();
    return AddSecrets(mac, request->partner(), credential.first, server::RequestIdOf(*context), response);
  };
  return ToGrpcStatus(run());
}

grpc::Status DeviceActivationServiceImpl::CreateRedirectProfile(
    grpc::ServerContext*, const v1::CreateRedirectProfileRequest* request,
    v1::RedirectProfile* response) {
  auto run = [&]() -> absl::Status {
    RETURN_IF_ERROR(validation::Name("partner", request->partner(), 64));
    RETURN_IF_ERROR(validation::Name("name", request->name(), 64));
    // A name of digits is a short code phones can type.
    bool digits = strings::IsDigits(request->name());
    if (digits && !activation_code::IsShortCode(request->name())) {
      return InvalidField("name", "a short code (a name of digits) must be 3 to 16 digits");
    }
    RETURN_IF_ERROR(CheckTarget("target", request->target()));
    ASSIGN_OR_RETURN(ProfileRecord created,
                     store_.CreateProfile({.partner = request->partner(),
                                           .name = request->name(),
                                           .short_code = digits,
                                           .target = EncodeTarget(request->target())}));
    ToProto(created, response);
    return absl::OkStatus();
  };
  return ToGrpcStatus(run());
}

grpc::Status DeviceActivationServiceImpl::GetRedirectProfile(grpc::ServerContext*, const v1::RedirectProfileRef* request,
                                                             v1::RedirectProfile* response) {
  auto run = [&]() -> absl::Status {
    RETURN_IF_ERROR(validation::Name("partner", request->partner(), 64));
    RETURN_IF_ERROR(validation::Uuid("id", request->id()));
    ASSIGN_OR_RETURN(ProfileRecord profile, store_.GetProfile(request->partner(), request->id()));
    ToProto(profile, response);
    return absl::OkStatus();
  };
  return ToGrpcStatus(run());
}

grpc::Status DeviceActivationServiceImpl::ListRedirectProfiles(grpc::ServerContext*,
                                                               const v1::ListRedirectProfilesRequest* request,
                                                               v1::ListRedirectProfilesResponse* response) {
  auto run = [&]() -> absl::Status {
    RETURN_IF_ERROR(validation::Name("partner", request->partner(), 64));
    ASSIGN_OR_RETURN(int page_size, validation::PageSize(request->page().page_size()));
    auto listed = store_.ListProfiles(request->partner(), page_size, request->page().page_token());
    if (!listed.ok()) return validation::PageTokenError(listed.status());
    for (const ProfileRecord& profile : listed->first) ToProto(profile, response->add_profiles());
    response->mutable_page()->set_next_page_token(listed->second);
    return absl::OkStatus();
  };
  return ToGrpcStatus(run());
}

grpc::Status DeviceActivationServiceImpl::DeleteRedirectProfile(grpc::ServerContext*,
                                                                const v1::RedirectProfileRef* request,
                                                                v1::RedirectProfile* response) {
  auto run = [&]() -> absl::Status {
    RETURN_IF_ERROR(validation::Name("partner", request->partner(), 64));
    RETURN_IF_ERROR(validation::Uuid("id", request->id()));
    ASSIGN_OR_RETURN(ProfileRecord profile, store_.DeleteProfile(request->partner(), request->id()));
    ToProto(profile, response);
    return absl::OkStatus();
  };
  return ToGrpcStatus(run());
}

grpc::Status DeviceActivationServiceImpl::ResolveShortCode(
    grpc::ServerContext*, const v1::ResolveShortCodeRequest* request,
    v1::ResolveShortCodeResponse* response) {
  auto run = [&]() -> absl::Status {
    const std::string& digits = request->digits();
    if (!activation_code::IsShortCode(digits)) return InvalidField("digits", "a short code is 3 to 16 digits (without the #)");
    RETURN_IF_ERROR(validation::Text("source_address", request->source_address(), 64));
    absl::Duration retry_after;
    absl::StatusOr<ProfileRecord> profile =
        store_.ResolveShortCode(digits, request->source_address(), &retry_after);
    if (profile.status().code() == absl::StatusCode::kResourceExhausted) {
      return status::LimitExceeded("too many unknown short codes from this source", retry_after);
    }
    if (!profile.ok()) return profile.status();
    ToProto(*profile, response->mutable_profile());
    return absl::OkStatus();
  };
  return ToGrpcStatus(run());
}

grpc::Status DeviceActivationServiceImpl::ReportState(grpc::ServerContext*,
                                                      const v1::ReportStateRequest* request,
                                                      v1::DeviceState* response) {
  auto run = [&]() -> absl::Status {
    ASSIGN_OR_RETURN(std::string mac, validation::Mac("mac", request->mac().value()));
    std::optional<CustomizationState> state = FromProto(request->state());
    if (!state) return InvalidField("state", "state is required");
    // The state moves on the phone's word alone, never on anyone's.
    if (request->evidence().channel() != common::v1::CHANNEL_HTTPS ||
        request->evidence().proof() == common::v1::PROOF_UNSPECIFIED) {
      return absl::PermissionDeniedError("a customization state comes only from the phone, over mutual TLS");
    }
    RETURN_IF_ERROR(validation::Text("detail", request->detail(), 512, Presence::kOptional));
    RETURN_IF_ERROR(
        validation::Text("source_address", request->source_address(), 64, Presence::kOptional));
    ASSIGN_OR_RETURN(auto reported,
                     store_.ReportState(mac, *state, request->detail(), request->source_address()));
    response->mutable_mac()->set_value(mac);
    response->set_state(ToProto(reported.first));
    response->set_detail(request->detail());
    proto::SetTimestamp(reported.second, response->mutable_update_time());
    return absl::OkStatus();
  };
  return ToGrpcStatus(run());
}

grpc::Status DeviceActivationServiceImpl::Register(grpc::ServerContext* context,
                                                   const v1::RegisterRequest* request,
                                                   v1::RegisterResponse* response) {
  auto run = [&]() -> absl::Status {
    ASSIGN_OR_RETURN(std::string mac, validation::Mac("mac", request->mac().value()));
    RETURN_IF_ERROR(
        validation::Text("registration_credential", request->registration_credential(), 128));
    if (request->csr_pem().empty() || request->csr_pem().size() > 16384) {
      return InvalidField("csr_pem", "csr_pem must be a PEM request of at most 16 KiB");
    }
    pki::CertificateAuthority::Issued issued;
    RETURN_IF_ERROR(store_.Register(
        mac, digest::Sha256Hex(request->registration_credential()),
        [&]() -> absl::StatusOr<std::pair<std::string, absl::Time>> {
          absl::StatusOr<pki::CertificateAuthority::Issued> made =
              ca_.Issue(request->csr_pem(), mac, options_.certificate_validity);
          if (!made.ok()) return InvalidField("csr_pem", std::string(made.status().message()));
          issued = *std::move(made);
          return std::make_pair(issued.serial_hex, issued.not_after);
        }));
    response->set_certificate_pem(issued.certificate_pem);
    response->set_ca_certificate_pem(ca_.certificate_pem());
    response->set_serial(issued.serial_hex);
    proto::SetTimestamp(issued.not_after, response->mutable_not_after());
    registrations_.Increment();
    log::Info("device registered", {{"request_id", server::RequestIdOf(*context)},
                                    {"mac", mac},
                                    {"serial", issued.serial_hex}});
    return absl::OkStatus();
  };
  return ToGrpcStatus(run());
}

grpc::Status DeviceActivationServiceImpl::RevokeDevice(grpc::ServerContext*,
                                                       const v1::DeviceRequest* request,
                                                       v1::Device* response) {
  auto run = [&]() -> absl::Status {
    ASSIGN_OR_RETURN(std::string mac, DeviceMac(*request));
    ASSIGN_OR_RETURN(DeviceRecord device, store_.Revoke(request->partner(), mac));
    ToProto(device, response);
    return absl::OkStatus();
  };
  return ToGrpcStatus(run());
}

grpc::Status DeviceActivationServiceImpl::ListRevokedCertificates(
    grpc::ServerContext*, const v1::ListRevokedCertificatesRequest* request,
    v1::ListRevokedCertificatesResponse* response) {
  auto run = [&]() -> absl::Status {
    int page_size = request->page().page_size() == 0 ? 10000 : request->page().page_size();
    if (page_size < 0 || page_size > 10000) return InvalidField("page.page_size", "page_size must be 0 to 10,000");
    absl::Time since = request->has_since() ? proto::FromTimestamp(request->since()) : absl::UnixEpoch();
    auto listed = store_.RevokedSince(since, page_size, request->page().page_token());
    if (!listed.ok()) return validation::PageTokenError(listed.status());
    for (const RevokedCertificate& revoked : listed->certificates) {
      v1::RevokedCertificate* out = response->add_certificates();
      out->set_serial(revoked.serial);
      out->mutable_mac()->set_value(revoked.mac);
      proto::SetTimestamp(revoked.revoked, out->mutable_revoke_time());
      proto::SetTimestamp(revoked.not_after, out->mutable_expire_time());
    }
    response->mutable_page()->set_next_page_token(listed->next_page_token);
    proto::SetTimestamp(listed->as_of, response->mutable_as_of());
    return absl::OkStatus();
  };
  return ToGrpcStatus(run());
}

grpc::Status DeviceActivationServiceImpl::RecordEvent(grpc::ServerContext*,
                                                      const v1::RecordEventRequest* request,
                                                      v1::RecordEventResponse*) {
  auto run = [&]() -> absl::Status {
    ASSIGN_OR_RETURN(EventRecord record, CheckEvent(*request, ""));
    return Record({std::move(record)});
  };
  return ToGrpcStatus(run());
}

grpc::Status DeviceActivationServiceImpl::RecordEvents(grpc::ServerContext*,
                                                       const v1::RecordEventsRequest* request,
                                                       v1::RecordEventsResponse*) {
  auto run = [&]() -> absl::Status {
    constexpr int kMaxEvents = 1000;
    if (request->events_size() > kMaxEvents) return InvalidField("events", "at most 1000 events at once");
    std::vector<EventRecord> records;
    records.reserve(static_cast<size_t>(request->events_size()));
    for (int i = 0; i < request->events_size(); ++i) {
      ASSIGN_OR_RETURN(EventRecord record, CheckEvent(request->events(i), absl::StrCat("events[", i, "].")));
      records.push_back(std::move(record));
    }
    return Record(records);
  };
  return ToGrpcStatus(run());
}

absl::StatusOr<EventRecord> DeviceActivationServiceImpl::CheckEvent(const v1::RecordEventRequest& event,
                                                                    const std::string& prefix) {
  ASSIGN_OR_RETURN(std::string mac, validation::Mac(prefix + "mac", event.mac().value()));
  RETURN_IF_ERROR(validation::Name(prefix + "kind", event.kind(), 32));
  RETURN_IF_ERROR(validation::Text(prefix + "detail", event.detail(), 512, Presence::kOptional));
  RETURN_IF_ERROR(validation::Text(prefix + "source", event.source(), 64, Presence::kOptional));
  RETURN_IF_ERROR(validation::Name(prefix + "event_id", event.event_id(), 64, Presence::kOptional));
  return EventRecord{.mac = std::move(mac),
                     .event = {.kind = event.kind(), .detail = event.detail(), .source = event.source()},
                     .event_id = event.event_id()};
}

absl::Status DeviceActivationServiceImpl::Record(const std::vector<EventRecord>& records) {
  if (records.empty()) return absl::OkStatus();
  ASSIGN_OR_RETURN(int acquired, store_.RecordEvents(records));
  acquisitions_.Increment(acquired);
  return absl::OkStatus();
}

grpc::Status DeviceActivationServiceImpl::GetTimeline(grpc::ServerContext*,
                                                      const v1::DeviceRequest* request,
                                                      v1::Timeline* response) {
  auto run = [&]() -> absl::Status {
    ASSIGN_OR_RETURN(std::string mac, DeviceMac(*request));
    ASSIGN_OR_RETURN(std::vector<Event> events, store_.Timeline(request->partner(), mac));
    response->mutable_mac()->set_value(mac);
    for (const Event& event : events) {
      v1::Event* out = response->add_events();
      proto::SetTimestamp(event.at, out->mutable_time());
      out->set_kind(event.kind);
      out->set_detail(event.detail);
      out->set_source(event.source);
    }
    return absl::OkStatus();
  };
  return ToGrpcStatus(run());
}

}  // namespace onramp::device
