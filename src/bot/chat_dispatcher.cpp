#include "bot/chat_dispatcher.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace tgkeep::bot {

namespace asio = boost::asio;

ChatDispatcher::ChatDispatcher(asio::any_io_executor ex, std::size_t max_in_flight, Handler handler)
    : ex_(ex),
      max_in_flight_(std::max<std::size_t>(1, max_in_flight)),
      handler_(std::move(handler)),
      space_freed_(ex, asio::steady_timer::time_point::max()),
      drained_(ex, asio::steady_timer::time_point::max()) {}

std::int64_t ChatDispatcher::ordering_key(const telegram::Update& update) {
  if (auto chat = update.chat_id()) return *chat;
  if (const auto* user = update.sender()) return user->id;
  return 0;
}

void ChatDispatcher::notify() {
  space_freed_.cancel();
  drained_.cancel();
}

asio::awaitable<void> ChatDispatcher::submit(telegram::Update update) {
  while (in_flight_ >= max_in_flight_) {
    space_freed_.expires_at(asio::steady_timer::time_point::max());
    co_await space_freed_.async_wait(asio::as_tuple(asio::use_awaitable));
  }
  ++in_flight_;
  const auto key = ordering_key(update);
  auto [it, fresh] = queues_.try_emplace(key);
  it->second.push_back(std::move(update));
  if (fresh) asio::co_spawn(ex_, run_chat(key), asio::detached);
}

asio::awaitable<void> ChatDispatcher::run_chat(std::int64_t key) {
  for (;;) {
    auto it = queues_.find(key);
    if (it == queues_.end() || it->second.empty()) {
      if (it != queues_.end()) queues_.erase(it);
      co_return;
    }
    telegram::Update update = std::move(it->second.front());
    it->second.pop_front();  // the entry stays while this runner works, so no second runner starts
    const auto update_id = update.update_id;
    try {
      co_await handler_(std::move(update));
    } catch (const std::exception& e) {
      spdlog::error("handling update {} failed: {}", update_id, e.what());
    }
    --in_flight_;
    notify();
  }
}

asio::awaitable<bool> ChatDispatcher::drain(std::chrono::steady_clock::time_point deadline) {
  while (in_flight_ > 0) {
    if (std::chrono::steady_clock::now() >= deadline) co_return false;
    drained_.expires_at(deadline);
    co_await drained_.async_wait(asio::as_tuple(asio::use_awaitable));
  }
  co_return true;
}

}  // namespace tgkeep::bot
