// pg::Connection against a real PostgreSQL 15: parameters and NULLs, pipeline mode in order and
// with a failing statement, COPY, typed connection failures, a killed and a frozen server, and an
// event loop that keeps running while a query waits.
#include <chrono>

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "pg/connection.hpp"
#include "pg/testing/pg_server.hpp"
#include "util/testing/run.hpp"

namespace tgkeep::pg {
namespace {

namespace asio = boost::asio;
using testing::PgServer;
using namespace std::chrono_literals;

class ConnectionTest : public ::testing::Test {
 protected:
  template <class T>
  T run(asio::awaitable<T> task) {
    return tgkeep::testing::run(io, std::move(task));
  }

  std::unique_ptr<Connection> connect(const std::string& conninfo, bool expect_ok = true) {
    ConnectOptions options;
    options.conninfo = conninfo;
    options.where = "PostgreSQL at 127.0.0.1 (test)";
    options.connect_timeout = 3s;
    auto c = run(Connection::connect(io.get_executor(), options));
    if (expect_ok) {
      EXPECT_TRUE(c.ok()) << (c.ok() ? "" : c.error().message);
    }
    return c.ok() ? std::move(c).value() : nullptr;
  }

  PgError connect_error(const std::string& conninfo) {
    ConnectOptions options;
    options.conninfo = conninfo;
    options.where = "PostgreSQL at 127.0.0.1 (test)";
    options.connect_timeout = 3s;
    auto c = run(Connection::connect(io.get_executor(), options));
    EXPECT_FALSE(c.ok());
    return c.ok() ? PgError{} : c.error();
  }

  static Statement sql(std::string text, std::vector<std::optional<std::string>> params = {}) {
    Statement s;
    s.sql = std::move(text);
    s.params = std::move(params);
    return s;
  }

