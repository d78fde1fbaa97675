#include "sqlite/open_database.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <system_error>

#include "sqlite/migrations.hpp"

namespace tgkeep::sqlite {
namespace {

namespace fs = std::filesystem;

Error no_data(const fs::path& dir) {
  return Error::fatal(
      fmt::format("no data in {}: run `tgkeep run` or `tgkeep migrate` first", dir.string()));
}

Status prepare_data_dir(const fs::path& dir) {
  if (dir.empty()) return Error::fatal("no data directory configured (set --data-dir)");
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) {
    return Error::fatal(
        fmt::format("cannot create data directory {}: {}", dir.string(), ec.message()));
  }
  if (!fs::is_directory(dir, ec)) {
    return Error::fatal(fmt::format("data directory {} is not a directory", dir.string()));
  }
  if (::access(dir.c_str(), W_OK | X_OK) != 0) {
    return Error::fatal(
        fmt::format("data directory {} is not writable: {}", dir.string(), std::strerror(errno)));
  }
  return {};
}

// WAL lets readers (tgkeep export) run beside the writer; synchronous=FULL syncs the WAL at every
// commit, so a committed transaction survives power loss (NORMAL would only survive a crash).
// Page size 4 KiB (set before the file has pages; later a no-op): once chats outgrow a page each,
// every update dirties a page per chat-keyed index, and small pages mean fewer bytes per commit.
// Checkpoints every 64 MiB of WAL instead of 4 MiB: the same hot index pages are copied back once
// per checkpoint, which halved the bytes written per update on a grown database
// (docs/storage-sqlite.md, "Throughput").
Status set_durability(Connection& db) {
  if (Status s = db.exec("PRAGMA page_size = 4096", "setting the page size"); !s) return s;
  auto mode = db.prepare("PRAGMA journal_mode = WAL");
  if (!mode) return mode.error();
  const int rc = mode->step();
  if (rc != SQLITE_ROW) return db.error(rc, "switching to WAL journal mode");
  if (mode->text(0) != "wal") {
    return Error::fatal(fmt::format(
        "cannot use WAL journal mode on {} (got {}); put the data dir on a local filesystem",
        db.path().string(), mode->text(0)));
  }
  return db.exec(
      "PRAGMA synchronous = FULL; PRAGMA wal_autocheckpoint = 16384; "
      "PRAGMA journal_size_limit = 67108864;",
      "setting durability");
}

Status set_tuning(Connection& db, const SqliteOptions& options) {
  std::string pragmas =
      fmt::format("PRAGMA cache_size = {}; PRAGMA temp_store = MEMORY;", -options.cache_size_kib);
  if (options.max_page_count > 0) {
    pragmas += fmt::format(" PRAGMA max_page_count = {};", options.max_page_count);
  }
  return db.exec(pragmas.c_str(), "configuring the connection");
}

}  // namespace

Result<Connection> open_durable(const SqliteOptions& options, const char* file_name) {
  if (Status s = prepare_data_dir(options.data_dir); !s) return s.error();
  auto db = Connection::open(options.data_dir / file_name, false, options.busy_timeout);
  if (!db) return db.error();
  if (Status s = set_tuning(*db, options); !s) return s.error();
  if (Status s = set_durability(*db); !s) return s.error();
  return std::move(db).value();
}

Result<OpenedDatabase> open_database(const SqliteOptions& options, const char* file_name) {
  const fs::path file = options.data_dir / file_name;
  if (options.read_only) {
    std::error_code ec;
    if (!fs::exists(file, ec)) return no_data(options.data_dir);
  } else if (Status s = prepare_data_dir(options.data_dir); !s) {
    return s.error();
  }

  auto db = Connection::open(file, options.read_only, options.busy_timeout);
  if (!db) return db.error();
  // Before anything writes: refuse files that are not tgkeep's, untouched.
  auto found = check_schema(*db);
  if (!found) return found.error();
  if (Status s = set_tuning(*db, options); !s) return s.error();

  if (options.read_only) {
    if (*found == 0) return no_data(options.data_dir);
    if (*found < latest_schema_version()) {
      return Error::fatal(fmt::format(
          "database schema version {} is older than this tgkeep (needs {}); run `tgkeep migrate` "
          "first",
          *found, latest_schema_version()));
    }
    return OpenedDatabase{std::move(db).value(), *found};
  }

  if (Status s = set_durability(*db); !s) return s.error();
  auto before = migrate(*db);
  if (!before) return before.error();
  if (*before != latest_schema_version()) {
    auto log = options.log ? options.log : spdlog::default_logger();
    log->info("sqlite: {} schema migrated from version {} to {}", file.string(), *before,
              latest_schema_version());
  }
  return OpenedDatabase{std::move(db).value(), latest_schema_version()};
}

}  // namespace tgkeep::sqlite
