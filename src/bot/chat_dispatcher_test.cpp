#include "bot/chat_dispatcher.hpp"

#include <map>
#include <random>

#include <gtest/gtest.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace tgkeep::bot {
namespace {

namespace asio = boost::asio;

telegram::Update update_in_chat(std::int64_t update_id, std::int64_t chat) {
  telegram::Update u;
  u.update_id = update_id;
  u.kind = telegram::UpdateKind::message;
  telegram::Message m;
  m.chat.id = chat;
  u.message = m;
  return u;
}

// Handlers take a varying number of loop turns, so chats interleave; within a chat the order
// must hold, and no more than the bound may be in flight.
TEST(ChatDispatcher, OrdersWithinChatsBoundsInFlightAndDrains) {
  asio::io_context io;
  std::map<std::int64_t, std::vector<std::int64_t>> seen;
  std::size_t running = 0;
  std::size_t most_running = 0;
  std::mt19937 rng(7);
  ChatDispatcher* self = nullptr;
  ChatDispatcher dispatcher(io.get_executor(), 8, [&](telegram::Update u) -> asio::awaitable<void> {
    ++running;
    most_running = std::max(most_running, running);
    EXPECT_LE(self->in_flight(), 8u);
    asio::steady_timer t(io, std::chrono::microseconds(rng() % 300));
    co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
    seen[*u.chat_id()].push_back(u.update_id);
    --running;
  });
  self = &dispatcher;
  bool drained = false;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        for (std::int64_t id = 1; id <= 600; ++id) {
          co_await dispatcher.submit(update_in_chat(id, id % 13));
        }
        drained =
            co_await dispatcher.drain(std::chrono::steady_clock::now() + std::chrono::seconds(30));
      },
      asio::detached);
  io.run();
  EXPECT_TRUE(drained);
  EXPECT_EQ(dispatcher.in_flight(), 0u);
  EXPECT_EQ(dispatcher.active_chats(), 0u);
  EXPECT_GT(most_running, 1u);  // chats ran concurrently
  std::size_t total = 0;
  for (const auto& [chat, ids] : seen) {
    total += ids.size();
    EXPECT_TRUE(std::is_sorted(ids.begin(), ids.end())) << "chat " << chat;
  }
  EXPECT_EQ(total, 600u);
}

TEST(ChatDispatcher, HandlerExceptionDoesNotStopTheChat) {
  asio::io_context io;
  std::vector<std::int64_t> done;
  ChatDispatcher dispatcher(io.get_executor(), 4, [&](telegram::Update u) -> asio::awaitable<void> {
    if (u.update_id == 2) throw std::runtime_error("boom");
    done.push_back(u.update_id);
    co_return;
  });
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        for (std::int64_t id = 1; id <= 3; ++id) co_await dispatcher.submit(update_in_chat(id, 5));
        co_await dispatcher.drain(std::chrono::steady_clock::now() + std::chrono::seconds(5));
      },
      asio::detached);
  io.run();
  EXPECT_EQ(done, (std::vector<std::int64_t>{1, 3}));
}

TEST(ChatDispatcher, DrainTimesOutWhileWorkIsStuck) {
  asio::io_context io;
  asio::steady_timer forever(io, std::chrono::hours(1));
  ChatDispatcher dispatcher(io.get_executor(), 4, [&](telegram::Update) -> asio::awaitable<void> {
    co_await forever.async_wait(asio::as_tuple(asio::use_awaitable));
  });
  bool drained = true;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        co_await dispatcher.submit(update_in_chat(1, 1));
        drained = co_await dispatcher.drain(std::chrono::steady_clock::now() +
                                            std::chrono::milliseconds(50));
        forever.cancel();
      },
      asio::detached);
  io.run();
  EXPECT_FALSE(drained);
}

}  // namespace
}  // namespace tgkeep::bot
