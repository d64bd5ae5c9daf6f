#ifndef ONRAMP_SERVICES_DEVICE_ACTIVATION_SERVICE_H_
#define ONRAMP_SERVICES_DEVICE_ACTIVATION_SERVICE_H_

// The gRPC adapter of device activation: validate (errors name the field,
// bulk rows name their index), call the store, map outcomes once.

#include "absl/time/time.h"
#include "lib/kit/clients/profile_render.h"
#include "lib/phone/pki/certificate_authority.h"
#include "onramp/device/v1/device.grpc.pb.h"
#include "prometheus/counter.h"
#include "prometheus/registry.h"
#include "services/device-activation/store.h"

namespace onramp::device {

struct ServiceOptions {
  absl::Duration certificate_validity = absl::Hours(24 * 365);
};

class DeviceActivationServiceImpl final : public v1::DeviceActivationService::Service {
 public:
  // `profiles` hands proven phones their profile keys and forgets released
  // phones; null (tests of this service alone): no keys go out and
  // releases forget nothing there.
  DeviceActivationServiceImpl(DeviceStore& store, const pki::CertificateAuthority& ca,
                              ServiceOptions options, prometheus::Registry& registry,
                              clients::ProfileRender* profiles = nullptr);

  grpc::Status ClaimDevices(grpc::ServerContext*, const v1::ClaimDevicesRequest*,
                            v1::ClaimDevicesResponse*) override;
  grpc::Status ClaimDevicesWithProgress(grpc::ServerContext*, const v1::ClaimDevicesRequest*,
                                        grpc::ServerWriter<v1::ClaimProgress>*) override;
  grpc::Status ReleaseDevice(grpc::ServerContext*, const v1::DeviceRequest*, v1::Device*) override;
  grpc::Status GetDevice(grpc::ServerContext*, const v1::DeviceRequest*, v1::Device*) override;
  grpc::Status GetOwner(grpc::ServerContext*, const v1::OwnerRequest*, v1::Owner*) override;
  grpc::Status GetOwners(grpc::ServerContext*, const v1::GetOwnersRequest*, v1::GetOwnersResponse*) override;
  grpc::Status ListDevices(grpc::ServerContext*, const v1::ListDevicesRequest*,
                           v1::ListDevicesResponse*) override;
  grpc::Status SummarizeDevices(grpc::ServerContext*, const v1::SummarizeDevicesRequest* request,
                                v1::DeviceSummary* response) override;
  grpc::Status Lookup(grpc::ServerContext*, const v1::LookupRequest*, v1::LookupResponse*) override;
  grpc::Status Admit(grpc::ServerContext*, const v1::AdmitRequest*, v1::LookupResponse*) override;
  grpc::Status CreateRedirectProfile(grpc::ServerContext*, const v1::CreateRedirectProfileRequest*,
                                     v1::RedirectProfile*) override;
  grpc::Status GetRedirectProfile(grpc::ServerContext*, const v1::RedirectProfileRef* request,
                                  v1::RedirectProfile* response) override;
  grpc::Status ListRedirectProfiles(grpc::ServerContext*, const v1::ListRedirectProfilesRequest* request,
                                    v1::ListRedirectProfilesResponse* response) override;
  grpc::Status DeleteRedirectProfile(grpc::ServerContext*, const v1::RedirectProfileRef* request,
                                     v1::RedirectProfile* response) override;
  grpc::Status ResolveShortCode(grpc::ServerContext*, const v1::ResolveShortCodeRequest*,
                                v1::ResolveShortCodeResponse*) override;
  grpc::Status ReportState(grpc::ServerContext*, const v1::ReportStateRequest*,
                           v1::DeviceState*) override;
  grpc::Status Register(grpc::ServerContext*, const v1::RegisterRequest*,
                        v1::RegisterResponse*) override;
  grpc::Status RevokeDevice(grpc::ServerContext*, const v1::DeviceRequest*, v1::Device*) override;
  grpc::Status ListRevokedCertificates(grpc::ServerContext*, const v1::ListRevokedCertificatesRequest*,
                                       v1::ListRevokedCertificatesResponse*) override;
  grpc::Status RecordEvent(grpc::ServerContext*, const v1::RecordEventRequest*,
                           v1::RecordEventResponse*) override;
  grpc::Status RecordPartnerEvent(grpc::ServerContext*, const v1::RecordPartnerEventRequest*,
                                  v1::RecordEventResponse*) override;
  grpc::Status RecordLogs(grpc::ServerContext*, const v1::RecordLogsRequest*, v1::RecordLogsResponse*) override;
  grpc::Status ListLogs(grpc::ServerContext*, const v1::ListLogsRequest*, v1::ListLogsResponse*) override;
  grpc::Status RecordEvents(grpc::ServerContext*, const v1::RecordEventsRequest*,
                            v1::RecordEventsResponse*) override;
  grpc::Status GetTimeline(grpc::ServerContext*, const v1::DeviceRequest*, v1::Timeline*) override;

 private:
  // An event as a caller sent it, checked; field names start with `prefix`.
  static absl::StatusOr<EventRecord> CheckEvent(const v1::RecordEventRequest& event, const std::string& prefix);
  // Appends checked events in one transaction and counts the phones they
  // made Acquired.
  absl::Status Record(const std::vector<EventRecord>& records);
  // A new one-time registration credential and its hash.
  static absl::StatusOr<std::pair<std::string, std::string>> NewCredential();
  // The answer of a phone that may have its secrets: the credential, and
  // the key its profiles are encrypted with (when profile-render gives one).
  absl::Status AddSecrets(const std::string& mac, const std::string& partner, const std::string& credential,
                          const std::string& request_id, v1::LookupResponse* response);

  DeviceStore& store_;
  const pki::CertificateAuthority& ca_;
  const ServiceOptions options_;
  prometheus::Family<prometheus::Counter>& lookups_;
  prometheus::Counter& registrations_;
  prometheus::Counter& acquisitions_;
  clients::ProfileRender* profiles_;
};

}  // namespace onramp::device

#endif  // ONRAMP_SERVICES_DEVICE_ACTIVATION_SERVICE_H_
