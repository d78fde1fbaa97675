#include "redis/handshake.hpp"

#include <gtest/gtest.h>

namespace tgkeep::redis {
namespace {

constexpr std::string_view kPassword = "s3cr3t-pass";

Options options_with(std::string user, std::string password, int db, std::string name) {
  Options o;
  o.host = "cache.internal";
  o.port = 6380;
  o.username = std::move(user);
  o.password = std::move(password);
  o.db = db;
  o.client_name = std::move(name);
  return o;
}

std::vector<Reply> ok_replies(std::size_t n) {
  std::vector<Reply> replies;
  for (std::size_t i = 0; i + 1 < n; ++i) replies.push_back(Reply::of_status("OK"));
  replies.push_back(Reply::of_status("PONG"));
  return replies;
}

TEST(PlanHandshake, SendsOnlyWhatIsConfiguredThenPing) {
  const auto bare = plan_handshake(options_with("", "", 0, ""));
  EXPECT_EQ(bare.steps, std::vector<HandshakeStep>{HandshakeStep::ping});
  EXPECT_EQ(bare.batch.bytes(), format_command({"PING"}));

  const auto full = plan_handshake(options_with("app", std::string(kPassword), 3, "tgkeep"));
  const std::vector<HandshakeStep> steps = {HandshakeStep::auth, HandshakeStep::select,
                                            HandshakeStep::set_name, HandshakeStep::ping};
  EXPECT_EQ(full.steps, steps);
  EXPECT_EQ(full.batch.bytes(),
            format_command({"AUTH", "app", kPassword}) + format_command({"SELECT", "3"}) +
                format_command({"CLIENT", "SETNAME", "tgkeep"}) + format_command({"PING"}));

  const auto legacy = plan_handshake(options_with("", std::string(kPassword), 0, ""));
  EXPECT_EQ(legacy.batch.bytes(), format_command({"AUTH", kPassword}) + format_command({"PING"}));
}

TEST(CheckHandshake, AcceptsOkReplies) {
  const auto o = options_with("app", std::string(kPassword), 3, "tgkeep");
  const auto plan = plan_handshake(o);
  auto outcome = check_handshake(o, plan, ok_replies(plan.steps.size()));
  ASSERT_TRUE(outcome.ok()) << outcome.error().message;
  EXPECT_FALSE(outcome->password_not_required);
}

TEST(CheckHandshake, WrongPasswordIsTypedAndNeverQuotesThePassword) {
  const auto o = options_with("app", std::string(kPassword), 0, "");
  const auto plan = plan_handshake(o);
  std::vector<Reply> replies;
  replies.push_back(
      Reply::of_error("WRONGPASS invalid username-password pair or user is disabled."));
  replies.push_back(Reply::of_error("NOAUTH Authentication required."));
  auto outcome = check_handshake(o, plan, replies);
  ASSERT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.error().code, ErrorCode::wrongpass);
  EXPECT_NE(outcome.error().message.find("user 'app'"), std::string::npos);
  EXPECT_NE(outcome.error().message.find("cache.internal:6380"), std::string::npos);
  EXPECT_EQ(outcome.error().message.find(kPassword), std::string::npos);
}

TEST(CheckHandshake, AnEchoedPasswordIsMasked) {
  const auto o = options_with("", std::string(kPassword), 0, "");
  const auto plan = plan_handshake(o);
  std::vector<Reply> replies;
  replies.push_back(Reply::of_error("ERR weird proxy rejects s3cr3t-pass"));
  replies.push_back(Reply::of_status("PONG"));
  auto outcome = check_handshake(o, plan, replies);
  ASSERT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.error().message.find(kPassword), std::string::npos);
  EXPECT_NE(outcome.error().message.find("****"), std::string::npos);
}

TEST(CheckHandshake, APasswordTheServerDoesNotNeedIsAWarningOnly) {
  const auto o = options_with("", std::string(kPassword), 0, "tgkeep");
  const auto plan = plan_handshake(o);
  auto replies = ok_replies(plan.steps.size());
  replies[0] = Reply::of_error(
      "ERR AUTH <password> called without any password configured for the default user. Are "
      "you sure your configuration is correct?");
  auto outcome = check_handshake(o, plan, replies);
  ASSERT_TRUE(outcome.ok()) << outcome.error().message;
  EXPECT_TRUE(outcome->password_not_required);
}

TEST(CheckHandshake, MissingPasswordIsFoundByPing) {
  const auto o = options_with("", "", 0, "");
  const auto plan = plan_handshake(o);
  std::vector<Reply> replies;
  replies.push_back(Reply::of_error("NOAUTH Authentication required."));
  auto outcome = check_handshake(o, plan, replies);
  ASSERT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.error().code, ErrorCode::noauth);
  EXPECT_EQ(outcome.error().kind(), ErrorKind::fatal);
}

TEST(CheckHandshake, SelectFailureFailsAndSetNameFailureDoesNot) {
  const auto o = options_with("", "", 42, "tgkeep");
  const auto plan = plan_handshake(o);
  auto replies = ok_replies(plan.steps.size());
  replies[0] = Reply::of_error("ERR DB index is out of range");
  auto outcome = check_handshake(o, plan, replies);
  ASSERT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.error().code, ErrorCode::server_error);
  EXPECT_NE(outcome.error().message.find("SELECT 42"), std::string::npos);

  replies = ok_replies(plan.steps.size());
  replies[1] = Reply::of_error("ERR unknown command 'CLIENT'");
  outcome = check_handshake(o, plan, replies);
  ASSERT_TRUE(outcome.ok());
  EXPECT_TRUE(outcome->client_name_refused);
}

TEST(CheckHandshake, TooFewRepliesIsAProtocolError) {
  const auto o = options_with("", "", 0, "tgkeep");
  const auto plan = plan_handshake(o);
  auto outcome = check_handshake(o, plan, ok_replies(1));
  ASSERT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.error().code, ErrorCode::protocol);
}

}  // namespace
}  // namespace tgkeep::redis
