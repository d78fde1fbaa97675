// Opening the store that holds the records: the system of record (PostgreSQL when DATABASE_URL
// or the like names one, else SQLite in the data dir), or one tier forced by `--tier`.
#pragma once

#include <memory>
#include <string_view>

#include "config/settings.hpp"
#include "storage/store.hpp"
#include "util/result.hpp"

namespace tgkeep::app {

// `tier`: "" for the system of record, "sqlite" or "postgres". `read_only` applies to SQLite
// (commands that only read must not create a database). Logs which store it opened when `log`.
Result<std::unique_ptr<storage::Store>> open_records(const config::Settings& settings,
                                                     std::string_view tier, bool read_only,
                                                     bool log);

}  // namespace tgkeep::app
