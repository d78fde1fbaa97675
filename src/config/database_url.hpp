// Where PostgreSQL is, as platforms and libpq users name it. Pure (libpq's conninfo parser runs
// no I/O); the environment comes through an injected lookup. Thread-safe.
//
// Precedence, first set wins (empty values count as unset):
//   1. TGKEEP_DATABASE_URL   tgkeep's own setting (also --database-url)
//   2. DATABASE_URL          Heroku, Railway, Render, Supabase, Fly
//   3. DATABASE_PRIVATE_URL / DATABASE_PUBLIC_URL   Railway's private and public variants
//   4. libpq's own variables PGHOST, PGHOSTADDR, PGPORT, PGUSER, PGDATABASE, PGSERVICE (any of
//      them set; PGPASSWORD, PGSSLMODE and the rest are read by libpq along with them)
// A value is a postgres:// or postgresql:// URL (user, password, host, IPv6 [::1], port, /db,
// ?sslmode=require and every other libpq option as a query parameter) or libpq's key=value form.
// It is checked with libpq's parser; an error names the variable and what is wrong, with the
// password masked. No variable at all: nullopt (no PostgreSQL; SQLite is the system of record).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "config/redis_candidates.hpp"  // EnvLookup
#include "util/result.hpp"

namespace tgkeep::config {

struct DatabaseConfig {
  std::string conninfo;  // secret: handed to libpq as is ("" = libpq's PG* variables)
  std::string source;    // "DATABASE_URL", "PG* variables (PGHOST, PGUSER)", ...
  // For logs: "postgresql://app:****@db.internal:5432/app?sslmode=require". Never a password.
  std::string masked;
  std::string host;  // as given ("" = libpq's default: a local socket)
  std::string port;
  std::string user;
  std::string dbname;
  std::string sslmode;  // "" = libpq's default (prefer)
  bool has_password = false;
};

[[nodiscard]] Result<std::optional<DatabaseConfig>> database_config(const EnvLookup& getenv);

// `value` (a URL or key=value conninfo from `source`) checked and described.
[[nodiscard]] Result<DatabaseConfig> parse_database_url(std::string_view value,
                                                        std::string_view source);

// The conninfo with its password replaced by ****, safe to log even when it does not parse.
std::string mask_conninfo(std::string_view conninfo);

}  // namespace tgkeep::config
