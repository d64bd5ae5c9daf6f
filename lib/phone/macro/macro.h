#ifndef ONRAMP_LIB_PHONE_MACRO_MACRO_H_
#define ONRAMP_LIB_PHONE_MACRO_MACRO_H_

// Macro expansion as the phones do it in Profile_Rule*, Upgrade_Rule,
// Resync_Trigger_*, Log_*_Msg and some general-purpose parameters:
//   $NAME      the longest run of letters, digits and _ after the $
//   $(NAME)    the same, delimited: "$(MA)cfg"
//   $(NAME:p)  the value from offset p;  $(NAME:p:q)  q characters from p
//   $$         a literal $
//   &PN        the product name (the TFTP factory rule "&PN.cfg")
// Unknown names, and malformed forms, stay exactly as written. Expansion is
// not recursive: a value containing "$" is inserted as is. $SA-$SD (the
// secret general-purpose parameters) expand only inside --key, --uid and
// --pwd options; elsewhere they stay as written so secrets do not leak into
// URLs or logs.

#include <array>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "lib/phone/identity/mac_address.h"

namespace onramp::macro {

// Everything a macro can name. Unset text fields expand to "".
struct Variables {
  std::optional<identity::MacAddress> mac;  // MA, MAU, MAC
  std::string product_name;                 // PN, e.g. CP-6841-3PCC
  std::string product_series;               // PSN
  std::string serial;                       // SN
  std::string software_version;             // SWVER
  std::string hardware_version;             // HWVER
  std::string ip;                           // IP
  std::string external_ip;                  // EXTIP
  bool client_certificate = false;          // CCERT: Installed / Not Installed
  std::string provisioning_state;           // PRVST: -1 explicit, 0 power-up, 1 periodic, 2 retry
  std::string upgrade_state;                // UPGST
  std::string upgrade_error;                // UPGERR
  std::string provisioning_timer;           // PRVTMR
  std::string upgrade_timer;                // UPGTMR
  std::string registration_timer_1;         // REGTMR1
  std::string registration_timer_2;         // REGTMR2
  std::array<std::string, 16> general_purpose;  // A..P (GPP_A..GPP_P)
  std::array<std::string, 4> secret_general_purpose;  // SA..SD (GPP_SA..GPP_SD)
  // The URL being fetched, for log messages.
  std::string scheme;                       // SCHEME
  std::string server;                       // SERV
  std::string server_ip;                    // SERVIP
  std::string port;                         // PORT
  std::string path;                         // PATH
  std::string error;                        // ERR
};

enum class Context {
  kPlain,
  // Inside --key, --uid or --pwd: $SA-$SD expand too.
  kCredentials,
};

// The value of macro `name` ("MA", "SWVER", "A", ...), or nullopt when the
// name is unknown (or secret outside kCredentials).
std::optional<std::string> Lookup(const Variables& variables, std::string_view name,
                                  Context context = Context::kPlain);

std::string Expand(std::string_view text, const Variables& variables,
                   Context context = Context::kPlain);

}  // namespace onramp::macro

#endif  // ONRAMP_LIB_PHONE_MACRO_MACRO_H_
