// Outbox entries survive a round trip through their stream fields, hostile text included, and
// anything malformed is an error rather than a wrong record.
#include <gtest/gtest.h>

#include "hot/hot_codec.hpp"
#include "outbox/entry_codec.hpp"

namespace tgkeep::outbox {
namespace {

using storage::MessageRecord;
using storage::ReplyStatus;
using storage::Role;

Entry round_trip(const Entry& entry) {
  const EncodedEntry encoded = encode(entry);
  auto back = decode(std::string_view(&encoded.kind, 1), encoded.value, encoded.raw);
  EXPECT_TRUE(back.ok()) << back.error().message;
  return back.ok() ? std::move(back).value() : Entry{};
}

TEST(OutboxCodec, UpdateWithMessageAndUser) {
  UpdateEntry e;
  e.received_at = 1700000001;
  auto& u = e.update;
  u.update_id = 123456789;
  u.type = "message";
  u.chat_id = -1001234567890;
  u.needs_handling = true;
  u.raw_json = R"({"update_id":123456789,"message":{"text":"Привет \u0000 👋"}})";
  MessageRecord m;
  m.chat_id = *u.chat_id;
  m.message_id = 7;
  m.user_id = 42;
  m.text = std::string("Привет 👋 \"q\" \\ \n\0 end", 30);
  m.date = 1700000000;
  m.update_id = u.update_id;
  u.message = m;
  storage::UserRecord user;
  user.id = 42;
  user.first_name = "Имя";
  user.username = "who";
  user.language_code = "ru";
  user.seen_at = 1700000000;
  u.user = user;
  // The message's history entry, when the hot tier has encoded it already, is reused as is.
  EXPECT_EQ(encode_update(u, e.received_at, hot::encode_entry(m)).value, encode(Entry(e)).value);
  auto back = std::get<UpdateEntry>(round_trip(e));
  EXPECT_EQ(back.received_at, e.received_at);
  EXPECT_EQ(back.update.update_id, u.update_id);
  EXPECT_EQ(back.update.type, "message");
  EXPECT_EQ(back.update.chat_id, u.chat_id);
  EXPECT_TRUE(back.update.needs_handling);
  EXPECT_EQ(back.update.raw_json, u.raw_json);
  ASSERT_TRUE(back.update.message);
  EXPECT_EQ(back.update.message->text, m.text);
  EXPECT_EQ(back.update.message->message_id, 7);
  ASSERT_TRUE(back.update.user);
  EXPECT_EQ(back.update.user->first_name, "Имя");
  EXPECT_EQ(back.update.user->seen_at, 1700000000);
}

TEST(OutboxCodec, UpdateWithoutChatMessageOrUser) {
  UpdateEntry e;
  e.update.update_id = 5;
  e.update.type = "poll";
  auto back = std::get<UpdateEntry>(round_trip(e));
  EXPECT_EQ(back.update.update_id, 5);
  EXPECT_FALSE(back.update.chat_id);
  EXPECT_FALSE(back.update.message);
  EXPECT_FALSE(back.update.user);
  EXPECT_TRUE(back.update.raw_json.empty());
}

TEST(OutboxCodec, EveryOtherKind) {
  auto handled = std::get<HandledEntry>(round_trip(HandledEntry{{1, 2, 9007199254740993}}));
  EXPECT_EQ(handled.update_ids, (std::vector<std::int64_t>{1, 2, 9007199254740993}));

  MessageRecord reply;
  reply.chat_id = 9;
  reply.role = Role::assistant;
  reply.status = ReplyStatus::pending;
  reply.reply_key = "u12.0";
  reply.update_id = 12;
  reply.text = "ответ";
  auto r = std::get<ReplyEntry>(round_trip(ReplyEntry{reply}));
  EXPECT_EQ(r.reply.reply_key, "u12.0");
  EXPECT_EQ(r.reply.status, ReplyStatus::pending);
  EXPECT_EQ(r.reply.text, "ответ");

  auto s = std::get<SettleEntry>(round_trip(SettleEntry{"u12.0", ReplyStatus::sent, 77, 1700}));
  EXPECT_EQ(s.reply_key, "u12.0");
  EXPECT_EQ(s.status, ReplyStatus::sent);
  EXPECT_EQ(s.message_id, 77);
  EXPECT_EQ(s.date, 1700);
  auto f = std::get<SettleEntry>(
      round_trip(SettleEntry{"u13.1", ReplyStatus::failed, std::nullopt, 1701}));
  EXPECT_EQ(f.status, ReplyStatus::failed);
  EXPECT_FALSE(f.message_id);
  // Resending: a reply found pending after a crash, sent once more.
  const SettleEntry resending{"u14.0", ReplyStatus::resending, std::nullopt, 1702};
  EXPECT_EQ(encode(resending).value, R"({"k":"u14.0","x":"r","d":1702})");
  auto r2 = std::get<SettleEntry>(round_trip(resending));
  EXPECT_EQ(r2.reply_key, "u14.0");
  EXPECT_EQ(r2.status, ReplyStatus::resending);
  EXPECT_FALSE(r2.message_id);
  EXPECT_EQ(r2.date, 1702);
  // The letters written before resending existed still read as they did.
  for (const auto& [letter, status] :
       {std::pair{"p", ReplyStatus::pending}, std::pair{"s", ReplyStatus::sent},
        std::pair{"f", ReplyStatus::failed}, std::pair{"r", ReplyStatus::resending}}) {
    const std::string value = std::string(R"({"k":"u1.0","x":")") + letter + R"(","d":1})";
    auto decoded = decode("s", value, "");
    ASSERT_TRUE(decoded.ok()) << value;
    EXPECT_EQ(std::get<SettleEntry>(*decoded).status, status) << value;
  }
  EXPECT_FALSE(decode("s", R"({"k":"u1.0","x":"q","d":1})", "").ok());

  auto e = std::get<EditEntry>(round_trip(EditEntry{3, 4, Role::assistant, "new\ttext", 99}));
  EXPECT_EQ(e.chat_id, 3);
  EXPECT_EQ(e.message_id, 4);
  EXPECT_EQ(e.text, "new\ttext");
  EXPECT_EQ(e.edit_date, 99);

  EXPECT_EQ(std::get<ForgetEntry>(round_trip(ForgetEntry{-42})).chat_id, -42);

  storage::UsageEvent event{42, 12, 1700, "pro"};
  auto q = std::get<UsageEntry>(round_trip(UsageEntry{event}));
  EXPECT_EQ(q.event.user_id, 42);
  EXPECT_EQ(q.event.update_id, 12);
  EXPECT_EQ(q.event.at, 1700);
  EXPECT_EQ(q.event.tariff, "pro");
}

TEST(OutboxCodec, MalformedEntriesAreErrors) {
  EXPECT_FALSE(decode("", "{}", "").ok());
  EXPECT_FALSE(decode("uu", "{}", "").ok());
  EXPECT_FALSE(decode("z", "{}", "").ok());
  EXPECT_FALSE(decode("u", "{}", "").ok());                 // no update_id
  EXPECT_FALSE(decode("u", "{\"i\":\"7\"}", "").ok());      // wrong type
  EXPECT_FALSE(decode("u", "{\"i\":7,\"m\":{}}", "").ok());  // a broken message
  EXPECT_FALSE(decode("u", "[1]", "").ok());
  EXPECT_FALSE(decode("u", "{\"i\":7", "").ok());
  EXPECT_FALSE(decode("h", "{\"i\":[1,\"x\"]}", "").ok());
  EXPECT_FALSE(decode("r", "{\"c\":1,\"r\":\"a\",\"t\":\"x\"}", "").ok());  // no reply_key
  EXPECT_FALSE(decode("s", "{\"k\":\"a\",\"x\":\"?\"}", "").ok());
  EXPECT_FALSE(decode("e", "{\"c\":1}", "").ok());
  EXPECT_FALSE(decode("f", "{}", "").ok());
  EXPECT_FALSE(decode("q", "{\"s\":1}", "").ok());
  EXPECT_TRUE(decode("u", "{\"i\":7,\"future\":[1,2]}", "").ok());  // newer fields are ignored
}

TEST(OutboxCodec, ChatOfEntries) {
  UpdateEntry u;
  u.update.chat_id = 5;
  EXPECT_EQ(chat_of(Entry(u)), 5);
  EXPECT_EQ(chat_of(Entry(ForgetEntry{6})), 6);
  EXPECT_EQ(chat_of(Entry(HandledEntry{{1}})), std::nullopt);
}

}  // namespace
}  // namespace tgkeep::outbox

#include "outbox/stream_id.hpp"

namespace tgkeep::outbox {
namespace {

TEST(StreamId, ParsesComparesAndSteps) {
  auto a = parse_stream_id("1700000000000-9");
  auto b = parse_stream_id("1700000000000-10");
  ASSERT_TRUE(a && b);
  EXPECT_LT(*a, *b);  // numerically, not as text
  EXPECT_EQ(a->next(), *parse_stream_id("1700000000000-10"));
  EXPECT_EQ(parse_stream_id("5")->text(), "5-0");
  for (const char* bad : {"", "-", "a-1", "1-", "1-x", "1-2-3", "+", "-1"}) {
    EXPECT_FALSE(parse_stream_id(bad)) << bad;
  }
}

}  // namespace
}  // namespace tgkeep::outbox
