// onramp: operator commands against a running fleet. Addresses come from
// flags or from the environment `tools/fleet` writes (.fleet/endpoints.env):
//
//   onramp codes create --partner P --count N --rule RULE [--model M] [--mac MAC]
//   onramp codes list   --partner P [--page_size N] [--page_token T]
//   onramp codes get    --partner P --id ID
//   onramp codes revoke --partner P --id ID
//   onramp codes redeem --code DIGITS --mac MAC --model PN [--serial SN] [--source IP]
//   onramp devices claim    --partner P --mac MAC[,MAC...] --model PN --rule RULE
//                           [--trust factory_certificate|mac_only]
//   onramp devices get      --partner P --mac MAC
//   onramp devices lookup   --mac MAC --model PN [--source IP]   (as anyone may ask: the rule only)
//   onramp devices timeline --partner P --mac MAC
//   onramp firmware upload --file F --models PN[,PN...] [--name N]   (N defaults to F's name)
//   onramp firmware edge   --model PN --from_min V --from_max V --to V
//   onramp firmware target --partner P --model PN --version V
//   onramp keys create --partner P --name NAME    (prints the key once)
//   onramp keys list   --partner P [--page_size N] [--page_token T]
//   onramp keys revoke --partner P --id ID
//   onramp profiles put     [--partner P] --scope global|model|partner|site|device [--key K]
//                           --set Name=Value,... [--secret Name,...] [--if_version N|-1] [--site S]
//                           [--encryption aes-256-cbc|aes128gcm] [--gzip]
//   onramp profiles render  --mac MAC --model PN [--authenticated]
//   onramp profiles preview --partner P --mac MAC [--model PN] [--reveal]
//   onramp tasks create --partner P --mac MAC --kind get|set|reboot|factory-reset|download [...]
//   onramp tasks list   --partner P --mac MAC
//   onramp tasks get    --partner P --id ID
//
// Replies print as JSON; errors as one line with the gRPC code, exit 1.

#include <openssl/sha.h>

#include <chrono>
#include <fstream>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "grpcpp/create_channel.h"
#include "lib/kit/config/flags.h"
#include "lib/kit/bulk_csv/bulk_csv.h"
#include "tools/onramp/api_command.h"
#include "tools/onramp/cli_kit.h"
#include "tools/onramp/tasks_command.h"
#include "onramp/activation/v1/activation.grpc.pb.h"
#include "onramp/device/v1/device.grpc.pb.h"
#include "onramp/firmware/v1/firmware.grpc.pb.h"
#include "onramp/profile/v1/profile.grpc.pb.h"

