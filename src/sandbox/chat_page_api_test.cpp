// The sandbox chat page's endpoints, driven through BotApiEmulator as the page drives them.
#include "sandbox/chat_page_api.hpp"

#include <gtest/gtest.h>

#include "sandbox/bot_api_emulator.hpp"
#include "sandbox/test_json.hpp"

namespace tgkeep::sandbox {
namespace {

using testing::TestJson;
using namespace std::chrono_literals;

constexpr std::string_view kToken = "123456:AAH-browser-test-token-0123456789abcdef";

class ChatPage : public ::testing::Test {
 protected:
  ChatPage() { EXPECT_EQ(api("getMe").status, 200u); }  // the bot connects first

  Outcome request(std::string_view method, std::string target, std::string_view body = {}) {
    return emulator.handle(HttpRequestView{method, target, "application/json", body}, now);
  }
  static ApiReply as_reply(Outcome outcome) {
    auto* reply = std::get_if<ApiReply>(&outcome);
    EXPECT_TRUE(reply != nullptr);
    return reply ? std::move(*reply) : ApiReply{};
  }
  ApiReply get(std::string target) { return as_reply(request("GET", "/_chat/" + target)); }
  ApiReply post(std::string endpoint, std::string_view body) {
    return as_reply(request("POST", "/_chat/" + endpoint, body));
  }
  ApiReply api(std::string_view call, std::string_view body = {}) {
    return as_reply(request(body.empty() ? "GET" : "POST",
                            "/bot" + std::string(kToken) + "/" + std::string(call), body));
  }
  std::string error_of(const ApiReply& r) {
    EXPECT_EQ(r.status, 400u) << r.body;
    return TestJson(r.body).string("/description");
  }
  std::int64_t create_user(std::string_view body) {
    const ApiReply r = post("users", body);
    EXPECT_EQ(r.status, 200u) << r.body;
    return TestJson(r.body).integer("/result/id");
  }
  // The updates the bot would receive now (and confirms them).
  std::string take_updates() {
    const std::string body = api("getUpdates?offset=" + std::to_string(next_offset)).body;
    TestJson json(body);
    const std::size_t n = json.size("/result");
    if (n > 0) {
      next_offset = json.integer("/result/" + std::to_string(n - 1) + "/update_id") + 1;
    }
    return body;
  }

  BotApiEmulator emulator{EmulatorOptions{}};
  Instant now{1'700'000'000, std::chrono::steady_clock::time_point(100s)};
  std::int64_t next_offset = 0;
};

TEST_F(ChatPage, UsersAreValidatedAndGetTheirPrivateChat) {
  EXPECT_EQ(error_of(post("users", "{}")), "Bad Request: field \"first_name\" is required");
  EXPECT_EQ(error_of(post("users", R"({"first_name":"   "})")),
            "Bad Request: field \"first_name\" is required");
  EXPECT_EQ(error_of(post("users", R"({"first_name":5})")),
            "Bad Request: field \"first_name\" must be a string");
  EXPECT_NE(error_of(post("users", R"({"first_name":"A","username":"no"})")).find("5-32"),
            std::string::npos);
  EXPECT_NE(error_of(post("users", R"({"first_name":"A","language_code":"Russian"})"))
                .find("language_code"),
            std::string::npos);
  EXPECT_NE(
      error_of(post("users", std::string(R"({"first_name":")") + std::string(65, 'x') + "\"}"))
          .find("at most 64"),
      std::string::npos);
  EXPECT_EQ(error_of(post("users", "[1]")), "Bad Request: the body must be a JSON object");
  EXPECT_NE(error_of(post("users", "{")).find("invalid JSON"), std::string::npos);

  const ApiReply r = post("users", R"({"first_name":" Маша ","username":"@masha_k",)"
                                   R"("language_code":"ru"})");
  ASSERT_EQ(r.status, 200u) << r.body;
  TestJson user(r.body);
  EXPECT_EQ(user.integer("/result/id"), 1001);
  EXPECT_EQ(user.string("/result/first_name"), "Маша");
  EXPECT_EQ(user.string("/result/username"), "masha_k");
  EXPECT_EQ(user.string("/result/language_code"), "ru");
  EXPECT_NE(error_of(post("users", R"({"first_name":"B","username":"MASHA_K"})")).find("taken"),
            std::string::npos);
  EXPECT_EQ(create_user(R"({"first_name":"Pete","id":77})"), 77);
  EXPECT_NE(error_of(post("users", R"({"first_name":"C","id":77})")).find("taken"),
            std::string::npos);
  EXPECT_EQ(create_user(R"({"first_name":"Zoë"})"), 1002);

  TestJson state(get("state").body);
  EXPECT_EQ(state.integer("/result/bot/id"), 123456);
  EXPECT_EQ(state.string("/result/bot/token"), "123456:AAH…cdef");
  EXPECT_TRUE(state.boolean("/result/bot/connected"));
  EXPECT_EQ(state.size("/result/users"), 3u);
  EXPECT_EQ(state.string("/result/users/0/first_name"), "Pete");  // by id
  EXPECT_EQ(state.size("/result/chats"), 3u);
  EXPECT_EQ(state.string("/result/chats/0/type"), "private");
  EXPECT_EQ(state.size("/result/bots"), 1u);
  EXPECT_TRUE(state.boolean("/result/bots/0/selected"));
}

TEST_F(ChatPage, SendingBecomesARealUpdateAndATimelineEvent) {
  const std::int64_t masha = create_user(R"({"first_name":"Маша","language_code":"ru"})");
  const std::int64_t since = TestJson(get("state").body).integer("/result/last_seq");
  const std::string text = "Привет, мир! 👋🙂";
  const ApiReply sent = post("send", R"({"chat_id":1001,"user_id":1001,"text":")" + text + "\"}");
  ASSERT_EQ(sent.status, 200u) << sent.body;
  EXPECT_EQ(TestJson(sent.body).integer("/result/message_id"), 1);

