// SqliteStore: edited messages and the life of a reply (record, settle, replay).
#include <gtest/gtest.h>

#include <string>

#include "sqlite/sqlite_test_support.hpp"

namespace tgkeep::sqlite::testing {
namespace {

using storage::ReplyState;
using storage::ReplyStatus;

TEST_F(StoreTest, NewerEditReplacesText) {
  commit({message_update(1, 42, 5, 7, "original")});
  commit({edit_update(2, 42, 5, 7, "first edit", 1700000100)});
  commit({edit_update(3, 42, 5, 7, "second edit", 1700000200)});

  auto messages = recent(42);
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].text, "second edit");
  EXPECT_TRUE(messages[0].edited);
  EXPECT_EQ(messages[0].edit_date, 1700000200);
  EXPECT_EQ(messages[0].update_id, 1);  // still the row of the original
}

TEST_F(StoreTest, OlderEditIsIgnoredAndEqualEditApplies) {
  commit({message_update(1, 42, 5, 7, "original")});
  commit({edit_update(3, 42, 5, 7, "newer", 1700000200)});
  commit({edit_update(2, 42, 5, 7, "older, delivered late", 1700000100)});
  EXPECT_EQ(recent(42)[0].text, "newer");

  commit({edit_update(4, 42, 5, 7, "same second, later update", 1700000200)});
  EXPECT_EQ(recent(42)[0].text, "same second, later update");
}

TEST_F(StoreTest, EditWithoutOriginalIsStoredAsEdited) {
  commit({edit_update(2, 42, 5, 7, "edited text", 1700000100)});
  auto messages = recent(42);
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].text, "edited text");
  EXPECT_TRUE(messages[0].edited);
  EXPECT_EQ(messages[0].edit_date, 1700000100);

  // The original arrives afterwards (replayed from a spool): the edit stays.
  commit({message_update(1, 42, 5, 7, "original")});
  messages = recent(42);
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].text, "edited text");
}

TEST_F(StoreTest, EditOfAnotherChatsMessageIdDoesNotTouchThisChat) {
  commit({message_update(1, 42, 5, 7, "chat 42")});
  commit({edit_update(2, 43, 5, 7, "chat 43 edit", 1700000100)});
  EXPECT_EQ(recent(42)[0].text, "chat 42");
  EXPECT_EQ(recent(43)[0].text, "chat 43 edit");
}

TEST_F(StoreTest, RecordReplyIsPendingThenExistsWithItsState) {
  commit({message_update(1, 42, 1, 7, "question")});
  auto first = await<ReplyState>(
      [&](auto done) { store->record_reply(reply(42, "u1.0", "answer"), std::move(done)); });
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_FALSE(first->existed);
  EXPECT_EQ(first->status, ReplyStatus::pending);

  auto messages = recent(42);
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(messages[1].role, storage::Role::assistant);
  EXPECT_EQ(messages[1].status, ReplyStatus::pending);
  EXPECT_EQ(messages[1].reply_key, "u1.0");
  EXPECT_FALSE(messages[1].message_id.has_value());

  auto again = await<ReplyState>([&](auto done) {
    store->record_reply(reply(42, "u1.0", "answer, generated again"), std::move(done));
  });
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->existed);
  EXPECT_EQ(again->status, ReplyStatus::pending);
  EXPECT_FALSE(again->message_id.has_value());
  EXPECT_EQ(recent(42)[1].text, "answer");  // nothing changed

  ASSERT_TRUE(await_status([&](auto done) {
    store->settle_reply("u1.0", ReplyStatus::sent, 555, 1700000009, std::move(done));
  }));
  auto settled = await<ReplyState>(
      [&](auto done) { store->record_reply(reply(42, "u1.0", "answer"), std::move(done)); });
  ASSERT_TRUE(settled.ok());
  EXPECT_TRUE(settled->existed);
  EXPECT_EQ(settled->status, ReplyStatus::sent);
  EXPECT_EQ(settled->message_id, 555);
  auto row = recent(42)[1];
  EXPECT_EQ(row.message_id, 555);
  EXPECT_EQ(row.date, 1700000009);
  EXPECT_EQ(row.status, ReplyStatus::sent);
}

