#include "bot/api_caller.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace tgkeep::bot {

ApiCaller::ApiCaller(net::BotApi& api, StopSignal& stop, BackoffPolicy backoff,
                     RateLimiter* limiter, std::string name)
    : api_(api), stop_(stop), backoff_policy_(backoff), limiter_(limiter), name_(std::move(name)) {}

double ApiCaller::uniform01() { return std::uniform_real_distribution<double>(0.0, 1.0)(rng_); }

void ApiCaller::note_reachable(bool reachable, const net::ApiReply& reply) {
  if (reachable == reachable_) return;
  reachable_ = reachable;
  if (reachable) {
    spdlog::info("{}: the Bot API answers again", name_);
  } else {
    spdlog::warn("{}: the Bot API is failing ({}: {}); retrying with backoff", name_,
                 net::outcome_name(reply.outcome), reply.description);
  }
}

boost::asio::awaitable<net::ApiReply> ApiCaller::call(std::string_view method,
                                                      std::string json_body, CallPolicy policy) {
  std::optional<Backoff> backoff;  // made on the first failure: most calls never need one
  auto ex = co_await boost::asio::this_coro::executor;
  for (int attempt = 1;; ++attempt) {
    auto reply = co_await api_.call(method, json_body, policy.timeout);
    if (policy.stop_aware && stop_.stopping() && !reply.ok()) co_return reply;  // cut short
    std::chrono::milliseconds wait{0};
    switch (reply.outcome) {
      case net::ApiOutcome::rate_limited: {
        note_reachable(true, reply);
        const auto retry_after = std::chrono::seconds(std::max(1, reply.retry_after.value_or(1)));
        if (limiter_)
          limiter_->pause(policy.chat_id, retry_after, std::chrono::steady_clock::now());
        spdlog::warn("{}: {} was rate limited by Telegram; waiting {} s", name_, method,
                     retry_after.count());
        wait = retry_after;
        break;
      }
      case net::ApiOutcome::server_error:
      case net::ApiOutcome::network_error:
      case net::ApiOutcome::bad_reply:
        note_reachable(false, reply);
        if (!backoff) backoff.emplace(backoff_policy_, [this] { return uniform01(); });
        wait = backoff->next();
        break;
      default:
        note_reachable(true, reply);
        co_return reply;
    }
    if (policy.max_attempts > 0 && attempt >= policy.max_attempts) co_return reply;
    if (policy.stop_aware) {
      if (!co_await stop_.sleep(wait)) co_return reply;
    } else {
      boost::asio::steady_timer timer(ex, wait);
      co_await timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
    }
  }
}

}  // namespace tgkeep::bot
