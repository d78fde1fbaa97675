// Awaiting Store operations from coroutines: the store completes on its own thread; these
// adapters carry the result back to the awaiting coroutine's executor and keep the event loop
// alive (a work guard) while the store works.
#pragma once

#include <memory>
#include <utility>

#include <boost/asio/async_result.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "util/result.hpp"

namespace tgkeep::storage {

namespace detail {
template <class Value, class Start>
auto await_completion(Start start) {
  return boost::asio::async_initiate<const boost::asio::use_awaitable_t<>&, void(Value)>(
      [start = std::move(start)](auto handler) mutable {
        using Handler = decltype(handler);
        auto shared = std::make_shared<Handler>(std::move(handler));
        auto ex = boost::asio::get_associated_executor(*shared);
        auto work = std::make_shared<decltype(boost::asio::make_work_guard(ex))>(
            boost::asio::make_work_guard(ex));
        start([shared, work, ex](Value value) mutable {
          boost::asio::post(ex, [shared, work, value = std::move(value)]() mutable {
            (*shared)(std::move(value));
          });
        });
      },
      boost::asio::use_awaitable);
}
}  // namespace detail

// co_await await_result<T>([&](auto done) { store.op(args, std::move(done)); });
template <class T, class Start>
auto await_result(Start start) {
  return detail::await_completion<Result<T>>(std::move(start));
}

// co_await await_status([&](auto done) { store.op(args, std::move(done)); });
template <class Start>
auto await_status(Start start) {
  return detail::await_completion<Status>(std::move(start));
}

}  // namespace tgkeep::storage
