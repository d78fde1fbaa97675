// `tgkeep import-sqlite PATH`: copies everything a tgkeep SQLite database holds (raw updates,
// messages and replies, users and their tariffs, usage events, lexicon texts) into the PostgreSQL
// named by DATABASE_URL (or TGKEEP_DATABASE_URL, PGHOST...), for users who move from the embedded
// default to PostgreSQL. PostgreSQL is migrated first, as `tgkeep migrate` does.
//
// Idempotent: rows are merged by their natural keys (import_tables.hpp), each batch in one
// transaction, so a second import, or one after an interrupted import, leaves the same rows.
// Batches go through COPY into TEMP staging tables, then one pipelined INSERT ... SELECT ... ON
// CONFLICT per table: two round trips per batch of up to 10,000 rows.
//
// Progress on stderr (a bar on a terminal, plain lines otherwise); at the end, one line per table
// on stdout: rows read, newly stored, already there. Exit 0 on success, 1 when the import fails
// (one line naming what failed, never a password), 2 when PostgreSQL is not configured or its
// connection string is wrong.
#pragma once

#include <string>

#include "config/settings.hpp"

namespace tgkeep::app {

// `path`: the SQLite file, or a data dir holding tgkeep.db.
int import_sqlite_command(const config::Settings& settings, const std::string& path);

}  // namespace tgkeep::app
