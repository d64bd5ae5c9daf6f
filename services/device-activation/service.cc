#include "services/device-activation/service.h"

#include <openssl/rand.h>

#include <algorithm>

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
#include "lib/phone/syslog/syslog.h"
#include "lib/phone/activation_code/check_digit.h"
#include "services/device-activation/claims.h"
#include "services/device-activation/device_proto.h"
#include "services/device-activation/onboarding.h"

namespace onramp::device {
namespace {

using status::InvalidField;
using status::ToGrpcStatus;
using validation::Presence;

constexpr int kProgressChunk = 1000;
constexpr int kMaxOwnersAsked = 10000;

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
        AddToCounts(result, &totals);
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

grpc::Status DeviceActivationServiceImpl::GetOwner(grpc::ServerContext*, const v1::OwnerRequest* request,
                                                   v1::Owner* response) {
  auto run = [&]() -> absl::Status {
    ASSIGN_OR_RETURN(std::string mac, validation::Mac("mac", request->mac().value()));
    ASSIGN_OR_RETURN(std::string partner, store_.Owner(mac));
    response->set_partner(std::move(partner));
    return absl::OkStatus();
  };
  return ToGrpcStatus(run());
}

grpc::Status DeviceActivationServiceImpl::GetOwners(grpc::ServerContext*, const v1::GetOwnersRequest* request,
                                                    v1::GetOwnersResponse* response) {
  auto run = [&]() -> absl::Status {
    ASSIGN_OR_RETURN(std::vector<std::string> macs, validation::Macs("macs", request->macs(), kMaxOwnersAsked));
    ASSIGN_OR_RETURN(auto owners, store_.Owners(macs));
    for (const auto& [mac, partner] : owners) {
      v1::OwnedPhone* phone = response->add_phones();
      phone->mutable_mac()->set_value(mac);
      phone->set_partner(partner);
    }
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
    if (request->mac_prefix().size() > 12 ||
        !std::all_of(request->mac_prefix().begin(), request->mac_prefix().end(), absl::ascii_isxdigit)) {
      return InvalidField("mac_prefix",
                          absl::StrCat("mac_prefix \"", request->mac_prefix(), "\" is not up to 12 hex digits"));
    }
    ASSIGN_OR_RETURN(std::vector<std::string> macs, validation::Macs("macs", request->macs(), 1000));
    ASSIGN_OR_RETURN(int page_size, validation::PageSize(request->page().page_size()));
    auto listed = store_.List(request->partner(), request->model(), FromProto(request->state()),
                              request->mac_prefix(), macs, page_size, request->page().page_token());
    if (!listed.ok()) return validation::PageTokenError(listed.status());
    for (const DeviceRecord& device : listed->first) ToProto(device, response->add_devices());
    response->mutable_page()->set_next_page_token(listed->second);
    return absl::OkStatus();
  };
  return ToGrpcStatus(run());
}

grpc::Status DeviceActivationServiceImpl::SummarizeDevices(grpc::ServerContext*,
                                                           const v1::SummarizeDevicesRequest* request,
                                                           v1::DeviceSummary* response) {
  auto run = [&]() -> absl::Status {
    RETURN_IF_ERROR(validation::Name("partner", request->partner(), 64));
    ASSIGN_OR_RETURN(DeviceFunnel funnel, store_.Summarize(request->partner()));
    response->set_claimed(funnel.claimed);
    response->set_redirected(funnel.redirected);
    response->set_registered(funnel.registered);
    response->set_acquired(funnel.acquired);
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

grpc::Status DeviceActivationServiceImpl::RecordPartnerEvent(grpc::ServerContext*,
                                                             const v1::RecordPartnerEventRequest* request,
                                                             v1::RecordEventResponse*) {
  auto run = [&]() -> absl::Status {
    RETURN_IF_ERROR(validation::Name("partner", request->partner(), 64));
    if (request->type() != "rollout.halted") return InvalidField("type", "type is rollout.halted");
    RETURN_IF_ERROR(validation::Text("subject", request->subject(), 128));
    RETURN_IF_ERROR(validation::Text("detail", request->detail(), 512, Presence::kOptional));
    RETURN_IF_ERROR(validation::Name("event_id", request->event_id(), 64));
    return store_.RecordPartnerEvent(
        {request->partner(), request->type(), request->subject(), request->detail(), request->event_id()});
  };
  return ToGrpcStatus(run());
}

grpc::Status DeviceActivationServiceImpl::RecordLogs(grpc::ServerContext*, const v1::RecordLogsRequest* request,
                                                     v1::RecordLogsResponse* response) {
  auto run = [&]() -> absl::Status {
    constexpr int kMaxLines = 1000;
    if (request->lines_size() > kMaxLines) return InvalidField("lines", "at most 1000 lines at once");
    std::vector<LogRecord> lines;
    for (int i = 0; i < request->lines_size(); ++i) {
      const v1::LogLine& line = request->lines(i);
      std::string at = absl::StrCat("lines[", i, "].");
      ASSIGN_OR_RETURN(std::string mac, validation::Mac(at + "mac", line.mac().value()));
      if (line.severity() < 0 || line.severity() > 7) return InvalidField(at + "severity", "severity is 0 to 7");
      if (line.facility() < 0 || line.facility() > 23) return InvalidField(at + "facility", "facility is 0 to 23");
      if (line.text().size() > 2048 || line.hostname().size() > 255 || line.app_name().size() > 48 ||
          line.source_address().size() > 64) {
        return InvalidField(at + "text", "a line is at most 2048 bytes (hostname 255, app_name 48)");
      }
      LogRecord record{.mac = std::move(mac),
                       .received = line.has_receive_time() ? proto::FromTimestamp(line.receive_time()) : absl::Now(),
                       .facility = line.facility(),
                       .severity = line.severity(),
                       .hostname = line.hostname(),
                       .app_name = line.app_name(),
                       .text = line.text(),
                       .source = line.source_address()};
      if (line.has_send_time()) record.sent = proto::FromTimestamp(line.send_time());
      lines.push_back(std::move(record));
    }
    ASSIGN_OR_RETURN(int kept, store_.RecordLogs(lines));
    response->set_recorded(kept);
    return absl::OkStatus();
  };
  return ToGrpcStatus(run());
}

grpc::Status DeviceActivationServiceImpl::ListLogs(grpc::ServerContext*, const v1::ListLogsRequest* request,
                                                   v1::ListLogsResponse* response) {
  auto run = [&]() -> absl::Status {
    RETURN_IF_ERROR(validation::Name("partner", request->partner(), 64));
    ASSIGN_OR_RETURN(std::string mac, validation::Mac("mac", request->mac().value()));
    ASSIGN_OR_RETURN(int page_size, validation::PageSize(request->page().page_size()));
    auto listed = store_.Logs(request->partner(), mac, page_size, request->page().page_token());
    if (!listed.ok()) return validation::PageTokenError(listed.status());
    for (const LogRecord& line : listed->first) {
      v1::LogLine* out = response->add_lines();
      out->mutable_mac()->set_value(line.mac);
      proto::SetTimestamp(line.received, out->mutable_receive_time());
      if (line.sent) proto::SetTimestamp(*line.sent, out->mutable_send_time());
      out->set_facility(line.facility);
      out->set_severity(line.severity);
      out->set_severity_name(std::string(syslog::SeverityName(line.severity)));
      out->set_hostname(line.hostname);
      out->set_app_name(line.app_name);
      out->set_text(line.text);
      out->set_source_address(line.source);
    }
    response->mutable_page()->set_next_page_token(listed->second);
    return absl::OkStatus();
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
