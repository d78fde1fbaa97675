// HttpUrl: an http:// or https:// base URL split into what a connection needs. Pure, no I/O.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "util/result.hpp"

namespace tgkeep::net {

struct HttpUrl {
  bool tls = true;
  std::string host;  // without brackets for IPv6
  std::uint16_t port = 443;
  std::string path_prefix;  // "" or "/prefix" (no trailing slash)

  std::string origin() const;  // "https://host:port" (brackets around IPv6)
};

// Parses a base URL such as "https://api.telegram.org" or "http://127.0.0.1:8081/custom".
// `what` names the setting in error messages ("TELEGRAM_API_URL").
[[nodiscard]] Result<HttpUrl> parse_http_url(std::string_view url, std::string_view what);

}  // namespace tgkeep::net
