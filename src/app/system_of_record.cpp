#include "app/system_of_record.hpp"

#include <cstdlib>
#include <string>

#include <spdlog/spdlog.h>

#include "app/pg_commands.hpp"
#include "config/database_url.hpp"
#include "pg/migrations.hpp"
#include "pg/pg_store.hpp"
#include "sqlite/sqlite_store.hpp"

namespace tgkeep::app {

Result<std::unique_ptr<storage::Store>> open_records(const config::Settings& settings,
                                                     std::string_view tier, bool read_only,
                                                     bool log) {
  auto database = config::database_config(config::process_environment());
  if (!database) return database.error();
  if (tier == "postgres" && !*database) {
    return Error::fatal(
        "PostgreSQL is not configured: set DATABASE_URL (or TGKEEP_DATABASE_URL, PGHOST...)");
  }
  if (*database && tier != "sqlite") {
    pg::PgStore::Options options;
    options.conninfo = (*database)->conninfo;
    options.where = describe_database(**database);
    auto opened = pg::PgStore::open(std::move(options));
    if (!opened) return opened.error().to_error();
    if (log) {
      spdlog::info("storage: {} from {} (schema version {}), the system of record",
                   (*database)->masked, (*database)->source, pg::latest_schema_version());
    }
    return std::unique_ptr<storage::Store>(std::move(opened).value());
  }
  sqlite::SqliteStore::Options options;
  options.data_dir = settings.data_dir;
  options.read_only = read_only;
  auto opened = sqlite::SqliteStore::open(options);
  if (!opened) return opened.error();
  if (log) {
    spdlog::info("storage: sqlite at {} (schema version {})",
                 (settings.data_dir / sqlite::SqliteStore::kFileName).string(),
                 (*opened)->schema_version());
  }
  return std::unique_ptr<storage::Store>(std::move(opened).value());
}

}  // namespace tgkeep::app