  TestJson updates(take_updates());
  ASSERT_EQ(updates.size("/result"), 1u);
  EXPECT_EQ(updates.string("/result/0/message/text"), text);
  EXPECT_EQ(updates.integer("/result/0/message/from/id"), masha);
  EXPECT_EQ(updates.string("/result/0/message/from/language_code"), "ru");
  EXPECT_EQ(updates.string("/result/0/message/chat/type"), "private");

  TestJson events(get("events?since=" + std::to_string(since)).body);
  ASSERT_EQ(events.size("/result/events"), 1u);
  EXPECT_EQ(events.string("/result/events/0/kind"), "message");
  EXPECT_EQ(events.integer("/result/events/0/chat_id"), masha);
  EXPECT_EQ(events.string("/result/events/0/message/text"), text);
  EXPECT_FALSE(events.boolean("/result/events/0/message/from/is_bot"));
  EXPECT_FALSE(events.boolean("/result/gap"));

  EXPECT_EQ(error_of(post("send", R"({"chat_id":1001,"user_id":1001,"text":" \n "})")),
            "Bad Request: message text is empty");
  EXPECT_EQ(error_of(post("send", R"({"chat_id":1001,"user_id":1001,"text":")" +
                                      std::string(4097, 'a') + "\"}")),
            "Bad Request: message is too long");
  EXPECT_EQ(error_of(post("send", R"({"chat_id":999,"user_id":1001,"text":"x"})")),
            "Bad Request: chat not found");
  EXPECT_EQ(error_of(post("send", R"({"chat_id":1001,"user_id":999,"text":"x"})")),
            "Bad Request: user not found");
  EXPECT_EQ(error_of(post("send", R"({"user_id":1001,"text":"x"})")),
            "Bad Request: field \"chat_id\" is required");
  EXPECT_EQ(error_of(post("send", R"({"chat_id":"1001","user_id":1001,"text":"x"})")),
            "Bad Request: field \"chat_id\" must be an integer");
  create_user(R"({"first_name":"Pete"})");
  EXPECT_NE(error_of(post("send", R"({"chat_id":1001,"user_id":1002,"text":"x"})"))
                .find("own private chat"),
            std::string::npos);
  EXPECT_EQ(get("send").status, 405u);
}

TEST_F(ChatPage, BotRepliesEditsDeletionsAndButtonPresses) {
  create_user(R"({"first_name":"Маша"})");
  ASSERT_EQ(post("send", R"({"chat_id":1001,"user_id":1001,"text":"/start"})").status, 200u);
  take_updates();
  const std::int64_t since = TestJson(get("state").body).integer("/result/last_seq");

  const ApiReply hello =
      api("sendMessage",
          R"({"chat_id":1001,"text":"<b>Здравствуйте</b>, Маша!","parse_mode":"HTML",)"
          R"("reply_markup":{"inline_keyboard":[[{"text":"Помощь","callback_data":"help"},)"
          R"({"text":"История","callback_data":"history"}]]}})");
  ASSERT_EQ(hello.status, 200u) << hello.body;
  const std::int64_t hello_id = TestJson(hello.body).integer("/result/message_id");
  ASSERT_EQ(api("sendChatAction", R"({"chat_id":1001,"action":"typing"})").status, 200u);

  TestJson events(get("events?since=" + std::to_string(since) + "&chat_id=1001").body);
  ASSERT_EQ(events.size("/result/events"), 2u);
  EXPECT_EQ(events.string("/result/events/0/message/text"), "Здравствуйте, Маша!");
  EXPECT_EQ(events.string("/result/events/0/message/entities/0/type"), "bold");
  EXPECT_TRUE(events.boolean("/result/events/0/message/from/is_bot"));
  EXPECT_EQ(
      events.string("/result/events/0/message/reply_markup/inline_keyboard/0/1/callback_data"),
      "history");
  EXPECT_EQ(events.string("/result/events/1/kind"), "action");
  EXPECT_EQ(events.string("/result/events/1/action"), "typing");
  const std::int64_t after_hello = events.integer("/result/last_seq");

  // Pressing: only buttons the message has, only by users who may be in the chat.
  const std::string press =
      R"({"chat_id":1001,"user_id":1001,"message_id":)" + std::to_string(hello_id);
  EXPECT_NE(error_of(post("press", press + R"(,"data":"nope"})")).find("no inline button"),
            std::string::npos);
  EXPECT_EQ(
      error_of(post("press", R"({"chat_id":1001,"user_id":1001,"message_id":1,"data":"help"})")),
      "Bad Request: the message has no inline button with this callback_data");
  EXPECT_EQ(error_of(post("press", press + "}")), "Bad Request: field \"data\" is required");
  const ApiReply pressed = post("press", press + R"(,"data":"help"})");
  ASSERT_EQ(pressed.status, 200u) << pressed.body;
  const std::string query_id = TestJson(pressed.body).string("/result/callback_query_id");
  TestJson updates(take_updates());
  ASSERT_EQ(updates.size("/result"), 1u);
  EXPECT_EQ(updates.string("/result/0/callback_query/id"), query_id);
  EXPECT_EQ(updates.string("/result/0/callback_query/data"), "help");
  EXPECT_EQ(updates.integer("/result/0/callback_query/message/message_id"), hello_id);
  EXPECT_EQ(updates.string("/result/0/callback_query/from/first_name"), "Маша");

  // The bot answers, edits and deletes; the page sees each, in order.
  ASSERT_EQ(
      api("answerCallbackQuery", R"({"callback_query_id":")" + query_id + R"(","text":"Готово ✅"})")
          .status,
      200u);
  ASSERT_EQ(api("editMessageText", R"({"chat_id":1001,"message_id":)" + std::to_string(hello_id) +
                                       R"(,"text":"Изменено ✏️"})")
                .status,
            200u);
  ASSERT_EQ(api("deleteMessage", R"({"chat_id":1001,"message_id":1})").status, 200u);
  TestJson later(get("events?since=" + std::to_string(after_hello)).body);
  ASSERT_EQ(later.size("/result/events"), 3u);
  EXPECT_EQ(later.string("/result/events/0/kind"), "callback_answer");
  EXPECT_EQ(later.integer("/result/events/0/message_id"), hello_id);
  EXPECT_EQ(later.string("/result/events/0/text"), "Готово ✅");
  EXPECT_FALSE(later.boolean("/result/events/0/show_alert"));
  EXPECT_EQ(later.string("/result/events/1/kind"), "edit");
  EXPECT_EQ(later.string("/result/events/1/message/text"), "Изменено ✏️");
  EXPECT_EQ(later.integer("/result/events/1/message/edit_date"), now.unix_time);
  EXPECT_FALSE(later.has("/result/events/1/message/reply_markup"));  // the edit dropped it
  EXPECT_EQ(later.string("/result/events/2/kind"), "delete");
  EXPECT_TRUE(later.boolean("/result/events/2/message/deleted"));
  EXPECT_FALSE(later.has("/result/events/2/message/text"));

  TestJson history(get("messages?chat_id=1001").body);
  ASSERT_EQ(history.size("/result/messages"), 2u);
  EXPECT_TRUE(history.boolean("/result/messages/0/deleted"));
  EXPECT_EQ(history.string("/result/messages/1/text"), "Изменено ✏️");
  EXPECT_EQ(history.string("/result/chat/title"), "Маша");
  EXPECT_EQ(TestJson(get("messages?chat_id=1001&limit=1").body).size("/result/messages"), 1u);
  EXPECT_EQ(error_of(get("messages?chat_id=x")), "Bad Request: chat_id must be an integer");
  EXPECT_EQ(error_of(get("messages?chat_id=5")), "Bad Request: chat not found");
  EXPECT_EQ(error_of(get("messages?chat_id=1001&limit=0")),
            "Bad Request: limit must be a positive integer");
}

TEST_F(ChatPage, GroupsHaveMembersWhoPostAsThemselves) {
  const std::int64_t masha = create_user(R"({"first_name":"Маша"})");
  const std::int64_t pete = create_user(R"({"first_name":"Pete","language_code":"en"})");
  EXPECT_EQ(error_of(post("groups", R"({"title":""})")),
            "Bad Request: field \"title\" is required");
  EXPECT_EQ(error_of(post("groups", R"({"title":"G","type":"channel"})")),
            "Bad Request: type must be \"group\" or \"supergroup\"");
  EXPECT_EQ(error_of(post("groups", R"({"title":"G","member_ids":[5]})")),
            "Bad Request: user 5 not found");
  EXPECT_EQ(error_of(post("groups", R"({"title":"G","member_ids":"1001"})")),
            "Bad Request: field \"member_ids\" must be an array of integers");

  const ApiReply group =
      post("groups", R"({"title":"Друзья 🎉","member_ids":[)" + std::to_string(masha) + "]}");
  ASSERT_EQ(group.status, 200u) << group.body;
  TestJson g(group.body);
  const std::int64_t id = g.integer("/result/id");
  EXPECT_LT(id, 0);
  EXPECT_EQ(g.string("/result/type"), "group");
  EXPECT_EQ(g.string("/result/title"), "Друзья 🎉");
  EXPECT_EQ(g.size("/result/members"), 1u);
  const ApiReply super = post("groups", R"({"title":"Big","type":"supergroup"})");
  EXPECT_LT(TestJson(super.body).integer("/result/id"), -1'000'000'000'000);

  for (std::int64_t user : {masha, pete}) {
    ASSERT_EQ(post("send", R"({"chat_id":)" + std::to_string(id) + R"(,"user_id":)" +
                               std::to_string(user) + R"(,"text":"hi"})")
                  .status,
              200u);
  }
  TestJson updates(take_updates());
  ASSERT_EQ(updates.size("/result"), 2u);
  EXPECT_EQ(updates.string("/result/1/message/chat/title"), "Друзья 🎉");
  EXPECT_EQ(updates.string("/result/1/message/chat/type"), "group");
  EXPECT_EQ(updates.integer("/result/1/message/from/id"), pete);
  TestJson state(get("state").body);
  EXPECT_EQ(state.integer("/result/chats/0/id"), id);  // groups first, most recent first
  EXPECT_EQ(state.size("/result/chats/0/members"), 2u);
  EXPECT_EQ(state.string("/result/chats/0/last_message/from/first_name"), "Pete");
}

TEST_F(ChatPage, EventsLongPollUntilSomethingHappens) {
  create_user(R"({"first_name":"Маша"})");
  const std::int64_t since = TestJson(get("state").body).integer("/result/last_seq");
  Outcome outcome = request("GET", "/_chat/events?since=" + std::to_string(since) + "&timeout=25");
  auto* pending = std::get_if<PendingEvents>(&outcome);
  ASSERT_NE(pending, nullptr);
  EXPECT_EQ(pending->wait.deadline, now.steady + 25s);
  emulator.take_event_wakeups();
  EXPECT_FALSE(emulator.resume(*pending, now));

  ASSERT_EQ(api("sendMessage", R"({"chat_id":1001,"text":"ping"})").status, 200u);
  EXPECT_EQ(emulator.take_event_wakeups(), std::vector<std::size_t>{0});
  EXPECT_TRUE(emulator.take_wakeups().empty());  // a waiting getUpdates sleeps on
  auto reply = emulator.resume(*pending, now);
  ASSERT_TRUE(reply);
  EXPECT_EQ(TestJson(reply->body).string("/result/events/0/message/text"), "ping");

  // Nothing new: answered empty at the deadline. Timeouts are capped like getUpdates'.
  const std::int64_t last = TestJson(reply->body).integer("/result/last_seq");
  Outcome idle = request("GET", "/_chat/events?since=" + std::to_string(last) + "&timeout=999");
  auto* waiting = std::get_if<PendingEvents>(&idle);
  ASSERT_NE(waiting, nullptr);
  EXPECT_EQ(waiting->wait.deadline, now.steady + 50s);
  Instant later = now;
  later.steady += 50s;
  auto empty = emulator.resume(*waiting, later);
  ASSERT_TRUE(empty);
  EXPECT_EQ(TestJson(empty->body).size("/result/events"), 0u);
  EXPECT_EQ(TestJson(empty->body).integer("/result/last_seq"), last);

  EXPECT_EQ(error_of(get("events?since=-1")), "Bad Request: since must be a non-negative integer");
  EXPECT_NE(error_of(get("events?timeout=x")).find("timeout"), std::string::npos);
  EXPECT_EQ(error_of(get("events?chat_id=x")), "Bad Request: chat_id must be an integer");
}

TEST_F(ChatPage, ResetsAndRestartsAreGapsThePageReloadsOn) {
  create_user(R"({"first_name":"Маша"})");
  const std::int64_t last = TestJson(get("state").body).integer("/result/last_seq");
  TestJson future(get("events?since=" + std::to_string(last + 100) + "&timeout=30").body);
  EXPECT_TRUE(future.boolean("/result/gap"));  // answered at once: the emulator restarted
  EXPECT_EQ(future.integer("/result/last_seq"), last);

  ASSERT_EQ(as_reply(request("POST", "/_admin/reset")).status, 200u);
  TestJson current(get("events?since=" + std::to_string(last)).body);
  EXPECT_FALSE(current.boolean("/result/gap"));
  EXPECT_EQ(current.string("/result/events/0/kind"), "reset");
  EXPECT_TRUE(TestJson(get("events?since=0").body).boolean("/result/gap"));
  EXPECT_EQ(TestJson(get("state").body).size("/result/users"), 0u);
}

TEST_F(ChatPage, BotsAreChosenByTokenOrId) {
  constexpr std::string_view kOther = "654321:BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB";
  as_reply(request("GET", "/bot" + std::string(kOther) + "/getMe"));
  TestJson first(get("state").body);
  EXPECT_EQ(first.integer("/result/bot/id"), 123456);
  EXPECT_EQ(first.size("/result/bots"), 2u);
  EXPECT_EQ(TestJson(get("state?bot=654321").body).integer("/result/bot/id"), 654321);
  EXPECT_EQ(TestJson(get("state?token=" + std::string(kOther)).body).integer("/result/bot/id"),
            654321);
  EXPECT_EQ(error_of(get("state?bot=1")), "Bad Request: unknown bot id");
  EXPECT_EQ(error_of(get("state?token=bad")), "Bad Request: unknown or malformed token");
}

TEST_F(ChatPage, AdminTrafficShowsOnThePageToo) {
  ASSERT_EQ(as_reply(request("POST", "/_admin/messages",
                             R"({"chat_id":7,"text":"from a test","first_name":"Tess"})"))
                .status,
            200u);
  ASSERT_EQ(
      as_reply(request("POST", "/_admin/updates",
                       R"({"message":{"message_id":3,"date":1,"text":"raw",)"
                       R"("chat":{"id":7,"type":"private"},"from":{"id":7,"first_name":"T"}}})"))
          .status,
      200u);
  TestJson events(get("events?since=0").body);
  ASSERT_EQ(events.size("/result/events"), 3u);  // the new chat, two messages
  EXPECT_EQ(events.string("/result/events/0/kind"), "chat");
  EXPECT_EQ(events.string("/result/events/1/message/text"), "from a test");
  EXPECT_EQ(events.string("/result/events/2/message/text"), "raw");
  TestJson state(get("state").body);
  EXPECT_EQ(state.string("/result/users/0/first_name"), "T");
  EXPECT_EQ(state.string("/result/chats/0/last_message/text"), "raw");
}

TEST_F(ChatPage, ServesThePage) {
  const ApiReply page = as_reply(request("GET", "/"));
  EXPECT_EQ(page.status, 200u);
  EXPECT_EQ(page.content_type, "text/html; charset=utf-8");
  EXPECT_NE(page.body.find("chat.js"), std::string::npos);
  const ApiReply script = as_reply(request("GET", "/chat.js?v=1"));
  EXPECT_EQ(script.status, 200u);
  EXPECT_EQ(script.content_type, "text/javascript; charset=utf-8");
}

}  // namespace
}  // namespace tgkeep::sandbox
