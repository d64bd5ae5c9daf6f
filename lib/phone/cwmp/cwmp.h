#ifndef ONRAMP_LIB_PHONE_CWMP_CWMP_H_
#define ONRAMP_LIB_PHONE_CWMP_CWMP_H_

// CWMP (TR-069) envelopes, versions 1.0 to 1.2, as a CPE and an ACS send
// them: a SOAP 1.1 Envelope whose Header holds cwmp:ID (and cwmp:HoldRequests)
// and whose Body holds one RPC or a SOAP Fault with a cwmp:Fault. Read by
// namespace, not by prefix (independent CPE implementations pick their own
// prefixes), and leniently where the schema is (missing optional fields,
// arrays without arrayType); written as TR-069 Annex A shows them.
//
// The RPCs the fleet's ACS and phone exchange first are typed here;
// `Rpc::name` names any other, whose body is kept whole as XML.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "absl/status/statusor.h"

namespace onramp::cwmp {

// The cwmp namespace's version: urn:dslforum-org:cwmp-1-0, -1-1, -1-2.
enum class Version { k1_0, k1_1, k1_2 };
std::string_view NamespaceOf(Version version);

struct ParameterValue {
  std::string name;   // e.g. "Device.DeviceInfo.SoftwareVersion"
  std::string value;
  std::string type = "xsd:string";  // the xsi:type as written
};

struct DeviceId {
  std::string manufacturer;
  std::string oui;            // six hex digits
  std::string product_class;  // the model
  std::string serial_number;
};

struct EventStruct {
  std::string code;         // "0 BOOTSTRAP", "1 BOOT", "M Download", ...
  std::string command_key;
};

struct Inform {
  DeviceId device;
  std::vector<EventStruct> events;
  int max_envelopes = 1;
  std::string current_time;  // dateTime as sent
  int retry_count = 0;
  std::vector<ParameterValue> parameters;
};

struct InformResponse {
  int max_envelopes = 1;
};

struct GetParameterValues {
  std::vector<std::string> names;  // a name ending in "." is a partial path
};

struct GetParameterValuesResponse {
  std::vector<ParameterValue> parameters;
};

struct SetParameterValues {
  std::vector<ParameterValue> parameters;
  std::string parameter_key;  // the ACS's: the phone stores it in ManagementServer.ParameterKey
};

struct SetParameterValuesResponse {
  int status = 0;  // 0 applied, 1 applied once the CPE reboots
};

// Download file types the fleet's phones take: TR-069's own, and the
// vendor-specific one ("X <OUI> <name>") for a CA certificate the phone
// then trusts for its HTTPS connections.
inline constexpr char kFirmwareUpgradeImage[] = "1 Firmware Upgrade Image";
inline constexpr char kVendorConfigurationFile[] = "3 Vendor Configuration File";
inline constexpr char kCustomCaFile[] = "X 000E08 Custom CA File";

// TR-069 A.3.2.8: the ACS asks the CPE to fetch a file ("1 Firmware Upgrade
// Image", "3 Vendor Configuration File", "X ... CA File", ...) and install it.
struct Download {
  std::string command_key;  // echoed in TransferComplete
  std::string file_type = kFirmwareUpgradeImage;
  std::string url;
  std::string username;
  std::string password;
  int64_t file_size = 0;  // bytes; 0 when unknown
  std::string target_file_name;
  int delay_seconds = 0;
};

struct DownloadResponse {
  int status = 1;  // 0 done already, 1 will be done later (TransferComplete follows)
};

// TR-069 A.3.3.2: the CPE says how a Download went, in a later session.
struct TransferComplete {
  std::string command_key;
  int fault_code = 0;  // 0: success; 9001-9019 otherwise
  std::string fault_string;
  std::string start_time;
  std::string complete_time;
};

struct TransferCompleteResponse {};

// TR-069 A.3.2.3: the parameter (and object, ending in ".") names under
// `parameter_path` ("" or a partial path ending in "."; or one parameter),
// only the next level down with `next_level`.
struct GetParameterNames {
  std::string parameter_path;
  bool next_level = false;
};

struct ParameterInfo {
  std::string name;
  bool writable = false;
};

struct GetParameterNamesResponse {
  std::vector<ParameterInfo> parameters;
};

// A.3.2.4/A.3.2.5: notification 0 off, 1 passive (told at the next
// Inform), 2 active (the CPE opens a session to tell).
struct ParameterAttributes {
  std::string name;
  int notification = 0;
  std::vector<std::string> access_list;  // "Subscriber": who else may change it
};

struct SetParameterAttributes {
  struct Change {
    std::string name;
    bool notification_change = false;
    int notification = 0;
    bool access_list_change = false;
    std::vector<std::string> access_list;
  };
  std::vector<Change> parameters;
};

struct SetParameterAttributesResponse {};

struct GetParameterAttributes {
  std::vector<std::string> names;
};

struct GetParameterAttributesResponse {
  std::vector<ParameterAttributes> parameters;
};

// A.3.2.6/A.3.2.7: a new instance of a multi-instance object ("....Line.")
// and deleting one ("....Line.3.").
struct AddObject {
  std::string object_name;
  std::string parameter_key;
};

struct AddObjectResponse {
  int instance_number = 0;
  int status = 0;
};

struct DeleteObject {
  std::string object_name;
  std::string parameter_key;
};

struct DeleteObjectResponse {
  int status = 0;
};

// Either side asks which RPCs the other serves.
struct GetRPCMethods {};
struct GetRPCMethodsResponse {
  std::vector<std::string> methods;
};

struct Reboot {
  std::string command_key;  // echoed in the "M Reboot" event after it
};
struct RebootResponse {};

// Back to the factory's configuration; the next session is a "0 BOOTSTRAP".
struct FactoryReset {};
struct FactoryResetResponse {};

// A cwmp:Fault inside a SOAP Fault (TR-069 A.5): 9000-9019 from a CPE,
// 8000-8005 from an ACS.
struct Fault {
  int code = 9002;  // internal error
  std::string message;
  struct ParameterFault {
    std::string name;
    int code = 0;
    std::string message;
  };
  std::vector<ParameterFault> parameter_faults;  // SetParameterValuesFault
};

// Any other RPC: its element's local name and its body as XML.
struct Rpc {
  std::string name;
  std::string xml;
};

struct Envelope {
  Version version = Version::k1_0;
  std::string id;              // cwmp:ID, echoed in the response
  bool hold_requests = false;  // cwmp:HoldRequests, ACS to CPE
  // monostate: an empty Body (or, on the wire, an empty HTTP POST).
  std::variant<std::monostate, Inform, InformResponse, GetParameterValues, GetParameterValuesResponse,
               SetParameterValues, SetParameterValuesResponse, Download, DownloadResponse, TransferComplete,
               TransferCompleteResponse, GetRPCMethods, GetRPCMethodsResponse, Reboot, RebootResponse, FactoryReset,
               FactoryResetResponse, GetParameterNames, GetParameterNamesResponse, SetParameterAttributes,
               SetParameterAttributesResponse, GetParameterAttributes, GetParameterAttributesResponse, AddObject,
               AddObjectResponse, DeleteObject, DeleteObjectResponse, Fault, Rpc>
      body;
};

// The RPC's name ("Inform", "DownloadResponse", "Fault", ...; "" for an
// empty envelope), for logs.
std::string MethodOf(const Envelope& envelope);

inline constexpr size_t kMaxEnvelope = 256 * 1024;

// INVALID_ARGUMENT, naming what is wrong, for what is not a CWMP envelope;
// an empty or all-whitespace input is an empty envelope (the CPE's empty
// POST).
absl::StatusOr<Envelope> Parse(std::string_view xml);

// The envelope as XML; an empty body writes an empty string (sent as an
// empty POST, or answered 204).
std::string Write(const Envelope& envelope);

}  // namespace onramp::cwmp

#endif  // ONRAMP_LIB_PHONE_CWMP_CWMP_H_
