#include "services/firmware-catalog/service.h"

#include <algorithm>

#include <openssl/evp.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <memory>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "lib/kit/proto/messages.h"
#include "lib/kit/status/error_detail.h"
#include "lib/kit/status/grpc_status.h"
#include "lib/kit/status/status_macros.h"
#include "lib/kit/validation/fields.h"
#include "lib/phone/identity/mac_address.h"
#include "services/firmware-catalog/upgrade_plan.h"

namespace onramp::firmware {

using firmware_version::FirmwareName;
using firmware_version::ParseFirmwareName;
using firmware_version::ParseVersion;
using firmware_version::Version;

namespace {

using status::InvalidField;
using status::ToGrpcStatus;
using validation::Presence;

constexpr size_t kChunk = 64 * 1024;

absl::StatusOr<Version> CheckVersion(const std::string& field, const std::string& text) {
  absl::StatusOr<Version> version = ParseVersion(text);
  if (!version.ok()) return InvalidField(field, std::string(version.status().message()));
  return version;
}

void ToProto(const ImageRecord& image, v1::Image* out) {
  out->set_file_name(image.file_name);
  out->set_version(image.version);
  for (const std::string& model : image.models) out->add_models(model);
  out->set_size(image.size);
  out->set_sha256(image.sha256);
  proto::SetTimestamp(image.created, out->mutable_create_time());
}

v1::RolloutState ToProto(RolloutState state) {
  switch (state) {
    case RolloutState::kRunning: return v1::ROLLOUT_STATE_RUNNING;
    case RolloutState::kPaused: return v1::ROLLOUT_STATE_PAUSED;
    case RolloutState::kHalted: return v1::ROLLOUT_STATE_HALTED;
    case RolloutState::kAborted: return v1::ROLLOUT_STATE_ABORTED;
    case RolloutState::kCompleted: return v1::ROLLOUT_STATE_COMPLETED;
  }
  return v1::ROLLOUT_STATE_UNSPECIFIED;
}

absl::StatusOr<RolloutState> FromProto(v1::RolloutState state) {
  for (RolloutState known : {RolloutState::kRunning, RolloutState::kPaused, RolloutState::kHalted,
                             RolloutState::kAborted, RolloutState::kCompleted}) {
    if (ToProto(known) == state) return known;
  }
  return InvalidField("state", "state is one of ROLLOUT_STATE_RUNNING ... ROLLOUT_STATE_COMPLETED");
}

void ToProto(const RolloutRecord& rollout, v1::Rollout* out) {
  out->set_id(rollout.id);
  out->set_partner(rollout.partner);
  out->set_model(rollout.model);
  out->set_target_version(rollout.target_version);
  for (const Stage& stage : rollout.stages) {
    v1::RolloutStage* s = out->add_stages();
    s->set_percent(stage.percent);
    s->mutable_min_soak()->set_seconds(absl::ToInt64Seconds(stage.min_soak));
  }
  out->set_failure_threshold_percent(rollout.failure_threshold_percent);
  out->set_state(ToProto(rollout.progress.state));
  out->set_current_stage(rollout.progress.current_stage);
  out->set_successes(rollout.progress.successes);
  out->set_failures(rollout.progress.failures);
  proto::SetTimestamp(rollout.progress.stage_started, out->mutable_stage_start_time());
  proto::SetTimestamp(rollout.created, out->mutable_create_time());
}

struct DigestDeleter {
  void operator()(EVP_MD_CTX* context) const { EVP_MD_CTX_free(context); }
};

}  // namespace

grpc::Status FirmwareCatalogServiceImpl::RegisterImage(grpc::ServerContext*,
                                                       grpc::ServerReader<v1::ImageUpload>* reader,
                                                       v1::Image* response) {
  auto run = [&]() -> absl::Status {
    v1::ImageUpload upload;
    if (!reader->Read(&upload) || !upload.has_metadata()) {
      return InvalidField("metadata", "the upload must start with the image's metadata");
    }
    const v1::ImageMetadata metadata = upload.metadata();
    absl::StatusOr<FirmwareName> name = ParseFirmwareName(metadata.file_name());
    if (!name.ok()) return InvalidField("metadata.file_name", std::string(name.status().message()));
    if (metadata.models_size() == 0) return InvalidField("metadata.models", "at least one model");
    for (int i = 0; i < metadata.models_size(); ++i) {
      RETURN_IF_ERROR(validation::Name(absl::StrCat("metadata.models[", i, "]"), metadata.models(i), 64));
    }
    if (metadata.size() <= 0 || metadata.size() > options_.max_image_bytes) {
      return InvalidField("metadata.size", "size must be positive and within the image limit");
    }
    std::string expected = absl::AsciiStrToLower(metadata.sha256());
    if (expected.size() != 64) return InvalidField("metadata.sha256", "sha256 must be 64 hex digits");

    // Bytes land in a temp file and move into place only when they match.
    std::string temp = absl::StrCat(options_.image_dir, "/.upload-", getpid(), "-",
                                    reinterpret_cast<uintptr_t>(&upload));
    std::unique_ptr<EVP_MD_CTX, DigestDeleter> digest(EVP_MD_CTX_new());
    EVP_DigestInit_ex(digest.get(), EVP_sha256(), nullptr);
    int64_t received = 0;
    {
      std::ofstream file(temp, std::ios::binary | std::ios::trunc);
      if (!file) return absl::InternalError("cannot write to the image directory");
      while (reader->Read(&upload)) {
        const std::string& chunk = upload.chunk();
        received += static_cast<int64_t>(chunk.size());
        if (received > metadata.size()) break;
        EVP_DigestUpdate(digest.get(), chunk.data(), chunk.size());
        file.write(chunk.data(), static_cast<std::streamsize>(chunk.size()));
      }
      if (!file.flush()) {
        std::remove(temp.c_str());
        return absl::InternalError("cannot write to the image directory");
      }
    }
    unsigned char hash[EVP_MAX_MD_SIZE];
    unsigned int hash_size = 0;
    EVP_DigestFinal_ex(digest.get(), hash, &hash_size);
    std::string actual = absl::BytesToHexString(
        absl::string_view(reinterpret_cast<const char*>(hash), hash_size));
    if (received != metadata.size() || actual != expected) {
      std::remove(temp.c_str());
      return InvalidField("metadata.sha256",
                          received != metadata.size()
                              ? absl::StrCat("received ", received, " bytes, not the declared ", metadata.size())
                              : "the bytes do not match sha256 (checksum mismatch)");
    }
    std::string path = absl::StrCat(options_.image_dir, "/", actual);
    if (std::rename(temp.c_str(), path.c_str()) != 0) {
      std::remove(temp.c_str());
      return absl::InternalError("cannot store the image");
    }
    ImageRecord record{.file_name = metadata.file_name(),
                       .version = name->version.ToString(),
                       .models = {metadata.models().begin(), metadata.models().end()},
                       .size = received,
                       .sha256 = actual};
    ASSIGN_OR_RETURN(ImageRecord stored, store_.AddImage(record));
    plan_inputs_.Clear();  // every partner's plans for its models
    ToProto(stored, response);
    return absl::OkStatus();
  };
  return ToGrpcStatus(run());
}

grpc::Status FirmwareCatalogServiceImpl::ListImages(grpc::ServerContext*,
                                                    const v1::ListImagesRequest* request,
                                                    v1::ListImagesResponse* response) {
  auto run = [&]() -> absl::Status {
    RETURN_IF_ERROR(validation::Name("model", request->model(), 64, Presence::kOptional));
    ASSIGN_OR_RETURN(int page_size, validation::PageSize(request->page().page_size()));
    auto listed = store_.ListImages(request->model(), page_size, request->page().page_token());
    if (!listed.ok()) return validation::PageTokenError(listed.status());
    for (const ImageRecord& image : listed->first) ToProto(image, response->add_images());
    response->mutable_page()->set_next_page_token(listed->second);
    return absl::OkStatus();
  };
  return ToGrpcStatus(run());
}

grpc::Status FirmwareCatalogServiceImpl::GetImage(grpc::ServerContext*, const v1::GetImageRequest* request,
                                                  v1::Image* response) {
  auto run = [&]() -> absl::Status {
    if (request->file_name().empty()) return InvalidField("file_name", "file_name is required");
    ASSIGN_OR_RETURN(ImageRecord image, store_.GetImage(request->file_name()));
    ToProto(image, response);
    return absl::OkStatus();
  };
  return ToGrpcStatus(run());
}

grpc::Status FirmwareCatalogServiceImpl::ReadImage(grpc::ServerContext* context,
                                                   const v1::ReadImageRequest* request,
                                                   grpc::ServerWriter<v1::ImageChunk>* writer) {
  auto run = [&]() -> absl::Status {
    ASSIGN_OR_RETURN(ImageRecord image, store_.GetImage(request->file_name()));
    if (request->offset() < 0 || request->offset() > image.size) {
      return absl::OutOfRangeError(absl::StrCat("offset ", request->offset(), " is outside the ",
                                                image.size, "-byte image"));
    }
    if (request->length() < 0) return InvalidField("length", "length must not be negative");
    int64_t end = request->length() == 0 ? image.size
                                         : std::min(image.size, request->offset() + request->length());
    std::ifstream file(absl::StrCat(options_.image_dir, "/", image.sha256), std::ios::binary);
    if (!file) return absl::DataLossError(absl::StrCat("the bytes of ", image.file_name, " are missing"));
    file.seekg(request->offset());
    std::string buffer(kChunk, '\0');
    // Streamed in chunks: an image is never held in memory whole.
    for (int64_t at = request->offset(); at < end && !context->IsCancelled();) {
      std::streamsize want = static_cast<std::streamsize>(std::min<int64_t>(kChunk, end - at));
      file.read(buffer.data(), want);
      if (file.gcount() != want) return absl::DataLossError("image file is shorter than recorded");
      v1::ImageChunk chunk;
      chunk.set_data(buffer.data(), static_cast<size_t>(want));
      if (!writer->Write(chunk)) break;
      at += want;
    }
    return absl::OkStatus();
  };
  return ToGrpcStatus(run());
}

grpc::Status FirmwareCatalogServiceImpl::SetUpgradeEdge(grpc::ServerContext*,
                                                        const v1::UpgradeEdge* request,
                                                        v1::UpgradeEdge* response) {
  auto run = [&]() -> absl::Status {
    RETURN_IF_ERROR(validation::Name("model", request->model(), 64));
    ASSIGN_OR_RETURN(Version from_min, CheckVersion("from_min", request->from_min()));
    ASSIGN_OR_RETURN(Version from_max, CheckVersion("from_max", request->from_max()));
    ASSIGN_OR_RETURN(Version to, CheckVersion("to", request->to()));
    if (from_max < from_min) return InvalidField("from_max", "from_max is below from_min");
    ASSIGN_OR_RETURN(UpgradeEdge edge, store_.AddEdge(request->model(), {0, from_min, from_max, to}));
    plan_inputs_.Clear();  // every partner's plans for the model
    *response = *request;
    response->set_id(edge.id);
    response->set_from_min(from_min.ToString());
    response->set_from_max(from_max.ToString());
    response->set_to(to.ToString());
    return absl::OkStatus();
  };
  return ToGrpcStatus(run());
}

grpc::Status FirmwareCatalogServiceImpl::SetTarget(grpc::ServerContext*, const v1::Target* request,
                                                   v1::Target* response) {
  auto run = [&]() -> absl::Status {
    RETURN_IF_ERROR(validation::Name("partner", request->partner(), 64));
    RETURN_IF_ERROR(validation::Name("model", request->model(), 64));
    ASSIGN_OR_RETURN(Version version, CheckVersion("version", request->version()));
    RETURN_IF_ERROR(store_.SetTarget(request->partner(), request->model(), version.ToString()));
    ForgetPlanInputs(request->partner(), request->model());
    *response = *request;
    response->set_version(version.ToString());
    return absl::OkStatus();
  };
  return ToGrpcStatus(run());
}

grpc::Status FirmwareCatalogServiceImpl::PlanUpgrade(grpc::ServerContext*,
                                                     const v1::PlanUpgradeRequest* request,
                                                     v1::PlanUpgradeResponse* response) {
  auto run = [&]() -> absl::Status {
    ASSIGN_OR_RETURN(std::string mac_text, validation::Mac("mac", request->mac().value()));
    RETURN_IF_ERROR(validation::Name("partner", request->partner(), 64));
    RETURN_IF_ERROR(validation::Name("model", request->model(), 64));
    ASSIGN_OR_RETURN(Version current, CheckVersion("current_version", request->current_version()));
    ASSIGN_OR_RETURN(std::shared_ptr<const CachedPlanInputs> cached,
                     PlanInputsFor(request->partner(), request->model()));
    ASSIGN_OR_RETURN(UpgradeStep step, NextStep(cached->inputs, *identity::MacAddress::Parse(mac_text), current,
                                                options_.now()));
    if (!step.next) {
      response->set_up_to_date(true);
      response->set_reason(step.reason);
      return absl::OkStatus();
    }
    ToProto(*step.next, response->mutable_next());
    response->set_upgrade_rule(absl::StrCat(options_.download_base_url, step.next->file_name));
    response->set_hops_left(step.hops_left);
    return absl::OkStatus();
  };
  return ToGrpcStatus(run());
}

grpc::Status FirmwareCatalogServiceImpl::CreateRollout(grpc::ServerContext*,
                                                       const v1::CreateRolloutRequest* request,
                                                       v1::Rollout* response) {
  auto run = [&]() -> absl::Status {
    RETURN_IF_ERROR(validation::Name("partner", request->partner(), 64));
    RETURN_IF_ERROR(validation::Name("model", request->model(), 64));
    ASSIGN_OR_RETURN(Version target, CheckVersion("target_version", request->target_version()));
    if (request->stages_size() == 0 || request->stages_size() > 20) {
      return InvalidField("stages", "1 to 20 stages");
    }
    RolloutRecord rollout{.partner = request->partner(),
                          .model = request->model(),
                          .target_version = target.ToString(),
                          .failure_threshold_percent = request->failure_threshold_percent()};
    int previous = 0;
    for (int i = 0; i < request->stages_size(); ++i) {
      const v1::RolloutStage& stage = request->stages(i);
      if (stage.percent() <= previous || stage.percent() > 100) {
        return InvalidField(absl::StrCat("stages[", i, "].percent"),
                            "stage percents must increase, up to 100");
      }
      previous = stage.percent();
      rollout.stages.push_back({stage.percent(), absl::Seconds(stage.min_soak().seconds())});
    }
    if (previous != 100) return InvalidField("stages", "the last stage must reach 100%");
    if (request->failure_threshold_percent() < 0 || request->failure_threshold_percent() > 100) {
      return InvalidField("failure_threshold_percent", "failure_threshold_percent must be 0..100");
    }
    RETURN_IF_ERROR(validation::Text("idempotency_key", request->idempotency_key(), 128, Presence::kOptional));
    ASSIGN_OR_RETURN(RolloutRecord created, store_.CreateRollout(rollout, options_.now(), request->idempotency_key()));
    ForgetPlanInputs(created.partner, created.model);
    ToProto(created, response);
    return absl::OkStatus();
  };
  return ToGrpcStatus(run());
}

grpc::Status FirmwareCatalogServiceImpl::Command(const v1::RolloutRef* request,
                                                 CatalogStore::Command command, v1::Rollout* response) {
  auto run = [&]() -> absl::Status {
    RETURN_IF_ERROR(validation::Name("partner", request->partner(), 64));
    RETURN_IF_ERROR(validation::Uuid("id", request->id()));
    ASSIGN_OR_RETURN(RolloutRecord rollout,
                     store_.Apply(request->partner(), request->id(), command, options_.now()));
    ForgetPlanInputs(rollout.partner, rollout.model);
    ToProto(rollout, response);
    return absl::OkStatus();
  };
  return ToGrpcStatus(run());
}

grpc::Status FirmwareCatalogServiceImpl::PauseRollout(grpc::ServerContext*, const v1::RolloutRef* request,
                                                      v1::Rollout* response) {
  return Command(request, CatalogStore::Command::kPause, response);
}

grpc::Status FirmwareCatalogServiceImpl::ResumeRollout(grpc::ServerContext*, const v1::RolloutRef* request,
                                                       v1::Rollout* response) {
  return Command(request, CatalogStore::Command::kResume, response);
}

grpc::Status FirmwareCatalogServiceImpl::AbortRollout(grpc::ServerContext*, const v1::RolloutRef* request,
                                                      v1::Rollout* response) {
  return Command(request, CatalogStore::Command::kAbort, response);
}

grpc::Status FirmwareCatalogServiceImpl::GetRollout(grpc::ServerContext*, const v1::RolloutRef* request,
                                                    v1::Rollout* response) {
  auto run = [&]() -> absl::Status {
    RETURN_IF_ERROR(validation::Name("partner", request->partner(), 64));
    RETURN_IF_ERROR(validation::Uuid("id", request->id()));
    ASSIGN_OR_RETURN(RolloutRecord rollout, store_.GetRollout(request->partner(), request->id()));
    // As the sweeper will save it.
    rollout.progress =
        ProgressAt(rollout.stages, rollout.failure_threshold_percent, rollout.progress, options_.now());
    ToProto(rollout, response);
    return absl::OkStatus();
  };
  return ToGrpcStatus(run());
}

grpc::Status FirmwareCatalogServiceImpl::GetUpgradePlans(grpc::ServerContext*, const v1::UpgradePlansRequest* request,
                                                         v1::UpgradePlans* response) {
  auto run = [&]() -> absl::Status {
    RETURN_IF_ERROR(validation::Name("partner", request->partner(), 64));
    RETURN_IF_ERROR(validation::Name("model", request->model(), 64));
    ASSIGN_OR_RETURN(CatalogStore::PlanInputs inputs, store_.PlanInputsFor(request->partner(), request->model()));
    response->set_model(request->model());
    if (inputs.rollout) {
      RolloutRecord rollout = *inputs.rollout;
      rollout.progress = ProgressAt(rollout.stages, rollout.failure_threshold_percent, rollout.progress, options_.now());
      ToProto(rollout, response->mutable_rollout());
      response->set_target_version(rollout.target_version);
    } else if (inputs.target) {
      response->set_target_version(*inputs.target);
    }
    std::sort(inputs.edges.begin(), inputs.edges.end(),
              [](const UpgradeEdge& a, const UpgradeEdge& b) { return a.from_min < b.from_min; });
    for (const UpgradeEdge& edge : inputs.edges) {
      v1::UpgradeEdge* out = response->add_edges();
      out->set_id(edge.id);
      out->set_model(request->model());
      out->set_from_min(edge.from_min.ToString());
      out->set_from_max(edge.from_max.ToString());
      out->set_to(edge.to.ToString());
    }
    std::sort(inputs.images.begin(), inputs.images.end(), [](const ImageRecord& a, const ImageRecord& b) {
      return ParseVersion(a.version).value_or(Version()) < ParseVersion(b.version).value_or(Version());
    });
    for (const ImageRecord& image : inputs.images) ToProto(image, response->add_images());
    return absl::OkStatus();
  };
  return ToGrpcStatus(run());
}

grpc::Status FirmwareCatalogServiceImpl::ListRollouts(grpc::ServerContext*, const v1::ListRolloutsRequest* request,
                                                      v1::ListRolloutsResponse* response) {
  auto run = [&]() -> absl::Status {
    RETURN_IF_ERROR(validation::Name("partner", request->partner(), 64));
    RETURN_IF_ERROR(validation::Name("model", request->model(), 64, Presence::kOptional));
    CatalogStore::RolloutFilter filter{.model = request->model()};
    if (request->state() != v1::ROLLOUT_STATE_UNSPECIFIED) {
      ASSIGN_OR_RETURN(filter.state, FromProto(request->state()));
    }
    ASSIGN_OR_RETURN(int page_size, validation::PageSize(request->page().page_size()));
    auto listed = store_.ListRollouts(request->partner(), filter, page_size, request->page().page_token());
    if (!listed.ok()) return validation::PageTokenError(listed.status());
    absl::Time now = options_.now();
    for (RolloutRecord& rollout : listed->first) {
      rollout.progress = ProgressAt(rollout.stages, rollout.failure_threshold_percent, rollout.progress, now);
      ToProto(rollout, response->add_rollouts());
    }
    response->mutable_page()->set_next_page_token(listed->second);
    return absl::OkStatus();
  };
  return ToGrpcStatus(run());
}

absl::StatusOr<std::shared_ptr<const FirmwareCatalogServiceImpl::CachedPlanInputs>>
FirmwareCatalogServiceImpl::PlanInputsFor(const std::string& partner, const std::string& model) {
  std::string key = absl::StrCat(partner, "/", model);
  absl::Time now = absl::Now();
  std::shared_ptr<const CachedPlanInputs> cached = plan_inputs_.Find(key);
  if (cached && now - cached->read < options_.plan_cache_ttl) return cached;
  ASSIGN_OR_RETURN(CatalogStore::PlanInputs inputs, store_.PlanInputsFor(partner, model));
  cached = std::make_shared<const CachedPlanInputs>(CachedPlanInputs{std::move(inputs), now});
  plan_inputs_.Put(key, cached);
  return cached;
}

void FirmwareCatalogServiceImpl::ForgetPlanInputs(const std::string& partner, const std::string& model) {
  plan_inputs_.Erase(absl::StrCat(partner, "/", model));
}

FirmwareCatalogServiceImpl::FirmwareCatalogServiceImpl(CatalogStore& store, ServiceOptions options,
                                                       prometheus::Registry& registry)
    : store_(store),
      options_(std::move(options)),
      upgrades_(prometheus::BuildCounter()
                    .Name("onramp_firmware_upgrades_reported_total")
                    .Help("Upgrades phones reported, by outcome (success, failure).")
                    .Register(registry)) {}

grpc::Status FirmwareCatalogServiceImpl::ReportUpgrade(grpc::ServerContext*,
                                                       const v1::ReportUpgradeRequest* request,
                                                       v1::ReportUpgradeResponse* response) {
  auto run = [&]() -> absl::Status {
    ASSIGN_OR_RETURN(std::string mac, validation::Mac("mac", request->mac().value()));
    RETURN_IF_ERROR(validation::Name("partner", request->partner(), 64));
    RETURN_IF_ERROR(validation::Name("model", request->model(), 64));
    ASSIGN_OR_RETURN(Version from, CheckVersion("from_version", request->from_version()));
    ASSIGN_OR_RETURN(Version to, CheckVersion("to_version", request->to_version()));
    if (request->outcome() == v1::UPGRADE_OUTCOME_UNSPECIFIED) {
      return InvalidField("outcome", "outcome is required");
    }
    RETURN_IF_ERROR(validation::Text("detail", request->detail(), 512, Presence::kOptional));
    ASSIGN_OR_RETURN(std::optional<RolloutRecord> rollout,
                     store_.Report({.mac = mac,
                                    .partner = request->partner(),
                                    .model = request->model(),
                                    .from_version = from.ToString(),
                                    .to_version = to.ToString(),
                                    .success = request->outcome() == v1::UPGRADE_OUTCOME_SUCCESS,
                                    .detail = request->detail(),
                                    .authenticated = request->authenticated()},
                                   options_.now()));
    upgrades_.Add({{"outcome", request->outcome() == v1::UPGRADE_OUTCOME_SUCCESS ? "success" : "failure"}})
        .Increment();
    if (rollout) {
      ForgetPlanInputs(rollout->partner, rollout->model);
      ToProto(*rollout, response->mutable_rollout());
    }
    return absl::OkStatus();
  };
  return ToGrpcStatus(run());
}

}  // namespace onramp::firmware
