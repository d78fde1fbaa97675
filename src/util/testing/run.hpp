// run(io, task): runs one coroutine on a single-threaded io_context until it completes and
// returns its value, so tests read top to bottom. Exceptions propagate. Background coroutines
// (a client's reconnect loops) keep running in later run() calls. Test and benchmark support
// only; header-only.
#pragma once

#include <exception>
#include <optional>
#include <utility>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

namespace tgkeep::testing {

template <class T>
boost::asio::awaitable<void> store_into(boost::asio::awaitable<T> task, std::optional<T>& out) {
  out.emplace(co_await std::move(task));
}

template <class T>
T run(boost::asio::io_context& io, boost::asio::awaitable<T> task) {
  std::optional<T> result;
  std::exception_ptr error;
  bool done = false;
  boost::asio::co_spawn(io, store_into(std::move(task), result), [&](std::exception_ptr e) {
    error = e;
    done = true;
  });
  while (!done) {
    if (io.stopped()) io.restart();
    io.run_one();
  }
  if (error) std::rethrow_exception(error);
  return std::move(*result);
}

}  // namespace tgkeep::testing
