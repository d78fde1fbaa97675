// pg::Connection: one libpq connection driven by the Asio event loop. Nothing blocks: the
// connection is opened with PQconnectStart/PQconnectPoll, queries are sent with the PQsend*
// functions, and the loop waits on PQsocket for readability or writability in between.
//
// - query(): one statement with text parameters ($1, $2, ...), its rows as text.
// - pipeline(): many statements in libpq's pipeline mode, sent together and answered in order,
//   one round trip for the lot (a loopback round trip costs ~0.4 ms here). Without explicit
//   BEGIN/COMMIT the whole pipeline is one implicit transaction: a failing statement aborts the
//   ones after it and rolls back the ones before it, as PostgreSQL defines it.
// - copy_in(): COPY ... FROM STDIN with the data in COPY's text format.
// Every operation has a deadline; when it passes, or the server goes away, the connection is
// broken for good (broken() is true) and the caller opens a new one: libpq's state after an
// interrupted exchange is not worth repairing.
//
// Errors are PgError (sqlstate.hpp), typed by SQLSTATE; messages name the server and user from
// `where`, never the password.
// Thread-safety: the executor it was created on, one operation at a time (callers serialize;
// a pool hands a connection to one user at a time).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "pg/sqlstate.hpp"
#include "util/result.hpp"

namespace tgkeep::pg {

template <class T>
using PgResult = Result<T, PgError>;
using PgStatus = BasicStatus<PgError>;

// One statement: SQL with $n placeholders and its parameters as text (nullopt = NULL).
struct Statement {
  std::string sql;
  std::vector<std::optional<std::string>> params;
};

// What a statement returned: rows of text values (nullopt = NULL), and the affected row count
// for INSERT/UPDATE/DELETE/COPY.
struct Rows {
  std::vector<std::vector<std::optional<std::string>>> rows;
  std::int64_t affected = 0;
};

struct ConnectOptions {
  std::string conninfo;  // secret: a URL or key=value string; "" = libpq's PG* variables
  std::string where;     // "PostgreSQL at host:port (user u, database d)", for messages
  std::chrono::milliseconds connect_timeout{5000};
};

class Connection {
 public:
  static boost::asio::awaitable<PgResult<std::unique_ptr<Connection>>> connect(
      boost::asio::any_io_executor ex, ConnectOptions options);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  boost::asio::awaitable<PgResult<Rows>> query(Statement statement,
                                               std::chrono::milliseconds timeout);
  boost::asio::awaitable<PgResult<std::vector<Rows>>> pipeline(std::vector<Statement> statements,
                                                               std::chrono::milliseconds timeout);
  // `copy_sql` is "COPY table (columns) FROM STDIN"; `data` rows in COPY's text format.
  boost::asio::awaitable<PgResult<std::int64_t>> copy_in(std::string copy_sql, std::string data,
                                                         std::chrono::milliseconds timeout);

  bool broken() const;
  const std::string& where() const;
  int server_version() const;  // e.g. 150018

 private:
  struct Impl;
  explicit Connection(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace tgkeep::pg
