#include "lib/phone/cwmp/cwmp.h"

#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "lib/base/strings/strings.h"
#include "pugixml.hpp"

namespace onramp::cwmp {

namespace {

constexpr char kSoapEnvelope[] = "http://schemas.xmlsoap.org/soap/envelope/";
constexpr char kSoapEncoding[] = "http://schemas.xmlsoap.org/soap/encoding/";
constexpr char kCwmpPrefix[] = "urn:dslforum-org:cwmp-1-";

// --- reading ----------------------------------------------------------------

// The namespace a prefix stands for at `node`, from the xmlns declarations
// on it and its ancestors.
std::string NamespaceAt(pugi::xml_node node, std::string_view prefix) {
  std::string attribute = prefix.empty() ? "xmlns" : absl::StrCat("xmlns:", strings::ToAbsl(prefix));
  for (pugi::xml_node at = node; at; at = at.parent()) {
    if (pugi::xml_attribute declared = at.attribute(attribute.c_str())) return declared.value();
  }
  return "";
}

std::string_view LocalName(pugi::xml_node node) {
  std::string_view name = node.name();
  size_t colon = name.find(':');
  return colon == std::string_view::npos ? name : name.substr(colon + 1);
}

std::string NamespaceOf(pugi::xml_node node) {
  std::string_view name = node.name();
  size_t colon = name.find(':');
  return NamespaceAt(node, colon == std::string_view::npos ? std::string_view() : name.substr(0, colon));
}

// The first child element with this local name, whatever its prefix (RPC
// arguments are unqualified in the schema; some CPEs qualify them).
pugi::xml_node Child(pugi::xml_node node, std::string_view local) {
  for (pugi::xml_node child = node.first_child(); child; child = child.next_sibling()) {
    if (child.type() == pugi::node_element && LocalName(child) == local) return child;
  }
  return {};
}

std::vector<pugi::xml_node> Children(pugi::xml_node node, std::string_view local) {
  std::vector<pugi::xml_node> found;
  for (pugi::xml_node child = node.first_child(); child; child = child.next_sibling()) {
    if (child.type() == pugi::node_element && LocalName(child) == local) found.push_back(child);
  }
  return found;
}

std::string Text(pugi::xml_node node) { return node ? std::string(strings::Trim(node.child_value())) : ""; }

template <typename Integer>
Integer Number(pugi::xml_node node, Integer fallback) {
  Integer number = fallback;
  if (!node || !absl::SimpleAtoi(strings::ToAbsl(Text(node)), &number)) return fallback;
  return number;
}

// xsd:boolean: "1"/"true" (CPEs write either).
bool Boolean(pugi::xml_node node) {
  std::string text = absl::AsciiStrToLower(Text(node));
  return text == "1" || text == "true";
}

// An array of xsd:string.
std::vector<std::string> Strings(pugi::xml_node list) {
  std::vector<std::string> strings;
  for (pugi::xml_node each : Children(list, "string")) strings.push_back(Text(each));
  return strings;
}

std::optional<Version> VersionOf(std::string_view uri) {
  if (uri == "urn:dslforum-org:cwmp-1-0") return Version::k1_0;
  if (uri == "urn:dslforum-org:cwmp-1-1") return Version::k1_1;
  if (uri == "urn:dslforum-org:cwmp-1-2") return Version::k1_2;
  return std::nullopt;
}

std::vector<ParameterValue> ParameterValues(pugi::xml_node list) {
  std::vector<ParameterValue> values;
  for (pugi::xml_node item : Children(list, "ParameterValueStruct")) {
    pugi::xml_node value = Child(item, "Value");
    ParameterValue parameter{.name = Text(Child(item, "Name")), .value = value ? value.child_value() : ""};
    for (pugi::xml_attribute attribute = value.first_attribute(); attribute; attribute = attribute.next_attribute()) {
      std::string_view name = attribute.name();
      if (name == "type" || name.ends_with(":type")) parameter.type = attribute.value();
    }
    values.push_back(std::move(parameter));
  }
  return values;
}

Fault ReadFault(pugi::xml_node soap_fault) {
  Fault fault;
  pugi::xml_node cwmp_fault = Child(Child(soap_fault, "detail"), "Fault");
  fault.code = Number(Child(cwmp_fault, "FaultCode"), 9002);
  fault.message = Text(Child(cwmp_fault, "FaultString"));
  for (pugi::xml_node each : Children(cwmp_fault, "SetParameterValuesFault")) {
    fault.parameter_faults.push_back({.name = Text(Child(each, "ParameterName")),
                                      .code = Number(Child(each, "FaultCode"), 0),
                                      .message = Text(Child(each, "FaultString"))});
  }
  return fault;
}

// --- writing ----------------------------------------------------------------

// TR-069's "Unknown Time" for a dateTime not known.
constexpr char kUnknownTime[] = "0001-01-01T00:00:00Z";

void Add(pugi::xml_node parent, const char* name, const std::string& text) {
  parent.append_child(name).text().set(text.c_str());
}

void AddArray(pugi::xml_node list, const char* type, size_t size) {
  list.append_attribute("soap-enc:arrayType") = absl::StrCat("cwmp:", type, "[", size, "]").c_str();
}

// An array of xsd:string, each a <string>.
void AddStrings(pugi::xml_node list, const std::vector<std::string>& strings) {
  list.append_attribute("soap-enc:arrayType") = absl::StrCat("xsd:string[", strings.size(), "]").c_str();
  for (const std::string& each : strings) Add(list, "string", each);
}

void AddValues(pugi::xml_node parent, const std::vector<ParameterValue>& values) {
  pugi::xml_node list = parent.append_child("ParameterList");
  AddArray(list, "ParameterValueStruct", values.size());
  for (const ParameterValue& parameter : values) {
    pugi::xml_node item = list.append_child("ParameterValueStruct");
    Add(item, "Name", parameter.name);
    pugi::xml_node value = item.append_child("Value");
    value.append_attribute("xsi:type") = parameter.type.c_str();
    value.text().set(parameter.value.c_str());
  }
}

struct BodyWriter {
  pugi::xml_node body;

