#include "pg/connection.hpp"

#include <libpq-fe.h>

#include <fmt/format.h>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace tgkeep::pg {

namespace asio = boost::asio;
using namespace asio::experimental::awaitable_operators;
using Clock = std::chrono::steady_clock;

namespace {

// libpq's message on one line, without the server's source location that verbose errors (needed
// for the SQLSTATE of connection failures) append.
std::string one_line(std::string_view text) {
  std::string out(text.substr(0, text.find("\nLOCATION:")));
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  for (auto& c : out) {
    if (c == '\n' || c == '\t') c = ' ';
  }
  return out;
}

struct ResultDeleter {
  void operator()(PGresult* result) const { PQclear(result); }
};
using ResultPtr = std::unique_ptr<PGresult, ResultDeleter>;

}  // namespace

struct Connection::Impl {
  explicit Impl(asio::any_io_executor ex) : socket(ex), timer(ex) {}
  ~Impl() {
    if (socket.is_open()) socket.release();  // libpq owns the descriptor
    if (conn) PQfinish(conn);
  }

  PGconn* conn = nullptr;
  asio::posix::stream_descriptor socket;
  asio::steady_timer timer;
  std::string where;
  bool broken = false;

  PgError failure(PgErrorCode code, std::string_view what) {
    PgError error;
    error.code = code;
    error.message = fmt::format("{}: {}", explain(code, where), one_line(what));
    return error;
  }

  // A libpq-level failure (no PGresult): the connection is unusable from here on.
  PgError lost(std::string_view doing) {
    broken = true;
    const std::string text = conn ? PQerrorMessage(conn) : "";
    const std::string_view sqlstate = sqlstate_in_message(text);
    PgErrorCode code = classify_sqlstate(sqlstate);
    // libpq stops by itself, without asking the server, when a password is needed and none given.
    if (text.find("no password supplied") != std::string::npos) code = PgErrorCode::authentication;
    if (code == PgErrorCode::other) code = PgErrorCode::connection;
    PgError error = failure(code, fmt::format("{}: {}", doing, text.empty() ? "no answer" : text));
    error.sqlstate = std::string(sqlstate);
    return error;
  }

