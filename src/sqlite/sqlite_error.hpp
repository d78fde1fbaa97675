// Turns a failed SQLite call into one line an operator can act on.
//
// Pure: the caller gathers what SQLite and the OS said (extended result code, sqlite3_errmsg,
// sqlite3_system_errno) and this picks the ErrorKind and the wording. Transient: the same call
// may succeed later (disk full, database locked, I/O error, out of memory). Invalid input: a
// constraint the data broke. Fatal: an operator must act (not a database, corrupt, permissions).
#pragma once

#include <filesystem>
#include <string_view>

#include "util/result.hpp"

namespace tgkeep::sqlite {

struct SqliteFailure {
  int code = 0;              // extended result code
  std::string_view message;  // sqlite3_errmsg
  int system_errno = 0;      // sqlite3_system_errno, 0 when the OS said nothing
};

// `doing` names the operation, e.g. "storing updates", "opening".
Error describe_failure(const SqliteFailure& failure, const std::filesystem::path& db_path,
                       std::string_view doing);

}  // namespace tgkeep::sqlite
