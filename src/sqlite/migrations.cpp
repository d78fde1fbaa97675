#include "sqlite/migrations.hpp"

#include <fmt/format.h>

#include <array>
#include <string>

namespace tgkeep::sqlite {
namespace {

// Migration 1: the first schema. Notes on choices (docs/storage-sqlite.md has the why):
// - messages.id is the rowid, in insertion order. A chat's history is in conversation order:
//   by update_id (a reply carries the update_id it answers), then id, so a reply sorts right
//   after its question even when intake stored later questions before the reply was written.
// - The idempotency key (chat_id, message_id, role) is indexed message_id first: message_ids of
//   private chats and basic groups come from the bot's one increasing sequence, so new entries
//   append instead of landing in a random page per chat. SQLite treats NULLs as distinct, so
//   unsent replies (no message_id yet) never collide.
// - By user: private chats (user_id = chat_id) are served by the chat index; messages_by_user
//   holds only messages written elsewhere (groups), saving a random page write per update.
// - reply_key is unique where present; a partial index skips the NULLs of every user message.
// - Partial index on unhandled updates: it holds only the few rows a restart must revisit.
constexpr const char* kSchemaV1 = R"sql(
CREATE TABLE raw_updates (
  update_id      INTEGER PRIMARY KEY,
  type           TEXT    NOT NULL,
  chat_id        INTEGER,
  json           TEXT,
  received_at    INTEGER NOT NULL,
  needs_handling INTEGER NOT NULL,
  handled        INTEGER NOT NULL
);
CREATE INDEX raw_updates_unhandled ON raw_updates(update_id)
  WHERE needs_handling = 1 AND handled = 0;
CREATE INDEX raw_updates_by_chat ON raw_updates(chat_id) WHERE chat_id IS NOT NULL;

CREATE TABLE messages (
  id         INTEGER PRIMARY KEY,
  chat_id    INTEGER NOT NULL,
  message_id INTEGER,
  user_id    INTEGER,
  role       TEXT    NOT NULL CHECK (role IN ('user', 'assistant')),
  text       TEXT    NOT NULL,
  date       INTEGER NOT NULL,
  update_id  INTEGER,
  edited     INTEGER NOT NULL DEFAULT 0,
  edit_date  INTEGER,
  reply_key  TEXT,
  status     TEXT    NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
  UNIQUE (message_id, chat_id, role)
);
CREATE UNIQUE INDEX messages_reply_key ON messages(reply_key) WHERE reply_key IS NOT NULL;
CREATE INDEX messages_by_chat ON messages(chat_id, update_id, id);
CREATE INDEX messages_by_user ON messages(user_id, id) WHERE user_id <> chat_id;

CREATE TABLE users (
  id            INTEGER PRIMARY KEY,
  is_bot        INTEGER NOT NULL,
  username      TEXT    NOT NULL,
  first_name    TEXT    NOT NULL,
  last_name     TEXT    NOT NULL,
  language_code TEXT    NOT NULL,
  first_seen    INTEGER NOT NULL,
  last_seen     INTEGER NOT NULL
);

PRAGMA application_id = 1952934768;
)sql";

// Migration 2: usage quotas and the operator's lexicon.
// - usage_events: one row per message that consumed quota, keyed by (user_id, update_id) so a
//   replayed update does not count twice; counted by (user_id, at) to rebuild a Redis counter.
// - users.tariff: "" means the default tariff, so existing users need no backfill.
constexpr const char* kSchemaV2 = R"sql(
ALTER TABLE users ADD COLUMN tariff TEXT NOT NULL DEFAULT '';
CREATE TABLE usage_events (
  user_id   INTEGER NOT NULL,
  update_id INTEGER NOT NULL,
  at        INTEGER NOT NULL,
  tariff    TEXT    NOT NULL,
  PRIMARY KEY (user_id, update_id)
) WITHOUT ROWID;
CREATE INDEX usage_events_by_time ON usage_events(user_id, at);
CREATE TABLE lexicon (
  language   TEXT    NOT NULL,
  key        TEXT    NOT NULL,
  text       TEXT    NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (language, key)
) WITHOUT ROWID;
)sql";

