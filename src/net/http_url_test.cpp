#include "net/http_url.hpp"

#include <gtest/gtest.h>

namespace tgkeep::net {
namespace {

TEST(HttpUrl, Defaults) {
  auto url = parse_http_url("https://api.telegram.org", "TELEGRAM_API_URL");
  ASSERT_TRUE(url);
  EXPECT_TRUE(url->tls);
  EXPECT_EQ(url->host, "api.telegram.org");
  EXPECT_EQ(url->port, 443);
  EXPECT_EQ(url->path_prefix, "");
}

TEST(HttpUrl, PlainWithPortAndPrefix) {
  auto url = parse_http_url("http://127.0.0.1:8081/tg/", "X");
  ASSERT_TRUE(url);
  EXPECT_FALSE(url->tls);
  EXPECT_EQ(url->port, 8081);
  EXPECT_EQ(url->path_prefix, "/tg");
  EXPECT_EQ(url->origin(), "http://127.0.0.1:8081");
}

TEST(HttpUrl, Ipv6) {
  auto url = parse_http_url("http://[::1]:9000", "X");
  ASSERT_TRUE(url);
  EXPECT_EQ(url->host, "::1");
  EXPECT_EQ(url->origin(), "http://[::1]:9000");
}

TEST(HttpUrl, ErrorsNameTheSetting) {
  for (const char* bad :
       {"api.telegram.org", "ftp://x", "http://", "http://host:0", "http://host:70000",
        "http://host:abc", "http://[::1", "http://h?x=1", "https://user:secret@host", ""}) {
    auto url = parse_http_url(bad, "TELEGRAM_API_URL");
    ASSERT_FALSE(url) << bad;
    EXPECT_NE(url.error().message.find("TELEGRAM_API_URL"), std::string::npos);
    EXPECT_EQ(url.error().message.find("secret"), std::string::npos);
  }
}

}  // namespace
}  // namespace tgkeep::net
