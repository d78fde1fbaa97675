// StopSignal: the run's shutdown request, shared by the loops that must notice it.
// sleep() ends early when a stop is requested; on_stop() callbacks run once, at the request.
// Thread-safety: use on the event loop thread only.
#pragma once

#include <chrono>
#include <functional>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

namespace tgkeep::bot {

class StopSignal {
 public:
  explicit StopSignal(boost::asio::any_io_executor ex) : ex_(std::move(ex)) {}

  bool stopping() const { return stopping_; }
  void request_stop();
  void on_stop(std::function<void()> callback) { callbacks_.push_back(std::move(callback)); }

  // Sleeps for `duration`; returns false when woken by a stop request.
  boost::asio::awaitable<bool> sleep(std::chrono::milliseconds duration);

 private:
  boost::asio::any_io_executor ex_;
  bool stopping_ = false;
  std::vector<std::function<void()>> callbacks_;
  std::vector<boost::asio::steady_timer*> sleepers_;
};

}  // namespace tgkeep::bot
