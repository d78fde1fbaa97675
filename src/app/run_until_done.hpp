// Running one coroutine to completion on an io_context from plain code (start-up steps and the
// command-line commands): the io_context keeps serving whatever else it has (reconnects) meanwhile.
#pragma once

#include <optional>
#include <utility>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

namespace tgkeep::app {

namespace detail {
template <class T>
boost::asio::awaitable<void> store_into(boost::asio::awaitable<T> task, std::optional<T>& out) {
  out.emplace(co_await std::move(task));
}
}  // namespace detail

template <class T>
T run_until_done(boost::asio::io_context& io, boost::asio::awaitable<T> task) {
  std::optional<T> out;
  if (io.stopped()) io.restart();  // a previous task left it out of work
  boost::asio::co_spawn(io, detail::store_into(std::move(task), out), boost::asio::detached);
  while (!out) io.run_one();
  return std::move(*out);
}

}  // namespace tgkeep::app
