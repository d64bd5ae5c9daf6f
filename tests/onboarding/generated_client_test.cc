// The partner API's OpenAPI document as a partner uses it: checked by an
// independent validator (@apidevtools/swagger-parser), turned into types by
// a real generator (openapi-typescript), and a client written against
// those types (openapi-fetch, compiled by tsc --strict) calls the real
// fleet over HTTPS. The npm packages come from tools/bootstrap, found by
// ONRAMP_NODE_PATH.

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/testing/shell.h"
#include "services/gateway/partner_api.h"
#include "tests/onboarding/gateway_fleet.h"

namespace onramp {
namespace {

using ::onramp::testing::ReadFile;
using ::onramp::testing::RunShell;
using ::onramp::testing::ShellResult;
using ::testing::HasSubstr;

// A typed client: each call below compiles only if the document gives the
// path, its parameters and the body's fields their real names and types.
constexpr char kClient[] = R"ts(
import createClient from "openapi-fetch";
import type { components, paths } from "./api.js";

// What this program uses of Node's, without @types/node.
declare const process: { env: Record<string, string | undefined>; exit(code: number): never };

type Device = components["schemas"]["Device"];

const client = createClient<paths>({
  baseUrl: process.env.BASE!,
  headers: { Authorization: `Bearer ${process.env.KEY}` },
});

async function main(): Promise<void> {
  const claimed = await client.POST("/api/v1/devices:claim", {
    body: {
      devices: [{ mac: "000e08aabbd0", model: "CP-8851-3PCC", serial: "FCH90" }],
      target: { profile_rule: "https://prov.example.com/$MA.xml" },
    },
    params: { header: { "Idempotency-Key": "generated-client-1" } },
  });
  if (claimed.error) throw new Error(JSON.stringify(claimed.error));
  const claimedCount: number | undefined = claimed.data.counts?.claimed;

  const found = await client.GET("/api/v1/devices/{mac}", { params: { path: { mac: "000e08aabbd0" } } });
  if (found.error) throw new Error(JSON.stringify(found.error));
  const device: Device = found.data;

  const missing = await client.GET("/api/v1/devices/{mac}", { params: { path: { mac: "000e08ffffff" } } });
  const refusal: string | undefined = missing.error?.error.code;

  const listed = await client.GET("/api/v1/devices", { params: { query: { page_size: 10, model: "CP-8851-3PCC" } } });
  if (listed.error) throw new Error(JSON.stringify(listed.error));

  console.log(JSON.stringify({
    claimed: claimedCount,
    mac: device.mac,
    serial: device.serial,
    state: device.state,
    refusal,
    listed: listed.data.devices?.map((d) => d.mac),
  }));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
)ts";

// Calls the document does not allow: a MAC of the wrong type, and a
// misspelt field of the reply. The compiler must refuse both.
constexpr char kMisspeltClient[] = R"ts(
import createClient from "openapi-fetch";
import type { paths } from "./api.js";

const client = createClient<paths>({ baseUrl: "https://127.0.0.1" });
void client.POST("/api/v1/devices:claim", { body: { devices: [{ mac: 12 }] } });
void client.POST("/api/v1/devices:claim", { body: {} }).then((claimed) => claimed.data?.counts?.claimedd);
)ts";

class GeneratedClientTest : public ::onramp::testing::GatewayFleetTest {
 protected:
  void SetUp() override {
    const char* node_path = std::getenv("ONRAMP_NODE_PATH");
    if (node_path == nullptr || !std::filesystem::exists(absl::StrCat(node_path, "/openapi-typescript"))) {
      GTEST_FAIL() << "ONRAMP_NODE_PATH must hold the npm packages tools/bootstrap installs: run tools/test";
    }
    node_modules_ = node_path;
    GatewayFleetTest::SetUp();
    if (HasFatalFailure()) return;
    work_ = absl::StrCat(dir_, "/client");
    std::filesystem::create_directories(work_);
    // tsc and node's ES modules look for packages beside the sources.
    std::filesystem::create_directory_symlink(node_modules_, work_ + "/node_modules");
  }

  ShellResult InWork(const std::string& command) { return RunShell(absl::StrCat("cd '", work_, "' && ", command)); }

  std::string Compile(const std::string& file) {
    return absl::StrCat("node_modules/.bin/tsc --strict --skipLibCheck --module nodenext --moduleResolution nodenext ",
                        "--target es2022 --outDir out ", file);
  }

  std::string node_modules_;
  std::string work_;
};

TEST_F(GeneratedClientTest, AClientGeneratedFromTheDocumentMakesTypedCalls) {
  std::ofstream(work_ + "/openapi.json") << gateway::PartnerApi::OpenApiDocument();
  ShellResult valid = InWork(
      "node -e \"require('@apidevtools/swagger-parser').validate('openapi.json')"
      ".then(() => console.log('valid'), (e) => { console.error(e.message); process.exit(1); })\" 2>&1");
  ASSERT_EQ(valid.exit_code, 0) << valid.output;
  EXPECT_THAT(valid.output, HasSubstr("valid"));

  ShellResult generated = InWork("node_modules/.bin/openapi-typescript openapi.json -o api.d.ts 2>&1");
  ASSERT_EQ(generated.exit_code, 0) << generated.output;

  std::ofstream(work_ + "/misspelt.mts") << kMisspeltClient;
  ShellResult refused = InWork(Compile("misspelt.mts") + " 2>&1");
  EXPECT_NE(refused.exit_code, 0) << "wrong calls compiled: the document's types have no fields";
  EXPECT_THAT(refused.output, HasSubstr("misspelt.mts(7,"));  // mac: 12
  EXPECT_THAT(refused.output, HasSubstr("'claimedd' does not exist"));

  std::ofstream(work_ + "/client.mts") << kClient;
  ShellResult compiled = InWork(Compile("client.mts") + " 2>&1");
  ASSERT_EQ(compiled.exit_code, 0) << compiled.output;

  std::string key = CreateApiKey("acme");
  ShellResult ran = InWork(absl::StrCat("NODE_EXTRA_CA_CERTS='", dir_, "/ca.pem' BASE='", tls_base_, "' KEY='", key,
                                        "' node out/client.mjs 2>&1"));
  ASSERT_EQ(ran.exit_code, 0) << ran.output;
  EXPECT_THAT(ran.output, HasSubstr(R"("claimed":1)"));
  EXPECT_THAT(ran.output, HasSubstr(R"("mac":"000e08aabbd0")"));
  EXPECT_THAT(ran.output, HasSubstr(R"("serial":"FCH90")"));
  EXPECT_THAT(ran.output, HasSubstr(R"("state":"CUSTOMIZATION_STATE_)"));
  EXPECT_THAT(ran.output, HasSubstr(R"("refusal":"NOT_FOUND")"));
  EXPECT_THAT(ran.output, HasSubstr(R"("listed":["000e08aabbd0"])"));
}

TEST_F(GeneratedClientTest, TheServedDocumentIsTheGeneratedOne) {
  std::string key = CreateApiKey("acme");
  std::string served = RunShell(absl::StrCat("curl -s --max-time 10 --cacert ", dir_, "/ca.pem ", tls_base_,
                                             "/api/v1/openapi.json")).output;
  EXPECT_EQ(served, gateway::PartnerApi::OpenApiDocument());
}

}  // namespace
}  // namespace onramp
