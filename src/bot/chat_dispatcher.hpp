// ChatDispatcher: runs a handler for each update, strictly in order within a chat and
// concurrently across chats, with a bound on the updates queued or running (backpressure: submit
// waits while the bound is reached, so memory stays bounded however fast updates arrive).
//
// Updates without a chat are ordered by their sender, and those with neither run in one queue.
// An exception from the handler is logged with the update_id and does not stop the chat's queue.
// Thread-safety: event loop thread only.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <unordered_map>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include "telegram/update.hpp"

namespace tgkeep::bot {

class ChatDispatcher {
 public:
  using Handler = std::function<boost::asio::awaitable<void>(telegram::Update)>;

  ChatDispatcher(boost::asio::any_io_executor ex, std::size_t max_in_flight, Handler handler);

  // Queues the update behind earlier updates of its chat; waits while the bound is reached.
  boost::asio::awaitable<void> submit(telegram::Update update);

  // Waits until nothing is queued or running (true) or the deadline passes (false).
  boost::asio::awaitable<bool> drain(std::chrono::steady_clock::time_point deadline);

  std::size_t in_flight() const { return in_flight_; }
  std::size_t active_chats() const { return queues_.size(); }

  static std::int64_t ordering_key(const telegram::Update& update);

 private:
  boost::asio::awaitable<void> run_chat(std::int64_t key);
  void notify();

  boost::asio::any_io_executor ex_;
  std::size_t max_in_flight_;
  Handler handler_;
  std::unordered_map<std::int64_t, std::deque<telegram::Update>> queues_;  // one runner each
  std::size_t in_flight_ = 0;
  // Cancelled whenever in_flight_ drops: one wakes submit, the other drain (separate timers, as
  // re-arming a timer cancels every wait on it).
  boost::asio::steady_timer space_freed_;
  boost::asio::steady_timer drained_;
};

}  // namespace tgkeep::bot
