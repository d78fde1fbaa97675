#include "sqlite/sqlite_error.hpp"

#include <fmt/format.h>
#include <sqlite3.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace tgkeep::sqlite {
namespace {

// The OS's explanation when there is one ("Permission denied"), else SQLite's.
std::string reason(const SqliteFailure& f) {
  if (f.system_errno != 0) return std::strerror(f.system_errno);
  return std::string(f.message);
}

}  // namespace

Error describe_failure(const SqliteFailure& f, const std::filesystem::path& db_path,
                       std::string_view doing) {
  const std::string path = db_path.string();
  if (f.system_errno == ENOSPC || f.system_errno == EDQUOT) {
    return Error::transient(fmt::format("disk full writing {}", path));
  }
  switch (f.code & 0xff) {
    case SQLITE_FULL:
      return Error::transient(fmt::format("disk full writing {}", path));
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Error::transient(fmt::format(
          "database {} is locked by another process (gave up {} after the busy timeout); is "
          "another tgkeep writing to this data dir?",
          path, doing));
    case SQLITE_NOTADB:
      return Error::fatal(fmt::format(
          "{} is not a SQLite database; move it away or choose another data dir", path));
    case SQLITE_CORRUPT:
      return Error::fatal(
          fmt::format("database {} is corrupt ({}); restore it from a backup or move it away", path,
                      f.message));
    case SQLITE_CANTOPEN:
      return Error::fatal(fmt::format("cannot open database {}: {}", path, reason(f)));
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_AUTH:
      return Error::fatal(fmt::format(
          "cannot write database {} ({}): check the permissions of the file and its directory",
          path, reason(f)));
    case SQLITE_IOERR:
      return Error::transient(fmt::format("I/O error {} {}: {}", doing, path, reason(f)));
    case SQLITE_NOMEM:
      return Error::transient(fmt::format("out of memory {} {}", doing, path));
    case SQLITE_CONSTRAINT:
    case SQLITE_TOOBIG:
    case SQLITE_MISMATCH:
    case SQLITE_RANGE:
      return Error::invalid(fmt::format("{}: {} ({})", doing, f.message, path));
    default:
      return Error::fatal(fmt::format("SQLite error {} {}: {}", doing, path, f.message));
  }
}

}  // namespace tgkeep::sqlite
