#include "lib/http/client/http_url.h"

#include "gtest/gtest.h"

namespace onramp::http_client {
namespace {

TEST(HttpUrlTest, HostsPortsAndTargets) {
  struct Case {
    const char* url;
    bool tls;
    const char* host;
    int port;
    const char* target;
  };
  for (const Case& c : std::vector<Case>{
           {"http://prov.example.com/profiles/000e08aabbcc.xml", false, "prov.example.com", 80,
            "/profiles/000e08aabbcc.xml"},
           {"https://prov.example.com", true, "prov.example.com", 443, "/"},
           {"https://10.0.0.5:8443/p.xml?swver=sip88xx.11-2-3MSR1-1", true, "10.0.0.5", 8443,
            "/p.xml?swver=sip88xx.11-2-3MSR1-1"},
           {"http://[2001:db8::5]:8080/$MA.xml", false, "2001:db8::5", 8080, "/$MA.xml"},
           {"https://[::1]/x", true, "::1", 443, "/x"},
           {"HTTP://Prov.Example.com:81/a%20b", false, "Prov.Example.com", 81, "/a%20b"},
       }) {
    std::optional<HttpLocation> location = ParseHttpUrl(c.url);
    ASSERT_TRUE(location.has_value()) << c.url;
    EXPECT_EQ(location->tls, c.tls) << c.url;
    EXPECT_EQ(location->host, c.host) << c.url;
    EXPECT_EQ(location->port, c.port) << c.url;
    EXPECT_EQ(location->target, c.target) << c.url;
  }
  for (const char* bad : {"tftp://10.0.0.5/p.xml", "gds://", "http://", "http://host:notaport/", "http://host:0/",
                          "/relative/only", "", "http://[::1/x"}) {
    EXPECT_FALSE(ParseHttpUrl(bad).has_value()) << bad;
  }
}

TEST(HttpUrlTest, RedirectsResolveAgainstWhereTheyCameFrom) {
  HttpLocation from = *ParseHttpUrl("https://[2001:db8::5]:8443/profiles/a/p.xml?x=1");
  struct Case {
    const char* location;
    const char* url;
  };
  for (const Case& c : std::vector<Case>{
           {"/other.xml", "https://[2001:db8::5]:8443/other.xml"},
           {"q.xml", "https://[2001:db8::5]:8443/profiles/a/q.xml"},
           {"../b/q.xml", "https://[2001:db8::5]:8443/profiles/b/q.xml"},
           {"?x=2", "https://[2001:db8::5]:8443/profiles/a/p.xml?x=2"},
           {"http://elsewhere.example/p.xml", "http://elsewhere.example:80/p.xml"},
           {"//cdn.example:9000/p.xml", "https://cdn.example:9000/p.xml"},
       }) {
    std::optional<HttpLocation> next = ResolveRedirect(from, c.location);
    ASSERT_TRUE(next.has_value()) << c.location;
    EXPECT_EQ(UrlOf(*next), c.url) << c.location;
  }
  EXPECT_FALSE(ResolveRedirect(from, "ftp://files.example/p.xml").has_value());
  EXPECT_FALSE(ResolveRedirect(from, "http://[bad").has_value());
}

}  // namespace
}  // namespace onramp::http_client
