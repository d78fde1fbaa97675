#include "app/redis_setup.hpp"

#include <cstdlib>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace tgkeep::app {

namespace asio = boost::asio;

Result<config::RedisCandidates> redis_candidates_for(const config::Settings& settings) {
  const std::string flag = settings.redis_url;
  const auto environment = config::process_environment();
  return config::redis_candidates([&](std::string_view name) -> std::optional<std::string> {
    if (name == "TGKEEP_REDIS_URL" && !flag.empty()) return flag;
    return environment(name);
  });
}

redis::Options redis_options_for(const config::RedisEndpoint& endpoint,
                                 const config::Settings& settings) {
  redis::Options options;
  options.host = endpoint.host;
  options.port = endpoint.port;
  options.tls = endpoint.tls;
  options.ca_file = endpoint.ca_file;
  options.tls_insecure = endpoint.tls_insecure;
  options.username = endpoint.username;
  options.password = endpoint.password;
  options.db = endpoint.db;
  options.client_name = endpoint.client_name.empty() ? "tgkeep" : endpoint.client_name;
  options.connect_timeout = endpoint.connect_timeout.value_or(
      std::chrono::milliseconds(settings.redis_connect_timeout_ms));
  options.command_timeout =
      endpoint.command_timeout.value_or(std::chrono::milliseconds(settings.redis_timeout_ms));
  return options;
}

asio::awaitable<Result<RedisConnection>> connect_redis(asio::any_io_executor ex,
                                                       const config::Settings& settings) {
  auto found = redis_candidates_for(settings);
  if (!found) co_return found.error();
  RedisConnection out;
  if (found->candidates.empty()) {
    spdlog::info(
        "redis: not configured (no TGKEEP_REDIS_URL, REDIS_URL, REDIS_PRIVATE_URL, "
        "REDIS_PUBLIC_URL or REDISHOST); the system of record serves everything");
    co_return out;
  }
  for (const auto& line : config::describe_candidates(*found)) spdlog::info("{}", line);

  std::vector<std::string> failures;
  for (const auto& candidate : found->candidates) {
    const auto& endpoint = candidate.endpoint;
    if (endpoint.tls && endpoint.tls_insecure) {
      spdlog::warn(
          "redis: {} skips TLS certificate verification (as its URL asks): the "
          "connection is encrypted but the server is not authenticated",
          candidate.sources.front());
    }
    const redis::Options options = redis_options_for(endpoint, settings);
    auto client = redis::Client::create(ex, options);
    if (!client) {
      failures.push_back(fmt::format("{} ({}): {}", candidate.sources.front(), endpoint.masked(),
                                     client.error().message));
      continue;
    }
    auto connected = co_await (*client)->connect();
    const std::string name = fmt::format("{} ({})", candidate.sources.front(), endpoint.masked());
    if (connected) {
      out.chosen = name;
      out.options = options;
      out.answering = true;
      out.client = std::move(client).value();
      if (failures.empty()) {
        spdlog::info("redis: using {}: it answers", name);
      } else {
        spdlog::warn("redis: using {}, because {}", name, fmt::join(failures, "; "));
      }
      co_return out;
    }
    failures.push_back(fmt::format("{} failed: {}", name, connected.error().message));
    if (!out.client) {
      out.client = std::move(client).value();  // kept, reconnecting, should nothing else work
      out.chosen = name;
      out.options = options;
    } else {
      (*client)->shutdown();
    }
  }
  spdlog::error(
      "redis: no candidate answers ({}); serving from the system of record and "
      "retrying {} in the background",
      fmt::join(failures, "; "), out.chosen);
  co_return out;
}

}  // namespace tgkeep::app
