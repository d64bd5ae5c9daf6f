#ifndef ONRAMP_SERVICES_GATEWAY_PEER_H_
#define ONRAMP_SERVICES_GATEWAY_PEER_H_

// Who sent a request, as the listener saw it: address, channel and the
// client certificate the TLS handshake verified.

#include <string>

namespace onramp::gateway {

// Which CA issued the client certificate a TLS handshake verified.
enum class ClientCertificate {
  kNone,
  kFactory,       // a manufacturer CA the operator trusts: the phone's own
  kRegistration,  // the fleet's onboarding CA: issued at registration
};

struct Peer {
  std::string address;  // the client's IP
  bool tls = false;
  bool tftp = false;  // a TFTP read request, answered as a GET
  // TFTP: the MAC ($MA form) the LAN's DHCP lease gives this address
  // (--tftp_leases); a claim, not a proof. Empty: none known.
  std::string lease_mac;
  ClientCertificate client_certificate = ClientCertificate::kNone;
  // The verified certificate's subject CN (a phone's MAC) and serial
  // (lowercase hex); empty without one.
  std::string client_common_name;
  std::string client_serial;
};

}  // namespace onramp::gateway

#endif  // ONRAMP_SERVICES_GATEWAY_PEER_H_
