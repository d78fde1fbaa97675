// The PostgreSQL schema, as an ordered list of migrations, and migrate(), which applies the
// missing ones (`tgkeep migrate`, and every start).
//
// schema_migrations (version, name, applied_at) holds one row per migration applied; its largest
// version is the schema's version (0: none yet). Each migration runs in its own transaction,
// together with its schema_migrations row: PostgreSQL's DDL is transactional, so a migration and
// its version commit together or not at all, and no "dirty" state exists.
//
// Several instances may start at once: migrate() holds a session-level advisory lock
// (kMigrationLockKey) from reading the version until the last migration committed, so exactly one
// of them applies each migration and the others find it applied. Run it over a connection that
// keeps one server session (direct, or a pooler in session mode): a transaction-mode pooler
// (PgBouncer `pool_mode=transaction`, Supabase's port 6543) may run the lock and the unlock on
// different server sessions.
//
// Thread-safety: migrate() uses the Connection it is given, one operation at a time (see
// connection.hpp); the rest is constant data.
#pragma once

#include <chrono>
#include <cstdint>
#include <span>
#include <string_view>

#include <boost/asio/awaitable.hpp>

#include "pg/connection.hpp"

namespace tgkeep::pg {

struct Migration {
  int version;            // 1, 2, ...: the schema's version after it is applied
  std::string_view name;  // for logs, errors and schema_migrations.name
  // Single statements, in order: Connection::query/pipeline take one statement each.
  std::span<const std::string_view> statements;
};

// The advisory lock migrate() holds: "tgkeep" in ASCII in the high 48 bits, then 1 (lock number 1
// of tgkeep: schema migrations). A fixed 64-bit value, so every instance and version agrees on
// it; unlikely to collide with another application's locks in the same database.
inline constexpr std::int64_t kMigrationLockKey = [] {
  std::int64_t key = 0;
  for (char c : std::string_view("tgkeep")) key = (key << 8) | static_cast<unsigned char>(c);
  return (key << 16) | 1;
}();
static_assert(kMigrationLockKey == 0x74676b6565700001);

std::span<const Migration> migrations();
int latest_schema_version();

struct MigrateOutcome {
  int from = 0;  // the version found (0: an empty database)
  int to = 0;    // the version left; == from when nothing was missing
};

struct MigrateOptions {
  // How long to wait for another instance's migration (the advisory lock). On timeout the
  // connection is dropped (Connection's rule), which also ends our wait on the server.
  std::chrono::milliseconds lock_wait{std::chrono::minutes(5)};
  // Per round trip: one migration's statements are sent together, in one pipeline.
  std::chrono::milliseconds statement_timeout{std::chrono::minutes(10)};
};

// Applies every migration of migrations() newer than the database's version, in order, and
// returns the versions before and after. Errors (PgError, message for an operator):
// - a database whose version is newer than latest_schema_version(): "database schema version N
//   is newer than this tgkeep (knows M); upgrade tgkeep" (code `other`, sqlstate "");
// - a schema_migrations table without tgkeep's columns (another tool's): refused, nothing altered;
// - a failing migration: rolled back, the version stays where it was; the message names the
//   migration ("applying schema migration 1 (initial schema): ...").
// Every one of them means the instance cannot run: callers stop with the message. The lock is
// released on every path (or with the session, when the connection broke).
boost::asio::awaitable<PgResult<MigrateOutcome>> migrate(Connection& db,
                                                         MigrateOptions options = {});

// The same with another list of migrations (ascending versions): for tests of failing or later
// migrations. Versions newer than the list's last are refused as above.
boost::asio::awaitable<PgResult<MigrateOutcome>> migrate(Connection& db,
                                                         std::span<const Migration> list,
                                                         MigrateOptions options = {});

}  // namespace tgkeep::pg
