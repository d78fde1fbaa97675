// The SQLite schema, as an ordered list of migrations, and the code that applies them.
//
// PRAGMA user_version holds the number of the last migration applied (0: empty database). It lives
// in the database header and changes inside the migration's own transaction, so a migration and
// its version number commit together or not at all; no extra table is needed. PRAGMA
// application_id marks the file as tgkeep's, so a stranger's SQLite file is refused, not altered.
//
// Thread-safety: functions take the Connection they use; call them before the store thread runs.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "sqlite/connection.hpp"
#include "util/result.hpp"

namespace tgkeep::sqlite {

struct Migration {
  int version;            // 1, 2, ...: user_version after it is applied
  std::string_view name;  // for logs and errors
  const char* sql;        // one or more statements
};

inline constexpr std::int64_t kApplicationId = 0x74676b70;  // "tgkp"

std::span<const Migration> migrations();
int latest_schema_version();

// Refuses files that are not tgkeep's and schemas newer than this binary. Returns the version.
Result<int> check_schema(Connection& db);

// Applies every missing migration, each in its own BEGIN IMMEDIATE transaction (re-checking the
// version inside it, so two processes opening at once do not both migrate). Returns the version
// found before migrating.
Result<int> migrate(Connection& db);

}  // namespace tgkeep::sqlite
