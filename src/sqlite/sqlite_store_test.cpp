// SqliteStore: updates, history, forgetting, export, users.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sqlite/sqlite_test_support.hpp"

namespace tgkeep::sqlite::testing {
namespace {

using storage::MessageRecord;
using storage::Role;
using storage::UpdateRecord;

TEST_F(StoreTest, CommitStoresUpdateMessageAndUser) {
  auto summary = commit({message_update(10, 42, 1, 7, "hello")});
  EXPECT_EQ(summary.stored, 1u);
  EXPECT_EQ(summary.duplicates, 0u);

  auto messages = recent(42);
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].chat_id, 42);
  EXPECT_EQ(messages[0].message_id, 1);
  EXPECT_EQ(messages[0].user_id, 7);
  EXPECT_EQ(messages[0].role, Role::user);
  EXPECT_EQ(messages[0].text, "hello");
  EXPECT_EQ(messages[0].update_id, 10);
  EXPECT_FALSE(messages[0].edited);

  auto user = await<std::optional<storage::UserRecord>>(
      [&](auto done) { store->find_user(7, std::move(done)); });
  ASSERT_TRUE(user.ok());
  ASSERT_TRUE(user->has_value());
  EXPECT_EQ((*user)->username, "user7");
  EXPECT_EQ((*user)->seen_at, 1700000000);
}

TEST_F(StoreTest, ReplayingABatchStoresNothingTwice) {
  std::vector<UpdateRecord> batch = {message_update(1, 42, 1, 7, "a"),
                                     message_update(2, 42, 2, 7, "b"),
                                     message_update(3, 43, 1, 8, "c")};
  auto first = commit(batch);
  EXPECT_EQ(first.stored, 3u);
  EXPECT_EQ(first.duplicates, 0u);

  auto again = commit(batch);
  EXPECT_EQ(again.stored, 0u);
  EXPECT_EQ(again.duplicates, 3u);

  // Partly known: only the new one is stored.
  auto mixed = commit({message_update(3, 43, 1, 8, "c"), message_update(4, 43, 2, 8, "d")});
  EXPECT_EQ(mixed.stored, 1u);
  EXPECT_EQ(mixed.duplicates, 1u);

  EXPECT_EQ(recent(42).size(), 2u);
  EXPECT_EQ(recent(43).size(), 2u);
  RawDb raw(db_file());
  EXPECT_EQ(raw.value("SELECT count(*) FROM raw_updates"), "4");
  EXPECT_EQ(raw.value("SELECT count(*) FROM messages"), "4");
  EXPECT_EQ(raw.value("SELECT count(*) FROM users"), "2");
}

TEST_F(StoreTest, DuplicateInsideOneBatchCountsOnce) {
  auto summary = commit({message_update(5, 42, 1, 7, "x"), message_update(5, 42, 1, 7, "x")});
  EXPECT_EQ(summary.stored, 1u);
  EXPECT_EQ(summary.duplicates, 1u);
  EXPECT_EQ(recent(42).size(), 1u);
}

TEST_F(StoreTest, UpdatesThatNeedNoHandlingAreStoredHandled) {
  UpdateRecord member;
  member.update_id = 20;
  member.type = "my_chat_member";
  member.chat_id = 42;
  member.raw_json = R"({"update_id":20,"my_chat_member":{}})";
  member.needs_handling = false;
  commit({member, message_update(21, 42, 1, 7, "hi")});

  RawDb raw(db_file());
  EXPECT_EQ(raw.value("SELECT handled FROM raw_updates WHERE update_id = 20"), "1");
  EXPECT_EQ(raw.value("SELECT handled FROM raw_updates WHERE update_id = 21"), "0");
  EXPECT_EQ(raw.value("SELECT type FROM raw_updates WHERE update_id = 20"), "my_chat_member");
  EXPECT_EQ(raw.value("SELECT json FROM raw_updates WHERE update_id = 20"), member.raw_json);
}

