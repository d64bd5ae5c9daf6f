#include "lib/kit/partner_json/partner_json.h"

#include <memory>

#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/type.pb.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/type_resolver.h"
#include "google/protobuf/util/type_resolver_util.h"
#include "google/protobuf/wrappers.pb.h"
#include "onramp/common/v1/common.pb.h"

namespace onramp::partner_json {

namespace {

namespace protobuf = google::protobuf;

constexpr char kUrlPrefix[] = "type.googleapis.com";

std::string TypeUrl(const protobuf::Descriptor* descriptor) {
  return absl::StrCat(kUrlPrefix, "/", descriptor->full_name());
}

// The generated pool's types, with every MacAddress field retyped as a
// StringValue: both are one string in field 1, so the bytes are the same
// and only the JSON changes.
class MacAsString : public protobuf::util::TypeResolver {
 public:
  MacAsString()
      : pool_(protobuf::util::NewTypeResolverForDescriptorPool(kUrlPrefix, protobuf::DescriptorPool::generated_pool())),
        mac_url_(TypeUrl(common::v1::MacAddress::descriptor())),
        string_url_(TypeUrl(protobuf::StringValue::descriptor())) {}

  protobuf::util::Status ResolveMessageType(const std::string& type_url, protobuf::Type* type) override {
    protobuf::util::Status status = pool_->ResolveMessageType(type_url, type);
    if (!status.ok()) return status;
    for (protobuf::Field& field : *type->mutable_fields()) {
      if (field.type_url() == mac_url_) field.set_type_url(string_url_);
    }
    return status;
  }

  protobuf::util::Status ResolveEnumType(const std::string& type_url, protobuf::Enum* enum_type) override {
    return pool_->ResolveEnumType(type_url, enum_type);
  }

 private:
  std::unique_ptr<protobuf::util::TypeResolver> pool_;
  const std::string mac_url_;
  const std::string string_url_;
};

protobuf::util::TypeResolver& Resolver() {
  static MacAsString* const resolver = new MacAsString();
  return *resolver;
}

}  // namespace

absl::Status Parse(std::string_view json, protobuf::Message* message) {
  protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  std::string binary;
  protobuf::util::Status plain = protobuf::util::JsonToBinaryString(
      &Resolver(), TypeUrl(message->GetDescriptor()), std::string(json), &binary, options);
  if (plain.ok()) {
    if (!message->ParseFromString(binary)) return absl::InvalidArgumentError("not a valid request");
    return absl::OkStatus();
  }
  // MACs written as {"value": "..."}, the protobuf mapping's own form.
  if (protobuf::util::JsonStringToMessage(std::string(json), message, options).ok()) return absl::OkStatus();
  return absl::InvalidArgumentError(plain.message().as_string());
}

absl::StatusOr<std::string> Print(const protobuf::Message& message) {
  protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  options.always_print_primitive_fields = true;
  std::string json;
  protobuf::util::Status printed = protobuf::util::BinaryToJsonString(
      &Resolver(), TypeUrl(message.GetDescriptor()), message.SerializeAsString(), &json, options);
  if (!printed.ok()) return absl::InternalError(absl::StrCat("reply not representable as JSON: ", printed.message().as_string()));
  return json;
}

}  // namespace onramp::partner_json
