#include "sandbox/admin_api.hpp"

#include <gtest/gtest.h>

#include <chrono>

#include "sandbox/bot_api_methods.hpp"
#include "sandbox/test_json.hpp"

namespace tgkeep::sandbox {
namespace {

using testing::TestJson;

class AdminApi : public ::testing::Test {
 protected:
  AdminApi() : bot("777000:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA") { now.unix_time = 1'700'000'000; }

  ApiReply post(std::string_view endpoint, std::string_view body) {
    RequestParams query;
    return handle_admin(bot, AdminRequest{endpoint, "POST", query, body}, now);
  }
  ApiReply get(std::string_view endpoint, std::string_view query_string = "") {
    RequestParams query;
    parse_urlencoded(query_string, query);
    return handle_admin(bot, AdminRequest{endpoint, "GET", query, ""}, now);
  }
  std::string served() { return bot.updates.take(0, 100, bot.allowed_updates).result_json(); }

  BotState bot;
  Instant now;
};

TEST_F(AdminApi, RawUpdatesAreServedVerbatimWithIdsFilledIn) {
  const ApiReply r = post("updates", R"([{"update_id":10, "message" : {"text":5}},)"
                                     R"({"my_new_kind":{"x":[1, 2]}},{}])");
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(r.body, R"({"ok":true,"result":{"first":10,"last":12,"count":3}})");
  EXPECT_EQ(served(), R"([{"update_id":10, "message" : {"text":5}},)"
                      R"({"update_id":11,"my_new_kind":{"x":[1, 2]}},{"update_id":12}])");
}

TEST_F(AdminApi, RawUpdatesRegisterTheirChatsSoTheBotCanAnswer) {
  ASSERT_EQ(post("updates", R"({"message":{"message_id":50,"date":1700000000,"text":"long",)"
                            R"("chat":{"id":9,"type":"private"},)"
                            R"("from":{"id":9,"is_bot":false,"first_name":"L","username":"el"}}})")
                .status,
            200u);
  RequestParams params;
  parse_urlencoded("chat_id=%40el&text=answer&reply_to_message_id=50", params);
  const MethodResult r = call_bot_method(bot, "sendMessage", params, now);
  ASSERT_EQ(r.reply.status, 200u) << r.reply.body;
  TestJson json(r.reply.body);
  EXPECT_EQ(json.integer("/result/message_id"), 51);
  EXPECT_EQ(json.string("/result/chat/first_name"), "L");
  EXPECT_EQ(json.string("/result/reply_to_message/text"), "long");
  // Odd types register nothing but are still queued.
  EXPECT_EQ(post("updates", R"({"message":{"message_id":"x","chat":{"id":"y"}}})").status, 200u);
  EXPECT_EQ(bot.chats.chat_count(), 1u);
}

TEST_F(AdminApi, RawUpdatesRejectBadInput) {
  EXPECT_EQ(post("updates", "[{\"update_id\":").status, 400u);
  EXPECT_EQ(post("updates", "[1,2]").status, 400u);
  EXPECT_EQ(post("updates", R"({"update_id":"7","message":{}})").status, 400u);
  EXPECT_EQ(post("updates", R"([{"message":{}},{"update_id":1.5}])").status, 400u);  // all or none
  EXPECT_EQ(bot.updates.pending(), 0u);
}

TEST_F(AdminApi, SimplifiedMessagesBecomeRealisticUpdates) {
  const ApiReply r =
      post("messages", R"([{"chat_id":42,"user_id":42,"text":"/help@sandbox_bot now",)"
                       R"("first_name":"Анна","username":"anna","language_code":"ru"},)"
                       R"({"chat_id":-100,"user_id":42,"text":"in group","title":"Team"}])");
  ASSERT_EQ(r.status, 200u) << r.body;
  TestJson json(served());
  EXPECT_EQ(json.integer("/0/message/message_id"), 1);
  EXPECT_EQ(json.string("/0/message/from/first_name"), "Анна");
  EXPECT_EQ(json.string("/0/message/from/language_code"), "ru");
  EXPECT_EQ(json.string("/0/message/chat/type"), "private");
  EXPECT_EQ(json.integer("/0/message/date"), 1'700'000'000);
  EXPECT_EQ(json.string("/0/message/entities/0/type"), "bot_command");
  EXPECT_EQ(json.integer("/0/message/entities/0/length"), 17);
  EXPECT_EQ(json.string("/1/message/chat/type"), "group");
  EXPECT_EQ(json.string("/1/message/chat/title"), "Team");
  EXPECT_EQ(json.integer("/1/message/message_id"), 1);  // per-chat counter
  EXPECT_FALSE(json.has("/1/message/entities"));
  EXPECT_EQ(post("messages", R"({"chat_id":42})").status, 400u);  // no text
  EXPECT_EQ(post("messages", R"({"chat_id":42,"text":"x","chat_type":"space"})").status, 400u);
}

TEST_F(AdminApi, CallbacksPressButtonsOfTheBotsMessages) {
  ASSERT_EQ(post("messages", R"({"chat_id":42,"text":"hi"})").status, 200u);
  StoredMessage mine;
  mine.message_id = bot.chats.find_chat(42)->allocate_message_id();
  mine.from_id = bot.bot_user.id;
  mine.text = "pick";
  bot.chats.find_chat(42)->remember(mine);
  ASSERT_EQ(post("callbacks", R"({"chat_id":42,"message_id":2,"data":"yes"})").status, 200u);
  TestJson json(served());
  EXPECT_EQ(json.string("/1/callback_query/data"), "yes");
  EXPECT_EQ(json.string("/1/callback_query/message/text"), "pick");
  EXPECT_EQ(json.integer("/1/callback_query/from/id"), 42);
  EXPECT_EQ(post("callbacks", R"({"chat_id":42,"message_id":99})").status, 400u);
}

TEST_F(AdminApi, GenerateIsFastDeterministicAndRealistic) {
  const auto start = std::chrono::steady_clock::now();
  const ApiReply r = post(
      "generate", R"({"count":100000,"chats":5000,"command_ratio":0.07,"seed":1,"text_len":40})");
  const auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(r.body, R"({"ok":true,"result":{"first":1,"last":100000,"count":100000}})");
  EXPECT_LT(elapsed, std::chrono::seconds(1));
  EXPECT_EQ(bot.updates.pending(), 100000u);
  EXPECT_EQ(bot.chats.chat_count(), 5000u);
  EXPECT_LT(bot.updates.memory_bytes(), 60u * 1024 * 1024);

  UpdateBatch batch = bot.updates.take(0, 100, bot.allowed_updates);
  TestJson json(batch.result_json());
  EXPECT_EQ(json.size(""), 100u);
  int commands = 0;
  for (std::size_t i = 0; i < 100; ++i) {
    const std::string p = "/" + std::to_string(i) + "/message";
    EXPECT_EQ(json.string(p + "/chat/type"), "private");
    EXPECT_EQ(json.integer(p + "/chat/id"), json.integer(p + "/from/id"));
    if (json.has(p + "/entities")) ++commands;
  }
  EXPECT_LT(commands, 30);

  BotState other("777000:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
  RequestParams none;
  ASSERT_EQ(
      handle_admin(other,
                   AdminRequest{"generate", "POST", none, R"({"count":100,"chats":5000,"seed":1})"},
                   now)
          .status,
      200u);
  BotState again("777000:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
  ASSERT_EQ(
      handle_admin(again,
                   AdminRequest{"generate", "POST", none, R"({"count":100,"chats":5000,"seed":1})"},
                   now)
          .status,
      200u);
  EXPECT_EQ(other.updates.take(0, 100, other.allowed_updates).result_json(),
            again.updates.take(0, 100, again.allowed_updates).result_json());
  EXPECT_EQ(post("generate", R"({"count":0})").status, 400u);
}

TEST_F(AdminApi, FaultsAreValidatedAndCleared) {
  EXPECT_EQ(
      post("faults", R"({"method":"sendMessage","status":429,"retry_after":3,"count":2})").body,
      R"({"ok":true,"result":{"active":1}})");
  EXPECT_EQ(post("faults", R"([{"status":302}])").status, 400u);
  EXPECT_EQ(post("faults", R"({"method":"getMe"})").status, 400u);  // neither status nor stall
  EXPECT_EQ(post("faults", R"({"status":"500"})").status, 400u);
  auto fault = bot.faults.take("sendMessage");
  ASSERT_TRUE(fault);
  EXPECT_EQ(fault->reply().body,
            R"({"ok":false,"error_code":429,"description":"Too Many Requests: retry after 3",)"
            R"("parameters":{"retry_after":3}})");
  EXPECT_EQ(post("faults/clear", "").body, R"({"ok":true,"result":{"active":0}})");
  EXPECT_FALSE(bot.faults.take("sendMessage"));
}

TEST_F(AdminApi, SentFiltersByChatSequenceAndMethod) {
  for (std::int64_t chat : {1, 2, 1}) {
    SentRecord record;
    record.method = "sendMessage";
    record.chat_id = chat;
    record.text = "t";
    bot.sent.append(record);
  }
  SentRecord action;
  action.method = "sendChatAction";
  action.chat_id = 1;
  bot.sent.append(action);
  EXPECT_EQ(TestJson(get("sent").body).size("/result"), 3u);
  EXPECT_EQ(TestJson(get("sent", "chat_id=1").body).size("/result"), 2u);
  TestJson since(get("sent", "since=2").body);
  ASSERT_EQ(since.size("/result"), 1u);
  EXPECT_EQ(since.integer("/result/0/seq"), 3);
  EXPECT_EQ(TestJson(get("sent", "method=all").body).size("/result"), 4u);
  EXPECT_EQ(get("sent", "chat_id=x").status, 400u);
}

TEST_F(AdminApi, StatsAndReset) {
  post("messages", R"({"chat_id":42,"text":"hi"})");
  TestJson stats(get("stats").body);
  EXPECT_EQ(stats.integer("/result/next_update_id"), 2);
  EXPECT_EQ(stats.integer("/result/pending"), 1);
  EXPECT_EQ(stats.integer("/result/get_updates_calls"), 0);
  EXPECT_EQ(stats.string("/result/webhook_url"), "");
  EXPECT_EQ(post("reset", "").status, 200u);
  TestJson after(get("stats").body);
  EXPECT_EQ(after.integer("/result/pending"), 0);
  EXPECT_EQ(after.integer("/result/next_update_id"), 2);  // ids keep increasing
  EXPECT_EQ(after.integer("/result/chats"), 0);
  EXPECT_EQ(get("nothing").status, 404u);
}

}  // namespace
}  // namespace tgkeep::sandbox
