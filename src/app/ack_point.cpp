#include "app/ack_point.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace tgkeep::app {
namespace {

namespace asio = boost::asio;

// What Redis says of its persistence: "AOF", "RDB (save 3600 1 ...)", or why it is not trusted.
struct Persistence {
  bool persists = false;
  std::string how;
};

std::string config_value(const redis::Reply& reply) {
  if (reply.is_array() && reply.elements.size() == 2) return reply.elements[1].text;
  return {};
}

asio::awaitable<Persistence> redis_persistence(redis::Client& redis) {
  Persistence found;
  auto aof = co_await redis.command("CONFIG", "GET", "appendonly");
  auto save = co_await redis.command("CONFIG", "GET", "save");
  if (aof && save) {
    if (config_value(*aof) == "yes") {
      found = {true, "AOF (appendonly yes)"};
    } else if (!config_value(*save).empty()) {
      found = {true, fmt::format("RDB snapshots (save \"{}\")", config_value(*save))};
    } else {
      found.how = "it reports no persistence (appendonly no, save \"\")";
    }
    co_return found;
  }
  // CONFIG is often disabled on managed Redis; INFO still says whether AOF is on.
  auto info = co_await redis.command("INFO", "persistence");
  if (info && info->text.find("aof_enabled:1") != std::string::npos) {
    found = {true, "AOF (INFO persistence)"};
  } else {
    found.how = "its persistence cannot be confirmed (CONFIG GET refused, no AOF in INFO)";
  }
  co_return found;
}

}  // namespace

asio::awaitable<Result<tiers::AckPoint>> choose_ack_point(std::string_view asked,
                                                          redis::Client* redis, bool has_postgres) {
  using tiers::AckPoint;
  if (!has_postgres) {
    if (asked == "redis" || asked == "postgres") {
      co_return Error::fatal(
          fmt::format("TGKEEP_ACK={} needs PostgreSQL (set DATABASE_URL); without it records are "
                      "acknowledged after the embedded SQLite commit: use TGKEEP_ACK=auto or local",
                      asked));
    }
    co_return AckPoint::local;  // the embedded store is the local commit; no spool needed
  }
  if (asked == "postgres") {
    spdlog::info("ack: after the PostgreSQL commit (TGKEEP_ACK=postgres)");
    co_return AckPoint::postgres;
  }
  if (asked == "local") {
    spdlog::info("ack: after the local spool commit (TGKEEP_ACK=local)");
    co_return AckPoint::local;
  }
  if (!redis) {
    if (asked == "redis") {
      co_return Error::fatal(
          "TGKEEP_ACK=redis needs Redis (set REDIS_URL): the outbox lives there; use "
          "TGKEEP_ACK=auto, local or postgres");
    }
    spdlog::info("ack: after the PostgreSQL commit (TGKEEP_ACK=auto, no Redis)");
    co_return AckPoint::postgres;
  }
  const Persistence persistence = co_await redis_persistence(*redis);
  if (asked == "redis") {
    if (persistence.persists) {
      spdlog::info("ack: after the Redis outbox write (TGKEEP_ACK=redis; Redis persists: {})",
                   persistence.how);
    } else {
      spdlog::warn(
          "ack: after the Redis outbox write (TGKEEP_ACK=redis) although {}: a Redis restart "
          "loses what its outbox held",
          persistence.how);
    }
    co_return AckPoint::redis;
  }
  if (persistence.persists) {
    spdlog::info("ack: after the Redis outbox write (TGKEEP_ACK=auto; Redis persists: {})",
                 persistence.how);
    co_return AckPoint::redis;
  }
  spdlog::info("ack: after the local spool commit (TGKEEP_ACK=auto; Redis is not trusted: {})",
               persistence.how);
  co_return AckPoint::local;
}

}  // namespace tgkeep::app
