// Opening the SQLite database for the store: the data dir, the connection, its PRAGMAs, the
// schema check and migrations.
//
// Every failure is one line naming the path and what to do about it. Runs on the caller's
// thread, before the store thread exists; the returned Connection is then owned by the store.
#pragma once

#include "sqlite/connection.hpp"
#include "sqlite/sqlite_options.hpp"
#include "util/result.hpp"

namespace tgkeep::sqlite {

struct OpenedDatabase {
  Connection db;
  int schema_version = 0;
};

// Read-write: creates the data dir and the file if missing, sets WAL and synchronous=FULL,
// applies missing migrations. read_only: opens an existing, fully migrated database as is.
Result<OpenedDatabase> open_database(const SqliteOptions& options, const char* file_name);

// Another database file in the data dir (the local spool), with the store's durability and tuning
// (WAL, synchronous=FULL, max_page_count) and no schema of its own: its owner creates its tables.
Result<Connection> open_durable(const SqliteOptions& options, const char* file_name);

}  // namespace tgkeep::sqlite
