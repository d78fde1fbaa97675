#include "sandbox/bot_api_emulator.hpp"

#include <gtest/gtest.h>

#include "sandbox/test_json.hpp"

namespace tgkeep::sandbox {
namespace {

using testing::TestJson;
using namespace std::chrono_literals;

constexpr std::string_view kToken = "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZabcdef0123";
constexpr std::string_view kOtherToken = "654321:ABCDEFGHIJKLMNOPQRSTUVWXYZabcdef0123";

ApiReply as_reply(Outcome outcome) {
  auto* reply = std::get_if<ApiReply>(&outcome);
  EXPECT_TRUE(reply != nullptr);
  return reply ? std::move(*reply) : ApiReply{};
}

class Emulator : public ::testing::Test {
 protected:
  Outcome request(std::string_view method, std::string target, std::string_view body = {},
                  std::string_view content_type = {}) {
    return emulator.handle(HttpRequestView{method, target, content_type, body}, now);
  }
  ApiReply api(std::string_view token, std::string_view call, std::string_view body = {}) {
    return as_reply(request(body.empty() ? "GET" : "POST",
                            "/bot" + std::string(token) + "/" + std::string(call), body,
                            "application/json"));
  }
  ApiReply admin(std::string_view method, std::string target, std::string_view body = {}) {
    return as_reply(request(method, "/_admin/" + target, body));
  }

