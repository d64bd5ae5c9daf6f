#include "services/activation-code/service.h"

#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "lib/base/digest/digest.h"
#include "lib/kit/log/log.h"
#include "lib/kit/proto/messages.h"
#include "lib/kit/server/request_id.h"
#include "lib/kit/status/error_detail.h"
#include "lib/kit/status/grpc_status.h"
#include "lib/kit/status/status_macros.h"
#include "lib/kit/validation/fields.h"
#include "lib/phone/rule/rule.h"

namespace onramp::activation {
namespace {

using status::InvalidField;
using status::ToGrpcStatus;

constexpr int kMaxCount = 1000;

using validation::Presence;

absl::Status CheckTarget(const v1::OnboardingTarget& target) {
  RETURN_IF_ERROR(validation::Text("target.profile_rule", target.profile_rule(), 2048));
  absl::StatusOr<rule::Rule> parsed = rule::ParseRule(target.profile_rule());
  if (!parsed.ok()) {
    return InvalidField("target.profile_rule", std::string(parsed.status().message()));
  }
  if (parsed->kind != rule::Rule::Kind::kAlternatives) {
    return InvalidField("target.profile_rule",
                        "target.profile_rule must lead somewhere (not empty or gds://)");
  }
  RETURN_IF_ERROR(
      validation::Text("target.registration_endpoint", target.registration_endpoint(), 2048,
                       Presence::kOptional));
  if (!target.registration_endpoint().empty() &&
      !target.registration_endpoint().starts_with("https://")) {
    return InvalidField("target.registration_endpoint",
                        "target.registration_endpoint must be an https:// URL");
  }
  return validation::Text("target.account_ref", target.account_ref(), 256, Presence::kOptional);
}

v1::CodeState ToProto(CodeState state) {
  switch (state) {
    case CodeState::kActive: return v1::CODE_STATE_ACTIVE;
    case CodeState::kUsed: return v1::CODE_STATE_USED;
    case CodeState::kRevoked: return v1::CODE_STATE_REVOKED;
    case CodeState::kExpired: return v1::CODE_STATE_EXPIRED;
  }
  return v1::CODE_STATE_UNSPECIFIED;
}

void ToProto(const OnboardingTarget& target, v1::OnboardingTarget* out) {
  out->set_profile_rule(target.profile_rule);
  out->set_registration_endpoint(target.registration_endpoint);
  out->set_account_ref(target.account_ref);
}

void ToProto(const CodeRecord& code, v1::ActivationCode* out) {
  out->set_id(code.id);
  out->set_partner(code.partner);
  out->set_batch_id(code.batch_id);
  out->set_last_digits(code.last_digits);
  out->set_state(ToProto(code.state));
  if (!code.model.empty()) out->mutable_constraints()->set_model(code.model);
  if (!code.mac.empty()) out->mutable_constraints()->mutable_mac()->set_value(code.mac);
  ToProto(code.target, out->mutable_target());
  proto::SetTimestamp(code.created, out->mutable_create_time());
  proto::SetTimestamp(code.expires, out->mutable_expire_time());
  if (code.redeemed) {
    proto::SetTimestamp(*code.redeemed, out->mutable_redeem_time());
    out->mutable_redeemed_by()->mutable_mac()->set_value(code.redeemed_mac);
    out->mutable_redeemed_by()->set_model(code.redeemed_model);
    out->mutable_redeemed_by()->set_serial(code.redeemed_serial);
    out->mutable_redeemed_by()->set_firmware_version(code.redeemed_firmware);
  }
}

std::string Peer(grpc::ServerContext* context) { return context->peer(); }

}  // namespace

ActivationCodeServiceImpl::ActivationCodeServiceImpl(CodeStore& store, CodeHasher hasher,
                                                     BatchSealer sealer, ServiceOptions options,
                                                     prometheus::Registry& registry)
    : store_(store),
      hasher_(std::move(hasher)),
      sealer_(std::move(sealer)),
      options_(options),
      codes_created_(prometheus::BuildCounter()
                         .Name("onramp_activation_codes_created_total")
                         .Help("Activation codes minted (replayed batches not counted).")
                         .Register(registry)
                         .Add({})),
      redemptions_(prometheus::BuildCounter()
                       .Name("onramp_activation_redemptions_total")
                       .Help("Code redemptions by outcome.")
                       .Register(registry)) {}

grpc::Status ActivationCodeServiceImpl::CreateCodes(grpc::ServerContext* context,
                                                    const v1::CreateCodesRequest* request,
                                                    v1::CreateCodesResponse* response) {
  auto run = [&]() -> absl::Status {
    RETURN_IF_ERROR(validation::Name("partner", request->partner(), 64));
    if (request->count() < 1 || request->count() > kMaxCount) {
      return InvalidField("count", absl::StrCat("count ", request->count(), " is not in 1..1000"));
    }
    absl::Duration expires_in = options_.default_expiry;
    if (request->has_expires_in()) {
      expires_in = absl::Seconds(request->expires_in().seconds()) +
                   absl::Nanoseconds(request->expires_in().nanos());
      if (expires_in < absl::Hours(1) || expires_in > absl::Hours(24 * 365)) {
        return InvalidField("expires_in", "expires_in must be between 1 hour and 365 days");
      }
    }
    RETURN_IF_ERROR(validation::Name("constraints.model", request->constraints().model(), 64,
                                      Presence::kOptional));
    ASSIGN_OR_RETURN(std::string mac,
                     validation::Mac("constraints.mac", request->constraints().mac().value(),
                                     Presence::kOptional));
    RETURN_IF_ERROR(CheckTarget(request->target()));
    RETURN_IF_ERROR(validation::Text("idempotency_key", request->idempotency_key(), 128));

    NewBatch batch{.partner = request->partner(),
                   .idempotency_key = request->idempotency_key(),
                   .model = request->constraints().model(),
                   .mac = mac,
                   .target = {request->target().profile_rule(),
                              request->target().registration_endpoint(),
                              request->target().account_ref()},
                   .expires_in = expires_in,
                   .source = Peer(context)};
    // The key stands for the whole request: a retry must ask for the same.
    v1::CreateCodesRequest fingerprint = *request;
    fingerprint.clear_idempotency_key();
    batch.request_sha256 = digest::Sha256Hex(proto::DeterministicBytes(fingerprint));
    std::vector<std::string> codes;
    for (int i = 0; i < request->count(); ++i) {
      ASSIGN_OR_RETURN(std::string code, GenerateCode(SystemRandom()));
      batch.code_hashes.push_back(absl::BytesToHexString(hasher_.Hash(code)));
      batch.last_digits.push_back(code.substr(activation_code::kCodeLength - 4));
      codes.push_back(std::move(code));
    }
    batch.sealed_codes = absl::Base64Escape(sealer_.Seal(codes));

    ASSIGN_OR_RETURN(CreatedBatch created, store_.CreateBatch(batch));
    if (created.replayed) {
      std::string sealed;
      if (!absl::Base64Unescape(created.sealed_codes, &sealed)) {
        return absl::DataLossError("sealed batch is not base64");
      }
      ASSIGN_OR_RETURN(codes, sealer_.Open(sealed));
    } else {
      codes_created_.Increment(static_cast<double>(codes.size()));
    }
    // Pair each code with its row through the hash, in generation order.
    std::map<std::string, const CodeRecord*> by_hash;
    for (const CodeRecord& record : created.codes) by_hash[record.code_hash] = &record;
    response->set_batch_id(created.batch_id);
    for (const std::string& code : codes) {
      auto found = by_hash.find(absl::BytesToHexString(hasher_.Hash(code)));
      if (found == by_hash.end()) {
        return absl::DataLossError("a sealed code has no row in its batch");
      }
      v1::IssuedCode* issued = response->add_codes();
      issued->set_code(code);
      ToProto(*found->second, issued->mutable_details());
    }
    log::Info("codes created", {{"request_id", server::RequestIdOf(*context)},
                                {"partner", request->partner()},
                                {"batch_id", created.batch_id},
                                {"count", static_cast<int64_t>(codes.size())},
                                {"replayed", created.replayed ? "true" : "false"}});
    return absl::OkStatus();
  };
  return ToGrpcStatus(run());
}

grpc::Status ActivationCodeServiceImpl::ListCodes(grpc::ServerContext*,
                                                  const v1::ListCodesRequest* request,
                                                  v1::ListCodesResponse* response) {
  auto run = [&]() -> absl::Status {
    RETURN_IF_ERROR(validation::Name("partner", request->partner(), 64));
    RETURN_IF_ERROR(validation::Name("model", request->model(), 64, Presence::kOptional));
    ASSIGN_OR_RETURN(int page_size, validation::PageSize(request->page().page_size()));
    ListFilter filter{.model = request->model(), .page_size = page_size, .page_token = request->page().page_token()};
    switch (request->state()) {
      case v1::CODE_STATE_ACTIVE: filter.state = CodeState::kActive; break;
      case v1::CODE_STATE_USED: filter.state = CodeState::kUsed; break;
      case v1::CODE_STATE_REVOKED: filter.state = CodeState::kRevoked; break;
      case v1::CODE_STATE_EXPIRED: filter.state = CodeState::kExpired; break;
      default: break;
    }
    absl::StatusOr<CodePage> page = store_.List(request->partner(), filter);
    if (!page.ok()) return validation::PageTokenError(page.status());
    for (const CodeRecord& code : page->codes) ToProto(code, response->add_codes());
    response->mutable_page()->set_next_page_token(page->next_page_token);
    return absl::OkStatus();
  };
  return ToGrpcStatus(run());
}

grpc::Status ActivationCodeServiceImpl::GetCode(grpc::ServerContext*,
                                                const v1::GetCodeRequest* request,
                                                v1::ActivationCode* response) {
  auto run = [&]() -> absl::Status {
    RETURN_IF_ERROR(validation::Name("partner", request->partner(), 64));
    RETURN_IF_ERROR(validation::Uuid("id", request->id()));
    ASSIGN_OR_RETURN(CodeRecord code, store_.Get(request->partner(), request->id()));
    ToProto(code, response);
    return absl::OkStatus();
  };
  return ToGrpcStatus(run());
}

grpc::Status ActivationCodeServiceImpl::RevokeCode(grpc::ServerContext* context,
                                                   const v1::RevokeCodeRequest* request,
                                                   v1::ActivationCode* response) {
  auto run = [&]() -> absl::Status {
    RETURN_IF_ERROR(validation::Name("partner", request->partner(), 64));
    RETURN_IF_ERROR(validation::Uuid("id", request->id()));
    ASSIGN_OR_RETURN(CodeRecord code,
                     store_.Revoke(request->partner(), request->id(), Peer(context)));
    ToProto(code, response);
    log::Info("code revoked", {{"request_id", server::RequestIdOf(*context)},
                               {"partner", request->partner()},
                               {"code_id", request->id()}});
    return absl::OkStatus();
  };
  return ToGrpcStatus(run());
}

grpc::Status ActivationCodeServiceImpl::RedeemCode(grpc::ServerContext* context,
                                                   const v1::RedeemCodeRequest* request,
                                                   v1::RedeemCodeResponse* response) {
  auto run = [&]() -> absl::Status {
    // A mistyped code goes no further than this: no database work at all.
    RETURN_IF_ERROR(activation_code::ValidateCode(request->code()));
    ASSIGN_OR_RETURN(std::string mac,
                     validation::Mac("device.mac", request->device().mac().value()));
    RETURN_IF_ERROR(validation::Name("device.model", request->device().model(), 64));
    RETURN_IF_ERROR(validation::Text("device.serial", request->device().serial(), 64, Presence::kOptional));
    RETURN_IF_ERROR(
        validation::Text("device.firmware_version", request->device().firmware_version(), 128,
                         Presence::kOptional));
    RETURN_IF_ERROR(validation::Text("source_address", request->source_address(), 64));

    ASSIGN_OR_RETURN(RedeemOutcome outcome,
                     store_.Redeem({.code_hash = absl::BytesToHexString(hasher_.Hash(request->code())),
                                    .mac = mac,
                                    .model = request->device().model(),
                                    .serial = request->device().serial(),
                                    .firmware = request->device().firmware_version(),
                                    .source = request->source_address()},
                                   options_.limits));
    const char* label = "redeemed";
    absl::Status result;
    switch (outcome.kind) {
      case RedeemOutcome::Kind::kRedeemed:
      case RedeemOutcome::Kind::kReplayed:
        label = outcome.kind == RedeemOutcome::Kind::kReplayed ? "replayed" : "redeemed";
        response->set_redemption_id(outcome.redemption_id);
        response->set_code_id(outcome.code.id);
        response->set_partner(outcome.code.partner);
        response->set_replayed(outcome.kind == RedeemOutcome::Kind::kReplayed);
        response->set_code_names_phone(!outcome.code.mac.empty() && outcome.code.mac == mac);
        ToProto(outcome.code.target, response->mutable_target());
        break;
      // A guesser learns nothing from a refusal: a used, revoked or expired
      // code and one bound to another phone answer as an unknown one.
      case RedeemOutcome::Kind::kUnknownCode:
        label = "unknown";
        result = absl::NotFoundError("no such activation code");
        break;
      case RedeemOutcome::Kind::kNotActive:
        label = "not_active";
        result = absl::NotFoundError("no such activation code");
        break;
      case RedeemOutcome::Kind::kWrongPhone:
        label = "wrong_phone";
        result = absl::NotFoundError("no such activation code");
        break;
      case RedeemOutcome::Kind::kRateLimited:
        label = "rate_limited";
        result = status::LimitExceeded(
            absl::StrCat("too many failed activation attempts for this ", outcome.limited_by), outcome.retry_after);
        break;
    }
    redemptions_.Add({{"outcome", label}}).Increment();
    // Never the code itself in a log line.
    log::Info("redemption", {{"request_id", server::RequestIdOf(*context)},
                             {"outcome", label},
                             {"mac", mac},
                             {"source", request->source_address()},
                             {"code_id", outcome.code.id}});
    return result;
  };
  return ToGrpcStatus(run());
}

}  // namespace onramp::activation
