#include "redis/options.hpp"

#include <fmt/format.h>

namespace tgkeep::redis {

std::string describe_server(const Options& options) {
  const bool ipv6 = options.host.find(':') != std::string::npos;
  return fmt::format("Redis at {}{}{}:{}{}", ipv6 ? "[" : "", options.host, ipv6 ? "]" : "",
                     options.port, options.tls ? " (TLS)" : "");
}

}  // namespace tgkeep::redis
