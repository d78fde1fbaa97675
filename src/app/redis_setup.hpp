// Connecting to Redis as the environment describes it: the candidates of
// config/redis_candidates.hpp are tried in order, and the first that answers is used. What an
// operator reads after a redeploy is logged in a few lines: the candidates, each failure with its
// reason, and which one was chosen and why. When none answers, the first candidate's client is
// kept: it reconnects in the background while the bot serves from the system of record.
// Thread-safety: the event loop thread only.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "config/redis_candidates.hpp"
#include "config/settings.hpp"
#include "redis/client.hpp"
#include "util/result.hpp"

namespace tgkeep::app {

struct RedisConnection {
  std::unique_ptr<redis::Client> client;  // null: Redis is not configured
  std::string chosen;                     // the candidate in use, masked, with its source
  redis::Options options;                 // its client options (secret: may hold a password)
  bool answering = false;                 // it answered at start
};

// The candidates as the settings and the environment name them (--redis-url counts as
// TGKEEP_REDIS_URL). A variable that does not parse is an error (see redis_candidates.hpp).
Result<config::RedisCandidates> redis_candidates_for(const config::Settings& settings);

// The client options for one candidate.
redis::Options redis_options_for(const config::RedisEndpoint& endpoint,
                                 const config::Settings& settings);

// Tries the candidates in order, logging as described above.
boost::asio::awaitable<Result<RedisConnection>> connect_redis(boost::asio::any_io_executor ex,
                                                              const config::Settings& settings);

}  // namespace tgkeep::app