TEST_F(StoreTest, APendingReplyIsSettledResendingThenSent) {
  // A restart found u1.0 pending: it is marked resending before it is sent once more.
  commit({message_update(1, 42, 1, 7, "question")});
  ASSERT_TRUE(await<ReplyState>([&](auto done) {
                store->record_reply(reply(42, "u1.0", "answer"), std::move(done));
              }).ok());
  ASSERT_TRUE(await_status([&](auto done) {
    store->settle_reply("u1.0", ReplyStatus::resending, std::nullopt, 1700000008, std::move(done));
  }));
  auto found = await<ReplyState>(
      [&](auto done) { store->record_reply(reply(42, "u1.0", "answer"), std::move(done)); });
  ASSERT_TRUE(found.ok()) << found.error().message;
  EXPECT_TRUE(found->existed);
  EXPECT_EQ(found->status, ReplyStatus::resending);
  EXPECT_FALSE(found->message_id.has_value());
  EXPECT_EQ(recent(42)[1].status, ReplyStatus::resending);
  RawDb raw(db_file());
  EXPECT_EQ(raw.value("SELECT status FROM messages WHERE reply_key = 'u1.0'"), "resending");

  ASSERT_TRUE(await_status([&](auto done) {
    store->settle_reply("u1.0", ReplyStatus::sent, 556, 1700000009, std::move(done));
  }));
  auto sent = await<ReplyState>(
      [&](auto done) { store->record_reply(reply(42, "u1.0", "answer"), std::move(done)); });
  ASSERT_TRUE(sent.ok());
  EXPECT_EQ(sent->status, ReplyStatus::sent);
  EXPECT_EQ(sent->message_id, 556);
  auto row = recent(42)[1];
  EXPECT_EQ(row.status, ReplyStatus::sent);
  EXPECT_EQ(row.message_id, 556);
  EXPECT_EQ(row.date, 1700000009);
}

TEST_F(StoreTest, UnsentRepliesOfOneChatDoNotCollide) {
  for (int part = 0; part < 3; ++part) {
    auto r = await<ReplyState>([&](auto done) {
      store->record_reply(reply(42, "u1." + std::to_string(part), "part"), std::move(done));
    });
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_FALSE(r->existed);
  }
  EXPECT_EQ(recent(42).size(), 3u);
}

TEST_F(StoreTest, FailedReplyKeepsNoMessageId) {
  ASSERT_TRUE(await<ReplyState>([&](auto done) {
                store->record_reply(reply(42, "u9.0", "x"), std::move(done));
              }).ok());
  ASSERT_TRUE(await_status([&](auto done) {
    store->settle_reply("u9.0", ReplyStatus::failed, std::nullopt, 1700000050, std::move(done));
  }));
  auto row = recent(42)[0];
  EXPECT_EQ(row.status, ReplyStatus::failed);
  EXPECT_FALSE(row.message_id.has_value());
}

TEST_F(StoreTest, SettlingAnUnknownReplyIsAnError) {
  Status s = await_status(
      [&](auto done) { store->settle_reply("nope", ReplyStatus::sent, 1, 1, std::move(done)); });
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().kind, ErrorKind::invalid_input);
  EXPECT_NE(s.error().message.find("nope"), std::string::npos);
}

TEST_F(StoreTest, ReplyWithoutKeyIsRefused) {
  auto r = await<ReplyState>(
      [&](auto done) { store->record_reply(reply(42, "", "x"), std::move(done)); });
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::invalid_input);
}

TEST_F(StoreTest, EditMessageReplacesTheBotsOwnText) {
  commit({message_update(1, 42, 1, 7, "question")});
  ASSERT_TRUE(await<ReplyState>([&](auto done) {
                store->record_reply(reply(42, "u1.0", "answer"), std::move(done));
              }).ok());
  ASSERT_TRUE(await_status([&](auto done) {
    store->settle_reply("u1.0", ReplyStatus::sent, 555, 1700000009, std::move(done));
  }));
  ASSERT_TRUE(await_status([&](auto done) {
    store->edit_message(42, 555, storage::Role::assistant, "answer, edited", 1700000100,
                        std::move(done));
  }));
  auto row = recent(42)[1];
  EXPECT_EQ(row.text, "answer, edited");
  EXPECT_TRUE(row.edited);
  EXPECT_EQ(row.edit_date, 1700000100);
  EXPECT_EQ(recent(42)[0].text, "question");  // the user's message 1 is another role

  // Unknown messages change nothing and are no error.
  EXPECT_TRUE(await_status([&](auto done) {
    store->edit_message(42, 999, storage::Role::assistant, "nothing", 1, std::move(done));
  }));
  EXPECT_EQ(recent(42).size(), 2u);
}

}  // namespace
}  // namespace tgkeep::sqlite::testing
