#ifndef ONRAMP_LIB_CLIENTS_DEVICE_ACTIVATION_CLIENT_H_
#define ONRAMP_LIB_CLIENTS_DEVICE_ACTIVATION_CLIENT_H_

// The device-activation service as other services call it.

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "grpcpp/channel.h"
#include "grpcpp/server_context.h"
#include "onramp/device/v1/device.grpc.pb.h"

namespace onramp::clients {

class DeviceActivationClient {
 public:
  // Plaintext inside the cluster's network (mTLS is the deployment's job).
  DeviceActivationClient(const std::string& address, absl::Duration deadline);

  // Appends an event to the phone's timeline. `caller`, when given, is the
  // call being served: its request id goes along.
  absl::Status RecordEvent(const std::string& mac, const std::string& kind,
                           const std::string& detail, const std::string& source,
                           const grpc::ServerContextBase* caller = nullptr);

 private:
  std::unique_ptr<device::v1::DeviceActivationService::Stub> stub_;
  absl::Duration deadline_;
};

}  // namespace onramp::clients

#endif  // ONRAMP_LIB_CLIENTS_DEVICE_ACTIVATION_CLIENT_H_