  PgError timed_out(std::string_view doing, Clock::time_point started) {
    broken = true;
    const auto waited =
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started).count();
    return failure(
        PgErrorCode::connection,
        fmt::format("{}: no answer within {} ms; the connection is dropped", doing, waited));
  }

  PgError from_result(const PGresult* result) {
    const char* state = PQresultErrorField(result, PG_DIAG_SQLSTATE);
    PgError error = failure(classify_sqlstate(state ? state : ""), PQresultErrorMessage(result));
    error.sqlstate = state ? state : "";
    return error;
  }

  // Points the descriptor at libpq's current socket (it changes while connecting when libpq
  // tries another address or retries without SSL).
  bool track_socket() {
    const int fd = PQsocket(conn);
    if (fd < 0) return false;
    if (socket.is_open() && socket.native_handle() == fd) return true;
    if (socket.is_open()) socket.release();
    boost::system::error_code ec;
    socket.assign(fd, ec);
    return !ec;
  }

  // Waits until the socket is readable (or writable, as asked) or the deadline passes.
  asio::awaitable<bool> wait(bool for_read, bool for_write, Clock::time_point deadline) {
    timer.expires_at(deadline);
    using Wait = asio::posix::stream_descriptor::wait_type;
    if (for_read && for_write) {
      auto which = co_await (socket.async_wait(Wait::wait_read, asio::use_awaitable) ||
                             socket.async_wait(Wait::wait_write, asio::use_awaitable) ||
                             timer.async_wait(asio::use_awaitable));
      co_return which.index() != 2;
    }
    const Wait type = for_read ? Wait::wait_read : Wait::wait_write;
    auto which = co_await (socket.async_wait(type, asio::use_awaitable) ||
                           timer.async_wait(asio::use_awaitable));
    co_return which.index() == 0;
  }

  // Sends what libpq buffered, reading meanwhile so that a server blocked on its own output
  // cannot deadlock the exchange.
  asio::awaitable<PgStatus> flush(Clock::time_point deadline, Clock::time_point started) {
    for (;;) {
      const int pending = PQflush(conn);
      if (pending == 0) co_return PgStatus::success();
      if (pending < 0) co_return lost("sending");
      if (!co_await wait(true, true, deadline)) co_return timed_out("sending", started);
      if (!PQconsumeInput(conn)) co_return lost("reading");
    }
  }

  // The next result, or null when the current statement has no more.
  asio::awaitable<PgResult<ResultPtr>> next_result(Clock::time_point deadline,
                                                   Clock::time_point started) {
    while (PQisBusy(conn)) {
      if (!co_await wait(true, false, deadline))
        co_return timed_out("waiting for results", started);
      if (!PQconsumeInput(conn)) co_return lost("reading");
    }
    // Named first: g++ 12 miscompiles a converted temporary in co_return.
    PgResult<ResultPtr> next(ResultPtr(PQgetResult(conn)));
    co_return std::move(next);
  }

  bool send(const Statement& statement) {
    std::vector<const char*> values;
    values.reserve(statement.params.size());
    for (const auto& p : statement.params) values.push_back(p ? p->c_str() : nullptr);
    return PQsendQueryParams(conn, statement.sql.c_str(), static_cast<int>(values.size()), nullptr,
                             values.data(), nullptr, nullptr, 0) == 1;
  }

  // Reads every result of one statement into `rows`; the first error wins.
  asio::awaitable<PgStatus> read_statement(Rows& rows, Clock::time_point deadline,
                                           Clock::time_point started) {
    std::optional<PgError> error;
    for (;;) {
      auto result = co_await next_result(deadline, started);
      if (!result) co_return result.error();
      PGresult* r = result->get();
      if (!r) break;
      switch (PQresultStatus(r)) {
        case PGRES_TUPLES_OK:
        case PGRES_SINGLE_TUPLE: {
          const int fields = PQnfields(r);
          for (int row = 0; row < PQntuples(r); ++row) {
            std::vector<std::optional<std::string>> values;
            values.reserve(static_cast<std::size_t>(fields));
            for (int f = 0; f < fields; ++f) {
              if (PQgetisnull(r, row, f)) {
                values.emplace_back();
              } else {
                values.emplace_back(std::string(PQgetvalue(r, row, f),
                                                static_cast<std::size_t>(PQgetlength(r, row, f))));
              }
            }
            rows.rows.push_back(std::move(values));
          }
          break;
        }
        case PGRES_COMMAND_OK: {
          const char* count = PQcmdTuples(r);
          if (count && *count) rows.affected = std::stoll(count);
          break;
        }
        case PGRES_PIPELINE_ABORTED:
          if (!error)
            error = failure(PgErrorCode::other,
                            "not run: an earlier statement of the "
                            "pipeline failed");
          break;
        case PGRES_PIPELINE_SYNC:
          co_return failure(PgErrorCode::other, "unexpected end of pipeline");
        default:
          if (!error) error = from_result(r);
          break;
      }
    }
    if (error) co_return *error;
    co_return PgStatus::success();
  }
};

