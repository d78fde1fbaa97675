// Faults: a server killed and restarted on the same port (in-flight commands fail, new ones fail
// fast, the pool reconnects), a frozen server (command timeouts, the stall rule), shutdown, and —
// against a scripted fake server — a late reply after a timeout that must not shift the matching.
#include <chrono>
#include <optional>

#include <gtest/gtest.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "redis/connection.hpp"
#include "redis/testing/redis_test.hpp"

namespace tgkeep::redis {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using testing::RedisServer;
using namespace std::chrono_literals;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

class FaultsTest : public testing::RedisTest {
 protected:
  // Starts `task` now; its result lands in the returned slot when it completes.
  template <class T>
  std::shared_ptr<std::optional<T>> start(asio::awaitable<T> task) {
    auto slot = std::make_shared<std::optional<T>>();
    asio::co_spawn(io, tgkeep::testing::store_into(std::move(task), *slot),
                   [slot](std::exception_ptr e) {
                     if (e) std::rethrow_exception(e);
                   });
    return slot;
  }

  template <class T>
  void wait_for(const std::shared_ptr<std::optional<T>>& slot) {
    io.restart();
    while (!slot->has_value()) io.run_one();
  }

  // Retries PING until it succeeds or `limit` passes; returns how long it took.
  std::optional<std::chrono::milliseconds> wait_until_ping(Client& client,
                                                           std::chrono::milliseconds limit) {
    const auto start = std::chrono::steady_clock::now();
    while (std::chrono::steady_clock::now() - start < limit) {
      if (run(client.command("PING")).ok()) {
        return std::chrono::duration_cast<std::chrono::milliseconds>(
            std::chrono::steady_clock::now() - start);
      }
      pump(20ms);
    }
    return std::nullopt;
  }
};

TEST_F(FaultsTest, ReconnectsAfterTheServerIsKilledAndRestarted) {
  auto server = RedisServer::start();
  ASSERT_TRUE(server);
  auto options = options_for(*server);
  options.pool_size = 2;
  auto& client = make_client(options);
  ASSERT_TRUE(run(client.connect()).ok());
  pump(50ms);
  ASSERT_EQ(client.connections_up(), 2u);
  ASSERT_TRUE(run(client.command("SET", "before", "1")).ok());

  auto blocked = start(client.command_within(5s, "BLPOP", "never-filled", 10));
  pump(50ms);
  server->kill_hard();
  wait_for(blocked);
  ASSERT_FALSE(blocked->value().ok());
  EXPECT_EQ(blocked->value().error().code, ErrorCode::connection_lost)
      << blocked->value().error().message;

  pump(50ms);
  EXPECT_EQ(client.connections_up(), 0u);
  const auto before = std::chrono::steady_clock::now();
  auto down = run(client.command("PING"));
  EXPECT_LT(std::chrono::steady_clock::now() - before, 50ms) << "fails fast while down";
  ASSERT_FALSE(down.ok());
  EXPECT_TRUE(down.error().code == ErrorCode::connection_refused ||
              down.error().code == ErrorCode::connection_lost)
      << down.error().message;

  ASSERT_TRUE(server->restart());
  const auto took = wait_until_ping(client, 5s);
  ASSERT_TRUE(took.has_value()) << "no reconnect within 5 s";
  EXPECT_TRUE(run(client.command("SET", "after", "1")).ok());
  pump(300ms);
  EXPECT_EQ(client.connections_up(), 2u);
}

TEST_F(FaultsTest, CommandsTimeOutWhileTheServerIsFrozenThenRecover) {
  auto server = RedisServer::start();
  ASSERT_TRUE(server);
  auto options = options_for(*server);
  options.pool_size = 1;
  options.command_timeout = 300ms;
  options.connect_timeout = 300ms;
  auto& client = make_client(options);
  ASSERT_TRUE(run(client.connect()).ok());
  ASSERT_TRUE(run(client.command("PING")).ok());

  server->freeze();
  const auto before = std::chrono::steady_clock::now();
  auto quick = start(client.command("PING"));
  auto patient = start(client.command_within(3s, "PING"));
  wait_for(quick);
  const auto elapsed = std::chrono::steady_clock::now() - before;
  ASSERT_FALSE(quick->value().ok());
  EXPECT_EQ(quick->value().error().code, ErrorCode::timeout) << quick->value().error().message;
  EXPECT_GE(elapsed, 290ms);
  EXPECT_LT(elapsed, 800ms);
  // Nothing came back since the first command was sent: the stall rule closed the connection,
  // so the patient command fails now with connection_lost instead of waiting 3 s.
  wait_for(patient);
  EXPECT_LT(std::chrono::steady_clock::now() - before, 1s);
  ASSERT_FALSE(patient->value().ok());
  EXPECT_EQ(patient->value().error().code, ErrorCode::connection_lost);

  server->thaw();
  const auto took = wait_until_ping(client, 5s);
  EXPECT_TRUE(took.has_value()) << "no recovery within 5 s after SIGCONT";
}

TEST_F(FaultsTest, AFrozenServerCostsOneTimeoutForTheWholePool) {
  auto server = RedisServer::start();
  ASSERT_TRUE(server);
  auto options = options_for(*server);
  options.pool_size = 3;
  options.command_timeout = 300ms;
  options.connect_timeout = 2s;
  auto& client = make_client(options);
  ASSERT_TRUE(run(client.connect()).ok());
  pump(300ms);
  ASSERT_EQ(client.connections_up(), 3u);

  server->freeze();
  const auto before = std::chrono::steady_clock::now();
  // One command on each connection (the pool spreads them), then one more after the first fails.
  auto first = start(client.command("PING"));
  auto second = start(client.command_within(3s, "PING"));
  auto third = start(client.command_within(3s, "PING"));
  wait_for(first);
  wait_for(second);
  wait_for(third);
  EXPECT_LT(std::chrono::steady_clock::now() - before, 800ms);
  EXPECT_EQ(second->value().error().code, ErrorCode::connection_lost);
  EXPECT_EQ(third->value().error().code, ErrorCode::connection_lost);
  // Nothing open while the server is frozen (reconnects hang in connect): commands fail at once.
  const auto next_at = std::chrono::steady_clock::now();
  auto next = run(client.command("PING"));
  EXPECT_FALSE(next.ok());
  EXPECT_LT(std::chrono::steady_clock::now() - next_at, 50ms);

  server->thaw();
  EXPECT_TRUE(wait_until_ping(client, 5s).has_value()) << "no recovery within 5 s after SIGCONT";
}

TEST_F(FaultsTest, ShutdownFailsCommandsInFlightWithClosed) {
  auto server = RedisServer::start();
  ASSERT_TRUE(server);
  auto& client = make_client(options_for(*server));
  ASSERT_TRUE(run(client.connect()).ok());
  auto blocked = start(client.command_within(5s, "BLPOP", "never-filled", 10));
  pump(30ms);
  client.shutdown();
  wait_for(blocked);
  ASSERT_FALSE(blocked->value().ok());
  EXPECT_EQ(blocked->value().error().code, ErrorCode::closed);
  auto after = run(client.command("PING"));
  ASSERT_FALSE(after.ok());
  EXPECT_EQ(after.error().code, ErrorCode::closed);
}

template <class T>
asio::awaitable<void> discard(asio::awaitable<T> task) {
  (void)co_await std::move(task);
}

TEST_F(FaultsTest, DestroyingTheClientAndTheLoopWithCommandsInFlightIsClean) {
  auto server = RedisServer::start();
  ASSERT_TRUE(server);
  auto local_io = std::make_unique<asio::io_context>();
  auto options = options_for(*server);
  options.pool_size = 3;
  auto client = Client::create(local_io->get_executor(), options);
  ASSERT_TRUE(client.ok());
  ASSERT_TRUE(tgkeep::testing::run(*local_io, client.value()->connect()).ok());
  local_io->run_for(30ms);
  for (int i = 0; i < 100; ++i) {
    asio::co_spawn(*local_io, discard(client.value()->command_within(5s, "BLPOP", "x", 5)),
                   asio::detached);
  }
  local_io->poll();
  client.value().reset();  // no drain: coroutine frames die with the io_context
  local_io.reset();
}

// A fake server: answers the handshake PING, reads two GETs, then sends the first reply in two
// pieces 100 ms and 300 ms later, followed by the second reply, and hangs up.
asio::awaitable<void> slow_first_reply(tcp::acceptor& acceptor) {
  auto [aec, socket] = co_await acceptor.async_accept(use_tuple);
  if (aec) co_return;
  const std::string ping = format_command({"PING"});
  std::string in(ping.size(), '\0');
  co_await asio::async_read(socket, asio::buffer(in), use_tuple);
  co_await asio::async_write(socket, asio::buffer(std::string_view("+PONG\r\n")), use_tuple);
  const std::string gets = format_command({"GET", "a"}) + format_command({"GET", "b"});
  in.assign(gets.size(), '\0');
  co_await asio::async_read(socket, asio::buffer(in), use_tuple);
  asio::steady_timer timer(acceptor.get_executor(), 100ms);
  co_await timer.async_wait(use_tuple);
  co_await asio::async_write(socket, asio::buffer(std::string_view("$5\r\nhel")), use_tuple);
  timer.expires_after(200ms);
  co_await timer.async_wait(use_tuple);
  co_await asio::async_write(socket, asio::buffer(std::string_view("lo\r\n+two\r\n")), use_tuple);
}

TEST_F(FaultsTest, ALateReplyAfterATimeoutIsDroppedAndMatchingHolds) {
  tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  asio::co_spawn(io, slow_first_reply(acceptor), [](std::exception_ptr e) {
    if (e) std::rethrow_exception(e);
  });
  Options options;
  options.port = acceptor.local_endpoint().port();
  options.client_name.clear();
  auto opened = run(Connection::open(io.get_executor(), options, nullptr));
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  auto conn = opened.value();

  auto first = start(conn->exchange(format_command({"GET", "a"}), 1, 200ms));
  auto second = start(conn->exchange(format_command({"GET", "b"}), 1, 2s));
  wait_for(first);
  ASSERT_FALSE(first->value().ok());
  EXPECT_EQ(first->value().error().code, ErrorCode::timeout);
  EXPECT_TRUE(conn->is_open()) << "bytes were arriving: not a stall";
  wait_for(second);
  ASSERT_TRUE(second->value().ok()) << second->value().error().message;
  ASSERT_EQ(second->value()->size(), 1u);
  EXPECT_TRUE(second->value()->front().is_status("two"));
  conn->close();
}

}  // namespace
}  // namespace tgkeep::redis
