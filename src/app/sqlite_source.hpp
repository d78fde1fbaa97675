// The SQLite side of `tgkeep import-sqlite`: a tgkeep database opened read-only, checked to be
// tgkeep's and not newer than this binary, and read inside one transaction, so that the counts
// taken up front and the rows read afterwards are one snapshot even while a bot still writes to
// the file (WAL lets a reader keep its snapshot beside a writer).
//
// Rows come out as COPY text (copy_text.hpp) in the staging tables' column order, a batch at a
// time: the statement of the table being read stays open between batches.
//
// Thread-safety: none; one thread at a time. Move-only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>

#include "pg/copy_text.hpp"
#include "app/import_tables.hpp"
#include "sqlite/connection.hpp"
#include "util/result.hpp"

namespace tgkeep::app {

class SqliteSource {
 public:
  // `path`: a tgkeep.db file, or a data dir holding one. Errors are one line naming the path: it
  // does not exist, it is not a tgkeep database, its schema is newer than this tgkeep.
  static Result<std::unique_ptr<SqliteSource>> open(const std::filesystem::path& path);

  int schema_version() const { return schema_version_; }
  const std::filesystem::path& file() const { return db_.path(); }
  // Whether this schema version has the table at all.
  bool has(const ImportTable& table) const { return table.since_version <= schema_version_; }

  Result<std::uint64_t> count(const ImportTable& table);
  // Starts reading `table` from its first row.
  Status start(const ImportTable& table);
  // Appends the next rows of the table being read to `out`, until `max_rows` rows or about
  // `max_bytes` of COPY text. Returns how many it appended; 0 when the table is done.
  Result<std::size_t> next_batch(std::size_t max_rows, std::size_t max_bytes, pg::CopyText& out);

 private:
  SqliteSource(sqlite::Connection db, int schema_version)
      : db_(std::move(db)), schema_version_(schema_version) {}

  sqlite::Connection db_;
  int schema_version_;
  // Declared after db_: destroyed before the connection it was prepared on.
  sqlite::Statement rows_;
  const ImportTable* table_ = nullptr;
};

}  // namespace tgkeep::app
