#include "services/gateway/dhcp_leases.h"

#include <filesystem>
#include <fstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace onramp::gateway {
namespace {

TEST(DhcpLeasesTest, ReadsDnsmasqLeasesAndSkipsWhatDoesNotParse) {
  auto leases = ParseDnsmasqLeases(
      "1767225600 00:0e:08:aa:bb:cc 10.0.0.21 SEP000E08AABBCC 01:00:0e:08:aa:bb:cc\n"
      "garbage\n"
      "1767225600 not-a-mac 10.0.0.22 x *\n"
      "1767225600 00:0e:08:aa:bb:dd 10.0.0.23 * *\n");
  EXPECT_EQ(leases.size(), 2u);
  EXPECT_EQ(leases["10.0.0.21"], "000e08aabbcc");
  EXPECT_EQ(leases["10.0.0.23"], "000e08aabbdd");
}

TEST(DhcpLeasesTest, FollowsTheFileAsTheDhcpServerRewritesIt) {
  const std::string path = ::testing::TempDir() + "/dnsmasq.leases";
  std::filesystem::remove(path);
  DhcpLeases leases(path);
  EXPECT_EQ(leases.MacOf("10.0.0.21"), std::nullopt);  // no file yet
  std::ofstream(path) << "1767225600 00:0e:08:aa:bb:cc 10.0.0.21 * *\n";
  EXPECT_EQ(leases.MacOf("10.0.0.21"), "000e08aabbcc");
  // The address moves to another phone; the file's time moves with it.
  std::ofstream(path) << "1767225600 00:0e:08:aa:bb:ee 10.0.0.21 * *\n";
  std::filesystem::last_write_time(path, std::filesystem::last_write_time(path) + std::chrono::seconds(1));
  EXPECT_EQ(leases.MacOf("10.0.0.21"), "000e08aabbee");
  std::filesystem::remove(path);
  EXPECT_EQ(leases.MacOf("10.0.0.21"), std::nullopt);
}

}  // namespace
}  // namespace onramp::gateway
