// ApiCaller: Bot API calls with tgkeep's retry policy.
//   429          waits parameters.retry_after (and pauses the chat in the rate limiter), retries
//   5xx, network retries with exponential backoff and jitter (never a busy loop)
//   401, 409     returned at once: the caller stops with a clear message
//   other 4xx    returned at once: this request can never succeed
// Reachability changes are logged once per change, never once per failed call.
// Thread-safety: event loop thread only.
#pragma once

#include <chrono>
#include <optional>
#include <random>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "bot/stop_signal.hpp"
#include "net/bot_api.hpp"
#include "util/backoff.hpp"
#include "util/rate_limiter.hpp"

namespace tgkeep::bot {

struct CallPolicy {
  std::chrono::milliseconds timeout{10'000};
  int max_attempts = 5;                 // 0: until it succeeds or a stop is requested
  bool stop_aware = true;               // give up waiting between attempts when a stop is requested
  std::optional<std::int64_t> chat_id;  // a 429 pauses this chat
};

class ApiCaller {
 public:
  ApiCaller(net::BotApi& api, StopSignal& stop, BackoffPolicy backoff, RateLimiter* limiter,
            std::string name);

  boost::asio::awaitable<net::ApiReply> call(std::string_view method, std::string json_body,
                                             CallPolicy policy);

 private:
  void note_reachable(bool reachable, const net::ApiReply& reply);
  double uniform01();

  net::BotApi& api_;
  StopSignal& stop_;
  BackoffPolicy backoff_policy_;
  RateLimiter* limiter_;
  std::string name_;
  bool reachable_ = true;
  std::mt19937_64 rng_{std::random_device{}()};  // backoff jitter; seeded once, not per call
};

}  // namespace tgkeep::bot
