#include "services/gateway/openapi.h"

#include <deque>
#include <map>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"

namespace onramp::gateway::openapi {

namespace {

namespace protobuf = google::protobuf;
using protobuf::Descriptor;
using protobuf::EnumDescriptor;
using protobuf::FieldDescriptor;
using protobuf::Value;

// Fields of every request the gateway fills in itself.
const std::set<std::string>& AlwaysSetByGateway() {
  static const std::set<std::string>* const fields = new std::set<std::string>{"partner", "idempotency_key"};
  return *fields;
}

Value String(std::string_view text) {
  Value value;
  value.set_string_value(std::string(text));
  return value;
}

Value Bool(bool flag) {
  Value value;
  value.set_bool_value(flag);
  return value;
}

Value Object(std::initializer_list<std::pair<const char*, Value>> members) {
  Value value;
  auto& fields = *value.mutable_struct_value()->mutable_fields();
  for (const auto& [name, member] : members) fields[name] = member;
  return value;
}

Value& Member(Value& object, const std::string& name) { return (*object.mutable_struct_value()->mutable_fields())[name]; }

void Append(Value& list, Value item) { *list.mutable_list_value()->add_values() = std::move(item); }

Value List() {
  Value value;
  value.mutable_list_value();
  return value;
}

bool IsMac(const Descriptor* type) { return type->full_name() == "onramp.common.v1.MacAddress"; }
bool IsTimestamp(const Descriptor* type) { return type->full_name() == "google.protobuf.Timestamp"; }
bool IsDuration(const Descriptor* type) { return type->full_name() == "google.protobuf.Duration"; }
// Messages printed as a JSON string rather than an object.
bool IsStringLike(const Descriptor* type) { return IsMac(type) || IsTimestamp(type) || IsDuration(type); }

// Component names: a type's own name, or its API's name and its own
// (DeviceParameter, ProfileParameter) where two APIs use the same one.
class Names {
 public:
  void Add(const std::string& full_name, const std::string& name, const std::string& package) {
    full_to_short_[full_name] = {name, package};
    ++uses_[name];
  }
  std::string Of(const std::string& full_name) const {
    const auto& [name, package] = full_to_short_.at(full_name);
    if (uses_.at(name) == 1) return name;
    // onramp.device.v1 -> Device
    std::vector<std::string> parts = absl::StrSplit(package, '.');
    std::string api = parts.size() >= 2 ? parts[parts.size() - 2] : package;
    if (!api.empty()) api[0] = absl::ascii_toupper(api[0]);
    return absl::StrCat(api, name);
  }

 private:
  std::map<std::string, std::pair<std::string, std::string>> full_to_short_;
  std::map<std::string, int> uses_;
};

class Generator {
 public:
  explicit Generator(const std::vector<const Operation*>& operations) : operations_(operations) {
    for (const Operation* operation : operations_) {
      if (operation->output != nullptr) Collect(operation->output);
      if (operation->input != nullptr && operation->body != Body::kNone) {
        Collect(operation->input);
        std::set<std::string>& hidden = hidden_[operation->input->full_name()];
        hidden.insert(AlwaysSetByGateway().begin(), AlwaysSetByGateway().end());
        hidden.insert(operation->set_by_gateway.begin(), operation->set_by_gateway.end());
      } else if (operation->input != nullptr) {
        for (int i = 0; i < operation->input->field_count(); ++i) {
          if (const EnumDescriptor* type = operation->input->field(i)->enum_type()) CollectEnum(type);
        }
      }
    }
  }

  Value Document() {
    Value document = Object({
        {"openapi", String("3.0.3")},
        {"info", Object({{"title", String("Onramp partner API")},
                         {"version", String("1.0.0")},
                         {"description",
                          String("Activation codes, phone claims, redirect profiles, parameter layers, firmware "
                                 "and rollouts for one partner (the API key's). Bodies and replies are the "
                                 "services' protobuf messages in JSON with proto field names; a MAC is a string of "
                                 "12 hex digits, 64-bit integers are strings, every field of a reply is present "
                                 "(zeros included). Errors are {\"error\":{\"code\",\"message\",\"field\"}}.")}})},
        {"servers", List()},
        {"security", List()},
        {"paths", Object({})},
        {"components", Object({})},
    });
    Append(Member(document, "servers"), Object({{"url", String("/")}}));
    Append(Member(document, "security"), Object({{"apiKey", List()}}));
    Value& paths = Member(document, "paths");
    for (const Operation* operation : operations_) Member(Member(paths, operation->path),
                                                          absl::AsciiStrToLower(operation->method)) = Path(*operation);
    Value& components = Member(document, "components");
    Member(components, "securitySchemes") =
        Object({{"apiKey", Object({{"type", String("http")},
                                   {"scheme", String("bearer")},
                                   {"description", String("onr_<id>_<secret>, from `onramp keys create`.")}})}});
    Value& schemas = Member(components, "schemas");
    schemas = Object({});
    for (const Descriptor* type : messages_) Member(schemas, names_.Of(type->full_name())) = MessageSchema(type);
    for (const EnumDescriptor* type : enums_) Member(schemas, names_.Of(type->full_name())) = EnumSchema(type);
    Member(schemas, "Error") = ErrorSchema();
    return document;
  }

