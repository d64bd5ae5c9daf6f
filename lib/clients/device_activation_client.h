#ifndef ONRAMP_LIB_CLIENTS_DEVICE_ACTIVATION_CLIENT_H_
#define ONRAMP_LIB_CLIENTS_DEVICE_ACTIVATION_CLIENT_H_

// The device-activation service as other services call it.

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "grpcpp/channel.h"
#include "lib/clients/backend.h"
#include "lib/clients/unary_call.h"
#include "onramp/device/v1/device.grpc.pb.h"

namespace onramp::clients {

class DeviceActivationClient {
 public:
  // Over a ServiceChannel (lib/clients/channel.h).
  DeviceActivationClient(const std::string& address, CallPolicy policy = {});

  // Appends an event to the phone's timeline. `request_id` (may be empty)
  // joins the call to the request being served.
  absl::Status RecordEvent(const std::string& mac, const std::string& kind,
                           const std::string& detail, const std::string& source,
                           const std::string& request_id = "");
  // Many events in one call and one transaction (at most 1,000).
  absl::Status RecordEvents(const std::vector<device::v1::RecordEventRequest>& events,
                            const std::string& request_id = "");

  // The phone's redirect query.
  absl::StatusOr<device::v1::LookupResponse> Lookup(const device::v1::LookupRequest& request,
                                                    const std::string& request_id = "");

  // A phone's cloud registration: its CSR signed, given the one-time
  // credential. Not repeated (the credential works once).
  absl::StatusOr<device::v1::RegisterResponse> Register(const device::v1::RegisterRequest& request,
                                                        const std::string& request_id = "");

  // The key a partner's bearer token belongs to; UNAUTHENTICATED when none.
  absl::StatusOr<device::v1::ApiKey> AuthenticateApiKey(const std::string& secret,
                                                        const std::string& request_id = "");

  // The redirect profile a '#'-short code names.
  absl::StatusOr<device::v1::ResolveShortCodeResponse> ResolveShortCode(
      const device::v1::ResolveShortCodeRequest& request, const std::string& request_id = "");

  // Any unary method of the service through this client's backend (its
  // deadline, bound and retries), e.g. for the partner API.
  template <typename Request, typename Response>
  absl::StatusOr<Response> Call(std::string_view method_name, Repeat repeat,
                                grpc::Status (device::v1::DeviceActivationService::Stub::*method)(grpc::ClientContext*, const Request&, Response*),
                                const Request& request, const std::string& request_id) {
    return UnaryCall(backend_, method_name, repeat, *stub_, method, request, request_id);
  }

 private:
  DeviceActivationClient(std::shared_ptr<grpc::Channel> channel, CallPolicy policy);

  std::unique_ptr<device::v1::DeviceActivationService::Stub> stub_;
  std::unique_ptr<device::v1::ApiKeyService::Stub> keys_stub_;
  Backend backend_;
};

}  // namespace onramp::clients

#endif  // ONRAMP_LIB_CLIENTS_DEVICE_ACTIVATION_CLIENT_H_
