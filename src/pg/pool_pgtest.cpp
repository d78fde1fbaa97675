// pg::Pool against a real PostgreSQL: bounded connections shared by many coroutines, a deadline
// when all are busy, broken connections replaced, and a failure to open returned at once.
#include <chrono>

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include "pg/pool.hpp"
#include "pg/testing/pg_server.hpp"
#include "util/testing/run.hpp"

namespace tgkeep::pg {
namespace {

namespace asio = boost::asio;
using testing::PgServer;
using namespace std::chrono_literals;

class PoolTest : public ::testing::Test {
 protected:
  template <class T>
  T run(asio::awaitable<T> task) {
    return tgkeep::testing::run(io, std::move(task));
  }
  ConnectOptions options_for(const PgServer& server) {
    ConnectOptions options;
    options.conninfo = server.conninfo();
    options.where = "PostgreSQL at 127.0.0.1 (test)";
    options.connect_timeout = 2s;
    return options;
  }
  static Statement sql(std::string text) {
    Statement s;
    s.sql = std::move(text);
    return s;
  }
  asio::io_context io;
};

// One user of the pool: takes a connection, sleeps in the server, gives it back.
asio::awaitable<void> sleeper(Pool& pool, int& done, int& failed, std::size_t& most_open) {
  auto lease = co_await pool.acquire(5s);
  if (!lease) {
    ++failed;
    co_return;
  }
  most_open = std::max(most_open, pool.open());
  Statement s;
  s.sql = "SELECT pg_sleep(0.05)";
  auto slept = co_await (*lease)->query(std::move(s), 2s);
  if (slept)
    ++done;
  else
    ++failed;
}

TEST_F(PoolTest, ManyUsersShareABoundedNumberOfConnections) {
  auto server = PgServer::start();
  ASSERT_TRUE(server);
  Pool pool(io.get_executor(), options_for(*server), 3);
  int done = 0, failed = 0;
  std::size_t most_open = 0;
  for (int i = 0; i < 12; ++i)
    asio::co_spawn(io, sleeper(pool, done, failed, most_open), asio::detached);
  const auto started = std::chrono::steady_clock::now();
  while (done + failed < 12) io.run_one();
  const auto took = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(done, 12);
  EXPECT_EQ(failed, 0);
  EXPECT_EQ(most_open, 3u);
  EXPECT_EQ(pool.open(), 3u);
  EXPECT_EQ(pool.idle(), 3u);
  EXPECT_GE(took, 190ms);  // 12 sleeps of 50 ms, 3 at a time
}

TEST_F(PoolTest, AllBusyUntilTheDeadline) {
  auto server = PgServer::start();
  ASSERT_TRUE(server);
  Pool pool(io.get_executor(), options_for(*server), 1);
  auto held = run(pool.acquire(1s));
  ASSERT_TRUE(held.ok());
  auto second = run(pool.acquire(100ms));
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code, PgErrorCode::too_many_connections);
}

TEST_F(PoolTest, BrokenConnectionsAreReplacedAndFailuresReturnAtOnce) {
  auto server = PgServer::start();
  ASSERT_TRUE(server);
  Pool pool(io.get_executor(), options_for(*server), 2);
  {
    auto lease = run(pool.acquire(1s));
    ASSERT_TRUE(lease.ok());
    ASSERT_TRUE(run((*lease)->query(sql("SELECT 1"), 1s)).ok());
  }
  EXPECT_EQ(pool.idle(), 1u);
  server->kill_hard();
  {
    auto lease = run(pool.acquire(1s));
    ASSERT_TRUE(lease.ok());  // the idle one, not yet known to be dead
    EXPECT_FALSE(run((*lease)->query(sql("SELECT 1"), 1s)).ok());
  }
  EXPECT_EQ(pool.open(), 0u);  // the broken one was dropped
  const auto started = std::chrono::steady_clock::now();
  auto refused = run(pool.acquire(5s));
  EXPECT_FALSE(refused.ok());
  EXPECT_LT(std::chrono::steady_clock::now() - started, 1s);
  ASSERT_TRUE(server->restart());
  auto again = run(pool.acquire(2s));
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_TRUE(run((*again)->query(sql("SELECT 1"), 1s)).ok());
}

}  // namespace
}  // namespace tgkeep::pg
