// DATABASE_URL and libpq's variables: every form platforms inject, hostile input, and no
// password in any message or description.
#include <map>

#include <gtest/gtest.h>

#include "config/database_url.hpp"

namespace tgkeep::config {
namespace {

EnvLookup env(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
    auto it = vars.find(std::string(name));
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

TEST(DatabaseUrl, ReadsTheUrlFormsPlatformsUse) {
  auto railway = parse_database_url(
      "postgresql://postgres:s3cr%40t@postgres.railway.internal:5432/railway", "DATABASE_URL");
  ASSERT_TRUE(railway.ok()) << railway.error().message;
  EXPECT_EQ(railway->host, "postgres.railway.internal");
  EXPECT_EQ(railway->port, "5432");
  EXPECT_EQ(railway->user, "postgres");
  EXPECT_EQ(railway->dbname, "railway");
  EXPECT_TRUE(railway->has_password);
  EXPECT_EQ(railway->masked, "postgresql://postgres:****@postgres.railway.internal:5432/railway");

  auto heroku = parse_database_url(
      "postgres://u:p@ec2-1-2-3-4.compute-1.amazonaws.com/d1?sslmode=require", "DATABASE_URL");
  ASSERT_TRUE(heroku.ok());
  EXPECT_EQ(heroku->sslmode, "require");
  EXPECT_EQ(heroku->masked,
            "postgresql://u:****@ec2-1-2-3-4.compute-1.amazonaws.com/d1?sslmode=require");

  auto v6 = parse_database_url("postgresql://app@[::1]:6543/app", "DATABASE_URL");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->host, "::1");
  EXPECT_FALSE(v6->has_password);
  EXPECT_EQ(v6->masked, "postgresql://app@[::1]:6543/app");

  auto keywords = parse_database_url("host=127.0.0.1 port=5433 user=bot password='a b' dbname=x",
                                     "TGKEEP_DATABASE_URL");
  ASSERT_TRUE(keywords.ok());
  EXPECT_EQ(keywords->port, "5433");
  EXPECT_EQ(keywords->masked, "postgresql://bot:****@127.0.0.1:5433/x");

  auto quoted = parse_database_url("  \"postgres://u:p@h/d\"\n", "DATABASE_URL");
  ASSERT_TRUE(quoted.ok());
  EXPECT_EQ(quoted->host, "h");
}

TEST(DatabaseUrl, ErrorsNameTheVariableAndHideThePassword) {
  const std::string secret = "Sup3rS3cret";
  for (const std::string& bad : {
           "mysql://root:" + secret + "@db/app",
           "postgresql://u:" + secret + "@db:54x2/app",
           "postgresql://u:" + secret + "@db/app?sslmode=sometimes&nonsense=1",
           "postgresql://u:" + secret + "%zz@db/app",
           "host=db password=" + secret + " bogus_option=1",
       }) {
    auto parsed = parse_database_url(bad, "DATABASE_URL");
    ASSERT_FALSE(parsed.ok()) << bad;
    EXPECT_NE(parsed.error().message.find("DATABASE_URL"), std::string::npos);
    EXPECT_EQ(parsed.error().message.find(secret), std::string::npos) << parsed.error().message;
    EXPECT_EQ(parsed.error().kind, ErrorKind::fatal);
  }
  EXPECT_EQ(mask_conninfo("postgresql://u:pw@h/d"), "postgresql://u:****@h/d");
  EXPECT_EQ(mask_conninfo("host=h password=pw"), "host=h password=****");
}

TEST(DatabaseUrl, PrecedenceAndLibpqVariables) {
  auto none = database_config(env({{"DATABASE_URL", "  "}, {"PGPASSWORD", "x"}}));
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());

  auto both = database_config(env({{"DATABASE_URL", "postgres://a@h1/d"},
                                   {"TGKEEP_DATABASE_URL", "postgres://b@h2/d"},
                                   {"PGHOST", "h3"}}));
  ASSERT_TRUE(both.ok() && both->has_value());
  EXPECT_EQ((*both)->source, "TGKEEP_DATABASE_URL");
  EXPECT_EQ((*both)->host, "h2");

  auto railway_public =
      database_config(env({{"DATABASE_PUBLIC_URL", "postgres://a:b@proxy:1234/railway"}}));
  ASSERT_TRUE(railway_public.ok() && railway_public->has_value());
  EXPECT_EQ((*railway_public)->source, "DATABASE_PUBLIC_URL");

  auto pg = database_config(env(
      {{"PGHOST", "db"}, {"PGUSER", "bot"}, {"PGPASSWORD", "pw"}, {"PGSSLMODE", "verify-full"}}));
  ASSERT_TRUE(pg.ok() && pg->has_value());
  EXPECT_EQ((*pg)->conninfo, "");
  EXPECT_EQ((*pg)->source, "PG* variables (PGHOST, PGUSER)");
  EXPECT_EQ((*pg)->masked, "postgresql://bot:****@db/?sslmode=verify-full");

  auto bad_port = database_config(env({{"PGPORT", "five"}}));
  EXPECT_FALSE(bad_port.ok());
}

}  // namespace
}  // namespace tgkeep::config
