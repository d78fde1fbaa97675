#include "bot/stop_signal.hpp"

#include <algorithm>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace tgkeep::bot {

void StopSignal::request_stop() {
  if (stopping_) return;
  stopping_ = true;
  for (auto* timer : sleepers_) timer->cancel();
  auto callbacks = std::move(callbacks_);
  for (auto& callback : callbacks) callback();
}

boost::asio::awaitable<bool> StopSignal::sleep(std::chrono::milliseconds duration) {
  if (stopping_) co_return false;
  boost::asio::steady_timer timer(ex_, duration);
  sleepers_.push_back(&timer);
  auto [ec] = co_await timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
  std::erase(sleepers_, &timer);
  co_return !ec && !stopping_;
}

}  // namespace tgkeep::bot
