// SqliteStore: a database left at an older schema version by an earlier tgkeep migrates at open,
// its rows and indexes intact. Migration 3 rebuilds messages (to widen its status CHECK), so it is
// the one that could lose or reorder rows, or drop an index.
#include <gtest/gtest.h>

#include <string>

#include "sqlite/migrations.hpp"
#include "sqlite/sqlite_test_support.hpp"

namespace tgkeep::sqlite::testing {
namespace {

using storage::ReplyState;
using storage::ReplyStatus;

// Every row of messages, in id order, every column quoted: equal strings mean equal rows.
constexpr const char* kMessageRows =
    "SELECT group_concat(row, char(10)) FROM (SELECT quote(id) || ',' || quote(chat_id) || ',' || "
    "quote(message_id) || ',' || quote(user_id) || ',' || quote(role) || ',' || quote(text) || "
    "',' || quote(date) || ',' || quote(update_id) || ',' || quote(edited) || ',' || "
    "quote(edit_date) || ',' || quote(reply_key) || ',' || quote(status) AS row "
    "FROM messages ORDER BY id)";
// Every index (the UNIQUE constraint's automatic one has no sql) with its definition.
constexpr const char* kIndexes =
    "SELECT group_concat(name || ' ON ' || tbl_name || ': ' || coalesce(sql, '(automatic)'), "
    "char(10)) FROM (SELECT * FROM sqlite_schema WHERE type = 'index' ORDER BY name)";
// The whole schema but the messages table itself (whose CHECK migration 3 changes).
constexpr const char* kOtherSchema =
    "SELECT group_concat(type || ' ' || name || ': ' || coalesce(sql, ''), char(10)) FROM "
    "(SELECT * FROM sqlite_schema WHERE NOT (type = 'table' AND name = 'messages') ORDER BY name)";

// A database as tgkeep with schema version 2 left it, holding a little of everything: user
// messages in a private chat and a group, replies pending, sent and failed, an edit, an unhandled
// update, a user with a tariff, a usage event, a lexicon text. Ids have a gap (a forgotten row).
void create_version_2(const std::filesystem::path& file) {
  RawDb raw(file);
  for (const Migration& m : migrations()) {
    if (m.version <= 2) raw.exec(m.sql);
  }
  raw.exec("PRAGMA user_version = 2");
  raw.exec(R"sql(
INSERT INTO raw_updates VALUES (1, 'message', 42, '{"update_id":1}', 1700000000, 1, 1);
INSERT INTO raw_updates VALUES (2, 'message', -100, '{"update_id":2}', 1700000001, 1, 0);
INSERT INTO raw_updates VALUES (3, 'message', 42, '{"update_id":3}', 1700000002, 1, 1);
INSERT INTO messages VALUES (1, 42, 1, 42, 'user', 'question', 1700000000, 1, 0, NULL, NULL,
                             'sent');
INSERT INTO messages VALUES (2, 42, NULL, NULL, 'assistant', 'answer', 1700000000, 1, 0, NULL,
                             'u1.0', 'pending');
INSERT INTO messages VALUES (3, 42, 100, NULL, 'assistant', 'part two', 1700000001, 1, 0, NULL,
                             'u1.1', 'sent');
INSERT INTO messages VALUES (5, -100, 3, 8, 'user', 'in a group, edited', 1700000001, 2, 1,
                             1700000050, NULL, 'sent');
INSERT INTO messages VALUES (6, 42, 2, 42, 'user', 'again', 1700000002, 3, 0, NULL, NULL,
                             'sent');
INSERT INTO messages VALUES (7, 42, NULL, NULL, 'assistant', 'lost', 1700000002, 3, 0, NULL,
                             'u3.0', 'failed');
INSERT INTO users VALUES (42, 0, 'ann', 'Анна', '', 'ru', 1700000000, 1700000002, 'pro');
INSERT INTO usage_events VALUES (42, 1, 1700000000, 'pro');
INSERT INTO lexicon VALUES ('ru', 'greeting', 'Привет', 1);
)sql");
}

TEST_F(StoreTest, Version2MigratesWithRowsAndIndexesIntact) {
  store.reset();
  std::filesystem::remove_all(dir.path() / "data");
  std::filesystem::create_directories(dir.path() / "data");
  create_version_2(db_file());
  std::optional<std::string> rows, indexes, other_schema;
  {
    RawDb raw(db_file());
    rows = raw.value(kMessageRows);
    indexes = raw.value(kIndexes);
    other_schema = raw.value(kOtherSchema);
  }
  ASSERT_TRUE(rows && indexes && other_schema);
  // The indexes migration 1 made, which the rebuild must make again.
  EXPECT_EQ(*indexes,
            "messages_by_chat ON messages: CREATE INDEX messages_by_chat ON messages(chat_id, "
            "update_id, id)\n"
            "messages_by_user ON messages: CREATE INDEX messages_by_user ON messages(user_id, id) "
            "WHERE user_id <> chat_id\n"
            "messages_reply_key ON messages: CREATE UNIQUE INDEX messages_reply_key ON "
            "messages(reply_key) WHERE reply_key IS NOT NULL\n"
            "raw_updates_by_chat ON raw_updates: CREATE INDEX raw_updates_by_chat ON "
            "raw_updates(chat_id) WHERE chat_id IS NOT NULL\n"
            "raw_updates_unhandled ON raw_updates: CREATE INDEX raw_updates_unhandled ON "
            "raw_updates(update_id)\n  WHERE needs_handling = 1 AND handled = 0\n"
            "sqlite_autoindex_messages_1 ON messages: (automatic)\n"
            "usage_events_by_time ON usage_events: CREATE INDEX usage_events_by_time ON "
            "usage_events(user_id, at)");

  open_store();
  EXPECT_EQ(store->schema_version(), 3);
  {
    RawDb raw(db_file());
    EXPECT_EQ(raw.value("PRAGMA user_version"), "3");
    EXPECT_EQ(raw.value("PRAGMA integrity_check"), "ok");
    EXPECT_EQ(raw.value(kMessageRows), rows);
    EXPECT_EQ(raw.value(kIndexes), indexes);
    EXPECT_EQ(raw.value(kOtherSchema), other_schema);
    EXPECT_EQ(raw.value("SELECT count(*) FROM sqlite_schema WHERE name LIKE '%v3%'"), "0");
    // The CHECK now takes resending, and still nothing else.
    EXPECT_NE(raw.value("SELECT sql FROM sqlite_schema WHERE name = 'messages'")
                  ->find("'pending', 'sent', 'failed', 'resending'"),
              std::string::npos);
    EXPECT_EQ(sqlite3_exec(raw.handle(),
                           "INSERT INTO messages (chat_id, role, text, date, status) "
                           "VALUES (1, 'user', 'x', 0, 'lost')",
                           nullptr, nullptr, nullptr),
              SQLITE_CONSTRAINT);
  }

  // The store works on the migrated rows: history in order, the pending reply found as such and
  // settled through resending, the unhandled update still unhandled.
  auto history = recent(42);
  ASSERT_EQ(history.size(), 5u);
  EXPECT_EQ(history[0].text, "question");
  EXPECT_EQ(history[1].text, "answer");
  EXPECT_EQ(history[4].text, "lost");
  auto pending = await<ReplyState>(
      [&](auto done) { store->record_reply(reply(42, "u1.0", "answer"), std::move(done)); });
  ASSERT_TRUE(pending.ok()) << pending.error().message;
  EXPECT_TRUE(pending->existed);
  EXPECT_EQ(pending->status, ReplyStatus::pending);
  ASSERT_TRUE(await_status([&](auto done) {
    store->settle_reply("u1.0", ReplyStatus::resending, std::nullopt, 1700000003, std::move(done));
  }));
  EXPECT_EQ(recent(42)[1].status, ReplyStatus::resending);
  auto unhandled = await<std::vector<storage::UpdateRecord>>(
      [&](auto done) { store->unhandled_updates(10, std::move(done)); });
  ASSERT_TRUE(unhandled.ok());
  ASSERT_EQ(unhandled->size(), 1u);
  EXPECT_EQ((*unhandled)[0].update_id, 2);
  // The rebuilt unique key (chat_id, message_id, role) still holds (ON CONFLICT names it).
  EXPECT_EQ(commit({message_update(4, 42, 2, 42, "message 2 again, in a new update")}).stored, 1u);
  EXPECT_EQ(recent(42).size(), 5u);

  // Reopening migrates nothing more; a new database has the same schema as the migrated one.
  store.reset();
  open_store();
  EXPECT_EQ(store->schema_version(), 3);
  TempDir fresh_dir;
  SqliteOptions fresh_options;
  fresh_options.data_dir = fresh_dir.path();
  ASSERT_TRUE(SqliteStore::open(fresh_options).ok());
  constexpr const char* kSchema =
      "SELECT group_concat(type || ' ' || name || ': ' || coalesce(sql, ''), char(10)) FROM "
      "(SELECT * FROM sqlite_schema ORDER BY name)";
  RawDb fresh(fresh_dir.path() / SqliteStore::kFileName);
  RawDb migrated(db_file());
  EXPECT_EQ(fresh.value(kSchema), migrated.value(kSchema));
}

}  // namespace
}  // namespace tgkeep::sqlite::testing
