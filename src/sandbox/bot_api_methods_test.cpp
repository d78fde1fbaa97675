#include "sandbox/bot_api_methods.hpp"

#include <gtest/gtest.h>

#include <string>

#include "sandbox/test_json.hpp"
#include "sandbox/user_messages.hpp"

namespace tgkeep::sandbox {
namespace {

using testing::TestJson;
using namespace std::chrono_literals;

constexpr std::string_view kToken = "777000:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

class BotApiMethods : public ::testing::Test {
 protected:
  BotApiMethods() : bot(std::string(kToken)) {
    now.unix_time = 1'700'000'000;
    now.steady = std::chrono::steady_clock::time_point(1000s);
  }

  MethodResult call(std::string_view method, std::string_view query) {
    RequestParams params;
    parse_urlencoded(query, params);
    return call_bot_method(bot, method, params, now);
  }
  ApiReply reply(std::string_view method, std::string_view query) {
    MethodResult r = call(method, query);
    EXPECT_FALSE(r.wait);
    return r.reply;
  }
  void user_says(std::int64_t chat_id, std::string text, std::int64_t user_id = 0) {
    UserMessageSpec spec;
    spec.chat_id = chat_id;
    spec.user_id = user_id == 0 ? chat_id : user_id;
    spec.text = std::move(text);
    spec.first_name = "Ann";
    spec.username = "ann";
    ASSERT_TRUE(queue_user_message(bot, spec, now));
  }
  static std::string description(const ApiReply& r) {
    return TestJson(r.body).string("/description");
  }

