// The PostgreSQL side of `tgkeep migrate`: when DATABASE_URL (or TGKEEP_DATABASE_URL, or libpq's
// PG* variables) names a server, its schema is brought to this binary's version too.
#pragma once

#include "config/database_url.hpp"

namespace tgkeep::app {

// Connects, migrates under the advisory lock, prints the outcome; returns an exit code.
int migrate_postgres(const config::DatabaseConfig& database);

// "PostgreSQL at host:port (user u, database d)": the server named in messages, no password.
std::string describe_database(const config::DatabaseConfig& database);

}  // namespace tgkeep::app
