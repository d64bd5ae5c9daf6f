// acs: the TR-069 ACS, CWMP sessions with phones through the gateway.
#include "lib/kit/server/service_main.h"
#include "services/acs/wiring.h"

int main(int argc, char** argv) {
  return onramp::server::ServiceMain(
      argc, argv, "acs",
      "Serves onramp.acs.v1.AcsService: CWMP (TR-069) sessions with phones, one POST at a\n"
      "time through the gateway; brings each phone to its rendered profile.",
      onramp::acs::RegisterFlags, onramp::acs::Run);
}
