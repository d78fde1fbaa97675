// Redis candidates: every Redis server the environment names, in the order to try them, each
// with the variables that name it and why it is considered; and the few lines an operator reads
// about them after a redeploy. Pure: the environment comes through an injected lookup, nothing is
// resolved or connected here. Thread-safe (no shared state).
//
// Precedence, first tried first:
//   1. TGKEEP_REDIS_URL    tgkeep's own setting
//   2. REDIS_URL           the usual variable (Railway, Heroku, Render, Upstash guides)
//   3. REDIS_PRIVATE_URL   Railway: the private network (redis.railway.internal)
//   4. REDIS_PUBLIC_URL    Railway: the public TCP proxy, reachable from anywhere
//   5. the parts REDISHOST REDISPORT REDISUSER REDISPASSWORD, or REDIS_HOST REDIS_PORT
//      REDIS_USERNAME REDIS_PASSWORD; per part the Railway spelling wins, with a warning when both
//      are set and differ. Parts are taken literally (no percent-decoding) and give redis://.
//   REDIS_TLS_CA: a CA certificate file for every rediss:// candidate that names none itself.
// Empty variables (after trimming spaces and line breaks) count as unset. The same endpoint
// named by several variables is one candidate listing them all.
//
// Policy for a variable that does not parse (see docs/redis-configuration.md):
// - TGKEEP_REDIS_URL is the operator's explicit choice: an error in it is fatal.
// - Any other: skipped with a warning when another candidate is usable (platforms inject
//   variables nobody chose, e.g. a REDIS_PUBLIC_URL with an empty host when the TCP proxy is
//   off); fatal when none is, with every problem in the one-line message.
// No Redis variable at all is not an error: the result is empty and tgkeep runs without Redis.
//
// The caller connects: it tries candidates in order and moves to the next when one fails
// (a private name that does not resolve, a refused connection, WRONGPASS).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/redis_url.hpp"
#include "util/result.hpp"

namespace tgkeep::config {

// An environment variable's value, or nullopt when it is unset. Injected so tests need no real
// environment; production passes a wrapper around std::getenv.
using EnvLookup = std::function<std::optional<std::string>(std::string_view name)>;

// The process's environment (std::getenv) as an EnvLookup.
EnvLookup process_environment();

struct RedisCandidate {
  RedisEndpoint endpoint;            // endpoint.source == sources.front()
  std::vector<std::string> sources;  // every variable naming this endpoint, in precedence order;
                                     // the parts as one source, e.g. "REDISHOST+REDISPASSWORD"
  std::string why;                   // why it is considered, e.g. "Railway's private-network URL"
  // The host is a platform-private name (*.railway.internal, Fly's *.internal) that resolves only
  // inside the project: when it does not resolve, say so and try the next candidate.
  bool private_network = false;
};

struct RedisCandidates {
  std::vector<RedisCandidate> candidates;  // in the order to try; empty: Redis not configured
  std::vector<std::string> warnings;       // one line each, secrets masked
};

// Reads the variables above through `getenv`.
[[nodiscard]] Result<RedisCandidates> redis_candidates(const EnvLookup& getenv);

// The lines to log at start and show in `tgkeep doctor`: how many candidates, each one masked
// with its sources, which is tried first and why, then the warnings. Secrets masked.
std::vector<std::string> describe_candidates(const RedisCandidates& found);

}  // namespace tgkeep::config
