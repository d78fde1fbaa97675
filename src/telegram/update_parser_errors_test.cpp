// Hostile and broken input: wrong types, missing fields, malformed JSON. Nothing may crash or
// throw; bad elements are rejected, bad documents are Error::invalid with a short message.
#include <string>

#include <gtest/gtest.h>

#include "telegram/update_parser.hpp"

namespace tgkeep::telegram {
namespace {

Update parse_one(std::string_view json) {
  UpdateParser parser;
  auto update = parser.parse_update(json);
  EXPECT_TRUE(update.ok()) << (update.ok() ? "" : update.error().message);
  return update.ok() ? std::move(update).value() : Update{};
}

void expect_invalid_updates(std::string_view body) {
  UpdateParser parser;
  auto batch = parser.parse_updates(body);
  ASSERT_FALSE(batch.ok()) << body;
  EXPECT_EQ(batch.error().kind, ErrorKind::invalid_input);
  EXPECT_LT(batch.error().message.size(), 300u);
  EXPECT_FALSE(batch.error().message.empty());
}

TEST(UpdateParserErrors, WrongFieldTypesCountAsMissing) {
  const Update u =
      parse_one(R"({"update_id":1,"message":{"message_id":1,"chat":{"id":1,"type":5,"title":[]},)"
                R"("date":"yesterday","from":"x","text":5,"caption":"c","edit_date":{},)"
                R"("message_thread_id":"7","sender_chat":3,"business_connection_id":false}})");
  ASSERT_TRUE(u.message);
  EXPECT_EQ(u.kind, UpdateKind::message);
  EXPECT_EQ(u.message->date, 0);
  EXPECT_FALSE(u.message->from);
  EXPECT_EQ(u.message->text, "c");  // text of the wrong type: the caption is used
  EXPECT_FALSE(u.message->edit_date);
  EXPECT_FALSE(u.message->message_thread_id);
  EXPECT_FALSE(u.message->sender_chat_id);
  EXPECT_TRUE(u.message->chat.type.empty());
  EXPECT_TRUE(u.message->business_connection_id.empty());
}

TEST(UpdateParserErrors, MessageWithoutEssentialsIsOther) {
  for (const char* json : {
           R"({"update_id":2,"message":{"message_id":1,"chat":"x","date":1,"text":"t"}})",
           R"({"update_id":2,"message":{"message_id":"1","chat":{"id":1},"text":"t"}})",
           R"({"update_id":2,"message":{"message_id":1.5,"chat":{"id":1}}})",
           R"({"update_id":2,"message":{"chat":{"id":1},"text":"t"}})",
           R"({"update_id":2,"message":{"message_id":1,"chat":{"id":"1"}}})",
           R"({"update_id":2,"message":{"message_id":1,"chat":{"id":1e3}}})",
           R"({"update_id":2,"message":{"message_id":1,"chat":{"id":9223372036854775808}}})",
           R"({"update_id":2,"message":"hello"})",
           R"({"update_id":2,"message":null})",
           R"({"update_id":2,"edited_message":[]})",
       }) {
    const Update u = parse_one(json);
    EXPECT_EQ(u.kind, UpdateKind::other) << json;
    EXPECT_EQ(u.update_id, 2) << json;
    EXPECT_FALSE(u.message) << json;
    EXPECT_EQ(u.raw_json, json);
    EXPECT_EQ(u.type.find("message") != std::string::npos, true) << json;
  }
  // The chat of a message that lacks only its message_id still orders it.
  EXPECT_EQ(parse_one(R"({"update_id":2,"message":{"chat":{"id":44}}})").chat_id(), 44);
}

TEST(UpdateParserErrors, CallbackQueryWithoutIdOrSenderIsOther) {
  EXPECT_EQ(parse_one(R"({"update_id":3,"callback_query":{"from":{"id":1}}})").kind,
            UpdateKind::other);
  EXPECT_EQ(parse_one(R"({"update_id":3,"callback_query":{"id":"q","from":{"id":"1"}}})").kind,
            UpdateKind::other);
  const Update u = parse_one(
      R"({"update_id":3,"callback_query":{"id":"q","from":{"id":1},"message":{"chat":7}}})");
  EXPECT_EQ(u.kind, UpdateKind::callback_query);
  EXPECT_FALSE(u.callback_query->message);  // unusable message dropped, query kept
}

TEST(UpdateParserErrors, BadElementsAreRejectedAndSkipped) {
  UpdateParser parser;
  auto batch = parser.parse_updates(
      R"({"ok":true,"result":[{"update_id":5,"message":{"message_id":1,"chat":{"id":1}}},)"
      R"({"message":{}},{"update_id":"6"},{"update_id":6.5},7,null,[],"s",)"
      R"({"update_id":4,"poll":{"id":"p"}}]})");
  ASSERT_TRUE(batch.ok()) << batch.error().message;
  ASSERT_EQ(batch->updates.size(), 2u);
  EXPECT_EQ(batch->updates[0].update_id, 5);
  EXPECT_EQ(batch->updates[1].update_id, 4);
  EXPECT_EQ(batch->max_update_id, 5);
  ASSERT_EQ(batch->rejected.size(), 7u);
  EXPECT_EQ(batch->rejected[0], "result[1]: no integer update_id");
  EXPECT_EQ(batch->rejected[3], "result[4]: not an object");
}

TEST(UpdateParserErrors, MalformedDocuments) {
  expect_invalid_updates("");
  expect_invalid_updates("   ");
  expect_invalid_updates("not json");
  expect_invalid_updates("<html><body>502 Bad Gateway</body></html>");
  expect_invalid_updates(R"({"ok":true,"result":[{"update_id":1,"message":{"mess)");
  expect_invalid_updates(R"({"ok":true,"result":[{"update_id":1}])");
  expect_invalid_updates(R"({"ok":true,"result":[{"update_id":1}]}})");
  expect_invalid_updates(R"({"ok":true,"result":[{"update_id":1}]} trailing)");
  expect_invalid_updates(R"({"ok":true,"result":[{"update_id":1},]})");
  expect_invalid_updates(R"({"ok":true,"result":[{"update_id":1,}]})");
  expect_invalid_updates(R"({"ok":true,"result":[{"update_id":1 "x":2}]})");
  expect_invalid_updates(R"({"ok":true,"result":[{"update_id":1,"x":[1,2}]})");
  expect_invalid_updates(R"({"ok":true,"result":[{"update_id":1,"x":tru}]})");
  expect_invalid_updates(R"({"ok":true,"result":[{"update_id":1,"x":"\q"}]})");
  expect_invalid_updates(R"({"ok":true,"result":[{"update_id":01}]})");
  expect_invalid_updates(R"({"ok":true,"result":[{"update_id":1}],"junk":[}]})");
  expect_invalid_updates("{\"ok\":true,\"result\":[{\"update_id\":1,\"t\":\"a\x01\"}]}");
  expect_invalid_updates("{\"ok\":true,\"result\":[{\"update_id\":1,\"t\":\"\xff\"}]}");
  expect_invalid_updates("{\"ok\":true,\"result\":[],\"\xc3\":1}");
  expect_invalid_updates(R"({"ok":"true","result":[]})");
  expect_invalid_updates(R"({"result":[]})");
  expect_invalid_updates(R"({"ok":true})");
  expect_invalid_updates(R"({"ok":true,"result":{"update_id":1}})");
  expect_invalid_updates(R"({"ok":true,"result":null})");
  expect_invalid_updates(R"([{"update_id":1}])");
  // Valid JSON that simdjson cannot hold: numbers beyond 64 bits.
  expect_invalid_updates(R"({"ok":true,"result":[{"update_id":1,"x":123456789012345678901}]})");
}

TEST(UpdateParserErrors, MalformedWebhookBodies) {
  UpdateParser parser;
  for (std::string_view body : {
           std::string_view(""),
           std::string_view("{"),
           std::string_view("[]"),
           std::string_view("5"),
           std::string_view(R"({"message":{}})"),
           std::string_view(R"({"update_id":"1"})"),
           std::string_view(R"({"update_id":1}x)"),
           std::string_view("{\"update_id\":1,\"t\":\"\xed\xa0\x80\"}"),
       }) {
    auto update = parser.parse_update(body);
    ASSERT_FALSE(update.ok()) << body;
    EXPECT_EQ(update.error().kind, ErrorKind::invalid_input);
  }
  EXPECT_FALSE(parser.parse_message("nope").ok());
  EXPECT_FALSE(parser.parse_user("").ok());
}

TEST(UpdateParserErrors, DeepNestingIsAnErrorNotACrash) {
  const std::string deep(100000, '[');
  expect_invalid_updates(R"({"ok":true,"result":[{"update_id":1,"x":)" + deep + "]}");
  const std::string balanced = std::string(5000, '[') + std::string(5000, ']');
  expect_invalid_updates(R"({"ok":true,"result":[{"update_id":1,"x":)" + balanced + "}]}");
  UpdateParser parser;
  EXPECT_FALSE(parser.parse_update(R"({"update_id":1,"x":)" + balanced + "}").ok());
  // Deep but within simdjson's 1024 levels is fine.
  const std::string ok_depth = std::string(500, '[') + std::string(500, ']');
  auto update = parser.parse_update(R"({"update_id":1,"x":)" + ok_depth + "}");
  ASSERT_TRUE(update.ok());
  EXPECT_EQ(update->type, "x");
}

TEST(UpdateParserErrors, HugeInputAndShortErrorMessages) {
  std::string text;
  for (int i = 0; i < 200000; ++i) text += "Привет 😀 ";
  UpdateParser parser;
  auto update = parser.parse_update(
      R"({"update_id":1,"message":{"message_id":1,"chat":{"id":1},"text":")" + text + "\"}}");
  ASSERT_TRUE(update.ok());
  EXPECT_EQ(update->message->text, text);

  const std::string garbage(1 << 20, 'x');
  auto bad = parser.parse_updates(garbage);
  ASSERT_FALSE(bad.ok());
  EXPECT_LT(bad.error().message.size(), 200u);
}

TEST(UpdateParserErrors, NeverThrows) {
  UpdateParser parser;
  const std::string samples[] = {"{",        "}",
                                 "[",        "\"",
                                 "{\"ok\":", "{\"ok\":true,\"result\":[",
                                 "\\",       "{\"a\\",
                                 "\xff\xfe", std::string("\0{}", 3)};
  for (const auto& s : samples) {
    EXPECT_NO_THROW({
      (void)parser.parse_updates(s);
      (void)parser.parse_update(s);
      (void)parser.parse_envelope(s);
      (void)parser.parse_message(s);
      (void)parser.parse_user(s);
    });
  }
}

}  // namespace
}  // namespace tgkeep::telegram
