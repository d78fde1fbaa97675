#include "redis/error.hpp"

#include <gtest/gtest.h>

#include "redis/redis_result.hpp"

namespace tgkeep::redis {
namespace {

TEST(ClassifyErrorReply, ReadsTheFirstWord) {
  EXPECT_EQ(classify_error_reply("WRONGPASS invalid username-password pair or user is disabled."),
            ErrorCode::wrongpass);
  EXPECT_EQ(classify_error_reply("NOAUTH Authentication required."), ErrorCode::noauth);
  EXPECT_EQ(classify_error_reply("NOPERM User u has no permissions to run the 'set' command"),
            ErrorCode::noperm);
  EXPECT_EQ(classify_error_reply("MOVED 3999 127.0.0.1:6381"), ErrorCode::moved);
  EXPECT_EQ(classify_error_reply("ASK 3999 127.0.0.1:6381"), ErrorCode::ask);
  EXPECT_EQ(classify_error_reply("LOADING Redis is loading the dataset in memory"),
            ErrorCode::loading);
  EXPECT_EQ(classify_error_reply("READONLY You can't write against a read only replica."),
            ErrorCode::readonly);
  EXPECT_EQ(classify_error_reply("OOM command not allowed when used memory > 'maxmemory'."),
            ErrorCode::oom);
  EXPECT_EQ(classify_error_reply("BUSY Redis is busy running a script."), ErrorCode::busy);
  EXPECT_EQ(classify_error_reply("NOSCRIPT No matching script."), ErrorCode::noscript);
  EXPECT_EQ(classify_error_reply("MASTERDOWN Link with MASTER is down"), ErrorCode::unavailable);
  EXPECT_EQ(classify_error_reply("TRYAGAIN Multiple keys request during rehashing of slot"),
            ErrorCode::unavailable);
  EXPECT_EQ(classify_error_reply("CLUSTERDOWN The cluster is down"), ErrorCode::unavailable);
}

TEST(ClassifyErrorReply, EverythingElseIsAServerError) {
  EXPECT_EQ(classify_error_reply("ERR unknown command 'FOO'"), ErrorCode::server_error);
  EXPECT_EQ(classify_error_reply("WRONGTYPE Operation against a key holding the wrong kind"),
            ErrorCode::server_error);
  EXPECT_EQ(classify_error_reply("BUSYKEY Target key name already exists."),
            ErrorCode::server_error);
  EXPECT_EQ(classify_error_reply("EXECABORT Transaction discarded"), ErrorCode::server_error);
  EXPECT_EQ(classify_error_reply(""), ErrorCode::server_error);
  EXPECT_EQ(classify_error_reply("wrongpass lower case"), ErrorCode::server_error);
}

TEST(ClassifyErrorReply, KnowsTheAuthTextsOfOldAndNewServers) {
  EXPECT_EQ(classify_error_reply("ERR AUTH <password> called without any password configured "
                                 "for the default user. Are you sure your configuration is "
                                 "correct?"),
            ErrorCode::no_password_set);
  EXPECT_EQ(classify_error_reply("ERR Client sent AUTH, but no password is set"),
            ErrorCode::no_password_set);
  EXPECT_EQ(classify_error_reply("ERR invalid password"), ErrorCode::wrongpass);
}

TEST(ReplyError, NamesTheServerAndSaysWhatToCheck) {
  const RedisError e = reply_error("WRONGPASS invalid username-password pair or user is disabled.",
                                   "Redis at h:6379");
  EXPECT_EQ(e.code, ErrorCode::wrongpass);
  EXPECT_EQ(e.kind(), ErrorKind::fatal);
  EXPECT_NE(e.message.find("Redis at h:6379"), std::string::npos);
  EXPECT_NE(e.message.find("password"), std::string::npos);
  const RedisError other = reply_error("WRONGTYPE nope", "Redis at h:6379");
  EXPECT_EQ(other.code, ErrorCode::server_error);
  EXPECT_EQ(other.message, "Redis at h:6379 answered an error: WRONGTYPE nope");
}

TEST(ErrorCode, HasANameAndAKind) {
  EXPECT_EQ(error_code_name(ErrorCode::connection_lost), "connection_lost");
  EXPECT_EQ(error_kind(ErrorCode::timeout), ErrorKind::transient);
  EXPECT_EQ(error_kind(ErrorCode::tls_verify), ErrorKind::fatal);
  EXPECT_EQ(error_kind(ErrorCode::moved), ErrorKind::invalid_input);
  EXPECT_EQ(error_kind(ErrorCode::loading), ErrorKind::transient);
}

TEST(RedisResult, ConvertsToTheProjectResult) {
  RedisResult<int> ok(5);
  EXPECT_EQ(to_result(std::move(ok)).value(), 5);
  RedisError e;
  e.code = ErrorCode::noauth;
  e.message = "m";
  RedisResult<int> failed(e);
  auto converted = to_result(std::move(failed));
  ASSERT_FALSE(converted.ok());
  EXPECT_EQ(converted.error().kind, ErrorKind::fatal);
  EXPECT_EQ(converted.error().message, "m");
  EXPECT_FALSE(to_status(RedisStatus(e)).ok());
}

}  // namespace
}  // namespace tgkeep::redis