TEST_F(StoreTest, UnhandledUpdatesOldestFirstUntilMarked) {
  UpdateRecord quiet = message_update(3, 42, 3, 7, "no reply due");
  quiet.needs_handling = false;
  commit({message_update(5, 42, 5, 7, "e"), message_update(1, 42, 1, 7, "a"), quiet,
          message_update(4, 42, 4, 7, "d")});

  auto pending = await<std::vector<UpdateRecord>>(
      [&](auto done) { store->unhandled_updates(10, std::move(done)); });
  ASSERT_TRUE(pending.ok());
  ASSERT_EQ(pending->size(), 3u);
  EXPECT_EQ((*pending)[0].update_id, 1);
  EXPECT_EQ((*pending)[1].update_id, 4);
  EXPECT_EQ((*pending)[2].update_id, 5);
  EXPECT_EQ((*pending)[0].type, "message");
  EXPECT_EQ((*pending)[0].chat_id, 42);
  EXPECT_EQ((*pending)[0].raw_json, "{\"update_id\":1}");
  EXPECT_TRUE((*pending)[0].needs_handling);

  auto limited = await<std::vector<UpdateRecord>>(
      [&](auto done) { store->unhandled_updates(2, std::move(done)); });
  ASSERT_TRUE(limited.ok());
  EXPECT_EQ(limited->size(), 2u);

  ASSERT_TRUE(await_status([&](auto done) { store->mark_handled({1, 5, 999}, std::move(done)); }));
  auto left = await<std::vector<UpdateRecord>>(
      [&](auto done) { store->unhandled_updates(10, std::move(done)); });
  ASSERT_TRUE(left.ok());
  ASSERT_EQ(left->size(), 1u);
  EXPECT_EQ((*left)[0].update_id, 4);
}

TEST_F(StoreTest, LastUpdateIdIsTheHighestEverStored) {
  auto none = await<std::optional<std::int64_t>>(
      [&](auto done) { store->last_update_id(std::move(done)); });
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());

  commit({message_update(7, 42, 1, 7, "a"), message_update(3, 42, 2, 7, "b")});
  auto last = await<std::optional<std::int64_t>>(
      [&](auto done) { store->last_update_id(std::move(done)); });
  ASSERT_TRUE(last.ok());
  EXPECT_EQ(*last, 7);
}

TEST_F(StoreTest, RecentMessagesAreTheLatestOldestFirst) {
  for (int i = 1; i <= 5; ++i) {
    commit({message_update(i, 42, i, 7, "m" + std::to_string(i))});
    auto r = await<storage::ReplyState>([&](auto done) {
      store->record_reply(reply(42, "u" + std::to_string(i) + ".0", "r" + std::to_string(i)),
                          std::move(done));
    });
    ASSERT_TRUE(r.ok());
  }
  commit({message_update(100, 43, 1, 8, "other chat")});

  auto last3 = recent(42, 3);
  ASSERT_EQ(last3.size(), 3u);
  EXPECT_EQ(last3[0].text, "r4");
  EXPECT_EQ(last3[0].role, Role::assistant);
  EXPECT_EQ(last3[1].text, "m5");
  EXPECT_EQ(last3[1].role, Role::user);
  EXPECT_EQ(last3[2].text, "r5");

  EXPECT_EQ(recent(42).size(), 10u);
  EXPECT_TRUE(recent(42, 0).empty());
  EXPECT_TRUE(recent(999).empty());
}

TEST_F(StoreTest, ForgetChatDropsHistoryButKeepsUpdateIds) {
  commit({message_update(1, 42, 1, 7, "secret"), message_update(2, 43, 1, 8, "kept")});
  ASSERT_TRUE(await<storage::ReplyState>([&](auto done) {
                store->record_reply(reply(42, "u1.0", "secret reply"), std::move(done));
              }).ok());

  ASSERT_TRUE(await_status([&](auto done) { store->forget_chat(42, std::move(done)); }));

  EXPECT_TRUE(recent(42).empty());
  EXPECT_EQ(recent(43).size(), 1u);
  RawDb raw(db_file());
  EXPECT_EQ(raw.value("SELECT json FROM raw_updates WHERE update_id = 1"), std::nullopt);
  EXPECT_EQ(raw.value("SELECT count(*) FROM raw_updates WHERE update_id = 1"), "1");
  EXPECT_NE(raw.value("SELECT json FROM raw_updates WHERE update_id = 2"), std::nullopt);

  // Telegram redelivers the old update: still a duplicate, nothing comes back.
  auto replay = commit({message_update(1, 42, 1, 7, "secret")});
  EXPECT_EQ(replay.duplicates, 1u);
  EXPECT_EQ(replay.stored, 0u);
  EXPECT_TRUE(recent(42).empty());

  // Its unhandled entry is still listed (the handler decides), without the text.
  auto pending = await<std::vector<UpdateRecord>>(
      [&](auto done) { store->unhandled_updates(10, std::move(done)); });
  ASSERT_TRUE(pending.ok());
  ASSERT_EQ(pending->size(), 2u);
  EXPECT_EQ((*pending)[0].raw_json, "");
}

std::vector<std::string> export_texts(SqliteStore& store, storage::ExportFilter filter) {
  std::vector<std::string> texts;
  Status s = await_status([&](auto done) {
    store.export_messages(
        filter, [&texts](const MessageRecord& m) { texts.push_back(m.text); }, std::move(done));
  });
  EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().message);
  return texts;
}

