#ifndef ONRAMP_SERVICES_GATEWAY_PARTNER_API_H_
#define ONRAMP_SERVICES_GATEWAY_PARTNER_API_H_

// The partner REST API under /api/v1: JSON over HTTPS, each request
// authenticated by a bearer API key (device-activation ApiKeyService) and
// scoped to that key's partner, then translated to one or two gRPC calls.
//
//   * Bodies and replies are the services' protobuf messages in JSON
//     (lib/kit/partner_json: field names as in the .proto files, MACs as
//     strings, zeros printed); the partner always comes from the key,
//     never from the body.
//   * Lists take page_size and page_token (and their filters) as query
//     parameters and answer page.next_page_token.
//   * Creates take an Idempotency-Key header: a retry with the same key
//     gets the first answer.
//   * Errors are {"error":{"code","message","field"}} with the status from
//     lib/http/status; another partner's resources are 404, as missing ones.
//   * Bulk claims also take text/csv (a header row naming mac, model and
//     serial columns), answered with a result per row.
//   * Firmware images are uploaded as the raw body (file_name, sha256 and
//     models in the query), streamed to firmware-catalog as they arrive.
//
// The routes, each with its OpenAPI description (openapi.h), from which
// the document at /api/v1/openapi.json is made.

#include <string>
#include <string_view>
#include <vector>

#include "lib/kit/clients/acs.h"
#include "lib/kit/clients/activation_codes.h"
#include "lib/kit/clients/device_activation.h"
#include "lib/kit/clients/firmware_catalog.h"
#include "lib/kit/clients/profile_render.h"
#include "services/gateway/http_server.h"
#include "services/gateway/openapi.h"
#include "services/gateway/partner_auth.h"

namespace onramp::gateway {

class PartnerApi {
 public:
  struct Call;
  using RouteHandler = Reply (PartnerApi::*)(Call&);
  struct Route {
    RouteHandler handle;  // nullptr: an upload, served by StartUpload
    openapi::Operation api;
  };

  // Without `acs` (no TR-069 ACS in this fleet) the task routes answer 404.
  PartnerApi(clients::ActivationCodes& codes, clients::DeviceActivation& devices,
             clients::ProfileRender& profiles, clients::FirmwareCatalog& firmware,
             PartnerAuthOptions auth = {}, clients::Acs* acs = nullptr);

  // The OpenAPI 3 document of Routes(), served at /api/v1/openapi.json.
  static std::string_view OpenApiDocument();

  // Whether `target` is the API's (it then answers every such request).
  static bool Owns(std::string_view target);

  // Answers `request` (over TLS only: bearer keys never cross a plain
  // connection).
  Reply Handle(const Request& request, const Peer& peer, const std::string& request_id);

  // For the listener's UploadRoute: POST /api/v1/firmware streams the image
  // to firmware-catalog RegisterImage; anything else is not an upload.
  UploadStart StartUpload(const Request& head, const Peer& peer, const std::string& request_id);

  static const std::vector<Route>& Routes();

  // How partner requests are admitted (the console signs in through it too).
  PartnerAuth& auth() { return auth_; }

 private:
  Reply CreateCodes(Call& call);
  Reply ListCodes(Call& call);
  Reply GetCode(Call& call);
  Reply RevokeCode(Call& call);
  Reply ClaimDevices(Call& call);
  Reply ListDevices(Call& call);
  Reply SummarizeDevices(Call& call);
  Reply GetDevice(Call& call);
  Reply ReleaseDevice(Call& call);
  Reply DeviceTimeline(Call& call);
  Reply CreateTask(Call& call);
  Reply ListTasks(Call& call);
  Reply GetTask(Call& call);
  Reply PreviewProfile(Call& call);
  Reply DiffProfile(Call& call);
  Reply CreateRedirectProfile(Call& call);
  Reply ListRedirectProfiles(Call& call);
  Reply GetRedirectProfile(Call& call);
  Reply DeleteRedirectProfile(Call& call);
  Reply ListLayers(Call& call);
  Reply PutLayer(Call& call);
  Reply GetLayer(Call& call);
  Reply DeleteLayer(Call& call);
  Reply PutHttpAuth(Call& call);
  Reply DeleteHttpAuth(Call& call);
  Reply ListFirmware(Call& call);
  Reply CreateRollout(Call& call);
  Reply ListRollouts(Call& call);
  Reply AssignSites(Call& call);
  Reply CreateWebhook(Call& call);
  Reply ListWebhooks(Call& call);
  Reply DeleteWebhook(Call& call);
  Reply ListWebhookDeliveries(Call& call);
  Reply SetParameters(Call& call);
  Reply RotateDeviceKey(Call& call);
  Reply UpgradePlan(Call& call);
  Reply UpgradePlans(Call& call);
  Reply DeviceLogs(Call& call);
  absl::StatusOr<common::v1::DeviceActivity> ActivityOf(Call& call, const std::string& mac);
  // Each phone's site and what it last did, from profile-render (left out
  // when it cannot tell).
  void AddActivities(Call& call, google::protobuf::RepeatedPtrField<device::v1::Device>& devices);
  Reply GetRollout(Call& call);
  Reply PauseRollout(Call& call);
  Reply ResumeRollout(Call& call);
  Reply AbortRollout(Call& call);

  // NOT_FOUND unless the partner has claimed the phone in the call's {mac}.
  absl::Status CheckOwnsDevice(Call& call);
  absl::StatusOr<profile::v1::PreviewRequest> PreviewRequestOf(Call& call);

  clients::ActivationCodes& codes_;
  clients::DeviceActivation& devices_;
  clients::ProfileRender& profiles_;
  clients::FirmwareCatalog& firmware_;
  clients::Acs* acs_;
  PartnerAuth auth_;
};

}  // namespace onramp::gateway

#endif  // ONRAMP_SERVICES_GATEWAY_PARTNER_API_H_