Connection::Connection(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Connection::~Connection() = default;

bool Connection::broken() const {
  return impl_->broken;
}
const std::string& Connection::where() const {
  return impl_->where;
}
int Connection::server_version() const {
  return PQserverVersion(impl_->conn);
}

asio::awaitable<PgResult<std::unique_ptr<Connection>>> Connection::connect(asio::any_io_executor ex,
                                                                           ConnectOptions options) {
  auto impl = std::make_unique<Impl>(ex);
  impl->where = options.where;
  const auto started = Clock::now();
  const auto deadline = started + options.connect_timeout;
  impl->conn = PQconnectStart(options.conninfo.c_str());
  if (!impl->conn) co_return impl->failure(PgErrorCode::out_of_memory, "cannot start a connection");
  // Verbose errors carry the SQLSTATE: connection failures have no PGresult to ask.
  PQsetErrorVerbosity(impl->conn, PQERRORS_VERBOSE);
  if (PQstatus(impl->conn) == CONNECTION_BAD) co_return impl->lost("connecting");
  PostgresPollingStatusType state = PGRES_POLLING_WRITING;
  while (state != PGRES_POLLING_OK) {
    if (state == PGRES_POLLING_FAILED) co_return impl->lost("connecting");
    if (!impl->track_socket()) co_return impl->lost("connecting");
    const bool ready = co_await impl->wait(state == PGRES_POLLING_READING,
                                           state == PGRES_POLLING_WRITING, deadline);
    if (!ready) co_return impl->timed_out("connecting", started);
    state = PQconnectPoll(impl->conn);
  }
  if (!impl->track_socket() || PQsetnonblocking(impl->conn, 1) != 0)
    co_return impl->lost("connecting");
  PQsetErrorVerbosity(impl->conn, PQERRORS_DEFAULT);
  co_return std::unique_ptr<Connection>(new Connection(std::move(impl)));
}

asio::awaitable<PgResult<Rows>> Connection::query(Statement statement,
                                                  std::chrono::milliseconds timeout) {
  auto& impl = *impl_;
  if (impl.broken) co_return impl.failure(PgErrorCode::connection, "the connection was dropped");
  const auto started = Clock::now();
  const auto deadline = started + timeout;
  if (!impl.send(statement)) co_return impl.lost("sending a statement");
  if (auto flushed = co_await impl.flush(deadline, started); !flushed) co_return flushed.error();
  Rows rows;
  if (auto read = co_await impl.read_statement(rows, deadline, started); !read)
    co_return read.error();
  co_return rows;
}

asio::awaitable<PgResult<std::vector<Rows>>> Connection::pipeline(
    std::vector<Statement> statements, std::chrono::milliseconds timeout) {
  auto& impl = *impl_;
  if (impl.broken) co_return impl.failure(PgErrorCode::connection, "the connection was dropped");
  const auto started = Clock::now();
  const auto deadline = started + timeout;
  if (PQenterPipelineMode(impl.conn) != 1) co_return impl.lost("entering pipeline mode");
  for (const auto& statement : statements) {
    if (!impl.send(statement)) co_return impl.lost("sending a pipeline");
  }
  if (PQpipelineSync(impl.conn) != 1) co_return impl.lost("sending a pipeline");
  if (auto flushed = co_await impl.flush(deadline, started); !flushed) co_return flushed.error();
  std::vector<Rows> all(statements.size());
  std::optional<PgError> first_error;
  for (auto& rows : all) {
    auto read = co_await impl.read_statement(rows, deadline, started);
    if (!read) {
      if (impl.broken) co_return read.error();
      if (!first_error) first_error = read.error();
    }
  }
  auto sync = co_await impl.next_result(deadline, started);
  if (!sync) co_return sync.error();
  if (!*sync || PQresultStatus(sync->get()) != PGRES_PIPELINE_SYNC) {
    impl.broken = true;
    co_return impl.failure(PgErrorCode::other, "the pipeline did not end as expected");
  }
  if (PQexitPipelineMode(impl.conn) != 1) co_return impl.lost("leaving pipeline mode");
  if (first_error) co_return *first_error;
  co_return all;
}

asio::awaitable<PgResult<std::int64_t>> Connection::copy_in(std::string copy_sql, std::string data,
                                                            std::chrono::milliseconds timeout) {
  auto& impl = *impl_;
  if (impl.broken) co_return impl.failure(PgErrorCode::connection, "the connection was dropped");
  const auto started = Clock::now();
  const auto deadline = started + timeout;
  if (PQsendQuery(impl.conn, copy_sql.c_str()) != 1) co_return impl.lost("starting COPY");
  if (auto flushed = co_await impl.flush(deadline, started); !flushed) co_return flushed.error();
  auto first = co_await impl.next_result(deadline, started);
  if (!first) co_return first.error();
  if (!*first || PQresultStatus(first->get()) != PGRES_COPY_IN) {
    // Named, not a conditional temporary: g++ 12 miscompiles those inside coroutines.
    PgError error;
    if (*first) {
      error = impl.from_result(first->get());
    } else {
      error = impl.failure(PgErrorCode::other, "COPY did not start");
    }
    // Drain what follows the failed statement so the connection stays usable.
    for (;;) {
      auto more = co_await impl.next_result(deadline, started);
      if (!more || !*more) break;
    }
    co_return error;
  }
  constexpr std::size_t kChunk = 256 * 1024;
  for (std::size_t at = 0; at < data.size();) {
    const auto size = std::min(kChunk, data.size() - at);
    const int put = PQputCopyData(impl.conn, data.data() + at, static_cast<int>(size));
    if (put < 0) co_return impl.lost("sending COPY data");
    if (put == 0) {
      if (!co_await impl.wait(false, true, deadline)) co_return impl.timed_out("COPY", started);
      continue;
    }
    at += size;
  }
  for (;;) {
    const int ended = PQputCopyEnd(impl.conn, nullptr);
    if (ended < 0) co_return impl.lost("ending COPY");
    if (ended == 1) break;
    if (!co_await impl.wait(false, true, deadline)) co_return impl.timed_out("COPY", started);
  }
  if (auto flushed = co_await impl.flush(deadline, started); !flushed) co_return flushed.error();
  Rows rows;
  if (auto read = co_await impl.read_statement(rows, deadline, started); !read)
    co_return read.error();
  co_return rows.affected;
}

}  // namespace tgkeep::pg
