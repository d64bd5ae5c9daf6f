#ifndef ONRAMP_LIB_TESTING_FREE_PORT_H_
#define ONRAMP_LIB_TESTING_FREE_PORT_H_

// A loopback port nothing listens on at the moment of asking, for a program
// a test starts that cannot be told to pick its own (dnsmasq, tinyproxy),
// or a server whose address others must know before it starts. Taken below
// the kernel's ephemeral range when there is room, so no outgoing
// connection is handed it before the test binds it.

namespace onramp::testing {

// `socket_type`: SOCK_STREAM (TCP) or SOCK_DGRAM (UDP).
int FreeLoopbackPort(int socket_type);

// A port free on 127.0.0.1 for UDP and TCP alike (a DNS server takes both).
int FreeLoopbackPortForUdpAndTcp();

}  // namespace onramp::testing

#endif  // ONRAMP_LIB_TESTING_FREE_PORT_H_