TEST_F(StoreTest, ExportFiltersByChatAndUser) {
  // Groups 42 and 43, and the private chat of user 7 (chat_id = user_id), interleaved.
  commit({message_update(1, 42, 1, 7, "42 from 7"), message_update(2, 7, 2, 7, "private 7"),
          message_update(3, 42, 3, 8, "42 from 8"), message_update(4, 43, 4, 7, "43 from 7")});
  ASSERT_TRUE(await<storage::ReplyState>([&](auto done) {
                store->record_reply(reply(7, "u2.0", "bot to 7"), std::move(done));
              }).ok());
  commit({message_update(5, 7, 5, 7, "private 7 again")});

  using V = std::vector<std::string>;
  EXPECT_EQ(export_texts(*store, {}),
            (V{"42 from 7", "private 7", "42 from 8", "43 from 7", "bot to 7", "private 7 again"}));
  EXPECT_EQ(export_texts(*store, {42, std::nullopt}), (V{"42 from 7", "42 from 8"}));
  EXPECT_EQ(export_texts(*store, {7, std::nullopt}),
            (V{"private 7", "bot to 7", "private 7 again"}));
  EXPECT_EQ(export_texts(*store, {std::nullopt, 7}),
            (V{"42 from 7", "private 7", "43 from 7", "private 7 again"}));
  EXPECT_EQ(export_texts(*store, {42, 7}), (V{"42 from 7"}));
  EXPECT_EQ(export_texts(*store, {7, 7}), (V{"private 7", "private 7 again"}));
  EXPECT_EQ(export_texts(*store, {std::nullopt, 8}), (V{"42 from 8"}));
  EXPECT_EQ(export_texts(*store, {44, std::nullopt}), V{});
}

TEST_F(StoreTest, UserUpsertKeepsFirstSeenAndFollowsNewestNames) {
  UpdateRecord first = message_update(1, 42, 1, 7, "a", 1000);
  first.user->username = "old_name";
  UpdateRecord later = message_update(2, 42, 2, 7, "b", 2000);
  later.user->username = "new_name";
  later.user->language_code = "ru";
  commit({first});
  commit({later});

  // A replay of an older update from a spool arrives last: names stay the newest.
  UpdateRecord stale = message_update(0, 42, 0, 7, "z", 500);
  stale.user->username = "ancient";
  commit({stale});

  auto user = await<std::optional<storage::UserRecord>>(
      [&](auto done) { store->find_user(7, std::move(done)); });
  ASSERT_TRUE(user.ok());
  ASSERT_TRUE(user->has_value());
  EXPECT_EQ((*user)->username, "new_name");
  EXPECT_EQ((*user)->language_code, "ru");
  EXPECT_EQ((*user)->seen_at, 2000);

  RawDb raw(db_file());
  EXPECT_EQ(raw.value("SELECT first_seen FROM users WHERE id = 7"), "500");
  EXPECT_EQ(raw.value("SELECT last_seen FROM users WHERE id = 7"), "2000");

  auto missing = await<std::optional<storage::UserRecord>>(
      [&](auto done) { store->find_user(12345, std::move(done)); });
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());
}

TEST_F(StoreTest, CyrillicAndEmojiRoundTrip) {
  const std::string text = "Привет, мир! 👋🏽 — «ёжик» \xF0\x9F\x90\xBB";
  UpdateRecord u = message_update(1, 42, 1, 7, text);
  u.user->first_name = "Алёна 🌸";
  u.raw_json = R"({"text":"Привет, мир! 👋🏽"})";
  commit({u});

  auto messages = recent(42);
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].text, text);
  auto user = await<std::optional<storage::UserRecord>>(
      [&](auto done) { store->find_user(7, std::move(done)); });
  ASSERT_TRUE(user.ok() && user->has_value());
  EXPECT_EQ((*user)->first_name, "Алёна 🌸");
  auto pending = await<std::vector<UpdateRecord>>(
      [&](auto done) { store->unhandled_updates(1, std::move(done)); });
  ASSERT_TRUE(pending.ok() && pending->size() == 1u);
  EXPECT_EQ((*pending)[0].raw_json, u.raw_json);
}

TEST_F(StoreTest, MessagesWithoutUserOrMessageAreStored) {
  UpdateRecord post;
  post.update_id = 1;
  post.type = "channel_post";
  post.chat_id = -100123;
  post.raw_json = "{}";
  MessageRecord m;
  m.chat_id = -100123;
  m.message_id = 9;
  m.text = "channel news";
  m.date = 5;
  post.message = m;  // no user: channel posts have no sender
  UpdateRecord unknown;
  unknown.update_id = 2;
  unknown.type = "some_future_update";
  unknown.raw_json = R"({"update_id":2,"some_future_update":{}})";
  auto summary = commit({post, unknown});
  EXPECT_EQ(summary.stored, 2u);
  auto messages = recent(-100123);
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_FALSE(messages[0].user_id.has_value());
}

}  // namespace
}  // namespace tgkeep::sqlite::testing
