#ifndef ONRAMP_LIB_CLIENTS_DEVICE_ACTIVATION_CLIENT_H_
#define ONRAMP_LIB_CLIENTS_DEVICE_ACTIVATION_CLIENT_H_

// The device-activation service as other services call it.

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "grpcpp/channel.h"
#include "lib/clients/backend.h"
#include "onramp/device/v1/device.grpc.pb.h"

namespace onramp::clients {

class DeviceActivationClient {
 public:
  // Plaintext inside the cluster's network (mTLS is the deployment's job).
  DeviceActivationClient(const std::string& address, CallPolicy policy = {});

  // Appends an event to the phone's timeline. `request_id` (may be empty)
  // joins the call to the request being served.
  absl::Status RecordEvent(const std::string& mac, const std::string& kind,
                           const std::string& detail, const std::string& source,
                           const std::string& request_id = "");

  // The phone's redirect query.
  absl::StatusOr<device::v1::LookupResponse> Lookup(const device::v1::LookupRequest& request,
                                                    const std::string& request_id = "");

  // The redirect profile a '#'-short code names.
  absl::StatusOr<device::v1::ResolveShortCodeResponse> ResolveShortCode(
      const device::v1::ResolveShortCodeRequest& request, const std::string& request_id = "");

 private:
  std::unique_ptr<device::v1::DeviceActivationService::Stub> stub_;
  Backend backend_;
};

}  // namespace onramp::clients

#endif  // ONRAMP_LIB_CLIENTS_DEVICE_ACTIVATION_CLIENT_H_
