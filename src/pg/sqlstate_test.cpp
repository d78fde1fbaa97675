#include "pg/sqlstate.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace tgkeep::pg {
namespace {

struct Case {
  const char* sqlstate;
  PgErrorCode code;
  ErrorKind kind;
  bool retry;
};

TEST(PgSqlstate, ClassifiesKnownCodes) {
  const std::vector<Case> cases = {
      {"28P01", PgErrorCode::authentication, ErrorKind::fatal, false},
      {"28000", PgErrorCode::authentication, ErrorKind::fatal, false},
      {"3D000", PgErrorCode::missing_database, ErrorKind::fatal, false},
      {"53300", PgErrorCode::too_many_connections, ErrorKind::transient, true},
      {"57P01", PgErrorCode::shutdown, ErrorKind::transient, true},
      {"57P02", PgErrorCode::shutdown, ErrorKind::transient, true},
      {"57P03", PgErrorCode::shutdown, ErrorKind::transient, true},
      {"40001", PgErrorCode::serialization, ErrorKind::transient, true},
      {"40P01", PgErrorCode::deadlock, ErrorKind::transient, true},
      {"23505", PgErrorCode::unique_violation, ErrorKind::invalid_input, false},
      {"42P01", PgErrorCode::undefined_table, ErrorKind::fatal, false},
      {"53100", PgErrorCode::disk_full, ErrorKind::fatal, false},
      {"53200", PgErrorCode::out_of_memory, ErrorKind::fatal, false},
      {"57014", PgErrorCode::query_canceled, ErrorKind::transient, false},
      {"08000", PgErrorCode::connection, ErrorKind::transient, true},
      {"08006", PgErrorCode::connection, ErrorKind::transient, true},
      {"08001", PgErrorCode::connection, ErrorKind::transient, true},
      {"08P01", PgErrorCode::connection, ErrorKind::transient, true},
      {"42601", PgErrorCode::other, ErrorKind::invalid_input, false},
      {"23503", PgErrorCode::other, ErrorKind::invalid_input, false},
      {"57P04", PgErrorCode::other, ErrorKind::invalid_input, false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.sqlstate);
    const PgErrorCode code = classify_sqlstate(c.sqlstate);
    EXPECT_EQ(code, c.code) << pg_error_code_name(code);
    EXPECT_EQ(pg_error_kind(code), c.kind);
    EXPECT_EQ(retryable(code), c.retry);
  }
}

TEST(PgSqlstate, MalformedIsOther) {
  for (const char* s : {"", "08", "2850", "28P011", "08000 ", "xxxxx"}) {
    EXPECT_EQ(classify_sqlstate(s), PgErrorCode::other) << '"' << s << '"';
  }
}

TEST(PgSqlstate, NamesAreDistinctAndStable) {
  EXPECT_EQ(pg_error_code_name(PgErrorCode::authentication), "authentication");
  EXPECT_EQ(pg_error_code_name(PgErrorCode::too_many_connections), "too_many_connections");
  EXPECT_EQ(pg_error_code_name(PgErrorCode::other), "other");
  std::vector<std::string_view> names;
  for (int i = 0; i <= static_cast<int>(PgErrorCode::other); ++i) {
    const std::string_view name = pg_error_code_name(static_cast<PgErrorCode>(i));
    EXPECT_NE(name, "unknown");
    for (std::string_view seen : names) EXPECT_NE(name, seen);
    names.push_back(name);
  }
}

TEST(PgSqlstate, FindsSqlstateInVerboseMessages) {
  EXPECT_EQ(sqlstate_in_message("connection to server at \"127.0.0.1\", port 5432 failed: "
                                "FATAL:  28P01: password authentication failed for user \"bot\"\n"),
            "28P01");
  EXPECT_EQ(sqlstate_in_message("FATAL:  3D000: database \"nope\" does not exist\n"
                                "LOCATION:  InitPostgres, postinit.c:941\n"),
            "3D000");
  EXPECT_EQ(sqlstate_in_message("ERROR:  42P01: relation \"t\" does not exist"), "42P01");
  // Not verbose, or not from the server: no SQLSTATE.
  EXPECT_EQ(sqlstate_in_message("FATAL:  password authentication failed for user \"bot\""), "");
  EXPECT_EQ(sqlstate_in_message("connection to server at \"127.0.0.1\", port 1 failed: "
                                "Connection refused"),
            "");
  EXPECT_EQ(sqlstate_in_message(""), "");
  EXPECT_EQ(sqlstate_in_message("FATAL:  28P01"), "");  // truncated
}

TEST(PgSqlstate, ExplainNamesTheServerAndWhatToCheck) {
  const std::string where = "PostgreSQL at db.internal:5432 (user bot)";
  for (int i = 0; i <= static_cast<int>(PgErrorCode::other); ++i) {
    const std::string line = explain(static_cast<PgErrorCode>(i), where);
    EXPECT_TRUE(line.starts_with(where)) << line;
    EXPECT_EQ(line.find('\n'), std::string::npos) << line;
  }
  EXPECT_NE(explain(PgErrorCode::authentication, where).find("password"), std::string::npos);
  EXPECT_NE(explain(PgErrorCode::too_many_connections, where).find("max_connections"),
            std::string::npos);
  EXPECT_NE(explain(PgErrorCode::missing_database, where).find("DATABASE_URL"), std::string::npos);
}

TEST(PgSqlstate, PgErrorConvertsToError) {
  const PgError error{PgErrorCode::too_many_connections, "53300", "too many"};
  EXPECT_EQ(error.kind(), ErrorKind::transient);
  const Error plain = error.to_error();
  EXPECT_EQ(plain.kind, ErrorKind::transient);
  EXPECT_EQ(plain.message, "too many");
  EXPECT_EQ((PgError{PgErrorCode::authentication, "28P01", "x"}.to_error().kind), ErrorKind::fatal);
}

}  // namespace
}  // namespace tgkeep::pg