  void operator()(const std::monostate&) {}
  void operator()(const Inform& inform) {
    pugi::xml_node rpc = body.append_child("cwmp:Inform");
    pugi::xml_node device = rpc.append_child("DeviceId");
    Add(device, "Manufacturer", inform.device.manufacturer);
    Add(device, "OUI", inform.device.oui);
    Add(device, "ProductClass", inform.device.product_class);
    Add(device, "SerialNumber", inform.device.serial_number);
    pugi::xml_node events = rpc.append_child("Event");
    AddArray(events, "EventStruct", inform.events.size());
    for (const EventStruct& event : inform.events) {
      pugi::xml_node item = events.append_child("EventStruct");
      Add(item, "EventCode", event.code);
      Add(item, "CommandKey", event.command_key);
    }
    Add(rpc, "MaxEnvelopes", std::to_string(inform.max_envelopes));
    Add(rpc, "CurrentTime", inform.current_time);
    Add(rpc, "RetryCount", std::to_string(inform.retry_count));
    AddValues(rpc, inform.parameters);
  }
  void operator()(const InformResponse& response) {
    Add(body.append_child("cwmp:InformResponse"), "MaxEnvelopes", std::to_string(response.max_envelopes));
  }
  void operator()(const GetParameterValues& request) {
    AddStrings(body.append_child("cwmp:GetParameterValues").append_child("ParameterNames"), request.names);
  }
  void operator()(const GetParameterValuesResponse& response) {
    AddValues(body.append_child("cwmp:GetParameterValuesResponse"), response.parameters);
  }
  void operator()(const SetParameterValues& request) {
    pugi::xml_node rpc = body.append_child("cwmp:SetParameterValues");
    AddValues(rpc, request.parameters);
    Add(rpc, "ParameterKey", request.parameter_key);
  }
  void operator()(const SetParameterValuesResponse& response) {
    Add(body.append_child("cwmp:SetParameterValuesResponse"), "Status", std::to_string(response.status));
  }
  void operator()(const Download& request) {
    pugi::xml_node rpc = body.append_child("cwmp:Download");
    Add(rpc, "CommandKey", request.command_key);
    Add(rpc, "FileType", request.file_type);
    Add(rpc, "URL", request.url);
    Add(rpc, "Username", request.username);
    Add(rpc, "Password", request.password);
    Add(rpc, "FileSize", std::to_string(request.file_size));
    Add(rpc, "TargetFileName", request.target_file_name);
    Add(rpc, "DelaySeconds", std::to_string(request.delay_seconds));
    Add(rpc, "SuccessURL", "");
    Add(rpc, "FailureURL", "");
  }
  void operator()(const DownloadResponse& response) {
    pugi::xml_node rpc = body.append_child("cwmp:DownloadResponse");
    Add(rpc, "Status", std::to_string(response.status));
    Add(rpc, "StartTime", kUnknownTime);
    Add(rpc, "CompleteTime", kUnknownTime);
  }
  void operator()(const TransferComplete& complete) {
    pugi::xml_node rpc = body.append_child("cwmp:TransferComplete");
    Add(rpc, "CommandKey", complete.command_key);
    pugi::xml_node fault = rpc.append_child("FaultStruct");
    Add(fault, "FaultCode", std::to_string(complete.fault_code));
    Add(fault, "FaultString", complete.fault_string);
    Add(rpc, "StartTime", complete.start_time.empty() ? kUnknownTime : complete.start_time);
    Add(rpc, "CompleteTime", complete.complete_time.empty() ? kUnknownTime : complete.complete_time);
  }
  void operator()(const TransferCompleteResponse&) { body.append_child("cwmp:TransferCompleteResponse"); }
  void operator()(const GetParameterNames& request) {
    pugi::xml_node rpc = body.append_child("cwmp:GetParameterNames");
    Add(rpc, "ParameterPath", request.parameter_path);
    Add(rpc, "NextLevel", request.next_level ? "1" : "0");
  }
  void operator()(const GetParameterNamesResponse& response) {
    pugi::xml_node list = body.append_child("cwmp:GetParameterNamesResponse").append_child("ParameterList");
    AddArray(list, "ParameterInfoStruct", response.parameters.size());
    for (const ParameterInfo& info : response.parameters) {
      pugi::xml_node item = list.append_child("ParameterInfoStruct");
      Add(item, "Name", info.name);
      Add(item, "Writable", info.writable ? "1" : "0");
    }
  }
  void operator()(const SetParameterAttributes& request) {
    pugi::xml_node list = body.append_child("cwmp:SetParameterAttributes").append_child("ParameterList");
    AddArray(list, "SetParameterAttributesStruct", request.parameters.size());
    for (const SetParameterAttributes::Change& change : request.parameters) {
      pugi::xml_node item = list.append_child("SetParameterAttributesStruct");
      Add(item, "Name", change.name);
      Add(item, "NotificationChange", change.notification_change ? "1" : "0");
      Add(item, "Notification", std::to_string(change.notification));
      Add(item, "AccessListChange", change.access_list_change ? "1" : "0");
      AddStrings(item.append_child("AccessList"), change.access_list);
    }
  }
  void operator()(const SetParameterAttributesResponse&) { body.append_child("cwmp:SetParameterAttributesResponse"); }
  void operator()(const GetParameterAttributes& request) {
    AddStrings(body.append_child("cwmp:GetParameterAttributes").append_child("ParameterNames"), request.names);
  }
  void operator()(const GetParameterAttributesResponse& response) {
    pugi::xml_node list = body.append_child("cwmp:GetParameterAttributesResponse").append_child("ParameterList");
    AddArray(list, "ParameterAttributeStruct", response.parameters.size());
    for (const ParameterAttributes& attributes : response.parameters) {
      pugi::xml_node item = list.append_child("ParameterAttributeStruct");
      Add(item, "Name", attributes.name);
      Add(item, "Notification", std::to_string(attributes.notification));
      AddStrings(item.append_child("AccessList"), attributes.access_list);
    }
  }
  void operator()(const AddObject& request) {
    pugi::xml_node rpc = body.append_child("cwmp:AddObject");
    Add(rpc, "ObjectName", request.object_name);
    Add(rpc, "ParameterKey", request.parameter_key);
  }
  void operator()(const AddObjectResponse& response) {
    pugi::xml_node rpc = body.append_child("cwmp:AddObjectResponse");
    Add(rpc, "InstanceNumber", std::to_string(response.instance_number));
    Add(rpc, "Status", std::to_string(response.status));
  }
  void operator()(const DeleteObject& request) {
    pugi::xml_node rpc = body.append_child("cwmp:DeleteObject");
    Add(rpc, "ObjectName", request.object_name);
    Add(rpc, "ParameterKey", request.parameter_key);
  }
  void operator()(const DeleteObjectResponse& response) {
    Add(body.append_child("cwmp:DeleteObjectResponse"), "Status", std::to_string(response.status));
  }
  void operator()(const GetRPCMethods&) { body.append_child("cwmp:GetRPCMethods"); }
  void operator()(const GetRPCMethodsResponse& response) {
    AddStrings(body.append_child("cwmp:GetRPCMethodsResponse").append_child("MethodList"), response.methods);
  }
  void operator()(const Reboot& request) { Add(body.append_child("cwmp:Reboot"), "CommandKey", request.command_key); }
  void operator()(const RebootResponse&) { body.append_child("cwmp:RebootResponse"); }
  void operator()(const FactoryReset&) { body.append_child("cwmp:FactoryReset"); }
  void operator()(const FactoryResetResponse&) { body.append_child("cwmp:FactoryResetResponse"); }
  void operator()(const Fault& fault) {
    pugi::xml_node soap_fault = body.append_child("soap-env:Fault");
    // The SOAP side: the receiver failed on its own (internal errors) or on what it was sent.
    Add(soap_fault, "faultcode", fault.code == 8002 || fault.code == 9002 ? "Server" : "Client");
    Add(soap_fault, "faultstring", "CWMP fault");
    pugi::xml_node cwmp_fault = soap_fault.append_child("detail").append_child("cwmp:Fault");
    Add(cwmp_fault, "FaultCode", std::to_string(fault.code));
    Add(cwmp_fault, "FaultString", fault.message);
    for (const Fault::ParameterFault& each : fault.parameter_faults) {
      pugi::xml_node item = cwmp_fault.append_child("SetParameterValuesFault");
      Add(item, "ParameterName", each.name);
      Add(item, "FaultCode", std::to_string(each.code));
      Add(item, "FaultString", each.message);
    }
  }
  void operator()(const Rpc& rpc) {
    pugi::xml_document fragment;
    if (fragment.load_buffer(rpc.xml.data(), rpc.xml.size())) {
      // Under this envelope's cwmp prefix, whatever prefix it came with.
      pugi::xml_node copied = body.append_copy(fragment.document_element());
      copied.set_name(absl::StrCat("cwmp:", strings::ToAbsl(LocalName(copied))).c_str());
    } else {
      body.append_child(absl::StrCat("cwmp:", rpc.name).c_str());
    }
  }
};

struct MethodNamer {
  std::string operator()(const std::monostate&) const { return ""; }
  std::string operator()(const Inform&) const { return "Inform"; }
  std::string operator()(const InformResponse&) const { return "InformResponse"; }
  std::string operator()(const GetParameterValues&) const { return "GetParameterValues"; }
  std::string operator()(const GetParameterValuesResponse&) const { return "GetParameterValuesResponse"; }
  std::string operator()(const SetParameterValues&) const { return "SetParameterValues"; }
  std::string operator()(const SetParameterValuesResponse&) const { return "SetParameterValuesResponse"; }
  std::string operator()(const Download&) const { return "Download"; }
  std::string operator()(const DownloadResponse&) const { return "DownloadResponse"; }
  std::string operator()(const TransferComplete&) const { return "TransferComplete"; }
  std::string operator()(const TransferCompleteResponse&) const { return "TransferCompleteResponse"; }
  std::string operator()(const GetParameterNames&) const { return "GetParameterNames"; }
  std::string operator()(const GetParameterNamesResponse&) const { return "GetParameterNamesResponse"; }
  std::string operator()(const SetParameterAttributes&) const { return "SetParameterAttributes"; }
  std::string operator()(const SetParameterAttributesResponse&) const { return "SetParameterAttributesResponse"; }
  std::string operator()(const GetParameterAttributes&) const { return "GetParameterAttributes"; }
  std::string operator()(const GetParameterAttributesResponse&) const { return "GetParameterAttributesResponse"; }
  std::string operator()(const AddObject&) const { return "AddObject"; }
  std::string operator()(const AddObjectResponse&) const { return "AddObjectResponse"; }
  std::string operator()(const DeleteObject&) const { return "DeleteObject"; }
  std::string operator()(const DeleteObjectResponse&) const { return "DeleteObjectResponse"; }
  std::string operator()(const GetRPCMethods&) const { return "GetRPCMethods"; }
  std::string operator()(const GetRPCMethodsResponse&) const { return "GetRPCMethodsResponse"; }
  std::string operator()(const Reboot&) const { return "Reboot"; }
  std::string operator()(const RebootResponse&) const { return "RebootResponse"; }
  std::string operator()(const FactoryReset&) const { return "FactoryReset"; }
  std::string operator()(const FactoryResetResponse&) const { return "FactoryResetResponse"; }
  std::string operator()(const Fault& fault) const { return absl::StrCat("Fault ", fault.code); }
  std::string operator()(const Rpc& rpc) const { return rpc.name; }
};

}  // namespace

std::string MethodOf(const Envelope& envelope) { return std::visit(MethodNamer{}, envelope.body); }

std::string_view NamespaceOf(Version version) {
  switch (version) {
    case Version::k1_0: return "urn:dslforum-org:cwmp-1-0";
    case Version::k1_1: return "urn:dslforum-org:cwmp-1-1";
    case Version::k1_2: return "urn:dslforum-org:cwmp-1-2";
  }
  return "urn:dslforum-org:cwmp-1-0";
}

absl::StatusOr<Envelope> Parse(std::string_view xml) {
  Envelope envelope;
  if (strings::Trim(xml).empty()) return envelope;
  if (xml.size() > kMaxEnvelope) return absl::InvalidArgumentError("a CWMP envelope is at most 256 KiB");
  pugi::xml_document document;
  pugi::xml_parse_result parsed = document.load_buffer(xml.data(), xml.size(), pugi::parse_default, pugi::encoding_utf8);
  if (!parsed) return absl::InvalidArgumentError(absl::StrCat("not XML: ", parsed.description()));
  pugi::xml_node root = document.document_element();
  if (LocalName(root) != "Envelope" || NamespaceOf(root) != kSoapEnvelope) {
    return absl::InvalidArgumentError("not a SOAP 1.1 Envelope");
  }
  pugi::xml_node header = Child(root, "Header");
  pugi::xml_node body = Child(root, "Body");
  if (!body) return absl::InvalidArgumentError("the Envelope has no Body");
  pugi::xml_node id = Child(header, "ID");
  pugi::xml_node rpc;
  for (pugi::xml_node child = body.first_child(); child; child = child.next_sibling()) {
    if (child.type() == pugi::node_element) {
      rpc = child;
      break;
    }
  }
  // The version: the RPC's namespace, else the ID's, else any declared.
  std::optional<Version> version;
  for (pugi::xml_node named : {rpc, id}) {
    if (!named || version) continue;
    version = VersionOf(NamespaceOf(named));
  }
  for (pugi::xml_attribute attribute = root.first_attribute(); attribute && !version;
       attribute = attribute.next_attribute()) {
    if (std::string_view(attribute.name()).starts_with("xmlns")) version = VersionOf(attribute.value());
  }
  if (!version) {
    return absl::InvalidArgumentError(absl::StrCat("no CWMP namespace (", kCwmpPrefix, "0 to 2)"));
  }
  envelope.version = *version;
  envelope.id = Text(id);
  std::string hold = absl::AsciiStrToLower(Text(Child(header, "HoldRequests")));
  envelope.hold_requests = hold == "1" || hold == "true";
  if (!rpc) return envelope;

  std::string_view name = LocalName(rpc);
  if (name == "Fault" && NamespaceOf(rpc) == kSoapEnvelope) {
    envelope.body = ReadFault(rpc);
  } else if (name == "Inform") {
    Inform inform;
    pugi::xml_node device = Child(rpc, "DeviceId");
    inform.device = {.manufacturer = Text(Child(device, "Manufacturer")),
                     .oui = Text(Child(device, "OUI")),
                     .product_class = Text(Child(device, "ProductClass")),
                     .serial_number = Text(Child(device, "SerialNumber"))};
    for (pugi::xml_node event : Children(Child(rpc, "Event"), "EventStruct")) {
      inform.events.push_back({Text(Child(event, "EventCode")), Text(Child(event, "CommandKey"))});
    }
    inform.max_envelopes = Number(Child(rpc, "MaxEnvelopes"), 1);
    inform.current_time = Text(Child(rpc, "CurrentTime"));
    inform.retry_count = Number(Child(rpc, "RetryCount"), 0);
    inform.parameters = ParameterValues(Child(rpc, "ParameterList"));
    envelope.body = std::move(inform);
  } else if (name == "InformResponse") {
    envelope.body = InformResponse{.max_envelopes = Number(Child(rpc, "MaxEnvelopes"), 1)};
  } else if (name == "GetParameterValues") {
    envelope.body = GetParameterValues{Strings(Child(rpc, "ParameterNames"))};
  } else if (name == "GetParameterValuesResponse") {
    envelope.body = GetParameterValuesResponse{ParameterValues(Child(rpc, "ParameterList"))};
  } else if (name == "SetParameterValues") {
    envelope.body = SetParameterValues{ParameterValues(Child(rpc, "ParameterList")), Text(Child(rpc, "ParameterKey"))};
  } else if (name == "SetParameterValuesResponse") {
    envelope.body = SetParameterValuesResponse{Number(Child(rpc, "Status"), 0)};
  } else if (name == "Download") {
    envelope.body = Download{.command_key = Text(Child(rpc, "CommandKey")),
                             .file_type = Text(Child(rpc, "FileType")),
                             .url = Text(Child(rpc, "URL")),
                             .username = Text(Child(rpc, "Username")),
                             .password = Text(Child(rpc, "Password")),
                             .file_size = Number<int64_t>(Child(rpc, "FileSize"), 0),
                             .target_file_name = Text(Child(rpc, "TargetFileName")),
                             .delay_seconds = Number(Child(rpc, "DelaySeconds"), 0)};
  } else if (name == "DownloadResponse") {
    envelope.body = DownloadResponse{Number(Child(rpc, "Status"), 1)};
  } else if (name == "TransferComplete") {
    pugi::xml_node fault = Child(rpc, "FaultStruct");
    envelope.body = TransferComplete{.command_key = Text(Child(rpc, "CommandKey")),
                                     .fault_code = Number(Child(fault, "FaultCode"), 0),
                                     .fault_string = Text(Child(fault, "FaultString")),
                                     .start_time = Text(Child(rpc, "StartTime")),
                                     .complete_time = Text(Child(rpc, "CompleteTime"))};
  } else if (name == "TransferCompleteResponse") {
    envelope.body = TransferCompleteResponse{};
  } else if (name == "GetParameterNames") {
    envelope.body = GetParameterNames{Text(Child(rpc, "ParameterPath")), Boolean(Child(rpc, "NextLevel"))};
  } else if (name == "GetParameterNamesResponse") {
    GetParameterNamesResponse response;
    for (pugi::xml_node item : Children(Child(rpc, "ParameterList"), "ParameterInfoStruct")) {
      response.parameters.push_back({Text(Child(item, "Name")), Boolean(Child(item, "Writable"))});
    }
    envelope.body = std::move(response);
  } else if (name == "SetParameterAttributes") {
    SetParameterAttributes request;
    for (pugi::xml_node item : Children(Child(rpc, "ParameterList"), "SetParameterAttributesStruct")) {
      request.parameters.push_back({.name = Text(Child(item, "Name")),
                                    .notification_change = Boolean(Child(item, "NotificationChange")),
                                    .notification = Number(Child(item, "Notification"), 0),
                                    .access_list_change = Boolean(Child(item, "AccessListChange")),
                                    .access_list = Strings(Child(item, "AccessList"))});
    }
    envelope.body = std::move(request);
  } else if (name == "SetParameterAttributesResponse") {
    envelope.body = SetParameterAttributesResponse{};
  } else if (name == "GetParameterAttributes") {
    envelope.body = GetParameterAttributes{Strings(Child(rpc, "ParameterNames"))};
  } else if (name == "GetParameterAttributesResponse") {
    GetParameterAttributesResponse response;
    for (pugi::xml_node item : Children(Child(rpc, "ParameterList"), "ParameterAttributeStruct")) {
      response.parameters.push_back({Text(Child(item, "Name")), Number(Child(item, "Notification"), 0),
                                     Strings(Child(item, "AccessList"))});
    }
    envelope.body = std::move(response);
  } else if (name == "AddObject") {
    envelope.body = AddObject{Text(Child(rpc, "ObjectName")), Text(Child(rpc, "ParameterKey"))};
  } else if (name == "AddObjectResponse") {
    envelope.body = AddObjectResponse{Number(Child(rpc, "InstanceNumber"), 0), Number(Child(rpc, "Status"), 0)};
  } else if (name == "DeleteObject") {
    envelope.body = DeleteObject{Text(Child(rpc, "ObjectName")), Text(Child(rpc, "ParameterKey"))};
  } else if (name == "DeleteObjectResponse") {
    envelope.body = DeleteObjectResponse{Number(Child(rpc, "Status"), 0)};
  } else if (name == "GetRPCMethods") {
    envelope.body = GetRPCMethods{};
  } else if (name == "GetRPCMethodsResponse") {
    envelope.body = GetRPCMethodsResponse{Strings(Child(rpc, "MethodList"))};
  } else if (name == "Reboot") {
    envelope.body = Reboot{Text(Child(rpc, "CommandKey"))};
  } else if (name == "RebootResponse") {
    envelope.body = RebootResponse{};
  } else if (name == "FactoryReset") {
    envelope.body = FactoryReset{};
  } else if (name == "FactoryResetResponse") {
    envelope.body = FactoryResetResponse{};
  } else {
    std::ostringstream out;
    rpc.print(out, "", pugi::format_raw);
    envelope.body = Rpc{std::string(name), out.str()};
  }
  return envelope;
}

std::string Write(const Envelope& envelope) {
  if (std::holds_alternative<std::monostate>(envelope.body)) return "";
  pugi::xml_document document;
  pugi::xml_node declaration = document.append_child(pugi::node_declaration);
  declaration.append_attribute("version") = "1.0";
  declaration.append_attribute("encoding") = "UTF-8";
  pugi::xml_node root = document.append_child("soap-env:Envelope");
  root.append_attribute("xmlns:soap-env") = kSoapEnvelope;
  root.append_attribute("xmlns:soap-enc") = kSoapEncoding;
  root.append_attribute("xmlns:xsd") = "http://www.w3.org/2001/XMLSchema";
  root.append_attribute("xmlns:xsi") = "http://www.w3.org/2001/XMLSchema-instance";
  root.append_attribute("xmlns:cwmp") = std::string(NamespaceOf(envelope.version)).c_str();
  pugi::xml_node header = root.append_child("soap-env:Header");
  pugi::xml_node id = header.append_child("cwmp:ID");
  id.append_attribute("soap-env:mustUnderstand") = "1";
  id.text().set(envelope.id.c_str());
  if (envelope.hold_requests) {
    pugi::xml_node hold = header.append_child("cwmp:HoldRequests");
    hold.append_attribute("soap-env:mustUnderstand") = "1";
    hold.text().set("1");
  }
  std::visit(BodyWriter{root.append_child("soap-env:Body")}, envelope.body);
  std::ostringstream out;
  document.save(out, "", pugi::format_raw, pugi::encoding_utf8);
  return out.str();
}

}  // namespace onramp::cwmp
