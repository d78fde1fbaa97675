// What `tgkeep import-sqlite` copies, table by table: how each is read from a tgkeep SQLite
// database (schema: sqlite/migrations.cpp), the TEMP table it is staged in on PostgreSQL, and the
// statements that merge the staged rows into the real table by their natural keys (schema:
// pg/migrations.cpp). Pure data: no I/O.
//
// Merging, not overwriting, is what makes an import idempotent: a row already in PostgreSQL is
// kept, and only brought forward where SQLite holds something newer (an edit, a settled reply,
// a handled update, a later sighting of a user, a newer lexicon text). A second import of the
// same file therefore changes nothing.
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace tgkeep::app {

struct ImportTable {
  std::string_view name;  // the table, the same in both databases
  int since_version;      // the SQLite schema version that created it
  // SQLite: the rows in the staging table's column order, in the order they were written.
  const char* select;
  const char* select_v1;  // the same for schema version 1, where it differs (else nullptr)
  int columns;
  int json_column;  // a column of raw JSON (jsonb refuses \u0000), or -1
  // PostgreSQL: creates the TEMP staging table, named "import_" + name.
  const char* create_staging;
  // Run in one transaction after each COPY. Statements that merge return one row: how many rows
  // they stored, how many existing rows they brought up to date.
  std::span<const char* const> merge;
};

// In the order they are imported.
std::span<const ImportTable> import_tables();

std::string staging_name(const ImportTable& table);
std::string_view sqlite_select(const ImportTable& table, int schema_version);

}  // namespace tgkeep::app
