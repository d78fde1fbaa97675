// Hot-tier values: entries and profiles survive a round trip, hostile text included, and
// anything malformed is an error rather than a wrong record.
#include <gtest/gtest.h>

#include <string>
#include <utility>

#include "hot/hot_codec.hpp"
#include "hot/hot_codec_dom.hpp"

namespace tgkeep::hot {
namespace {

using storage::MessageRecord;
using storage::ReplyStatus;
using storage::Role;

TEST(HotCodec, EntriesRoundTrip) {
  MessageRecord m;
  m.chat_id = -1001234567890;
  m.message_id = 17;
  m.user_id = 42;
  m.role = Role::user;
  m.text = std::string("Привет 👋 \"quoted\" \\ \n\t\0 end", 36);
  m.date = 1700000000;
  m.update_id = 99;
  m.edited = true;
  m.edit_date = 1700000100;
  auto back = decode_entry(encode_entry(m));
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->chat_id, m.chat_id);
  EXPECT_EQ(back->message_id, m.message_id);
  EXPECT_EQ(back->user_id, m.user_id);
  EXPECT_EQ(back->text, m.text);
  EXPECT_EQ(back->date, m.date);
  EXPECT_EQ(back->update_id, m.update_id);
  EXPECT_TRUE(back->edited);
  EXPECT_EQ(back->edit_date, m.edit_date);
  EXPECT_EQ(back->role, Role::user);

  MessageRecord reply;
  reply.chat_id = 5;
  reply.role = Role::assistant;
  reply.text = "";
  reply.reply_key = "u9.0";
  reply.status = ReplyStatus::pending;
  auto r = decode_entry(encode_entry(reply));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->role, Role::assistant);
  EXPECT_EQ(r->status, ReplyStatus::pending);
  EXPECT_EQ(r->reply_key, "u9.0");
  EXPECT_FALSE(r->message_id);
  EXPECT_NE(entry_identity(*r), entry_identity(*back));
}

TEST(HotCodec, EveryReplyStatusRoundTripsUnderItsLetter) {
  // The letters are stored in Redis and the outbox: existing ones never change.
  const std::pair<ReplyStatus, const char*> letters[] = {{ReplyStatus::pending, "p"},
                                                         {ReplyStatus::sent, "s"},
                                                         {ReplyStatus::failed, "f"},
                                                         {ReplyStatus::resending, "r"}};
  for (const auto& [status, letter] : letters) {
    EXPECT_EQ(compact::status_letter(status), letter);
    MessageRecord reply;
    reply.chat_id = 5;
    reply.role = Role::assistant;
    reply.text = "x";
    reply.reply_key = "u9.0";
    reply.status = status;
    const std::string json = encode_entry(reply);
    // sent is the default and is left out.
    EXPECT_EQ(json.find(std::string("\"x\":\"") + letter + "\"") != std::string::npos,
              status != ReplyStatus::sent)
        << json;
    auto back = decode_entry(json);
    ASSERT_TRUE(back.ok()) << back.error().message;
    EXPECT_EQ(back->status, status) << letter;
  }
}

TEST(HotCodec, InvalidUtf8IsReplacedNotPropagated) {
  MessageRecord m;
  m.text = "bad \xff\xfe bytes";
  auto back = decode_entry(encode_entry(m));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->text, "bad \xEF\xBF\xBD\xEF\xBF\xBD bytes");
}

TEST(HotCodec, MalformedEntriesAreErrors) {
  for (const char* bad :
       {"", "null", "[]", "{", "{\"c\":1}", "{\"c\":\"x\",\"r\":\"u\",\"t\":\"\"}",
        "{\"c\":1,\"r\":\"z\",\"t\":\"\"}", "{\"c\":1,\"r\":\"u\",\"t\":5}",
        "{\"c\":1,\"r\":\"u\",\"t\":\"\",\"x\":\"q\"}", "\xff\xff"}) {
    EXPECT_FALSE(decode_entry(bad).ok()) << bad;
  }
  EXPECT_TRUE(decode_entry("{\"c\":1,\"r\":\"a\",\"t\":\"\",\"future\":[1]}").ok());
}

TEST(HotCodec, ProfilesRoundTrip) {
  storage::UserRecord u;
  u.id = 7;
  u.is_bot = false;
  u.username = "ann";
  u.first_name = "Анна";
  u.language_code = "ru";
  u.seen_at = 1700000000;
  u.tariff = "pro";
  auto back = decode_profile(encode_profile(u));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->id, 7);
  EXPECT_EQ(back->first_name, "Анна");
  EXPECT_EQ(back->tariff, "pro");
  EXPECT_FALSE(decode_profile("{\"n\":\"x\"}").ok());
  EXPECT_FALSE(decode_profile("{\"i\":true}").ok());
}

}  // namespace
}  // namespace tgkeep::hot
