#include "services/gateway/rest.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/kit/status/error_detail.h"
#include "onramp/device/v1/device.pb.h"
#include "onramp/firmware/v1/firmware.pb.h"

namespace onramp::gateway::rest {
namespace {

namespace http = boost::beast::http;
using ::testing::HasSubstr;
using ::testing::Not;

Request Body(std::string body, std::string type = "application/json") {
  Request request(http::verb::post, "/api/v1/x", 11);
  request.set(http::field::content_type, type);
  request.body() = std::move(body);
  return request;
}

TEST(RestTest, PathPatternsCollectTheirPlaceholders) {
  std::map<std::string, std::string> params;
  EXPECT_TRUE(MatchPath("/api/v1/devices/{mac}/timeline", "/api/v1/devices/000e08aabbcc/timeline", &params));
  EXPECT_EQ(params["mac"], "000e08aabbcc");
  EXPECT_TRUE(MatchPath("/api/v1/devices/{mac}:release",
                        "/api/v1/devices/00%3A0e%3A08%3Aaa%3Abb%3Acc:release", &params));
  EXPECT_EQ(params["mac"], "00:0e:08:aa:bb:cc");
  EXPECT_TRUE(MatchPath("/api/v1/layers/{scope}/{key}", "/api/v1/layers/site/HQ%20floor%202", &params));
  EXPECT_EQ(params["key"], "HQ floor 2");
  EXPECT_FALSE(MatchPath("/api/v1/devices/{mac}:release", "/api/v1/devices/000e08aabbcc", &params));
  EXPECT_FALSE(MatchPath("/api/v1/devices/{mac}:release", "/api/v1/devices/:release", &params));
  EXPECT_FALSE(MatchPath("/api/v1/devices/{mac}", "/api/v1/devices/000e08aabbcc/timeline", &params));
  EXPECT_FALSE(MatchPath("/api/v1/devices/{mac}", "/api/v1/devices/%zz", &params));
}

TEST(RestTest, QueryParametersFillScalarFieldsAndThePage) {
  device::v1::ListDevicesRequest request;
  ASSERT_TRUE(SetFromQuery({{"model", "CP-8851-3PCC"},
                            {"state", "CUSTOMIZATION_STATE_ACQUIRED"},
                            {"page_size", "50"},
                            {"page_token", "abc"}},
                           &request)
                  .ok());
  EXPECT_EQ(request.model(), "CP-8851-3PCC");
  EXPECT_EQ(request.state(), device::v1::CUSTOMIZATION_STATE_ACQUIRED);
  EXPECT_EQ(request.page().page_size(), 50);
  EXPECT_EQ(request.page().page_token(), "abc");

  struct Case {
    std::map<std::string, std::string> query;
    const char* field;
  };
  for (const Case& c : std::vector<Case>{
           {{{"colour", "red"}}, "colour"},
           {{{"partner", "globex"}}, "partner"},  // the key decides the partner
           {{{"page_size", "ten"}}, "page_size"},
           {{{"state", "HAPPY"}}, "state"},
       }) {
    device::v1::ListDevicesRequest ignored;
    absl::Status status = SetFromQuery(c.query, &ignored);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << c.field;
    EXPECT_EQ(status::FieldOf(status), c.field);
  }
  firmware::v1::ListImagesRequest images;
  EXPECT_EQ(SetFromQuery({{"page_size", "5"}}, &images).code(), absl::StatusCode::kOk);
  device::v1::DeviceRequest no_page;
  EXPECT_EQ(status::FieldOf(SetFromQuery({{"page_size", "5"}}, &no_page)), "page_size");
}

TEST(RestTest, JsonBodiesAreStrict) {
  device::v1::ClaimDevicesRequest request;
  ASSERT_TRUE(ParseJsonBody(Body(R"({"devices":[{"mac":{"value":"000e08aabbcc"},"model":"CP-8851-3PCC"}]})"),
                            &request)
                  .ok());
  EXPECT_EQ(request.devices(0).model(), "CP-8851-3PCC");
  device::v1::ClaimDevicesRequest empty;
  EXPECT_TRUE(ParseJsonBody(Body(""), &empty).ok());

  absl::Status typo = ParseJsonBody(Body(R"({"devises":[]})"), &request);
  EXPECT_EQ(typo.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status::FieldOf(typo), "body");
  EXPECT_EQ(status::FieldOf(ParseJsonBody(Body("{"), &request)), "body");
  EXPECT_EQ(status::FieldOf(ParseJsonBody(Body("{}", "text/plain"), &request)), "Content-Type");
}

TEST(RestTest, QueryStringsDecodeOrNameTheQuery) {
  absl::StatusOr<std::map<std::string, std::string>> query =
      QueryOf("/api/v1/devices?model=CP%2D8851&page_size=2");
  ASSERT_TRUE(query.ok());
  EXPECT_EQ((*query)["model"], "CP-8851");
  EXPECT_TRUE(QueryOf("/api/v1/devices")->empty());
  EXPECT_EQ(status::FieldOf(QueryOf("/api/v1/devices?model=%zz").status()), "query");
}

TEST(RestTest, ErrorsBecomePartnerStatusesWithJsonBodies) {
  struct Case {
    absl::Status status;
    int http;
    std::string retry_after;
  };
  for (const Case& c : std::vector<Case>{
           {status::InvalidField("devices[2].mac", "not 12 hex digits"), 400, ""},
           {absl::UnauthenticatedError("who are you"), 401, ""},
           {absl::NotFoundError("no device"), 404, ""},
           {absl::AlreadyExistsError("taken"), 409, ""},
           {absl::FailedPreconditionError("if_version 3 is not the layer's 4"), 412, ""},
           {status::LimitExceeded("too fast", absl::Seconds(7)), 429, "7"},
           {absl::UnavailableError("down"), 503, "5"},
           {absl::InternalError("password=hunter2 in a stack trace"), 500, ""},
       }) {
    Response response = Error(c.status).response;
    EXPECT_EQ(static_cast<int>(response.result()), c.http) << c.status;
    EXPECT_EQ(response[http::field::content_type], "application/json");
    auto retry = response.find(http::field::retry_after);
    EXPECT_EQ(retry == response.end() ? "" : std::string(retry->value()), c.retry_after) << c.status;
    if (c.http == 500) {
      EXPECT_THAT(response.body(), Not(HasSubstr("hunter2")));
      EXPECT_THAT(response.body(), HasSubstr("internal error"));
    } else {
      EXPECT_THAT(response.body(), HasSubstr(std::string(c.status.message())));
    }
  }
  EXPECT_THAT(Error(status::InvalidField("devices[2].mac", "bad")).response.body(),
              HasSubstr(R"("field":"devices[2].mac")"));
  EXPECT_EQ(Error(absl::UnauthenticatedError("x")).response[http::field::www_authenticate],
            "Bearer realm=\"onramp\"");
}

}  // namespace
}  // namespace onramp::gateway::rest