 private:
  void Collect(const Descriptor* type) {
    if (IsStringLike(type) || !seen_.insert(type->full_name()).second) return;
    messages_.push_back(type);
    names_.Add(type->full_name(), type->name(), type->file()->package());
    for (int i = 0; i < type->field_count(); ++i) {
      const FieldDescriptor* field = type->field(i);
      if (field->message_type() != nullptr) Collect(field->message_type());
      if (field->enum_type() != nullptr) CollectEnum(field->enum_type());
    }
  }

  void CollectEnum(const EnumDescriptor* type) {
    if (!seen_.insert(type->full_name()).second) return;
    enums_.push_back(type);
    names_.Add(type->full_name(), type->name(), type->file()->package());
  }

  Value Ref(const std::string& full_name) const {
    return Object({{"$ref", String(absl::StrCat("#/components/schemas/", names_.Of(full_name)))}});
  }

  Value ScalarSchema(const FieldDescriptor* field) const {
    switch (field->type()) {
      case FieldDescriptor::TYPE_STRING: return Object({{"type", String("string")}});
      case FieldDescriptor::TYPE_BYTES: return Object({{"type", String("string")}, {"format", String("byte")}});
      case FieldDescriptor::TYPE_BOOL: return Object({{"type", String("boolean")}});
      case FieldDescriptor::TYPE_INT32:
      case FieldDescriptor::TYPE_SINT32:
      case FieldDescriptor::TYPE_SFIXED32:
        return Object({{"type", String("integer")}, {"format", String("int32")}});
      case FieldDescriptor::TYPE_UINT32:
      case FieldDescriptor::TYPE_FIXED32:
        return Object({{"type", String("integer")}, {"format", String("int64")}});
      case FieldDescriptor::TYPE_INT64:
      case FieldDescriptor::TYPE_SINT64:
      case FieldDescriptor::TYPE_SFIXED64:
      case FieldDescriptor::TYPE_UINT64:
      case FieldDescriptor::TYPE_FIXED64:
        // The protobuf JSON mapping prints 64-bit integers as strings.
        return Object({{"type", String("string")}, {"format", String("int64")}, {"example", String("1")}});
      case FieldDescriptor::TYPE_FLOAT:
      case FieldDescriptor::TYPE_DOUBLE:
        return Object({{"type", String("number")}});
      case FieldDescriptor::TYPE_ENUM: return Ref(field->enum_type()->full_name());
      case FieldDescriptor::TYPE_MESSAGE:
      case FieldDescriptor::TYPE_GROUP: {
        const Descriptor* type = field->message_type();
        if (IsMac(type)) {
          return Object({{"type", String("string")},
                         {"example", String("000e08aabbcc")},
                         {"description", String("A MAC address: 12 hex digits (colons or dashes between "
                                                "pairs accepted in requests).")}});
        }
        if (IsTimestamp(type)) return Object({{"type", String("string")}, {"format", String("date-time")}});
        if (IsDuration(type)) {
          return Object({{"type", String("string")},
                         {"example", String("3600s")},
                         {"description", String("Seconds with an s, e.g. 3600s or 1.5s.")}});
        }
        return Ref(type->full_name());
      }
    }
    return Object({});
  }

  Value FieldSchema(const FieldDescriptor* field) const {
    if (field->is_map()) {
      return Object({{"type", String("object")},
                     {"additionalProperties", FieldSchema(field->message_type()->map_value())}});
    }
    if (field->is_repeated()) return Object({{"type", String("array")}, {"items", ScalarSchema(field)}});
    return ScalarSchema(field);
  }

  Value MessageSchema(const Descriptor* type) const {
    Value schema = Object({{"type", String("object")}, {"properties", Object({})}});
    auto hidden = hidden_.find(type->full_name());
    Value& properties = Member(schema, "properties");
    for (int i = 0; i < type->field_count(); ++i) {
      const FieldDescriptor* field = type->field(i);
      if (hidden != hidden_.end() && hidden->second.contains(field->name())) continue;
      Member(properties, field->name()) = FieldSchema(field);
    }
    for (int i = 0; i < type->real_oneof_decl_count(); ++i) {
      const protobuf::OneofDescriptor* oneof = type->oneof_decl(i);
      std::vector<std::string> names;
      for (int f = 0; f < oneof->field_count(); ++f) names.push_back(oneof->field(f)->name());
      Member(schema, "description") = String(absl::StrCat("At most one of: ", absl::StrJoin(names, ", "), "."));
    }
    return schema;
  }

  static Value EnumSchema(const EnumDescriptor* type) {
    Value values = List();
    for (int i = 0; i < type->value_count(); ++i) Append(values, String(type->value(i)->name()));
    return Object({{"type", String("string")}, {"enum", values}});
  }

