#include "net/http_url.hpp"

#include <charconv>

#include <fmt/format.h>

namespace tgkeep::net {

std::string HttpUrl::origin() const {
  const bool v6 = host.find(':') != std::string::npos;
  return fmt::format("{}://{}{}{}:{}", tls ? "https" : "http", v6 ? "[" : "", host, v6 ? "]" : "",
                     port);
}

Result<HttpUrl> parse_http_url(std::string_view url, std::string_view what) {
  HttpUrl out;
  auto fail = [&](std::string_view why) {
    return Error::fatal(
        fmt::format("{} is not a usable URL: {} (expected e.g. "
                    "https://api.telegram.org or http://127.0.0.1:8081)",
                    what, why));
  };
  std::string_view rest;
  if (url.starts_with("https://")) {
    rest = url.substr(8);
  } else if (url.starts_with("http://")) {
    out.tls = false;
    out.port = 80;
    rest = url.substr(7);
  } else {
    return fail("it must start with http:// or https://");
  }
  const auto slash = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? "" : rest.substr(slash);
  if (authority.find('@') != std::string_view::npos) return fail("credentials do not belong here");
  if (path.find_first_of("?#") != std::string_view::npos) return fail("no query or fragment");
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  out.path_prefix = std::string(path);

  std::string_view port_text;
  if (authority.starts_with("[")) {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return fail("unclosed '[' in IPv6 host");
    out.host = std::string(authority.substr(1, close - 1));
    auto after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return fail("unexpected text after IPv6 host");
      port_text = after.substr(1);
    }
  } else {
    const auto colon = authority.rfind(':');
    out.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
  }
  if (out.host.empty()) return fail("no host");
  if (out.host.find_first_of(" \t\r\n") != std::string::npos) return fail("spaces in host");
  if (!port_text.empty()) {
    unsigned value = 0;
    auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), value);
    if (ec != std::errc{} || end != port_text.data() + port_text.size() || value == 0 ||
        value > 65535) {
      return fail("the port must be a number from 1 to 65535");
    }
    out.port = static_cast<std::uint16_t>(value);
  }
  return out;
}

}  // namespace tgkeep::net
