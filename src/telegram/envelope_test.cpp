// The {ok, result} / {ok:false, error_code, description, parameters} envelope of every reply.
#include <gtest/gtest.h>

#include "telegram/update_parser.hpp"

namespace tgkeep::telegram {
namespace {

TEST(Envelope, OkKeepsResultTextExactly) {
  UpdateParser parser;
  auto env =
      parser.parse_envelope(R"({"ok":true,"result":{"id":777,"is_bot":true,"first_name":"Keep"}})");
  ASSERT_TRUE(env.ok());
  EXPECT_TRUE(env->ok);
  EXPECT_EQ(env->result_json, R"({"id":777,"is_bot":true,"first_name":"Keep"})");
  auto user = parser.parse_user(env->result_json);
  ASSERT_TRUE(user.ok());
  EXPECT_EQ(user->id, 777);

  auto scalar = parser.parse_envelope(" {\n \"ok\" : true , \"result\" : true \n} ");
  ASSERT_TRUE(scalar.ok());
  EXPECT_EQ(scalar->result_json, "true");
}

TEST(Envelope, RateLimited) {
  UpdateParser parser;
  constexpr std::string_view body =
      R"({"ok":false,"error_code":429,"description":"Too Many Requests: retry after 35",)"
      R"("parameters":{"retry_after":35}})";
  auto env = parser.parse_envelope(body);
  ASSERT_TRUE(env.ok());
  EXPECT_FALSE(env->ok);
  EXPECT_EQ(env->error_code, 429);
  EXPECT_EQ(env->description, "Too Many Requests: retry after 35");
  EXPECT_EQ(env->retry_after, 35);
  EXPECT_FALSE(env->migrate_to_chat_id);
  EXPECT_TRUE(env->result_json.empty());

  auto batch = parser.parse_updates(body);
  ASSERT_FALSE(batch.ok());
  EXPECT_EQ(batch.error().kind, ErrorKind::transient);
  EXPECT_EQ(batch.error().message, "Too Many Requests: retry after 35");
}

TEST(Envelope, GroupMigrated) {
  UpdateParser parser;
  auto env = parser.parse_envelope(
      R"({"ok":false,"error_code":400,"description":"Bad Request: group chat was upgraded to a )"
      R"(supergroup chat","parameters":{"migrate_to_chat_id":-1001987654321}})");
  ASSERT_TRUE(env.ok());
  EXPECT_EQ(env->error_code, 400);
  EXPECT_EQ(env->migrate_to_chat_id, -1001987654321);
  EXPECT_FALSE(env->retry_after);
}

TEST(Envelope, ErrorKindsOfFailedGetUpdates) {
  UpdateParser parser;
  auto conflict = parser.parse_updates(
      R"({"ok":false,"error_code":409,"description":"Conflict: terminated by other )"
      R"(getUpdates request; make sure that only one bot instance is running"})");
  ASSERT_FALSE(conflict.ok());
  EXPECT_EQ(conflict.error().kind, ErrorKind::fatal);
  EXPECT_NE(conflict.error().message.find("Conflict"), std::string::npos);

  auto unauthorized =
      parser.parse_updates(R"({"ok":false,"error_code":401,"description":"Unauthorized"})");
  ASSERT_FALSE(unauthorized.ok());
  EXPECT_EQ(unauthorized.error().kind, ErrorKind::fatal);

  auto bad_gateway = parser.parse_updates(R"({"ok":false,"error_code":502})");
  ASSERT_FALSE(bad_gateway.ok());
  EXPECT_EQ(bad_gateway.error().kind, ErrorKind::transient);
  EXPECT_EQ(bad_gateway.error().message, "Bot API error 502");

  auto bad_request = parser.parse_updates(R"({"ok":false,"error_code":400,"description":")" +
                                          std::string(5000, 'x') + "\"}");
  ASSERT_FALSE(bad_request.ok());
  EXPECT_EQ(bad_request.error().kind, ErrorKind::invalid_input);
  EXPECT_LT(bad_request.error().message.size(), 300u);
}

TEST(Envelope, WrongTypesInEnvelopeAreIgnored) {
  UpdateParser parser;
  auto env = parser.parse_envelope(
      R"({"ok":false,"error_code":"429","description":7,"parameters":{"retry_after":-1,)"
      R"("migrate_to_chat_id":"x"},"extra":{"nested":[1,2,{"a":null}]}})");
  ASSERT_TRUE(env.ok());
  EXPECT_EQ(env->error_code, 0);
  EXPECT_TRUE(env->description.empty());
  EXPECT_FALSE(env->retry_after);
  EXPECT_FALSE(env->migrate_to_chat_id);
}

TEST(Envelope, EscapedAndDuplicateKeys) {
  UpdateParser parser;
  auto batch = parser.parse_updates(
      R"({"\u006fk":true,"res\u0075lt":[{"update_id":3}],"result":[{"update_id":9}]})");
  ASSERT_TRUE(batch.ok()) << batch.error().message;
  ASSERT_EQ(batch->updates.size(), 1u);  // the first `result` counts
  EXPECT_EQ(batch->updates[0].update_id, 3);
}

TEST(Envelope, MalformedEnvelope) {
  UpdateParser parser;
  for (std::string_view body : {
           std::string_view(""), std::string_view("null"), std::string_view("[]"),
           std::string_view(R"({"ok":true,"result":[1,2})"),
           std::string_view(R"({"ok":true,"result":{]})"), std::string_view(R"({"ok":1})"),
           std::string_view(R"({"description":"x"})"),
           std::string_view(R"({"ok":true,"error_code":})"),
           std::string_view(R"({"ok":true,"ok":tru})"),  // the first counts, but all must parse
       }) {
    auto env = parser.parse_envelope(body);
    ASSERT_FALSE(env.ok()) << body;
    EXPECT_EQ(env.error().kind, ErrorKind::invalid_input);
  }
}

}  // namespace
}  // namespace tgkeep::telegram
