#include "telegram/requests.hpp"

#include <simdjson.h>

#include <gtest/gtest.h>

namespace tgkeep::telegram {
namespace {

bool is_valid_json(const std::string& text) {
  simdjson::dom::parser parser;
  simdjson::dom::element e;
  return parser.parse(simdjson::padded_string(text)).get(e) == simdjson::SUCCESS;
}

TEST(Requests, GetUpdates) {
  GetUpdates first;
  EXPECT_EQ(get_updates_body(first), R"({"limit":100,"timeout":30})");

  GetUpdates next;
  next.offset = 728;
  next.limit = 50;
  next.timeout = 0;
  next.allowed_updates = {"message", "edited_message", "callback_query", "my_chat_member"};
  EXPECT_EQ(get_updates_body(next),
            R"({"offset":728,"limit":50,"timeout":0,"allowed_updates":["message",)"
            R"("edited_message","callback_query","my_chat_member"]})");
}

TEST(Requests, SendMessagePlain) {
  SendMessage m;
  m.chat_id = -1001234567890;
  m.text = "Привет, \"мир\" 😀\nвторая строка";
  const std::string body = send_message_body(m);
  EXPECT_EQ(body,
            "{\"chat_id\":-1001234567890,\"text\":\"Привет, \\\"мир\\\" 😀\\nвторая строка\"}");
  EXPECT_TRUE(is_valid_json(body));
}

TEST(Requests, SendMessageWithEverything) {
  SendMessage m;
  m.chat_id = 42;
  m.text = "ok";
  m.reply_to_message_id = 1365;
  m.message_thread_id = 7;
  m.business_connection_id = "AbC";
  EXPECT_EQ(send_message_body(m),
            R"({"business_connection_id":"AbC","chat_id":42,"message_thread_id":7,"text":"ok",)"
            R"("reply_parameters":{"message_id":1365,"allow_sending_without_reply":true}})");
}

TEST(Requests, SendMessageWithInvalidUtf8StaysValidJson) {
  SendMessage m;
  m.chat_id = 1;
  m.text = "bad \xff\xfe bytes \x01";
  const std::string body = send_message_body(m);
  EXPECT_TRUE(is_valid_json(body));
  EXPECT_NE(body.find("\\u0001"), std::string::npos);
}

TEST(Requests, AnswerCallbackQuery) {
  EXPECT_EQ(answer_callback_query_body("4382bfdwdsb323b2d9"),
            R"({"callback_query_id":"4382bfdwdsb323b2d9"})");
  EXPECT_EQ(answer_callback_query_body("q", "Готово ✅"),
            R"({"callback_query_id":"q","text":"Готово ✅"})");
}

TEST(Requests, DeleteWebhookAndGetMe) {
  EXPECT_EQ(delete_webhook_body(), R"({"drop_pending_updates":false})");
  EXPECT_EQ(delete_webhook_body(true), R"({"drop_pending_updates":true})");
  EXPECT_EQ(get_me_body(), "{}");
}

}  // namespace
}  // namespace tgkeep::telegram
