// Client against a real redis-server: commands, replies, authentication variants, db index,
// client name, and connection failures that must be typed.
#include <chrono>

#include <gtest/gtest.h>

#include "redis/testing/redis_test.hpp"

namespace tgkeep::redis {
namespace {

using testing::RedisServer;
using testing::RedisServerOptions;
using namespace std::chrono_literals;

class ClientTest : public testing::RedisTest {};

TEST_F(ClientTest, RunsCommandsAndReturnsTypedReplies) {
  auto server = RedisServer::start();
  ASSERT_TRUE(server);
  auto& client = make_client(options_for(*server));
  ASSERT_TRUE(run(client.connect()).ok());

  auto set = run(client.command("SET", "greeting", "hello"));
  ASSERT_TRUE(set.ok()) << set.error().message;
  EXPECT_TRUE(set->is_status("OK"));
  EXPECT_EQ(run(client.command("GET", "greeting")).value(), Reply::of_string("hello"));
  EXPECT_EQ(run(client.command("GET", "missing")).value(), Reply::nil());
  EXPECT_EQ(run(client.command("INCRBY", "n", 41)).value(), Reply::of_integer(41));
  EXPECT_EQ(run(client.command("INCR", "n")).value(), Reply::of_integer(42));

  const std::string binary("\0\r\n\xff tail", 9);
  ASSERT_TRUE(run(client.command("RPUSH", "list", binary, "b")).ok());
  auto range = run(client.command("LRANGE", "list", 0, -1));
  ASSERT_TRUE(range.ok());
  std::vector<Reply> expected;
  expected.push_back(Reply::of_string(binary));
  expected.push_back(Reply::of_string("b"));
  EXPECT_EQ(range.value(), Reply::of_array(std::move(expected)));

  const std::string big(3 * 1024 * 1024, 'x');
  ASSERT_TRUE(run(client.command("SET", "big", big)).ok());
  auto got = run(client.command("GET", "big"));
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->text.size(), big.size());

  const std::vector<std::string_view> argv = {"HSET", "h", "f", "v"};
  EXPECT_EQ(run(client.command_argv(argv)).value(), Reply::of_integer(1));
}

TEST_F(ClientTest, AnErrorReplyIsAClassifiedFailure) {
  auto server = RedisServer::start();
  ASSERT_TRUE(server);
  auto& client = make_client(options_for(*server));
  ASSERT_TRUE(run(client.connect()).ok());
  ASSERT_TRUE(run(client.command("SET", "s", "v")).ok());
  auto wrong = run(client.command("LPUSH", "s", "x"));
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().code, ErrorCode::server_error);
  EXPECT_NE(wrong.error().message.find("WRONGTYPE"), std::string::npos);
  auto script = run(client.command("EVALSHA", "0123456789012345678901234567890123456789", 0));
  ASSERT_FALSE(script.ok());
  EXPECT_EQ(script.error().code, ErrorCode::noscript);
  // The connection is still good.
  EXPECT_TRUE(run(client.command("PING")).value().is_status("PONG"));
}

TEST_F(ClientTest, SetsTheClientNameAndSelectsTheDb) {
  auto server = RedisServer::start();
  ASSERT_TRUE(server);
  auto options = options_for(*server);
  options.db = 5;
  auto& client = make_client(options);
  ASSERT_TRUE(run(client.connect()).ok());
  EXPECT_EQ(run(client.command("CLIENT", "GETNAME")).value(), Reply::of_string("tgkeep-test"));
  ASSERT_TRUE(run(client.command("SET", "where", "db5")).ok());
  EXPECT_EQ(server->query({"EXISTS", "where"}), Reply::of_integer(0));  // db 0
  auto& db0 = make_client(options_for(*server));
  ASSERT_TRUE(run(db0.connect()).ok());
  EXPECT_EQ(run(db0.command("GET", "where")).value(), Reply::nil());
  // SELECT changes one connection of the pool: only inside one pipeline is it meaningful.
  CommandBatch batch;
  batch.add("SELECT", 5).add("GET", "where").add("SELECT", 0);
  auto replies = run(db0.pipeline(std::move(batch)));
  ASSERT_TRUE(replies.ok());
  EXPECT_EQ(replies->at(1), Reply::of_string("db5"));
}

TEST_F(ClientTest, ADbIndexOutOfRangeFailsTheConnect) {
  auto server = RedisServer::start();
  ASSERT_TRUE(server);
  auto options = options_for(*server);
  options.db = 99;
  auto& client = make_client(options);
  auto status = run(client.connect());
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, ErrorCode::server_error);
  EXPECT_NE(status.error().message.find("SELECT 99"), std::string::npos) << status.error().message;
}

TEST_F(ClientTest, AuthenticatesAnAclUserAndReportsNoperm) {
  auto server = RedisServer::start();
  ASSERT_TRUE(server);
  ASSERT_TRUE(server->query({"ACL", "SETUSER", "app", "on", ">app-pass-1", "~app:*", "+@all"})
                  .is_status("OK"));
  auto options = options_for(*server);
  options.username = "app";
  options.password = "app-pass-1";
  auto& client = make_client(options);
  auto status = run(client.connect());
  ASSERT_TRUE(status.ok()) << status.error().message;
  EXPECT_EQ(run(client.command("ACL", "WHOAMI")).value(), Reply::of_string("app"));
  EXPECT_TRUE(run(client.command("SET", "app:k", "v")).ok());
  auto denied = run(client.command("SET", "other:k", "v"));
  ASSERT_FALSE(denied.ok());
  EXPECT_EQ(denied.error().code, ErrorCode::noperm);
  EXPECT_EQ(denied.error().kind(), ErrorKind::fatal);
}