// Migration 3: messages.status may also be 'resending' (a reply found pending after a crash and
// sent once more, docs/replies.md). SQLite cannot alter a CHECK constraint, so messages is rebuilt
// as SQLite's documented procedure for other table changes says (lang_altertable.html, "Making
// Other Kinds Of Table Schema Changes"): create the new table, copy, drop the old one, rename the
// new one, recreate the indexes. Notes:
// - The table is migration 1's, column for column and in the same order, with only the CHECK
//   widened; rows are copied with their id (the rowid: insertion order, the history's tie
//   breaker), so history order and every key stay as they were.
// - DROP TABLE drops the old table's indexes; the UNIQUE constraint's automatic index comes
//   with the new table (RENAME renames it to sqlite_autoindex_messages_1, as before). The three
//   named indexes are recreated exactly as migration 1 created them.
// - No foreign keys, triggers or views refer to messages, so nothing else needs rebuilding and
//   PRAGMA foreign_keys (which cannot change inside the migration's transaction) does not matter.
// - It runs in the migration's transaction like every migration: a crash leaves version 2 and
//   the old table untouched. It copies the whole table once (a large history takes a while and
//   needs its size again in free disk, once).
// - Editing the CHECK's text in sqlite_schema (PRAGMA writable_schema) would avoid the copy, but
//   a mistake there corrupts the database and defensive builds refuse it; a copy is safe.
constexpr const char* kSchemaV3 = R"sql(
CREATE TABLE messages_v3 (
  id         INTEGER PRIMARY KEY,
  chat_id    INTEGER NOT NULL,
  message_id INTEGER,
  user_id    INTEGER,
  role       TEXT    NOT NULL CHECK (role IN ('user', 'assistant')),
  text       TEXT    NOT NULL,
  date       INTEGER NOT NULL,
  update_id  INTEGER,
  edited     INTEGER NOT NULL DEFAULT 0,
  edit_date  INTEGER,
  reply_key  TEXT,
  status     TEXT    NOT NULL CHECK (status IN ('pending', 'sent', 'failed', 'resending')),
  UNIQUE (message_id, chat_id, role)
);
INSERT INTO messages_v3 (id, chat_id, message_id, user_id, role, text, date, update_id, edited,
                         edit_date, reply_key, status)
  SELECT id, chat_id, message_id, user_id, role, text, date, update_id, edited, edit_date,
         reply_key, status
  FROM messages ORDER BY id;
DROP TABLE messages;
ALTER TABLE messages_v3 RENAME TO messages;
CREATE UNIQUE INDEX messages_reply_key ON messages(reply_key) WHERE reply_key IS NOT NULL;
CREATE INDEX messages_by_chat ON messages(chat_id, update_id, id);
CREATE INDEX messages_by_user ON messages(user_id, id) WHERE user_id <> chat_id;
)sql";

constexpr std::array kMigrations = {
    Migration{1, "initial schema", kSchemaV1},
    Migration{2, "usage quotas and lexicon", kSchemaV2},
    Migration{3, "reply status resending", kSchemaV3},
};

static_assert(kApplicationId == 1952934768, "kSchemaV1 spells the application id out");

Status apply(Connection& db, const Migration& m) {
  const std::string doing = fmt::format("applying schema migration {} ({})", m.version, m.name);
  if (Status s = db.exec("BEGIN IMMEDIATE", doing); !s) return s;
  auto fail = [&](Status s) {
    (void)db.exec("ROLLBACK", doing);
    return s;
  };
  auto current = db.query_int("PRAGMA user_version", doing);
  if (!current) return fail(current.error());
  if (*current < m.version) {  // else another process applied it meanwhile
    if (Status s = db.exec(m.sql, doing); !s) return fail(s);
    const std::string set_version = fmt::format("PRAGMA user_version = {}", m.version);
    if (Status s = db.exec(set_version.c_str(), doing); !s) return fail(s);
  }
  if (Status s = db.exec("COMMIT", doing); !s) return fail(s);
  return {};
}

}  // namespace

std::span<const Migration> migrations() {
  return kMigrations;
}

int latest_schema_version() {
  return kMigrations.back().version;
}

Result<int> check_schema(Connection& db) {
  // The first read of the file: a file that is not a database fails here.
  auto version = db.query_int("PRAGMA user_version", "reading the schema version");
  if (!version) return version.error();
  auto app_id = db.query_int("PRAGMA application_id", "reading the schema version");
  if (!app_id) return app_id.error();
  const std::string path = db.path().string();
  if (*app_id != 0 && *app_id != kApplicationId) {
    return Error::fatal(fmt::format(
        "{} is a SQLite database of another application (application_id {}); choose another "
        "data dir",
        path, *app_id));
  }
  if (*app_id == 0) {
    auto tables = db.query_int("SELECT count(*) FROM sqlite_schema", "reading the schema");
    if (!tables) return tables.error();
    if (*tables != 0) {
      return Error::fatal(fmt::format(
          "{} is a SQLite database that tgkeep did not create; choose another data dir", path));
    }
  }
  if (*version > latest_schema_version()) {
    return Error::fatal(fmt::format(
        "database schema version {} is newer than this tgkeep (knows {}); upgrade tgkeep", *version,
        latest_schema_version()));
  }
  return static_cast<int>(*version);
}

Result<int> migrate(Connection& db) {
  auto before = check_schema(db);
  if (!before) return before;
  for (const Migration& m : kMigrations) {
    if (m.version <= *before) continue;
    if (Status s = apply(db, m); !s) return s.error();
  }
  return before;
}

}  // namespace tgkeep::sqlite
