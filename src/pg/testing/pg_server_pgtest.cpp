// Proves the PgServer fixture against a real PostgreSQL through libpq directly: connecting,
// authentication and missing-database SQLSTATEs, a crash and restart, two servers at once,
// connection limits, stop, freeze and thaw.
#include "pg/testing/pg_server.hpp"

#include <libpq-fe.h>
#include <poll.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "pg/sqlstate.hpp"

namespace tgkeep::pg::testing {
namespace {

struct PgConnDeleter {
  void operator()(PGconn* conn) const { PQfinish(conn); }
};
using Conn = std::unique_ptr<PGconn, PgConnDeleter>;

struct Connected {
  Conn conn;             // null when the connection failed
  std::string sqlstate;  // of a failed connection, if the server sent one
  std::string message;   // libpq's error message
};

// Connects with PQconnectStart / PQconnectPoll, error verbosity set to VERBOSE first: a failed
// connection has no PGresult, its SQLSTATE is only in the verbose message.
Connected connect(const std::string& conninfo, int timeout_ms = 5000) {
  Conn conn(PQconnectStart(conninfo.c_str()));
  Connected result;
  if (!conn) {
    result.message = "out of memory";
    return result;
  }
  PQsetErrorVerbosity(conn.get(), PQERRORS_VERBOSE);
  PostgresPollingStatusType status =
      PQstatus(conn.get()) == CONNECTION_BAD ? PGRES_POLLING_FAILED : PGRES_POLLING_WRITING;
  while (status != PGRES_POLLING_OK && status != PGRES_POLLING_FAILED) {
    pollfd fd{PQsocket(conn.get()),
              static_cast<short>(status == PGRES_POLLING_READING ? POLLIN : POLLOUT), 0};
    if (::poll(&fd, 1, timeout_ms) <= 0) {
      result.message = "timeout";
      return result;
    }
    status = PQconnectPoll(conn.get());
  }
  if (status == PGRES_POLLING_OK) {
    result.conn = std::move(conn);
    return result;
  }
  result.message = PQerrorMessage(conn.get());
  result.sqlstate = std::string(sqlstate_in_message(result.message));
  return result;
}

ExecStatusType exec_status(PGconn* conn, const char* sql) {
  PGresult* res = PQexec(conn, sql);
  const ExecStatusType status = PQresultStatus(res);
  PQclear(res);
  return status;
}

// The single value of a one-row, one-column query, or "ERROR <sqlstate>".
std::string query_value(PGconn* conn, const char* sql) {
  PGresult* res = PQexec(conn, sql);
  std::string value;
  if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1) {
    value = PQgetvalue(res, 0, 0);
  } else {
    const char* state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    value = std::string("ERROR ") + (state != nullptr ? state : "") + " " + PQerrorMessage(conn);
  }
  PQclear(res);
  return value;
}

TEST(PgServer, ConnectsAndSelects) {
  auto server = PgServer::start();
  ASSERT_TRUE(server);
  EXPECT_NE(server->port(), 0);
  EXPECT_EQ(server->conninfo(),
            "postgresql://postgres@127.0.0.1:" + std::to_string(server->port()) + "/postgres");
  Connected c = connect(server->conninfo());
  ASSERT_TRUE(c.conn) << c.message;
  EXPECT_EQ(query_value(c.conn.get(), "SELECT 1"), "1");
  EXPECT_EQ(query_value(c.conn.get(), "SHOW server_version_num").substr(0, 2), "15");
  EXPECT_EQ(query_value(c.conn.get(), "SHOW fsync"), "off");
  // The side channel.
  EXPECT_EQ(server->psql("SELECT 40 + 2"), "42\n");
}

TEST(PgServer, WrongPasswordIsAuthentication) {
  auto server = PgServer::start({.settings = {}, .with_password = true});
  ASSERT_TRUE(server);
  server->psql("CREATE ROLE bot LOGIN PASSWORD 'right pw'");

  Connected good = connect(server->conninfo("bot", "postgres", "right pw"));
  ASSERT_TRUE(good.conn) << good.message;
  EXPECT_EQ(query_value(good.conn.get(), "SELECT current_user"), "bot");
  Connected super =
      connect(server->conninfo("postgres", "postgres", std::string(kSuperuserPassword)));
  EXPECT_TRUE(super.conn) << super.message;

  // A wrong password, and a user that does not exist (the server does not say which).
  for (const std::string& user : {std::string("bot"), std::string("nobody_here")}) {
    Connected bad = connect(server->conninfo(user, "postgres", "wrong"));
    EXPECT_FALSE(bad.conn);
    EXPECT_EQ(bad.sqlstate, "28P01") << bad.message;
    const PgErrorCode code = classify_sqlstate(bad.sqlstate);
    EXPECT_EQ(code, PgErrorCode::authentication);
    EXPECT_EQ(pg_error_kind(code), ErrorKind::fatal);
    EXPECT_FALSE(retryable(code));
    const std::string where =
        "PostgreSQL at 127.0.0.1:" + std::to_string(server->port()) + " (user bot)";
    const PgError error{code, bad.sqlstate, explain(code, where)};
    EXPECT_EQ(error.to_error().kind, ErrorKind::fatal);
    EXPECT_EQ(error.message.find("right pw"), std::string::npos);
  }

  // No password at all: libpq gives up by itself ("fe_sendauth: no password supplied"), before
  // the server sends an error, so there is no SQLSTATE to classify.
  Connected none = connect(server->conninfo("bot"));
  EXPECT_FALSE(none.conn);
  EXPECT_EQ(none.sqlstate, "") << none.message;
  EXPECT_NE(none.message.find("no password supplied"), std::string::npos) << none.message;
}

TEST(PgServer, MissingDatabaseIs3D000) {
  auto server = PgServer::start();
  ASSERT_TRUE(server);
  Connected c = connect(server->conninfo("postgres", "no_such_db"));
  EXPECT_FALSE(c.conn);
  EXPECT_EQ(c.sqlstate, "3D000") << c.message;
  EXPECT_EQ(classify_sqlstate(c.sqlstate), PgErrorCode::missing_database);

  server->psql("CREATE DATABASE tgkeep");
  Connected created = connect(server->conninfo("postgres", "tgkeep"));
  ASSERT_TRUE(created.conn) << created.message;
  EXPECT_EQ(query_value(created.conn.get(), "SELECT current_database()"), "tgkeep");
}

TEST(PgServer, KillHardThenRestartRecovers) {
  // Committed rows must survive the crash: commit synchronously (fsync may stay off, the page
  // cache survives a process kill).
  auto server =
      PgServer::start({.settings = {{"synchronous_commit", "on"}}, .with_password = false});
  ASSERT_TRUE(server);
  server->psql("CREATE TABLE t (v int); INSERT INTO t VALUES (7)");
  Connected before = connect(server->conninfo());
  ASSERT_TRUE(before.conn) << before.message;
  const pid_t old_pid = server->pid();

  server->kill_hard();
  EXPECT_EQ(server->pid(), -1);
  // The old connection's backend is gone too.
  EXPECT_NE(exec_status(before.conn.get(), "SELECT 1"), PGRES_TUPLES_OK);
  EXPECT_FALSE(connect(server->conninfo(), 1000).conn);

  ASSERT_TRUE(server->restart());
  EXPECT_GT(server->pid(), 0);
  EXPECT_NE(server->pid(), old_pid);
  Connected after = connect(server->conninfo());
  ASSERT_TRUE(after.conn) << after.message;
  EXPECT_EQ(query_value(after.conn.get(), "SELECT v FROM t"), "7");

  // And once more, with a connection open and a transaction in flight.
  ASSERT_EQ(exec_status(after.conn.get(), "BEGIN; INSERT INTO t VALUES (8)"), PGRES_COMMAND_OK);
  server->kill_hard();
  ASSERT_TRUE(server->restart());
  EXPECT_EQ(server->psql("SELECT count(*) FROM t"), "1\n");
}

TEST(PgServer, TwoServersAtOnce) {
  auto a = PgServer::start();
  auto b = PgServer::start();
  ASSERT_TRUE(a);
  ASSERT_TRUE(b);
  EXPECT_NE(a->port(), b->port());
  EXPECT_NE(a->dir(), b->dir());
  a->psql("CREATE TABLE only_in_a (v int)");
  Connected ca = connect(a->conninfo());
  Connected cb = connect(b->conninfo());
  ASSERT_TRUE(ca.conn) << ca.message;
  ASSERT_TRUE(cb.conn) << cb.message;
  EXPECT_EQ(query_value(ca.conn.get(), "SELECT count(*) FROM only_in_a"), "0");
  EXPECT_EQ(query_value(cb.conn.get(), "SELECT count(*) FROM only_in_a").substr(0, 11),
            "ERROR 42P01");
}

TEST(PgServer, TooManyConnectionsIs53300) {
  // 4 slots for ordinary roles, 1 reserved for superusers.
  auto server = PgServer::start(
      {.settings = {{"max_connections", "5"}, {"superuser_reserved_connections", "1"}},
       .with_password = false});
  ASSERT_TRUE(server);
  server->psql("CREATE ROLE bot LOGIN");
  std::vector<Conn> open;
  for (int i = 0; i < 4; ++i) {
    Connected c = connect(server->conninfo("bot"));
    ASSERT_TRUE(c.conn) << i << ": " << c.message;
    open.push_back(std::move(c.conn));
  }
  Connected refused = connect(server->conninfo("bot"));
  EXPECT_FALSE(refused.conn);
  EXPECT_EQ(refused.sqlstate, "53300") << refused.message;
  const PgErrorCode code = classify_sqlstate(refused.sqlstate);
  EXPECT_EQ(code, PgErrorCode::too_many_connections);
  EXPECT_EQ(pg_error_kind(code), ErrorKind::transient);
  EXPECT_TRUE(retryable(code));
  // The superuser still gets the reserved slot; a freed slot serves the bot again.
  EXPECT_TRUE(connect(server->conninfo()).conn);
  open.pop_back();
  // The backend of a closed connection takes a moment to exit and free its slot.
  bool reconnected = false;
  for (int i = 0; i < 100 && !reconnected; ++i) {
    reconnected = static_cast<bool>(connect(server->conninfo("bot")).conn);
    if (!reconnected) ::poll(nullptr, 0, 20);
  }
  EXPECT_TRUE(reconnected);
}

TEST(PgServer, StopThenRestart) {
  auto server = PgServer::start();
  ASSERT_TRUE(server);
  server->psql("CREATE TABLE t (v int); INSERT INTO t VALUES (1)");
  EXPECT_TRUE(server->stop());
  EXPECT_EQ(server->pid(), -1);
  EXPECT_FALSE(std::filesystem::exists(server->data_dir() / "postmaster.pid"));
  EXPECT_FALSE(connect(server->conninfo(), 1000).conn);
  ASSERT_TRUE(server->restart());
  EXPECT_EQ(server->psql("SELECT v FROM t"), "1\n");
}

TEST(PgServer, FreezeAndThaw) {
  auto server = PgServer::start();
  ASSERT_TRUE(server);
  Connected open = connect(server->conninfo());
  ASSERT_TRUE(open.conn) << open.message;
  server->freeze();
  const auto started = std::chrono::steady_clock::now();
  Connected frozen = connect(server->conninfo(), 500);
  EXPECT_FALSE(frozen.conn);
  EXPECT_EQ(frozen.message, "timeout");
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(3));
  // The open connection's backend is frozen too: its query gets no answer while frozen.
  ASSERT_EQ(PQsendQuery(open.conn.get(), "SELECT 5"), 1);
  pollfd fd{PQsocket(open.conn.get()), POLLIN, 0};
  EXPECT_EQ(::poll(&fd, 1, 300), 0);
  server->thaw();
  EXPECT_EQ(::poll(&fd, 1, 5000), 1);
  PGresult* res = PQgetResult(open.conn.get());
  ASSERT_EQ(PQresultStatus(res), PGRES_TUPLES_OK);
  EXPECT_EQ(std::string(PQgetvalue(res, 0, 0)), "5");
  PQclear(res);
  while ((res = PQgetResult(open.conn.get())) != nullptr) PQclear(res);
  EXPECT_TRUE(connect(server->conninfo()).conn);
}

}  // namespace
}  // namespace tgkeep::pg::testing
