// PgErrorCode, PgError: what went wrong talking to PostgreSQL, typed by SQLSTATE; and the one
// classifier of SQLSTATE codes.
//
// classify_sqlstate() is the only function that reads SQLSTATE codes (the five-character codes
// of PostgreSQL's errcodes.txt); everything else switches on PgErrorCode. Each code has a kind
// (util/result.hpp): `fatal` needs an operator (credentials, a missing database or table, a full
// disk), `transient` may pass on retry (a restarting or busy server, a lost connection, a
// serialization failure), `invalid_input` is about the request itself (a duplicate key, bad SQL
// or data). retryable() says whether rerunning the same transaction may succeed as it is.
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <utility>

#include "util/result.hpp"

namespace tgkeep::pg {

enum class PgErrorCode {
  authentication,        // 28P01 invalid_password, 28000 invalid_authorization_specification
  missing_database,      // 3D000 invalid_catalog_name: the database does not exist
  too_many_connections,  // 53300: max_connections (or the role's / database's limit) reached
  shutdown,              // 57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now
  serialization,         // 40001 serialization_failure
  deadlock,              // 40P01 deadlock_detected
  unique_violation,      // 23505
  undefined_table,       // 42P01
  disk_full,             // 53100
  out_of_memory,         // 53200
  query_canceled,        // 57014: statement_timeout, or a cancel request
  connection,            // class 08: connection_exception and its subclasses
  incompatible_schema,   // no SQLSTATE: the database's schema is not one this tgkeep can use
                         // (newer, or another tool's tables under our names)
  other,                 // any other SQLSTATE, or none
};

// "authentication", "too_many_connections", ...: stable names for logs and metrics.
std::string_view pg_error_code_name(PgErrorCode code);
ErrorKind pg_error_kind(PgErrorCode code);

// Whether rerunning the failed transaction (or reconnecting) may succeed without any change:
// serialization failures, deadlocks, and the transient connection-level codes (too many
// connections, a shutting down or starting server, a lost connection). After a lost connection
// a COMMIT may or may not have happened: a retried transaction must be idempotent.
bool retryable(PgErrorCode code);

// The code of a SQLSTATE, e.g. "28P01" (PQresultErrorField(res, PG_DIAG_SQLSTATE)). Anything
// that is not a known code, including "" (libpq's own errors carry no SQLSTATE), is `other`.
PgErrorCode classify_sqlstate(std::string_view sqlstate);

// The SQLSTATE in a libpq error message formatted with PQERRORS_VERBOSE, e.g.
// "connection to server at \"127.0.0.1\", port 5432 failed: FATAL:  28P01: password
// authentication failed for user \"bot\"": "28P01"; "" when there is none. Connection failures
// have no PGresult, so this is the only way to get their SQLSTATE: set the verbosity on the
// PGconn of PQconnectStart before polling.
std::string_view sqlstate_in_message(std::string_view message);

// One line for an operator: what happened at `where` and what to check. `where` describes the
// server and user, e.g. "PostgreSQL at db.internal:5432 (user tgkeep, database tgkeep)"; it must
// never contain a password.
std::string explain(PgErrorCode code, std::string_view where);

// A failure: its code, the SQLSTATE it came from ("" for client-side failures) and a one-line
// message for an operator (never a password).
struct PgError {
  PgErrorCode code = PgErrorCode::other;
  std::string sqlstate;
  std::string message;

  ErrorKind kind() const { return pg_error_kind(code); }
  Error to_error() const { return Error{kind(), message}; }
};

// A client-side failure (no SQLSTATE).
inline PgError make_error(PgErrorCode code, std::string message) {
  PgError error;
  error.code = code;
  error.message = std::move(message);
  return error;
}

}  // namespace tgkeep::pg
