// describe_failure: SQLite failures as one line for an operator, with the right ErrorKind.
#include "sqlite/sqlite_error.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cerrno>

namespace tgkeep::sqlite {
namespace {

const std::filesystem::path kPath = "/var/lib/tgkeep/tgkeep.db";

TEST(DescribeFailure, DiskFullIsTransient) {
  Error e = describe_failure({SQLITE_FULL, "database or disk is full", 0}, kPath, "committing");
  EXPECT_EQ(e.kind, ErrorKind::transient);
  EXPECT_EQ(e.message, "disk full writing /var/lib/tgkeep/tgkeep.db");
}

TEST(DescribeFailure, NoSpaceFromTheOsIsDiskFullToo) {
  Error e = describe_failure({SQLITE_IOERR_WRITE, "disk I/O error", ENOSPC}, kPath, "committing");
  EXPECT_EQ(e.kind, ErrorKind::transient);
  EXPECT_EQ(e.message, "disk full writing /var/lib/tgkeep/tgkeep.db");
}

TEST(DescribeFailure, CantOpenGivesTheOsReason) {
  Error e =
      describe_failure({SQLITE_CANTOPEN, "unable to open database file", EACCES}, kPath, "opening");
  EXPECT_EQ(e.kind, ErrorKind::fatal);
  EXPECT_EQ(e.message, "cannot open database /var/lib/tgkeep/tgkeep.db: Permission denied");
}

TEST(DescribeFailure, BusyIsTransientAndSuggestsTheCause) {
  Error e =
      describe_failure({SQLITE_BUSY, "database is locked", 0}, kPath, "starting a transaction");
  EXPECT_EQ(e.kind, ErrorKind::transient);
  EXPECT_NE(e.message.find("is locked by another process"), std::string::npos);
  EXPECT_NE(e.message.find("another tgkeep"), std::string::npos);
}

TEST(DescribeFailure, ConstraintIsInvalidInput) {
  Error e = describe_failure({SQLITE_CONSTRAINT_UNIQUE, "UNIQUE constraint failed: m.k", 0}, kPath,
                             "recording a reply");
  EXPECT_EQ(e.kind, ErrorKind::invalid_input);
  EXPECT_EQ(e.message,
            "recording a reply: UNIQUE constraint failed: m.k (/var/lib/tgkeep/tgkeep.db)");
}

TEST(DescribeFailure, CorruptIsFatal) {
  Error e = describe_failure({SQLITE_CORRUPT, "database disk image is malformed", 0}, kPath, "x");
  EXPECT_EQ(e.kind, ErrorKind::fatal);
  EXPECT_NE(e.message.find("restore it from a backup"), std::string::npos);
}

}  // namespace
}  // namespace tgkeep::sqlite