namespace onramp::cli {
namespace {

namespace av1 = ::onramp::activation::v1;
namespace dv1 = ::onramp::device::v1;
namespace pv1 = ::onramp::profile::v1;
namespace fv1 = ::onramp::firmware::v1;

constexpr char kUsage[] =
    "Usage: onramp codes create|list|get|revoke|redeem [flags]\n"
    "       onramp devices claim|list|get|lookup|timeline|logs|assign-sites [flags]\n"
    "       onramp firmware upload|edge|target [flags]\n"
    "       onramp keys create|list|revoke [flags]\n"
    "       onramp profiles put|render|preview [flags]\n"
    "       onramp tasks create|list|get [flags]   (TR-069 tasks for a phone)\n"
    "       onramp api [-X METHOD] PATH [--data JSON|@file] [--csv FILE]   (the partner REST API, with a key)\n"
    "\n"
    "Operator commands against the fleet's services; `onramp GROUP COMMAND --help`\n"
    "lists each command's flags. Service addresses come from flags, ONRAMP_*_ADDR\n"
    "variables, or the local fleet's .fleet/endpoints.env (or $ONRAMP_FLEET_DIR's).\n"
    "\n"
    "Replies print as tables; -o json prints them as JSON. Bulk work (--csv) shows\n"
    "its progress on stderr.\n"
    "\n"
    "Exit codes: 0 done, 1 failed, 2 bad usage or input, 3 not found, 4 denied,\n"
    "5 conflict (exists, stale, wrong state), 6 try again later, 7 some rows refused.\n";

void SetDeadline(grpc::ClientContext* context) {
  context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
}

absl::StatusOr<std::string> ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// A claim streamed by device-activation in chunks of 1,000 rows: a progress
// line each on stderr, then the totals (or every row, -o json).
int ClaimWithProgress(dv1::DeviceActivationService::Stub& stub, dv1::ClaimDevicesRequest request) {
  std::random_device random;
  request.set_idempotency_key(absl::StrCat("cli-", random(), random()));
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::minutes(10));
  auto reader = stub.ClaimDevicesWithProgress(&context, request);
  dv1::ClaimDevicesResponse all;
  dv1::ClaimProgress progress;
  while (reader->Read(&progress)) {
    std::cerr << "claimed " << progress.rows_done() << "/" << progress.rows_total() << " rows ("
              << progress.counts().conflicts() << " another partner's, " << progress.counts().invalid()
              << " invalid)\n";
    for (dv1::ClaimResult& result : *progress.mutable_results()) *all.add_results() = std::move(result);
    *all.mutable_counts() = progress.counts();
  }
  grpc::Status status = reader->Finish();
  if (!status.ok()) return Print(status, all);
  if (OutputFormat() == Output::kJson) {
    Print(status, all);
  } else {
    std::cout << Table(all.counts());
    for (const dv1::ClaimResult& result : all.results()) {
      if (result.outcome() == dv1::CLAIM_OUTCOME_CONFLICT || result.outcome() == dv1::CLAIM_OUTCOME_INVALID) {
        std::cout << "row " << result.row() + 1 << " " << result.mac() << ": "
                  << (result.outcome() == dv1::CLAIM_OUTCOME_CONFLICT ? "claimed by another partner" : result.reason())
                  << "\n";
      }
    }
  }
  return all.counts().conflicts() + all.counts().invalid() > 0 ? kExitPartial : kExitOk;
}

// Site assignments in chunks of 1,000 rows (profile-render takes up to
// 10,000 at once; chunks show progress), then the totals.
int AssignWithProgress(pv1::ProfileRenderService::Stub& stub, const pv1::AssignSitesRequest& request) {
  constexpr int kChunk = 1000;
  pv1::AssignSitesResponse all;
  for (int start = 0; start < request.assignments_size(); start += kChunk) {
    pv1::AssignSitesRequest chunk;
    chunk.set_partner(request.partner());
    for (int i = start; i < std::min(start + kChunk, request.assignments_size()); ++i) {
      *chunk.add_assignments() = request.assignments(i);
    }
    grpc::ClientContext context;
    SetDeadline(&context);
    pv1::AssignSitesResponse response;
    grpc::Status status = stub.AssignSites(&context, chunk, &response);
    if (!status.ok()) return Print(status, response);
    for (pv1::AssignResult& result : *response.mutable_results()) {
      result.set_row(result.row() + start);
      *all.add_results() = std::move(result);
    }
    pv1::AssignCounts& counts = *all.mutable_counts();
    counts.set_assigned(counts.assigned() + response.counts().assigned());
    counts.set_unchanged(counts.unchanged() + response.counts().unchanged());
    counts.set_not_found(counts.not_found() + response.counts().not_found());
    counts.set_invalid(counts.invalid() + response.counts().invalid());
    std::cerr << "assigned " << chunk.assignments_size() + start << "/" << request.assignments_size() << " rows ("
              << counts.not_found() << " not the partner's, " << counts.invalid() << " invalid)\n";
  }
  if (OutputFormat() == Output::kJson) {
    Print(grpc::Status::OK, all);
  } else {
    std::cout << Table(all.counts());
    for (const pv1::AssignResult& result : all.results()) {
      if (result.outcome() == pv1::ASSIGN_OUTCOME_NOT_FOUND || result.outcome() == pv1::ASSIGN_OUTCOME_INVALID) {
        std::cout << "row " << result.row() + 1 << " " << result.mac() << ": "
                  << (result.outcome() == pv1::ASSIGN_OUTCOME_NOT_FOUND ? "not a phone the partner claimed"
                                                                        : result.reason())
                  << "\n";
      }
    }
  }
  return all.counts().not_found() + all.counts().invalid() > 0 ? kExitPartial : kExitOk;
}

std::unique_ptr<av1::ActivationCodeService::Stub> ActivationStub(const std::string& address) {
  return av1::ActivationCodeService::NewStub(
      grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
}


int Codes(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << kUsage;
    return 2;
  }
  std::string command = argv[1];
  std::string address;
  std::string partner, rule, model, mac, id, code, serial, source = "127.0.0.1", page_token;
  std::string idempotency_key;
  int count = 1;
  int page_size = 0;
  config::Flags flags(absl::StrCat("onramp codes ", command), "Activation codes.");
  flags.RequiredString("activation_code_addr", &address, "host:port of the activation-code service.");
  if (command == "create") {
    flags.RequiredString("partner", &partner, "Partner id.");
    flags.Int("count", &count, 1, 1000, "How many codes.");
    flags.RequiredString("rule", &rule, "Profile_Rule the phones get.");
    flags.String("model", &model, "Only phones of this model may redeem.");
    flags.String("mac", &mac, "Only this phone may redeem.");
    flags.String("idempotency_key", &idempotency_key, "Default: a fresh random key.");
  } else if (command == "list") {
    flags.RequiredString("partner", &partner, "Partner id.");
    flags.Int("page_size", &page_size, 0, 1000, "Codes per page (0: the service's default).");
    flags.String("page_token", &page_token, "From the previous page.");
  } else if (command == "get" || command == "revoke") {
    flags.RequiredString("partner", &partner, "Partner id.");
    flags.RequiredString("id", &id, "Code id.");
  } else if (command == "redeem") {
    flags.RequiredString("code", &code, "The 16 digits.");
    flags.RequiredString("mac", &mac, "The phone's MAC.");
    flags.RequiredString("model", &model, "The phone's model ($PN).");
    flags.String("serial", &serial, "The phone's serial.");
    flags.String("source", &source, "The phone's address.");
  } else {
    std::cerr << "onramp: unknown command \"codes " << command << "\"\n\n" << kUsage;
    return 2;
  }
  ParseOrExit(flags, argc - 1, argv + 1);

  auto stub = ActivationStub(address);
  grpc::ClientContext context;
  SetDeadline(&context);
  if (command == "create") {
    av1::CreateCodesRequest request;
    request.set_partner(partner);
    request.set_count(count);
    request.mutable_target()->set_profile_rule(rule);
    request.mutable_constraints()->set_model(model);
    if (!mac.empty()) request.mutable_constraints()->mutable_mac()->set_value(mac);
    if (idempotency_key.empty()) {
      std::random_device random;
      idempotency_key = absl::StrCat("cli-", random(), random());
    }
    request.set_idempotency_key(idempotency_key);
    av1::CreateCodesResponse response;
    return Print(stub->CreateCodes(&context, request, &response), response);
  }
  if (command == "list") {
    av1::ListCodesRequest request;
    request.set_partner(partner);
    request.mutable_page()->set_page_size(page_size);
    request.mutable_page()->set_page_token(page_token);
    av1::ListCodesResponse response;
    return Print(stub->ListCodes(&context, request, &response), response);
  }
  if (command == "get" || command == "revoke") {
    av1::ActivationCode response;
    if (command == "get") {
      av1::GetCodeRequest request;
      request.set_partner(partner);
      request.set_id(id);
      return Print(stub->GetCode(&context, request, &response), response);
    }
    av1::RevokeCodeRequest request;
    request.set_partner(partner);
    request.set_id(id);
    return Print(stub->RevokeCode(&context, request, &response), response);
  }
  av1::RedeemCodeRequest request;
  request.set_code(code);
  request.mutable_device()->mutable_mac()->set_value(mac);
  request.mutable_device()->set_model(model);
  request.mutable_device()->set_serial(serial);
  request.set_source_address(source);
  av1::RedeemCodeResponse response;
  return Print(stub->RedeemCode(&context, request, &response), response);
}

int Devices(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << kUsage;
    return 2;
  }
  std::string command = argv[1];
  std::string address;
  std::string partner, macs, mac, model, rule, trust = "factory_certificate", source = "127.0.0.1", csv, state;
  std::string profile_address, page_token;
  int page_size = 0;
  config::Flags flags(absl::StrCat("onramp devices ", command), "Claimed phones.");
  flags.RequiredString("device_activation_addr", &address, "host:port of the device-activation service.");
  if (command == "claim") {
    flags.RequiredString("partner", &partner, "Partner id.");
    flags.String("mac", &macs, "MAC address(es), comma-separated.");
    flags.String("csv", &csv,
                 "A CSV file whose header row names mac, model and serial columns (instead of --mac); claimed "
                 "in chunks of 1,000 rows with progress on stderr.");
    flags.Check([&macs, &csv] {
      return macs.empty() == csv.empty() ? absl::InvalidArgumentError("give --mac or --csv") : absl::OkStatus();
    });
    flags.String("model", &model, "Model the phones must report (with --mac).");
    flags.RequiredString("rule", &rule, "Profile_Rule the phones are sent to.");
    flags.Choice("trust", &trust, {"factory_certificate", "mac_only"},
                 "What makes a phone's redirect carry its secrets: its factory certificate, or (old phones, "
                 "weaker) its MAC alone over HTTPS.");
  } else if (command == "get" || command == "timeline" || command == "logs") {
    flags.RequiredString("partner", &partner, "Partner id.");
    flags.RequiredString("mac", &mac, "The phone's MAC.");
  } else if (command == "list") {
    flags.RequiredString("partner", &partner, "Partner id.");
    flags.String("model", &model, "Only this model.");
    flags.String("state", &state, "Only phones in this customization state (open, pending, custom_pending, ...).");
    flags.Int("page_size", &page_size, 0, 1000, "Phones per page (0: the service's default).");
    flags.String("page_token", &page_token, "From the previous page.");
  } else if (command == "assign-sites") {
    flags.RequiredString("partner", &partner, "Partner id.");
    flags.RequiredString("csv", &csv,
                         "A CSV file whose header row names mac and site columns (an empty site takes a phone out "
                         "of its site); assigned in chunks of 1,000 rows with progress on stderr.");
    flags.RequiredString("profile_render_addr", &profile_address, "host:port of the profile-render service.");
  } else if (command == "lookup") {
    flags.RequiredString("mac", &mac, "The phone's MAC.");
    flags.RequiredString("model", &model, "The phone's model ($PN).");
    flags.String("source", &source, "The phone's address.");
  } else {
    std::cerr << "onramp: unknown command \"devices " << command << "\"\n\n" << kUsage;
    return 2;
  }
  ParseOrExit(flags, argc - 1, argv + 1);