  static Value ErrorSchema() {
    return Object({
        {"type", String("object")},
        {"required", [] {
           Value required = List();
           Append(required, String("error"));
           return required;
         }()},
        {"properties",
         Object({{"error", Object({{"type", String("object")},
                                   {"properties", Object({{"code", Object({{"type", String("string")},
                                                                           {"example", String("INVALID_ARGUMENT")}})},
                                                          {"message", Object({{"type", String("string")}})},
                                                          {"field", Object({{"type", String("string")},
                                                                            {"example", String("devices[3].mac")}})}})}})}})},
    });
  }

  static Value Parameter(const std::string& name, const char* in, bool required, Value schema,
                         const std::string& description = "") {
    Value parameter = Object({{"name", String(name)}, {"in", String(in)}, {"required", Bool(required)},
                              {"schema", std::move(schema)}});
    if (!description.empty()) Member(parameter, "description") = String(description);
    return parameter;
  }

  Value Path(const Operation& operation) const {
    std::vector<std::string> segments = absl::StrSplit(operation.path, '/', absl::SkipEmpty());
    std::string tag = segments.size() > 2 ? segments[2].substr(0, segments[2].find(':')) : "api";
    Value tags = List();
    Append(tags, String(tag));
    Value path = Object({{"operationId", String(operation.id)},
                         {"summary", String(operation.summary)},
                         {"tags", tags},
                         {"parameters", List()},
                         {"responses", Object({})}});
    Value& parameters = Member(path, "parameters");
    for (const std::string& segment : segments) {
      size_t open = segment.find('{');
      if (open == std::string::npos) continue;
      std::string name = segment.substr(open + 1, segment.find('}') - open - 1);
      Append(parameters, Parameter(name, "path", true, Object({{"type", String("string")}})));
    }
    if (operation.takes_idempotency_key) {
      Append(parameters, Parameter("Idempotency-Key", "header", false, Object({{"type", String("string")}}),
                                   "A retry with the same key gets the first answer."));
    }
    if (operation.body == Body::kNone && operation.input != nullptr) QueryParameters(operation, parameters);
    for (const QueryParameter& query : operation.query) {
      Append(parameters, Parameter(query.name, "query", query.required, Object({{"type", String("string")}}),
                                   query.description));
    }
    if (operation.body != Body::kNone) Member(path, "requestBody") = RequestBody(operation);
    Value& responses = Member(path, "responses");
    if (operation.output != nullptr) {
      Member(responses, std::to_string(operation.success)) =
          Object({{"description", String("Done")},
                  {"content", Object({{"application/json", Object({{"schema", Ref(operation.output->full_name())}})}})}});
    }
    Member(responses, "default") = Object(
        {{"description", String("An error")},
         {"content", Object({{"application/json", Object({{"schema", Object({{"$ref", String("#/components/schemas/Error")}})}})}})}});
    return path;
  }

  void QueryParameters(const Operation& operation, Value& parameters) const {
    std::set<std::string> hidden(operation.set_by_gateway.begin(), operation.set_by_gateway.end());
    hidden.insert(AlwaysSetByGateway().begin(), AlwaysSetByGateway().end());
    const Descriptor* input = operation.input;
    for (int i = 0; i < input->field_count(); ++i) {
      const FieldDescriptor* field = input->field(i);
      if (hidden.contains(field->name()) || field->is_repeated()) continue;
      if (field->message_type() != nullptr) {
        if (field->message_type()->full_name() != "onramp.common.v1.PageRequest") continue;
        Append(parameters, Parameter("page_size", "query", false,
                                     Object({{"type", String("integer")}, {"format", String("int32")}}),
                                     "Results per page (0: the service's default)."));
        Append(parameters, Parameter("page_token", "query", false, Object({{"type", String("string")}}),
                                     "The previous page's page.next_page_token."));
        continue;
      }
      Append(parameters, Parameter(field->name(), "query", false, ScalarSchema(field)));
    }
  }

  Value RequestBody(const Operation& operation) const {
    Value content = Object({});
    if (operation.body == Body::kBytes) {
      Member(content, "application/octet-stream") =
          Object({{"schema", Object({{"type", String("string")}, {"format", String("binary")}})}});
    } else {
      Value json = Object({{"schema", Ref(operation.input->full_name())}});
      if (operation.example != nullptr) {
        Value example;
        if (protobuf::util::JsonStringToMessage(operation.example, &example).ok()) Member(json, "example") = example;
      }
      Member(content, "application/json") = json;
      if (operation.body == Body::kJsonOrCsv) {
        Member(content, "text/csv") = Object({{"schema", Object({{"type", String("string")}})},
                                              {"example", String("mac,model,serial\n000e08aabbcc,CP-8851-3PCC,FCH1\n")}});
      }
    }
    return Object({{"required", Bool(true)}, {"content", content}});
  }

  const std::vector<const Operation*>& operations_;
  std::set<std::string> seen_;
  std::vector<const Descriptor*> messages_;
  std::vector<const EnumDescriptor*> enums_;
  std::map<std::string, std::set<std::string>> hidden_;  // per input message
  Names names_;
};

}  // namespace

std::string Document(const std::vector<const Operation*>& operations) {
  Value document = Generator(operations).Document();
  protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  std::string json;
  (void)protobuf::util::MessageToJsonString(document, &json, options);
  return json;
}

}  // namespace onramp::gateway::openapi
