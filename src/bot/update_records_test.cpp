#include "bot/update_records.hpp"

#include <gtest/gtest.h>

namespace tgkeep::bot {
namespace {

telegram::Update message_update(telegram::UpdateKind kind) {
  telegram::Update u;
  u.update_id = 77;
  u.kind = kind;
  u.type = telegram::kind_name(kind);
  u.raw_json = R"({"update_id":77})";
  telegram::Message m;
  m.message_id = 5;
  m.date = 1700000000;
  m.chat.id = -100;
  m.chat.type = "supergroup";
  telegram::User from;
  from.id = 42;
  from.first_name = "Аня";
  from.language_code = "ru";
  m.from = from;
  m.text = "привет";
  m.has_text = true;
  if (kind == telegram::UpdateKind::edited_message) m.edit_date = 1700000100;
  u.message = m;
  return u;
}

TEST(UpdateRecords, MessageBecomesUserRecordWithSender) {
  auto record = to_record(message_update(telegram::UpdateKind::message), true, 1);
  EXPECT_EQ(record.update_id, 77);
  EXPECT_EQ(record.type, "message");
  EXPECT_EQ(record.chat_id, -100);
  EXPECT_TRUE(record.needs_handling);
  ASSERT_TRUE(record.message);
  EXPECT_EQ(record.message->role, storage::Role::user);
  EXPECT_EQ(record.message->message_id, 5);
  EXPECT_EQ(record.message->user_id, 42);
  EXPECT_EQ(record.message->update_id, 77);
  EXPECT_FALSE(record.message->edited);
  ASSERT_TRUE(record.user);
  EXPECT_EQ(record.user->first_name, "Аня");
  EXPECT_EQ(record.user->seen_at, 1700000000);
}

TEST(UpdateRecords, EditIsMarked) {
  auto record = to_record(message_update(telegram::UpdateKind::edited_message), false, 1);
  ASSERT_TRUE(record.message);
  EXPECT_TRUE(record.message->edited);
  EXPECT_EQ(record.message->edit_date, 1700000100);
}

TEST(UpdateRecords, CallbackQueryKeepsNoMessageButTheUser) {
  auto u = message_update(telegram::UpdateKind::message);
  u.kind = telegram::UpdateKind::callback_query;
  u.type = "callback_query";
  telegram::CallbackQuery q;
  q.id = "q1";
  q.from.id = 43;
  q.message = u.message;
  u.callback_query = q;
  auto record = to_record(u, true, 1234);
  EXPECT_FALSE(record.message);
  ASSERT_TRUE(record.user);
  EXPECT_EQ(record.user->id, 43);
  EXPECT_EQ(record.user->seen_at, 1234);
}

TEST(UpdateRecords, UnknownUpdateIsRawOnly) {
  telegram::Update u;
  u.update_id = 9;
  u.type = "message_reaction_count";
  u.raw_json = R"({"update_id":9,"message_reaction_count":{}})";
  auto record = to_record(u, false, 1);
  EXPECT_EQ(record.raw_json, u.raw_json);
  EXPECT_FALSE(record.message);
  EXPECT_FALSE(record.user);
  EXPECT_FALSE(record.chat_id);
}

TEST(UpdateRecords, PendingReply) {
  auto reply = pending_reply(5, 1, "hi", 100, "u1.0");
  EXPECT_EQ(reply.update_id, 1);
  EXPECT_EQ(reply.role, storage::Role::assistant);
  EXPECT_EQ(reply.status, storage::ReplyStatus::pending);
  EXPECT_FALSE(reply.message_id);
  EXPECT_EQ(reply.reply_key, "u1.0");
}

}  // namespace
}  // namespace tgkeep::bot