  auto stub = dv1::DeviceActivationService::NewStub(
      grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  SetDeadline(&context);
  if (command == "claim") {
    dv1::ClaimDevicesRequest request;
    request.set_partner(partner);
    request.mutable_target()->set_profile_rule(rule);
    request.set_trust(trust == "mac_only" ? dv1::DEVICE_TRUST_MAC_ONLY : dv1::DEVICE_TRUST_FACTORY_CERTIFICATE);
    if (!csv.empty()) {
      absl::StatusOr<std::string> text = ReadWholeFile(csv);
      if (!text.ok()) return PrintError(text.status());
      if (absl::Status rows = bulk_csv::DevicesFromCsv(*text, &request); !rows.ok()) return PrintError(rows);
      return ClaimWithProgress(*stub, request);
    }
    for (absl::string_view one : absl::StrSplit(macs, ',')) {
      dv1::DeviceRow* row = request.add_devices();
      row->mutable_mac()->set_value(std::string(one));
      row->set_model(model);
    }
    std::random_device random;
    request.set_idempotency_key(absl::StrCat("cli-", random(), random()));
    dv1::ClaimDevicesResponse response;
    return Print(stub->ClaimDevices(&context, request, &response), response);
  }
  if (command == "list") {
    dv1::ListDevicesRequest request;
    request.set_partner(partner);
    request.set_model(model);
    if (!state.empty()) {
      dv1::CustomizationState wanted;
      if (!dv1::CustomizationState_Parse(absl::StrCat("CUSTOMIZATION_STATE_", absl::AsciiStrToUpper(state)), &wanted)) {
        return PrintError(absl::InvalidArgumentError(absl::StrCat("no customization state ", state)));
      }
      request.set_state(wanted);
    }
    request.mutable_page()->set_page_size(page_size);
    request.mutable_page()->set_page_token(page_token);
    dv1::ListDevicesResponse response;
    return Print(stub->ListDevices(&context, request, &response), response);
  }
  if (command == "assign-sites") {
    absl::StatusOr<std::string> text = ReadWholeFile(csv);
    if (!text.ok()) return PrintError(text.status());
    pv1::AssignSitesRequest request;
    request.set_partner(partner);
    if (absl::Status rows = bulk_csv::AssignmentsFromCsv(*text, &request); !rows.ok()) return PrintError(rows);
    auto profiles = pv1::ProfileRenderService::NewStub(
        grpc::CreateChannel(profile_address, grpc::InsecureChannelCredentials()));
    return AssignWithProgress(*profiles, request);
  }
  dv1::DeviceRequest device;
  device.set_partner(partner);
  device.mutable_mac()->set_value(mac);
  if (command == "get") {
    dv1::Device response;
    return Print(stub->GetDevice(&context, device, &response), response);
  }
  if (command == "timeline") {
    dv1::Timeline response;
    return Print(stub->GetTimeline(&context, device, &response), response);
  }
  if (command == "logs") {
    dv1::ListLogsRequest request;
    request.set_partner(partner);
    *request.mutable_mac() = device.mac();
    request.mutable_page()->set_page_size(1000);
    dv1::ListLogsResponse response;
    return Print(stub->ListLogs(&context, request, &response), response);
  }
  dv1::LookupRequest request;
  request.mutable_device()->mutable_mac()->set_value(mac);
  request.mutable_device()->set_model(model);
  request.set_source_address(source);
  dv1::LookupResponse response;
  return Print(stub->Lookup(&context, request, &response), response);
}

int Profiles(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << kUsage;
    return 2;
  }
  std::string command = argv[1];
  std::string address;
  std::string partner, scope, key, set, secrets, site, mac, model, encryption;
  bool gzip = false;
  int64_t if_version = 0;
  bool authenticated = false;
  bool reveal = false;
  config::Flags flags(absl::StrCat("onramp profiles ", command), "Profile layers and renders.");
  flags.RequiredString("profile_render_addr", &address, "host:port of the profile-render service.");
  if (command == "put") {
    flags.String("partner", &partner, "Partner id; empty for the operator's global and model layers.");
    flags.Choice("scope", &scope, {"global", "model", "partner", "site", "device"}, "Layer scope.");
    flags.String("key", &key, "Model, site or MAC, per scope.");
    flags.RequiredString("set", &set, "Parameters: Name=Value,Name=Value.");
    flags.String("secret", &secrets, "Names of the parameters that are secrets, comma-separated.");
    flags.Int("if_version", &if_version, -1, INT64_MAX,
              "Version replaced; 0 creates; -1 replaces whatever is there (read first).");
    flags.String("site", &site, "Device layers: the phone's site.");
    flags.Choice("encryption", &encryption, {"", "aes-256-cbc", "aes128gcm"},
                 "Device layers: how the phone's profiles are encrypted (its key is handed over in that form).");
    flags.Bool("gzip", &gzip, "Device layers: gzip the phone's profiles (before any encryption).");
  } else if (command == "render") {
    flags.RequiredString("mac", &mac, "The phone's MAC.");
    flags.RequiredString("model", &model, "The phone's model.");
    flags.Bool("authenticated", &authenticated, "The phone is on an mTLS channel.");
  } else if (command == "preview") {
    flags.RequiredString("partner", &partner, "Partner id.");
    flags.RequiredString("mac", &mac, "The phone's MAC.");
    flags.String("model", &model, "The phone's model.");
    flags.Bool("reveal", &reveal, "Show secrets.");
  } else {
    std::cerr << "onramp: unknown command \"profiles " << command << "\"\n\n" << kUsage;
    return 2;
  }
  ParseOrExit(flags, argc - 1, argv + 1);
  auto stub = pv1::ProfileRenderService::NewStub(
      grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  SetDeadline(&context);
  if (command == "put") {
    pv1::PutLayerRequest request;
    request.mutable_ref()->set_partner(partner);
    pv1::Scope parsed = pv1::SCOPE_UNSPECIFIED;
    pv1::Scope_Parse(absl::StrCat("SCOPE_", absl::AsciiStrToUpper(scope)), &parsed);
    request.mutable_ref()->set_scope(parsed);
    request.mutable_ref()->set_key(key);
    if (if_version < 0) {
      grpc::ClientContext read_context;
      SetDeadline(&read_context);
      pv1::Layer current;
      if_version = stub->GetLayer(&read_context, request.ref(), &current).ok() ? current.version() : 0;
    }
    request.set_if_version(if_version);
    request.set_site(site);
    if (encryption == "aes-256-cbc") request.set_encryption(pv1::ENCRYPTION_AES_256_CBC);
    if (encryption == "aes128gcm") request.set_encryption(pv1::ENCRYPTION_AES128GCM);
    request.set_gzip(gzip);
    std::vector<std::string> secret_names = absl::StrSplit(secrets, ',', absl::SkipEmpty());
    for (absl::string_view pair : absl::StrSplit(set, ',', absl::SkipEmpty())) {
      std::pair<std::string, std::string> name_value = absl::StrSplit(pair, absl::MaxSplits('=', 1));
      pv1::Parameter* parameter = request.add_parameters();
      parameter->set_name(name_value.first);
      parameter->set_value(name_value.second);
      parameter->set_ua(pv1::USER_ACCESS_NA);
      parameter->set_secret(std::find(secret_names.begin(), secret_names.end(), name_value.first) !=
                            secret_names.end());
    }
    pv1::Layer response;
    return Print(stub->PutLayer(&context, request, &response), response);
  }
  if (command == "render") {
    pv1::RenderRequest request;
    request.mutable_device()->mutable_mac()->set_value(mac);
    request.mutable_device()->set_model(model);
    request.set_authenticated_channel(authenticated);
    pv1::RenderResponse response;
    grpc::Status status = stub->Render(&context, request, &response);
    if (status.ok()) {
      // The body goes out as text when it is text; encrypted or gzipped
      // bytes are not for a terminal: say what they are instead.
      bool text = response.encryption() == pv1::ENCRYPTION_NONE &&
                  response.content_type() == "application/xml";
      std::string body = std::move(*response.mutable_body());
      response.clear_body();
      Print(status, response);
      if (text) {
        std::cout << body;
      } else {
        std::cout << "(" << body.size() << " bytes, " << response.content_type() << ")\n";
      }
      return 0;
    }
    return Print(status, response);
  }
  pv1::PreviewRequest request;
  request.set_partner(partner);
  request.mutable_mac()->set_value(mac);
  request.set_model(model);
  request.set_reveal_secrets(reveal);
  pv1::PreviewResponse response;
  grpc::Status status = stub->Preview(&context, request, &response);
  if (!status.ok()) return Print(status, response);
  std::cout << response.xml();
  return 0;
}

int Keys(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << kUsage;
    return 2;
  }
  std::string command = argv[1];
  std::string address;
  std::string partner, name, id, page_token;
  int page_size = 0;
  config::Flags flags(absl::StrCat("onramp keys ", command), "Partners' REST API keys.");
  flags.RequiredString("device_activation_addr", &address, "host:port of the device-activation service.");
  flags.RequiredString("partner", &partner, "Partner id.");
  if (command == "create") {
    flags.String("name", &name,
                 "What the key is for (e.g. \"billing system\"): keys list shows it, so the partner knows which "
                 "key to revoke. Default: made by the CLI, and when.");
  } else if (command == "list") {
    flags.Int("page_size", &page_size, 0, 1000, "Keys per page (0: the service's default).");
    flags.String("page_token", &page_token, "From the previous page.");
  } else if (command == "revoke") {
    flags.RequiredString("id", &id, "Key id (the part after onr_).");
  } else {
    std::cerr << "onramp: unknown command \"keys " << command << "\"\n\n" << kUsage;
    return 2;
  }
  ParseOrExit(flags, argc - 1, argv + 1);
  auto stub = dv1::ApiKeyService::NewStub(grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  SetDeadline(&context);
  if (command == "create") {
    dv1::CreateApiKeyRequest request;
    request.set_partner(partner);
    request.set_name(name.empty() ? absl::StrCat("made by onramp keys create, ",
                                                 absl::FormatTime("%Y-%m-%d %H:%M UTC", absl::Now(), absl::UTCTimeZone()))
                                  : name);
    dv1::CreateApiKeyResponse response;
    return Print(stub->CreateApiKey(&context, request, &response), response);
  }
  if (command == "list") {
    dv1::ListApiKeysRequest request;
    request.set_partner(partner);
    request.mutable_page()->set_page_size(page_size);
    request.mutable_page()->set_page_token(page_token);
    dv1::ListApiKeysResponse response;
    return Print(stub->ListApiKeys(&context, request, &response), response);
  }
  dv1::RevokeApiKeyRequest request;
  request.set_partner(partner);
  request.set_id(id);
  dv1::ApiKey response;
  return Print(stub->RevokeApiKey(&context, request, &response), response);
}

int Firmware(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << kUsage;
    return 2;
  }
  std::string command = argv[1];
  std::string address;
  std::string file, name, models, model, from_min, from_max, to, partner, version;
  config::Flags flags(absl::StrCat("onramp firmware ", command), "Firmware images, upgrade paths and targets.");
  flags.RequiredString("firmware_catalog_addr", &address, "host:port of the firmware-catalog service.");
  if (command == "upload") {
    flags.RequiredString("file", &file, "The image file.");
    flags.String("name", &name, "Its vendor name (default: the file's name).");
    flags.RequiredString("models", &models, "Models it is for, comma-separated.");
  } else if (command == "edge") {
    flags.RequiredString("model", &model, "The model.");
    flags.RequiredString("from_min", &from_min, "Lowest version that may go straight to --to.");
    flags.RequiredString("from_max", &from_max, "Highest such version.");
    flags.RequiredString("to", &to, "The version they go to.");
  } else if (command == "target") {
    flags.RequiredString("partner", &partner, "Partner id.");
    flags.RequiredString("model", &model, "The model.");
    flags.RequiredString("version", &version, "The version the partner wants its phones on.");
  } else {
    std::cerr << "onramp: unknown command \"firmware " << command << "\"\n\n" << kUsage;
    return 2;
  }
  ParseOrExit(flags, argc - 1, argv + 1);
  auto stub = fv1::FirmwareCatalogService::NewStub(grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  SetDeadline(&context);
  if (command == "upload") {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
      std::cerr << "onramp: cannot read " << file << "\n";
      return 1;
    }
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    fv1::ImageUpload metadata;
    metadata.mutable_metadata()->set_file_name(name.empty() ? file.substr(file.rfind('/') + 1) : name);
    for (absl::string_view each : absl::StrSplit(models, ',', absl::SkipEmpty())) {
      metadata.mutable_metadata()->add_models(std::string(each));
    }
    metadata.mutable_metadata()->set_size(static_cast<int64_t>(bytes.size()));
    unsigned char digest[SHA256_DIGEST_LENGTH];
    SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), digest);
    metadata.mutable_metadata()->set_sha256(
        absl::BytesToHexString(absl::string_view(reinterpret_cast<const char*>(digest), sizeof digest)));
    fv1::Image image;
    auto writer = stub->RegisterImage(&context, &image);
    writer->Write(metadata);
    // Progress on stderr at every tenth of the image.
    size_t next_report = bytes.size() / 10;
    for (size_t at = 0; at < bytes.size(); at += 64 * 1024) {
      fv1::ImageUpload chunk;
      chunk.set_chunk(bytes.substr(at, 64 * 1024));
      if (!writer->Write(chunk)) break;
      size_t sent = std::min(bytes.size(), at + 64 * 1024);
      if (sent >= next_report) {
        std::cerr << "uploaded " << sent * 100 / bytes.size() << "% (" << sent << " of " << bytes.size()
                  << " bytes)\n";
        next_report = sent + bytes.size() / 10;
      }
    }
    writer->WritesDone();
    return Print(writer->Finish(), image);
  }
  if (command == "edge") {
    fv1::UpgradeEdge edge;
    edge.set_model(model);
    edge.set_from_min(from_min);
    edge.set_from_max(from_max);
    edge.set_to(to);
    fv1::UpgradeEdge stored;
    return Print(stub->SetUpgradeEdge(&context, edge, &stored), stored);
  }
  fv1::Target target;
  target.set_partner(partner);
  target.set_model(model);
  target.set_version(version);
  fv1::Target stored;
  return Print(stub->SetTarget(&context, target, &stored), stored);
}

int Main(int argc, char** argv) {
  std::string_view group = argc > 1 ? argv[1] : "";
  if (group == "profiles") return Profiles(argc - 1, argv + 1);
  if (group == "codes") return Codes(argc - 1, argv + 1);
  if (group == "devices") return Devices(argc - 1, argv + 1);
  if (group == "keys") return Keys(argc - 1, argv + 1);
  if (group == "firmware") return Firmware(argc - 1, argv + 1);
  if (group == "api") return ApiCommand(argc - 1, argv + 1);
  if (group == "tasks") return TasksCommand(argc - 1, argv + 1);
  std::cout << kUsage;
  return group == "--help" || group == "-h" ? 0 : 2;
}

}  // namespace
}  // namespace onramp::cli

int main(int argc, char** argv) { return onramp::cli::Main(argc, argv); }