TEST_F(ClientTest, AWrongPasswordIsWrongpassAndNeverPrinted) {
  auto server = RedisServer::start();
  ASSERT_TRUE(server);
  ASSERT_TRUE(server->query({"ACL", "SETUSER", "app", "on", ">right-password", "+@all", "~*"})
                  .is_status("OK"));
  auto options = options_for(*server);
  options.username = "app";
  options.password = "wrong-password";
  auto& client = make_client(options);
  auto status = run(client.connect());
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, ErrorCode::wrongpass);
  EXPECT_EQ(status.error().kind(), ErrorKind::fatal);
  EXPECT_NE(status.error().message.find("WRONGPASS invalid username-password pair or user is "
                                        "disabled"),
            std::string::npos)
      << status.error().message;
  EXPECT_NE(status.error().message.find("user 'app'"), std::string::npos);
  EXPECT_EQ(status.error().message.find("wrong-password"), std::string::npos);
  // Commands fail fast with the same cause while the pool retries in the background.
  auto command = run(client.command("PING"));
  ASSERT_FALSE(command.ok());
  EXPECT_EQ(command.error().code, ErrorCode::wrongpass);
  EXPECT_EQ(command.error().message.find("wrong-password"), std::string::npos);
}

TEST_F(ClientTest, LegacyRequirepass) {
  RedisServerOptions server_options;
  server_options.args = {"--requirepass", "legacy-secret"};
  auto server = RedisServer::start(server_options);
  ASSERT_TRUE(server);

  auto options = options_for(*server);
  options.password = "legacy-secret";
  auto& client = make_client(options);
  auto status = run(client.connect());
  ASSERT_TRUE(status.ok()) << status.error().message;
  EXPECT_TRUE(run(client.command("SET", "k", "v")).ok());
  EXPECT_FALSE(client.password_not_required());

  auto wrong_options = options_for(*server);
  wrong_options.password = "not-the-secret";
  auto& wrong = make_client(wrong_options);
  auto wrong_status = run(wrong.connect());
  ASSERT_FALSE(wrong_status.ok());
  EXPECT_EQ(wrong_status.error().code, ErrorCode::wrongpass);
  EXPECT_EQ(wrong_status.error().message.find("not-the-secret"), std::string::npos);

  auto& none = make_client(options_for(*server));
  auto none_status = run(none.connect());
  ASSERT_FALSE(none_status.ok());
  EXPECT_EQ(none_status.error().code, ErrorCode::noauth);
}

TEST_F(ClientTest, APasswordTheServerDoesNotNeedConnectsWithAWarningFlag) {
  auto server = RedisServer::start();
  ASSERT_TRUE(server);
  auto options = options_for(*server);
  options.password = "paas-generated-password";
  auto& client = make_client(options);
  auto status = run(client.connect());
  ASSERT_TRUE(status.ok()) << status.error().message;
  EXPECT_TRUE(client.password_not_required());
  EXPECT_TRUE(run(client.command("SET", "k", "v")).ok());

  // With a user name the AUTH is the ACL form, which the nopass default user accepts.
  options.username = "default";
  auto& named = make_client(options);
  ASSERT_TRUE(run(named.connect()).ok());
  EXPECT_FALSE(named.password_not_required());
}

TEST_F(ClientTest, NothingListeningIsConnectionRefused) {
  Options options;
  options.port = testing::free_port();
  options.connect_timeout = 2000ms;
  auto& client = make_client(options);
  const auto start = std::chrono::steady_clock::now();
  auto status = run(client.connect());
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, ErrorCode::connection_refused);
  EXPECT_EQ(status.error().kind(), ErrorKind::transient);
  auto command = run(client.command("PING"));
  ASSERT_FALSE(command.ok());
  EXPECT_EQ(command.error().code, ErrorCode::connection_refused);
}

TEST_F(ClientTest, AnUnknownHostIsDns) {
  Options options;
  options.host = "no-such-host.invalid";
  options.connect_timeout = 3000ms;
  auto& client = make_client(options);
  auto status = run(client.connect());
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, ErrorCode::dns) << status.error().message;
  EXPECT_NE(status.error().message.find("no-such-host.invalid"), std::string::npos);
}

TEST_F(ClientTest, CommandsBeforeConnectFailFast) {
  auto server = RedisServer::start();
  ASSERT_TRUE(server);
  auto& client = make_client(options_for(*server));
  auto command = run(client.command("PING"));
  ASSERT_FALSE(command.ok());
  EXPECT_EQ(command.error().code, ErrorCode::connection_lost);
}

TEST_F(ClientTest, AnUnreadableCaFileIsAConfigError) {
  Options options;
  options.tls = true;
  options.ca_file = "/nonexistent/ca.pem";
  auto client = Client::create(io.get_executor(), options);
  ASSERT_FALSE(client.ok());
  EXPECT_EQ(client.error().code, ErrorCode::config);
  EXPECT_NE(client.error().message.find("/nonexistent/ca.pem"), std::string::npos);
}

}  // namespace
}  // namespace tgkeep::redis
