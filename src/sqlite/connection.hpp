// Connection: one open SQLite database handle (sqlite3*), owned, with error reporting that names
// the file.
//
// Opened in SQLite's multi-thread mode (SQLITE_OPEN_NOMUTEX): the handle and its statements may be
// used by one thread at a time. SqliteStore opens it on the caller's thread and then uses it only
// on the store thread. Move-only; closing happens in the destructor, after every Statement
// prepared on it has been destroyed.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string_view>

#include "sqlite/statement.hpp"
#include "util/result.hpp"

struct sqlite3;

namespace tgkeep::sqlite {

class Connection {
 public:
  // Opens (read_only: never creates) the database file. The file is not read yet, so a file
  // that is not a database is reported by the first statement, not here.
  static Result<Connection> open(const std::filesystem::path& file, bool read_only,
                                 std::chrono::milliseconds busy_timeout);

  Connection(Connection&& other) noexcept;
  Connection& operator=(Connection&& other) noexcept;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection();

  // Runs one or more statements without results (DDL, PRAGMA, BEGIN/COMMIT).
  Status exec(const char* sql, std::string_view doing);
  // Runs a single-value query (e.g. "PRAGMA user_version").
  Result<std::int64_t> query_int(const char* sql, std::string_view doing);
  // Prepares a statement meant to be kept and reused.
  Result<Statement> prepare(std::string_view sql);

  // Steps a statement that returns no rows to completion, then resets it.
  Status run(Statement& stmt, std::string_view doing);

  // The error for a failed call that returned `rc`, described for an operator.
  Error error(int rc, std::string_view doing) const;

  std::int64_t changes() const;
  bool in_transaction() const;
  const std::filesystem::path& path() const { return path_; }

 private:
  Connection(sqlite3* db, std::filesystem::path path) : db_(db), path_(std::move(path)) {}

  sqlite3* db_ = nullptr;
  std::filesystem::path path_;
};

}  // namespace tgkeep::sqlite