  BotApiEmulator emulator{EmulatorOptions{}};
  Instant now{1'700'000'000, std::chrono::steady_clock::time_point(100s)};
};

TEST_F(Emulator, RoutesBotAdminChatAndPagePaths) {
  EXPECT_EQ(as_reply(request("GET", "/")).status, 200u);  // the chat page
  EXPECT_EQ(as_reply(request("POST", "/")).status, 404u);
  EXPECT_EQ(as_reply(request("GET", "/nope.html")).status, 404u);
  EXPECT_EQ(as_reply(request("GET", "/_chat/nope")).status, 404u);
  EXPECT_EQ(as_reply(request("GET", "/bot" + std::string(kToken))).status, 404u);
  EXPECT_EQ(as_reply(request("GET", "/bot" + std::string(kToken) + "/")).status, 404u);
  EXPECT_EQ(api(kToken, "getMe").status, 200u);
  EXPECT_EQ(api(kToken, "getMe?x=1").status, 200u);
}

TEST_F(Emulator, MalformedTokensAre401) {
  EXPECT_EQ(api("123:short", "getMe").body,
            R"({"ok":false,"error_code":401,"description":"Unauthorized"})");
  EXPECT_EQ(api("abc:ABCDEFGHIJKLMNOPQRSTUVWXYZabcdef0123", "getMe").status, 401u);
  EXPECT_EQ(emulator.bot_count(), 0u);
}

TEST_F(Emulator, PinnedTokenRejectsOthers) {
  BotApiEmulator pinned{EmulatorOptions{std::string(kToken), 1}};
  auto call = [&](std::string_view token) {
    const std::string target = "/bot" + std::string(token) + "/getMe";
    return as_reply(pinned.handle(HttpRequestView{"GET", target, "", ""}, now));
  };
  EXPECT_EQ(call(kOtherToken).status, 401u);
  EXPECT_EQ(call(kToken).status, 200u);
}

TEST_F(Emulator, EachTokenIsItsOwnBot) {
  EXPECT_EQ(TestJson(api(kToken, "getMe").body).integer("/result/id"), 123456);
  EXPECT_EQ(TestJson(api(kOtherToken, "getMe").body).integer("/result/id"), 654321);
  EXPECT_EQ(emulator.bot_count(), 2u);
  EXPECT_EQ(admin("POST", "messages?token=" + std::string(kOtherToken),
                  R"({"chat_id":5,"text":"for the other bot"})")
                .status,
            200u);
  EXPECT_EQ(TestJson(api(kToken, "getUpdates").body).size("/result"), 0u);
  EXPECT_EQ(TestJson(api(kOtherToken, "getUpdates").body).size("/result"), 1u);
}

TEST_F(Emulator, AdminBeforeAnyTokenPreparesTheFirstBot) {
  ASSERT_EQ(admin("POST", "messages", R"({"chat_id":5,"text":"early"})").status, 200u);
  TestJson updates(api(kToken, "getUpdates").body);
  EXPECT_EQ(updates.string("/result/0/message/text"), "early");
  EXPECT_EQ(emulator.bot_count(), 1u);
  EXPECT_EQ(TestJson(admin("GET", "stats").body).integer("/result/bot_id"), 123456);
}

TEST_F(Emulator, BadBodiesAre400) {
  const ApiReply r = api(kToken, "sendMessage", "{\"chat_id\":");
  EXPECT_EQ(r.status, 400u);
  EXPECT_NE(TestJson(r.body).string("/description").find("Bad Request: can't parse JSON body"),
            std::string::npos);
  EXPECT_EQ(admin("POST", "updates", "not json").status, 400u);
}

TEST_F(Emulator, FaultsHitTheNextCallsThenStop) {
  api(kToken, "getMe");
  ASSERT_EQ(admin("POST", "faults", R"({"method":"getme","status":429,"retry_after":7,"count":2})")
                .status,
            200u);
  for (int i = 0; i < 2; ++i) {
    const ApiReply r = api(kToken, "getMe");
    EXPECT_EQ(r.status, 429u);
    EXPECT_EQ(TestJson(r.body).integer("/parameters/retry_after"), 7);
  }
  EXPECT_EQ(api(kToken, "getMe").status, 200u);

  admin("POST", "faults", R"({"method":"*","status":500})");
  EXPECT_EQ(api(kToken, "getUpdates").body,
            R"({"ok":false,"error_code":500,"description":"Internal Server Error"})");
  EXPECT_EQ(api(kToken, "getUpdates").status, 200u);
}

TEST_F(Emulator, StallFaultsAskTheServerToWait) {
  api(kToken, "getMe");
  admin("POST", "faults",
        R"([{"method":"getMe","stall_ms":250},)"
        R"({"method":"getMe","stall_ms":100,"status":503}])");
  const std::string target = "/bot" + std::string(kToken) + "/getMe";
  const HttpRequestView view{"GET", target, "", ""};
  Outcome first = emulator.handle(view, now);
  auto* stall = std::get_if<PendingStall>(&first);
  ASSERT_NE(stall, nullptr);
  EXPECT_EQ(stall->delay, 250ms);
  EXPECT_FALSE(stall->reply_after);  // then answered normally:
  EXPECT_EQ(as_reply(emulator.handle(view, now, /*apply_faults=*/false)).status, 200u);
  Outcome second = emulator.handle(view, now);
  stall = std::get_if<PendingStall>(&second);
  ASSERT_NE(stall, nullptr);
  ASSERT_TRUE(stall->reply_after);
  EXPECT_EQ(stall->reply_after->status, 503u);
}

TEST_F(Emulator, LongPollsAreWokenByNewUpdates) {
  Outcome outcome = request("GET", "/bot" + std::string(kToken) + "/getUpdates?timeout=20");
  auto* poll = std::get_if<PendingPoll>(&outcome);
  ASSERT_NE(poll, nullptr);
  EXPECT_EQ(emulator.take_wakeups(), std::vector<std::size_t>{0});  // a new waiter
  EXPECT_TRUE(emulator.take_wakeups().empty());
  EXPECT_FALSE(emulator.resume(*poll, now));
  admin("POST", "messages", R"({"chat_id":5,"text":"wake up"})");
  EXPECT_EQ(emulator.take_wakeups(), std::vector<std::size_t>{0});
  auto reply = emulator.resume(*poll, now);
  ASSERT_TRUE(reply);
  EXPECT_EQ(TestJson(reply->body).string("/result/0/message/text"), "wake up");
}

}  // namespace
}  // namespace tgkeep::sandbox
