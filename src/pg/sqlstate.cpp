#include "pg/sqlstate.hpp"

#include <fmt/format.h>

namespace tgkeep::pg {
namespace {

bool is_sqlstate_char(char c) {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z');
}

}  // namespace

std::string_view pg_error_code_name(PgErrorCode code) {
  switch (code) {
    case PgErrorCode::authentication:
      return "authentication";
    case PgErrorCode::missing_database:
      return "missing_database";
    case PgErrorCode::too_many_connections:
      return "too_many_connections";
    case PgErrorCode::shutdown:
      return "shutdown";
    case PgErrorCode::serialization:
      return "serialization";
    case PgErrorCode::deadlock:
      return "deadlock";
    case PgErrorCode::unique_violation:
      return "unique_violation";
    case PgErrorCode::undefined_table:
      return "undefined_table";
    case PgErrorCode::disk_full:
      return "disk_full";
    case PgErrorCode::out_of_memory:
      return "out_of_memory";
    case PgErrorCode::query_canceled:
      return "query_canceled";
    case PgErrorCode::connection:
      return "connection";
    case PgErrorCode::incompatible_schema:
      return "incompatible_schema";
    case PgErrorCode::other:
      return "other";
  }
  return "unknown";
}

ErrorKind pg_error_kind(PgErrorCode code) {
  switch (code) {
    // Bad credentials or a database that does not exist: only a configuration change helps.
    case PgErrorCode::authentication:
    case PgErrorCode::missing_database:
    // Our own schema is missing a table: the migrations did not run, or DATABASE_URL points at
    // the wrong database. Every statement touching it would fail the same way.
    case PgErrorCode::undefined_table:
    // The server's disk or memory is exhausted: someone has to free space, add memory or lower
    // work_mem / max_connections; retrying in a loop only adds load. (Writes are expected to be
    // spooled by the hot tier meanwhile; the kind is about who has to act.)
    case PgErrorCode::disk_full:
    case PgErrorCode::out_of_memory:
    // A schema newer than this binary, or another tool's: an upgrade or another database helps.
    case PgErrorCode::incompatible_schema:
      return ErrorKind::fatal;
    // Conflicts with existing data and unclassified codes (mostly classes 22 data exception,
    // 23 integrity constraint and 42 syntax or access rule): the statement or its data is wrong;
    // it fails again as it is, but the bot can go on with other requests.
    case PgErrorCode::unique_violation:
    case PgErrorCode::other:
      return ErrorKind::invalid_input;
    case PgErrorCode::too_many_connections:
    case PgErrorCode::shutdown:
    case PgErrorCode::serialization:
    case PgErrorCode::deadlock:
    case PgErrorCode::query_canceled:
    case PgErrorCode::connection:
      return ErrorKind::transient;
  }
  return ErrorKind::invalid_input;
}

bool retryable(PgErrorCode code) {
  switch (code) {
    case PgErrorCode::serialization:
    case PgErrorCode::deadlock:
    case PgErrorCode::too_many_connections:
    case PgErrorCode::shutdown:
    case PgErrorCode::connection:
      return true;
    default:
      // query_canceled is transient but not retried as is: a statement_timeout would likely
      // expire again, and a cancel was asked for.
      return false;
  }
}

PgErrorCode classify_sqlstate(std::string_view s) {
  if (s.size() != 5) return PgErrorCode::other;
  if (s == "28P01" || s == "28000") return PgErrorCode::authentication;
  if (s == "3D000") return PgErrorCode::missing_database;
  if (s == "53300") return PgErrorCode::too_many_connections;
  if (s == "57P01" || s == "57P02" || s == "57P03") return PgErrorCode::shutdown;
  if (s == "40001") return PgErrorCode::serialization;
  if (s == "40P01") return PgErrorCode::deadlock;
  if (s == "23505") return PgErrorCode::unique_violation;
  if (s == "42P01") return PgErrorCode::undefined_table;
  if (s == "53100") return PgErrorCode::disk_full;
  if (s == "53200") return PgErrorCode::out_of_memory;
  if (s == "57014") return PgErrorCode::query_canceled;
  if (s.starts_with("08")) return PgErrorCode::connection;
  return PgErrorCode::other;
}

std::string_view sqlstate_in_message(std::string_view message) {
  // pqBuildErrorMessage3 with PQERRORS_VERBOSE writes "SEVERITY:  SQLSTATE: text".
  constexpr std::string_view kSeparator = ":  ";
  for (std::size_t at = message.find(kSeparator); at != std::string_view::npos;
       at = message.find(kSeparator, at + 1)) {
    const std::string_view rest = message.substr(at + kSeparator.size());
    if (rest.size() < 6 || rest[5] != ':') continue;
    bool code = true;
    for (std::size_t i = 0; i < 5; ++i) code = code && is_sqlstate_char(rest[i]);
    if (code) return rest.substr(0, 5);
  }
  return {};
}

std::string explain(PgErrorCode code, std::string_view where) {
  switch (code) {
    case PgErrorCode::authentication:
      return fmt::format(
          "{} rejected the user name or password (or has no pg_hba.conf entry for this "
          "client): check DATABASE_URL's user name and password",
          where);
    case PgErrorCode::missing_database:
      return fmt::format(
          "{}: the database does not exist: create it (createdb) or fix the database name in "
          "DATABASE_URL",
          where);
    case PgErrorCode::too_many_connections:
      return fmt::format(
          "{} has no free connection slot: lower the bot's pool size, or raise max_connections "
          "(or the role's CONNECTION LIMIT) on the server",
          where);
    case PgErrorCode::shutdown:
      return fmt::format(
          "{} is shutting down, restarting or recovering from a crash; the bot reconnects when "
          "it is back",
          where);
    case PgErrorCode::serialization:
      return fmt::format(
          "{}: a transaction conflicted with a concurrent one (serialization failure); it is "
          "retried",
          where);
    case PgErrorCode::deadlock:
      return fmt::format("{}: a transaction was chosen as a deadlock victim; it is retried", where);
    case PgErrorCode::unique_violation:
      return fmt::format("{}: a row with the same unique key already exists", where);
    case PgErrorCode::undefined_table:
      return fmt::format(
          "{}: a table the bot needs does not exist: run the migrations, or check that "
          "DATABASE_URL names the right database",
          where);
    case PgErrorCode::disk_full:
      return fmt::format("{} is out of disk space: free space on the server's data volume", where);
    case PgErrorCode::out_of_memory:
      return fmt::format(
          "{} is out of memory: give the server more memory or lower work_mem / "
          "max_connections",
          where);
    case PgErrorCode::query_canceled:
      return fmt::format(
          "{}: a statement was canceled (statement_timeout, or canceled by an administrator)",
          where);
    case PgErrorCode::connection:
      return fmt::format(
          "{}: the connection failed or was lost: check that the server is running and "
          "reachable",
          where);
    case PgErrorCode::incompatible_schema:
      return fmt::format("{}: the database schema is not one this tgkeep can use", where);
    case PgErrorCode::other:
      break;
  }
  return fmt::format("{} answered an error", where);
}

}  // namespace tgkeep::pg
