#include "sqlite/connection.hpp"

#include <sqlite3.h>

#include <mutex>
#include <utility>

#include "sqlite/sqlite_error.hpp"

namespace tgkeep::sqlite {
namespace {

// SQLite's allocator takes a global mutex on every allocation to keep memory statistics, which
// tgkeep never reads; turning them off saves 5-10% of the insert path. A process-wide setting,
// accepted only before SQLite initializes (later it is refused, harmlessly). tgkeep is the only
// user of SQLite in its process.
void configure_sqlite_once() {
  static std::once_flag once;
  std::call_once(once, [] { sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
}

}  // namespace

Result<Connection> Connection::open(const std::filesystem::path& file, bool read_only,
                                    std::chrono::milliseconds busy_timeout) {
  const int flags =
      (read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
      SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;
  configure_sqlite_once();
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(file.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    Error error = db != nullptr ? describe_failure({sqlite3_extended_errcode(db),
                                                    sqlite3_errmsg(db), sqlite3_system_errno(db)},
                                                   file, "opening")
                                : describe_failure({rc, sqlite3_errstr(rc), 0}, file, "opening");
    sqlite3_close_v2(db);
    return error;
  }
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, static_cast<int>(busy_timeout.count()));
  return Connection(db, file);
}

Connection::Connection(Connection&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)), path_(std::move(other.path_)) {}

Connection& Connection::operator=(Connection&& other) noexcept {
  if (this != &other) {
    sqlite3_close_v2(db_);
    db_ = std::exchange(other.db_, nullptr);
    path_ = std::move(other.path_);
  }
  return *this;
}

// close_v2: should a statement outlive the connection by mistake, the handle is closed when the
// statement is finalized instead of leaking.
Connection::~Connection() {
  sqlite3_close_v2(db_);
}

Error Connection::error(int rc, std::string_view doing) const {
  if (db_ == nullptr) return describe_failure({rc, sqlite3_errstr(rc), 0}, path_, doing);
  // sqlite3_errmsg describes the most recent failure on this handle, which is the one at hand.
  return describe_failure({rc, sqlite3_errmsg(db_), sqlite3_system_errno(db_)}, path_, doing);
}

Status Connection::exec(const char* sql, std::string_view doing) {
  const int rc = sqlite3_exec(db_, sql, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return error(sqlite3_extended_errcode(db_), doing);
  return {};
}

Result<std::int64_t> Connection::query_int(const char* sql, std::string_view doing) {
  auto stmt = prepare(sql);
  if (!stmt) return stmt.error();
  const int rc = stmt->step();
  if (rc == SQLITE_ROW) return stmt->int64(0);
  if (rc == SQLITE_DONE) return std::int64_t{0};
  return error(rc, doing);
}

Result<Statement> Connection::prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  const int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                    SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) return error(rc, "preparing a statement");
  return Statement(stmt);
}

Status Connection::run(Statement& stmt, std::string_view doing) {
  Statement::Use use(stmt);
  const int rc = stmt.step();
  if (rc != SQLITE_DONE && rc != SQLITE_ROW) return error(rc, doing);
  return {};
}

std::int64_t Connection::changes() const {
  return sqlite3_changes64(db_);
}

bool Connection::in_transaction() const {
  return sqlite3_get_autocommit(db_) == 0;
}

}  // namespace tgkeep::sqlite