  asio::io_context io;
};

TEST_F(ConnectionTest, QueriesWithParametersNullsAndText) {
  auto server = PgServer::start();
  ASSERT_TRUE(server);
  auto c = connect(server->conninfo());
  ASSERT_TRUE(c);
  EXPECT_GE(c->server_version(), 150000);
  auto rows = run(c->query(sql("SELECT $1::text, $2::int8 + 1, NULL::text",
                               {std::string("Привет 👋 'quoted'"), std::string("41")}),
                           2s));
  ASSERT_TRUE(rows.ok()) << rows.error().message;
  ASSERT_EQ(rows->rows.size(), 1u);
  EXPECT_EQ(rows->rows[0][0], "Привет 👋 'quoted'");
  EXPECT_EQ(rows->rows[0][1], "42");
  EXPECT_FALSE(rows->rows[0][2].has_value());

  ASSERT_TRUE(run(c->query(sql("CREATE TABLE t (id int8 PRIMARY KEY, v text)"), 2s)).ok());
  auto inserted = run(c->query(sql("INSERT INTO t VALUES (1, 'a'), (2, NULL)"), 2s));
  ASSERT_TRUE(inserted.ok());
  EXPECT_EQ(inserted->affected, 2);
  auto duplicate = run(c->query(sql("INSERT INTO t VALUES (1, 'again')"), 2s));
  ASSERT_FALSE(duplicate.ok());
  EXPECT_EQ(duplicate.error().code, PgErrorCode::unique_violation);
  EXPECT_EQ(duplicate.error().sqlstate, "23505");
  EXPECT_FALSE(c->broken());
  EXPECT_TRUE(run(c->query(sql("SELECT 1"), 2s)).ok());
}

TEST_F(ConnectionTest, APipelineAnswersInOrderAndAFailureAbortsTheRest) {
  auto server = PgServer::start();
  ASSERT_TRUE(server);
  auto c = connect(server->conninfo());
  ASSERT_TRUE(c);
  ASSERT_TRUE(run(c->query(sql("CREATE TABLE n (i int8 PRIMARY KEY)"), 2s)).ok());
  std::vector<Statement> batch;
  for (int i = 0; i < 5000; ++i) {
    batch.push_back(
        sql("INSERT INTO n VALUES ($1) ON CONFLICT DO NOTHING", {std::to_string(i % 4000)}));
  }
  batch.push_back(sql("SELECT count(*) FROM n"));
  auto done = run(c->pipeline(std::move(batch), 10s));
  ASSERT_TRUE(done.ok()) << done.error().message;
  ASSERT_EQ(done->size(), 5001u);
  EXPECT_EQ((*done)[0].affected, 1);
  EXPECT_EQ((*done)[4500].affected, 0);  // a replay: nothing new
  EXPECT_EQ(done->back().rows[0][0], "4000");

  std::vector<Statement> failing;
  failing.push_back(sql("INSERT INTO n VALUES (-1)"));
  failing.push_back(sql("SELECT * FROM no_such_table"));
  failing.push_back(sql("INSERT INTO n VALUES (-2)"));
  auto failed = run(c->pipeline(std::move(failing), 5s));
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().code, PgErrorCode::undefined_table);
  EXPECT_FALSE(c->broken());
  auto after = run(c->query(sql("SELECT count(*) FROM n WHERE i < 0"), 2s));
  ASSERT_TRUE(after.ok()) << after.error().message;
  // A pipeline up to its sync is one implicit transaction: the insert before the failure is
  // rolled back with it.
  EXPECT_EQ(after->rows[0][0], "0");
}

TEST_F(ConnectionTest, CopyLoadsRows) {
  auto server = PgServer::start();
  ASSERT_TRUE(server);
  auto c = connect(server->conninfo());
  ASSERT_TRUE(c);
  ASSERT_TRUE(run(c->query(sql("CREATE TABLE m (id int8, text text)"), 2s)).ok());
  std::string data;
  for (int i = 0; i < 100000; ++i) data += std::to_string(i) + "\tтекст\\tс табом " + "\n";
  auto copied = run(c->copy_in("COPY m (id, text) FROM STDIN", std::move(data), 20s));
  ASSERT_TRUE(copied.ok()) << copied.error().message;
  EXPECT_EQ(*copied, 100000);
  auto check = run(c->query(sql("SELECT count(*), max(text) FROM m"), 2s));
  ASSERT_TRUE(check.ok());
  EXPECT_EQ(check->rows[0][0], "100000");
  EXPECT_EQ(check->rows[0][1], "текст\tс табом ");

  auto bad = run(c->copy_in("COPY m (id) FROM STDIN", "not a number\n", 5s));
  ASSERT_FALSE(bad.ok());
  EXPECT_FALSE(c->broken());
  EXPECT_TRUE(run(c->query(sql("SELECT 1"), 2s)).ok());
}

TEST_F(ConnectionTest, ConnectionFailuresAreTyped) {
  testing::PgServerOptions options;
  options.with_password = true;
  auto server = PgServer::start(options);
  ASSERT_TRUE(server);
  auto wrong = connect_error(server->conninfo("postgres", "postgres", "not-the-password"));
  EXPECT_EQ(wrong.code, PgErrorCode::authentication) << wrong.message;
  EXPECT_EQ(wrong.message.find("not-the-password"), std::string::npos);
  auto ok =
      connect(server->conninfo("postgres", "postgres", std::string(testing::kSuperuserPassword)));
  ASSERT_TRUE(ok);
  auto missing =
      connect_error(server->conninfo("postgres", "nodb", std::string(testing::kSuperuserPassword)));
  EXPECT_EQ(missing.code, PgErrorCode::missing_database) << missing.message;
  const auto port = server->port();
  server.reset();
  auto refused = connect_error("postgresql://postgres@127.0.0.1:" + std::to_string(port) + "/x");
  EXPECT_EQ(refused.code, PgErrorCode::connection) << refused.message;
}

TEST_F(ConnectionTest, AKilledServerBreaksTheConnectionAndAFrozenOneTimesOut) {
  auto server = PgServer::start();
  ASSERT_TRUE(server);
  auto c = connect(server->conninfo());
  ASSERT_TRUE(c);
  server->kill_hard();
  auto lost = run(c->query(sql("SELECT 1"), 2s));
  ASSERT_FALSE(lost.ok());
  EXPECT_TRUE(c->broken());
  EXPECT_EQ(lost.error().kind(), ErrorKind::transient);
  ASSERT_TRUE(server->restart());

  auto fresh = connect(server->conninfo());
  ASSERT_TRUE(fresh);
  server->freeze();
  const auto started = std::chrono::steady_clock::now();
  auto stuck = run(fresh->query(sql("SELECT 1"), 300ms));
  const auto took = std::chrono::steady_clock::now() - started;
  server->thaw();
  ASSERT_FALSE(stuck.ok());
  EXPECT_TRUE(fresh->broken());
  EXPECT_GE(took, 290ms);
  EXPECT_LT(took, 2s);
}

TEST_F(ConnectionTest, TheEventLoopRunsWhileAQueryWaits) {
  auto server = PgServer::start();
  ASSERT_TRUE(server);
  auto c = connect(server->conninfo());
  ASSERT_TRUE(c);
  int ticks = 0;
  asio::steady_timer timer(io);
  std::function<void(boost::system::error_code)> tick = [&](boost::system::error_code ec) {
    if (ec) return;
    ++ticks;
    timer.expires_after(20ms);
    timer.async_wait(tick);
  };
  timer.expires_after(20ms);
  timer.async_wait(tick);
  auto slept = run(c->query(sql("SELECT pg_sleep(0.3)"), 2s));
  timer.cancel();
  ASSERT_TRUE(slept.ok()) << slept.error().message;
  EXPECT_GE(ticks, 8);
}

}  // namespace
}  // namespace tgkeep::pg