  BotState bot;
  Instant now;
};

TEST_F(BotApiMethods, GetMeDescribesTheBot) {
  const ApiReply r = reply("getMe", "");
  EXPECT_EQ(r.status, 200u);
  TestJson json(r.body);
  EXPECT_EQ(json.integer("/result/id"), 777000);
  EXPECT_TRUE(json.boolean("/result/is_bot"));
  EXPECT_EQ(json.string("/result/username"), "sandbox_bot");
  EXPECT_TRUE(json.boolean("/result/can_join_groups"));
}

TEST_F(BotApiMethods, MethodNamesAreCaseInsensitiveAndUnknownOnesAre404) {
  EXPECT_EQ(reply("GETME", "").status, 200u);
  const ApiReply r = reply("sendPhoto", "");
  EXPECT_EQ(r.status, 404u);
  EXPECT_EQ(r.body, R"({"ok":false,"error_code":404,"description":"Not Found"})");
}

TEST_F(BotApiMethods, GetUpdatesServesAndConfirmsByOffset) {
  user_says(42, "one");
  user_says(42, "two");
  TestJson first(reply("getUpdates", "").body);
  ASSERT_EQ(first.size("/result"), 2u);
  EXPECT_EQ(first.integer("/result/0/update_id"), 1);
  EXPECT_EQ(first.string("/result/1/message/text"), "two");
  EXPECT_EQ(first.integer("/result/1/message/message_id"), 2);
  TestJson second(reply("getUpdates", "offset=3").body);
  EXPECT_EQ(second.size("/result"), 0u);
  EXPECT_EQ(bot.updates.pending(), 0u);
  EXPECT_EQ(bot.counters.get_updates_calls, 2);
}

TEST_F(BotApiMethods, AllowedUpdatesIsRememberedBetweenCalls) {
  reply("getUpdates", "allowed_updates=%5B%22callback_query%22%5D");
  user_says(42, "filtered out");
  EXPECT_EQ(TestJson(reply("getUpdates", "").body).size("/result"), 0u);
  reply("getUpdates", "allowed_updates=%5B%5D");  // [] = back to the default
  user_says(42, "delivered");
  EXPECT_EQ(TestJson(reply("getUpdates", "").body).string("/result/0/message/text"), "delivered");
}

TEST_F(BotApiMethods, LongPollWaitsThenResumesWithNewUpdates) {
  MethodResult r = call("getUpdates", "timeout=30");
  ASSERT_TRUE(r.wait);
  EXPECT_EQ(r.wait->deadline, now.steady + 30s);
  EXPECT_FALSE(resume_get_updates(bot, *r.wait, now));  // still nothing
  user_says(42, "hello");
  EXPECT_TRUE(bot.wake_pending);
  auto done = resume_get_updates(bot, *r.wait, now);
  ASSERT_TRUE(done);
  EXPECT_EQ(TestJson(done->body).string("/result/0/message/text"), "hello");
}

TEST_F(BotApiMethods, LongPollAnswersEmptyAtTheDeadlineAndTimeoutIsCapped) {
  MethodResult r = call("getUpdates", "timeout=600");
  ASSERT_TRUE(r.wait);
  EXPECT_EQ(r.wait->deadline, now.steady + 50s);
  Instant later = now;
  later.steady = r.wait->deadline;
  auto done = resume_get_updates(bot, *r.wait, later);
  ASSERT_TRUE(done);
  EXPECT_EQ(done->body, R"({"ok":true,"result":[]})");
}

TEST_F(BotApiMethods, SecondLongPollTerminatesTheFirst) {
  MethodResult first = call("getUpdates", "timeout=30");
  MethodResult second = call("getUpdates", "timeout=30");
  ASSERT_TRUE(first.wait && second.wait);
  auto aborted = resume_get_updates(bot, *first.wait, now);
  ASSERT_TRUE(aborted);
  EXPECT_EQ(aborted->status, 409u);
  EXPECT_EQ(description(*aborted),
            "Conflict: terminated by other getUpdates request; make sure that only one bot "
            "instance is running");
  EXPECT_FALSE(resume_get_updates(bot, *second.wait, now));  // the second keeps waiting
}

TEST_F(BotApiMethods, WebhookBlocksGetUpdatesAndTerminatesAWaitingPoll) {
  MethodResult poll = call("getUpdates", "timeout=30");
  ASSERT_TRUE(poll.wait);
  const ApiReply set = reply("setWebhook", "url=https%3A%2F%2Fexample.com%2Fhook&secret_token=abc");
  EXPECT_EQ(set.body, R"({"ok":true,"result":true,"description":"Webhook was set"})");
  auto aborted = resume_get_updates(bot, *poll.wait, now);
  ASSERT_TRUE(aborted);
  EXPECT_EQ(description(*aborted), "Conflict: terminated by setWebhook request");

  const ApiReply conflict = reply("getUpdates", "");
  EXPECT_EQ(conflict.status, 409u);
  EXPECT_EQ(description(conflict),
            "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook "
            "to delete the webhook first");
  EXPECT_EQ(TestJson(reply("getWebhookInfo", "").body).string("/result/url"),
            "https://example.com/hook");
  EXPECT_EQ(
      description(reply("setWebhook", "url=https%3A%2F%2Fexample.com%2Fhook&secret_token=abc")),
      "Webhook is already set");
  EXPECT_EQ(reply("setWebhook", "url=ftp%3A%2F%2Fx").status, 400u);

  user_says(42, "pending");
  EXPECT_EQ(description(reply("deleteWebhook", "drop_pending_updates=true")),
            "Webhook was deleted");
  EXPECT_EQ(bot.updates.pending(), 0u);
  EXPECT_EQ(reply("getUpdates", "").status, 200u);
  EXPECT_EQ(description(reply("deleteWebhook", "")), "Webhook is already deleted");
}

TEST_F(BotApiMethods, SendMessageReturnsTheMessageAndRecordsIt) {
  user_says(42, "/start");
  TestJson json(reply("sendMessage", "chat_id=42&text=Hi%21&message_thread_id=7").body);
  EXPECT_EQ(json.integer("/result/message_id"), 2);  // per-chat counter shared with the user
  EXPECT_EQ(json.integer("/result/from/id"), 777000);
  EXPECT_TRUE(json.boolean("/result/from/is_bot"));
  EXPECT_EQ(json.integer("/result/chat/id"), 42);
  EXPECT_EQ(json.string("/result/chat/type"), "private");
  EXPECT_EQ(json.integer("/result/date"), 1'700'000'000);
  EXPECT_EQ(json.string("/result/text"), "Hi!");
  EXPECT_EQ(json.integer("/result/message_thread_id"), 7);
  TestJson sent(bot.sent.to_json({}));
  EXPECT_EQ(sent.string("/0/method"), "sendMessage");
  EXPECT_EQ(sent.integer("/0/message_id"), 2);
  EXPECT_EQ(bot.counters.messages_sent, 1);
}

TEST_F(BotApiMethods, SendMessageValidatesLikeTelegram) {
  user_says(42, "hi");
  EXPECT_EQ(description(reply("sendMessage", "chat_id=43&text=x")), "Bad Request: chat not found");
  EXPECT_EQ(description(reply("sendMessage", "chat_id=%40nobody&text=x")),
            "Bad Request: chat not found");
  EXPECT_EQ(reply("sendMessage", "chat_id=%40ANN&text=x").status, 200u);  // @username works
  EXPECT_EQ(description(reply("sendMessage", "text=x")), "Bad Request: chat_id is empty");
  EXPECT_EQ(description(reply("sendMessage", "chat_id=42")), "Bad Request: message text is empty");
  EXPECT_EQ(description(reply("sendMessage", "chat_id=42&text=+%0A")),
            "Bad Request: message text is empty");

  std::string emoji;  // 2048 emoji = 4096 UTF-16 units: the maximum
  for (int i = 0; i < 2048; ++i) emoji += "%F0%9F%91%8D";
  EXPECT_EQ(reply("sendMessage", "chat_id=42&text=" + emoji).status, 200u);
  EXPECT_EQ(description(reply("sendMessage", "chat_id=42&text=x" + emoji)),
            "Bad Request: message is too long");
  EXPECT_EQ(description(reply("sendMessage", "chat_id=42&text=a.&parse_mode=MarkdownV2")),
            "Bad Request: can't parse entities: Character '.' is reserved and must be escaped "
            "with the preceding '\\'");
  EXPECT_EQ(description(reply("sendMessage", "chat_id=42&text=x&reply_markup=%7Bbad")),
            "Bad Request: can't parse reply keyboard markup JSON object");
}

TEST_F(BotApiMethods, RepliesNeedAnExistingMessageUnlessAllowedWithout) {
  user_says(42, "question");
  TestJson json(
      reply("sendMessage", "chat_id=42&text=answer&reply_parameters=%7B%22message_id%22%3A1%7D")
          .body);
  EXPECT_EQ(json.string("/result/reply_to_message/text"), "question");
  EXPECT_EQ(description(reply("sendMessage", "chat_id=42&text=x&reply_to_message_id=99")),
            "Bad Request: message to be replied not found");
  TestJson allowed(
      reply("sendMessage",
            "chat_id=42&text=x&reply_to_message_id=99&allow_sending_without_reply=true")
          .body);
  EXPECT_FALSE(allowed.has("/result/reply_to_message"));
}

TEST_F(BotApiMethods, InlineKeyboardIsEchoedOtherKeyboardsAreNot) {
  user_says(42, "hi");
  TestJson inline_kb(reply("sendMessage",
                           "chat_id=42&text=x&reply_markup=%7B%22inline_keyboard%22%3A%5B%5B%7B%22"
                           "text%22%3A%22A%22%2C%22callback_data%22%3A%22a%22%7D%5D%5D%7D")
                         .body);
  EXPECT_EQ(inline_kb.string("/result/reply_markup/inline_keyboard/0/0/callback_data"), "a");
  TestJson reply_kb(
      reply("sendMessage", "chat_id=42&text=x&reply_markup=%7B%22keyboard%22%3A%5B%5D%7D").body);
  EXPECT_FALSE(reply_kb.has("/result/reply_markup"));
}

TEST_F(BotApiMethods, EditAndDeleteTheBotsMessages) {
  user_says(42, "hi");
  reply("sendMessage", "chat_id=42&text=draft");
  TestJson edited(reply("editMessageText", "chat_id=42&message_id=2&text=final").body);
  EXPECT_EQ(edited.string("/result/text"), "final");
  EXPECT_EQ(edited.integer("/result/edit_date"), 1'700'000'000);
  EXPECT_EQ(description(reply("editMessageText", "chat_id=42&message_id=2&text=final")),
            "Bad Request: message is not modified: specified new message content and reply "
            "markup are exactly the same as a current content and reply markup of the message");
  EXPECT_EQ(description(reply("editMessageText", "chat_id=42&message_id=1&text=x")),
            "Bad Request: message can't be edited");
  EXPECT_EQ(description(reply("editMessageText", "chat_id=42&message_id=9&text=x")),
            "Bad Request: message to edit not found");
  EXPECT_EQ(reply("deleteMessage", "chat_id=42&message_id=2").body, R"({"ok":true,"result":true})");
  EXPECT_EQ(description(reply("deleteMessage", "chat_id=42&message_id=2")),
            "Bad Request: message to delete not found");
  EXPECT_EQ(description(reply("editMessageText", "chat_id=42&message_id=2&text=again")),
            "Bad Request: message to edit not found");
  TestJson sent(bot.sent.to_json({}));
  EXPECT_EQ(sent.string("/1/method"), "editMessageText");
  EXPECT_EQ(sent.string("/2/method"), "deleteMessage");
}

TEST_F(BotApiMethods, ChatActionsAndCallbackAnswers) {
  user_says(42, "hi");
  EXPECT_EQ(reply("sendChatAction", "chat_id=42&action=typing").status, 200u);
  EXPECT_EQ(description(reply("sendChatAction", "chat_id=42&action=dancing")),
            "Bad Request: wrong parameter action in request");
  EXPECT_EQ(reply("answerCallbackQuery", "callback_query_id=123&text=ok").status, 200u);
  EXPECT_EQ(reply("answerCallbackQuery", "").status, 400u);
  SentFilter all;
  all.method = "all";
  TestJson sent(bot.sent.to_json(all));
  EXPECT_EQ(sent.string("/0/action"), "typing");
  EXPECT_EQ(sent.string("/1/callback_query_id"), "123");
  EXPECT_EQ(TestJson(bot.sent.to_json({})).size(""), 0u);  // not message methods
}

}  // namespace
}  // namespace tgkeep::sandbox
