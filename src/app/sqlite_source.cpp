#include "app/sqlite_source.hpp"

#include <sqlite3.h>

#include <array>
#include <chrono>
#include <fstream>
#include <string>
#include <system_error>

#include <fmt/format.h>

#include "pg/store_sql.hpp"
#include "sqlite/migrations.hpp"
#include "sqlite/sqlite_store.hpp"

namespace tgkeep::app {
namespace {

namespace fs = std::filesystem;

Error not_tgkeep(const fs::path& file, std::string_view why) {
  return Error::fatal(fmt::format("{} is not a tgkeep database ({})", file.string(), why));
}

// Every SQLite database starts with these 16 bytes. Checked before SQLite opens the file, so that
// a stranger's file is named as such (SQLite would take an empty file for an empty database).
bool has_sqlite_header(const fs::path& file) {
  constexpr std::string_view kMagic{"SQLite format 3\0", 16};
  std::array<char, 16> head{};
  std::ifstream in(file, std::ios::binary);
  return in.read(head.data(), head.size()) && std::string_view(head.data(), head.size()) == kMagic;
}

Result<fs::path> database_file(const fs::path& path) {
  std::error_code ec;
  const auto status = fs::status(path, ec);
  if (!fs::exists(status)) {
    return Error::fatal(
        fmt::format("{} does not exist: give the path of a tgkeep database "
                    "(DATA_DIR/tgkeep.db) or of its data dir",
                    path.string()));
  }
  if (!fs::is_directory(status)) return path;
  fs::path file = path / sqlite::SqliteStore::kFileName;
  if (!fs::exists(file, ec)) {
    return Error::fatal(fmt::format("{} holds no {}: no tgkeep data to import", path.string(),
                                    sqlite::SqliteStore::kFileName));
  }
  return file;
}

// tgkeep's own files carry its application_id (set by migration 1) and a schema version it knows.
Result<int> check_tgkeep_schema(sqlite::Connection& db) {
  auto app_id = db.query_int("PRAGMA application_id", "reading the database header");
  if (!app_id) return app_id.error();
  if (*app_id != sqlite::kApplicationId) {
    return not_tgkeep(db.path(), *app_id == 0
                                     ? std::string("a SQLite database without tgkeep's tables")
                                     : fmt::format("SQLite application_id {}", *app_id));
  }
  auto version = db.query_int("PRAGMA user_version", "reading the schema version");
  if (!version) return version.error();
  if (*version > sqlite::latest_schema_version()) {
    return Error::fatal(
        fmt::format("{} has schema version {}, newer than this tgkeep (knows {}): upgrade tgkeep",
                    db.path().string(), *version, sqlite::latest_schema_version()));
  }
  if (*version < 1) return not_tgkeep(db.path(), "no schema");
  return static_cast<int>(*version);
}

}  // namespace

Result<std::unique_ptr<SqliteSource>> SqliteSource::open(const fs::path& path) {
  auto file = database_file(path);
  if (!file) return file.error();
  if (!has_sqlite_header(*file)) return not_tgkeep(*file, "not a SQLite file");
  auto db = sqlite::Connection::open(*file, true, std::chrono::seconds(5));
  if (!db) return db.error();
  // One snapshot for everything read below; a read-only transaction never blocks the writer.
  if (Status s = db->exec("BEGIN", "starting a read transaction"); !s) return s.error();
  auto version = check_tgkeep_schema(*db);
  if (!version) return version.error();
  return std::unique_ptr<SqliteSource>(new SqliteSource(std::move(db).value(), *version));
}

Result<std::uint64_t> SqliteSource::count(const ImportTable& table) {
  if (!has(table)) return std::uint64_t{0};
  const std::string sql = fmt::format("SELECT count(*) FROM {}", table.name);
  auto n = db_.query_int(sql.c_str(), fmt::format("counting {}", table.name));
  if (!n) return n.error();
  return static_cast<std::uint64_t>(*n);
}

Status SqliteSource::start(const ImportTable& table) {
  rows_ = sqlite::Statement();
  table_ = &table;
  if (!has(table)) return {};
  auto prepared = db_.prepare(sqlite_select(table, schema_version_));
  if (!prepared) return prepared.error();
  rows_ = std::move(prepared).value();
  return {};
}

Result<std::size_t> SqliteSource::next_batch(std::size_t max_rows, std::size_t max_bytes,
                                             pg::CopyText& out) {
  if (!rows_) return std::size_t{0};
  std::size_t appended = 0;
  while (appended < max_rows && out.size() < max_bytes) {
    const int rc = rows_.step();
    if (rc == SQLITE_DONE) {
      rows_ = sqlite::Statement();
      break;
    }
    if (rc != SQLITE_ROW) return db_.error(rc, fmt::format("reading {}", table_->name));
    for (int column = 0; column < table_->columns; ++column) {
      if (rows_.is_null(column)) {
        out.field(std::nullopt);
      } else if (column == table_->json_column) {
        out.field(pg::sanitize_json(rows_.text(column)));
      } else {
        out.field(rows_.text(column));
      }
    }
    out.end_row();
    ++appended;
  }
  return appended;
}

}  // namespace tgkeep::app
