#include "app/import_tables.hpp"

#include <array>

namespace tgkeep::app {
namespace {

// raw_updates by update_id. A forgotten update (a chat's /reset) has NULL json in SQLite, or ""
// when it never had any: both are NULL in PostgreSQL, as PgStore writes them. An update handled
// since an earlier import is marked handled.
constexpr std::array kRawUpdatesMerge = {
    R"sql(WITH w AS (
  INSERT INTO raw_updates (update_id, type, chat_id, json, received_at, needs_handling, handled)
  SELECT update_id, type, chat_id, json, received_at, needs_handling, handled
  FROM import_raw_updates
  ON CONFLICT (update_id) DO UPDATE SET handled = true
  WHERE excluded.handled AND NOT raw_updates.handled
  RETURNING xmax = 0 AS fresh)
SELECT count(*) FILTER (WHERE fresh), count(*) FILTER (WHERE NOT fresh) FROM w)sql",
};

// messages by (chat_id, message_id, role), replies also by reply_key. SQLite's rowid order is
// kept (src_id), so PostgreSQL's identity numbers them in the same order and an export from
// either store lists them alike.
// - The staging table is analyzed first: the updates below join it against messages, and only
//   with its real size does the planner probe the indexes instead of scanning messages.
// - A reply still pending in PostgreSQL is settled as SQLite settled it (status, message_id,
//   date), unless that message_id is taken there already; one resending there only by SQLite's
//   sent or failed. A reply's status only moves forward (pending, resending, sent or failed), so
//   a reply SQLite re-sent once is never re-sent again from PostgreSQL.
// - An edit applies when PostgreSQL has none or an older one, as the stores apply edits.
// - New rows: ON CONFLICT without a target skips a row that hits either unique key. A row with
//   neither key (no message_id, no reply_key) is matched on all its values instead.
constexpr std::array kMessagesMerge = {
    "ANALYZE import_messages",
    R"sql(WITH w AS (
  UPDATE messages m SET status = s.status, message_id = coalesce(s.message_id, m.message_id),
    date = s.date
  FROM import_messages s
  WHERE s.reply_key IS NOT NULL AND m.reply_key = s.reply_key
    AND (m.status = 'pending' AND s.status <> 'pending'
      OR m.status = 'resending' AND s.status IN ('sent', 'failed'))
    AND (s.message_id IS NULL OR m.message_id IS NOT DISTINCT FROM s.message_id OR NOT EXISTS (
      SELECT 1 FROM messages o
      WHERE o.message_id = s.message_id AND o.chat_id = m.chat_id AND o.role = m.role))
  RETURNING 1)
SELECT 0, count(*) FROM w)sql",
    R"sql(WITH w AS (
  UPDATE messages m SET text = s.text, edited = true, edit_date = s.edit_date
  FROM import_messages s
  WHERE s.edited AND s.message_id IS NOT NULL AND m.message_id = s.message_id
    AND m.chat_id = s.chat_id AND m.role = s.role
    AND (NOT m.edited OR s.edit_date > m.edit_date)
  RETURNING 1)
SELECT 0, count(*) FROM w)sql",
    R"sql(WITH w AS (
  INSERT INTO messages (chat_id, message_id, user_id, role, text, date, update_id, edited,
    edit_date, reply_key, status)
  SELECT chat_id, message_id, user_id, role, text, date, update_id, edited, edit_date, reply_key,
    status
  FROM import_messages s
  WHERE s.message_id IS NOT NULL OR s.reply_key IS NOT NULL OR NOT EXISTS (
    SELECT 1 FROM messages m
    WHERE m.chat_id = s.chat_id AND m.message_id IS NULL AND m.reply_key IS NULL
      AND m.role = s.role AND m.update_id IS NOT DISTINCT FROM s.update_id
      AND m.date = s.date AND m.text = s.text)
  ORDER BY s.src_id
  ON CONFLICT DO NOTHING
  RETURNING 1)
SELECT count(*), 0 FROM w)sql",
};

// users by id: the names of the newest sighting, the earliest first_seen, the latest last_seen;
// a tariff set on either side survives the other's default (on both sides: the newest sighting's).
constexpr std::array kUsersMerge = {
    R"sql(WITH w AS (
  INSERT INTO users (id, is_bot, username, first_name, last_name, language_code, first_seen,
    last_seen, tariff)
  SELECT id, is_bot, username, first_name, last_name, language_code, first_seen, last_seen, tariff
  FROM import_users
  ON CONFLICT (id) DO UPDATE SET
    is_bot = CASE WHEN excluded.last_seen > users.last_seen
      THEN excluded.is_bot ELSE users.is_bot END,
    username = CASE WHEN excluded.last_seen > users.last_seen
      THEN excluded.username ELSE users.username END,
    first_name = CASE WHEN excluded.last_seen > users.last_seen
      THEN excluded.first_name ELSE users.first_name END,
    last_name = CASE WHEN excluded.last_seen > users.last_seen
      THEN excluded.last_name ELSE users.last_name END,
    language_code = CASE WHEN excluded.last_seen > users.last_seen
      THEN excluded.language_code ELSE users.language_code END,
    first_seen = least(users.first_seen, excluded.first_seen),
    last_seen = greatest(users.last_seen, excluded.last_seen),
    tariff = CASE WHEN excluded.tariff <> ''
        AND (users.tariff = '' OR excluded.last_seen > users.last_seen)
      THEN excluded.tariff ELSE users.tariff END
  WHERE excluded.last_seen > users.last_seen OR excluded.first_seen < users.first_seen
    OR (excluded.tariff <> '' AND users.tariff = '')
  RETURNING xmax = 0 AS fresh)
SELECT count(*) FILTER (WHERE fresh), count(*) FILTER (WHERE NOT fresh) FROM w)sql",
};

// usage_events by (user_id, update_id): an event is a fact, never changed.
constexpr std::array kUsageEventsMerge = {
    R"sql(WITH w AS (
  INSERT INTO usage_events (user_id, update_id, at, tariff)
  SELECT user_id, update_id, at, tariff FROM import_usage_events
  ON CONFLICT (user_id, update_id) DO NOTHING
  RETURNING 1)
SELECT count(*), 0 FROM w)sql",
};

// lexicon by (language, key): the newest text wins.
constexpr std::array kLexiconMerge = {
    R"sql(WITH w AS (
  INSERT INTO lexicon (language, key, text, updated_at)
  SELECT language, key, text, updated_at FROM import_lexicon
  ON CONFLICT (language, key) DO UPDATE SET text = excluded.text, updated_at = excluded.updated_at
  WHERE excluded.updated_at > lexicon.updated_at
  RETURNING xmax = 0 AS fresh)
SELECT count(*) FILTER (WHERE fresh), count(*) FILTER (WHERE NOT fresh) FROM w)sql",
};

const std::array kTables = {
    ImportTable{
        "raw_updates", 1,
        "SELECT update_id, type, chat_id, nullif(json, ''), received_at, needs_handling, handled "
        "FROM raw_updates ORDER BY update_id",
        nullptr, 7, 3,
        "CREATE TEMP TABLE import_raw_updates (update_id int8, type text, chat_id int8, "
        "json jsonb, received_at int8, needs_handling bool, handled bool)",
        kRawUpdatesMerge},
    ImportTable{"messages", 1,
                // PostgreSQL refuses an empty reply_key (it would mean "none"): NULL is none.
                "SELECT id, chat_id, message_id, user_id, role, text, date, update_id, edited, "
                "edit_date, nullif(reply_key, ''), status FROM messages ORDER BY id",
                nullptr, 12, -1,
                "CREATE TEMP TABLE import_messages (src_id int8, chat_id int8, message_id int8, "
                "user_id int8, role text, text text, date int8, update_id int8, edited bool, "
                "edit_date int8, reply_key text, status text)",
                kMessagesMerge},
    ImportTable{
        "users", 1,
        "SELECT id, is_bot, username, first_name, last_name, language_code, first_seen, "
        "last_seen, tariff FROM users ORDER BY id",
        // Tariffs came with schema version 2; before, everyone was on the default ('').
        "SELECT id, is_bot, username, first_name, last_name, language_code, first_seen, "
        "last_seen, '' FROM users ORDER BY id",
        9, -1,
        "CREATE TEMP TABLE import_users (id int8, is_bot bool, username text, first_name text, "
        "last_name text, language_code text, first_seen int8, last_seen int8, tariff text)",
        kUsersMerge},
    ImportTable{"usage_events", 2,
                "SELECT user_id, update_id, at, tariff FROM usage_events ORDER BY user_id, "
                "update_id",
                nullptr, 4, -1,
                "CREATE TEMP TABLE import_usage_events (user_id int8, update_id int8, at int8, "
                "tariff text)",
                kUsageEventsMerge},
    ImportTable{"lexicon", 2,
                "SELECT language, key, text, updated_at FROM lexicon ORDER BY language, key",
                nullptr, 4, -1,
                "CREATE TEMP TABLE import_lexicon (language text, key text, text text, "
                "updated_at int8)",
                kLexiconMerge},
};

}  // namespace

std::span<const ImportTable> import_tables() {
  return kTables;
}

std::string staging_name(const ImportTable& table) {
  return "import_" + std::string(table.name);
}

std::string_view sqlite_select(const ImportTable& table, int schema_version) {
  if (schema_version < 2 && table.select_v1 != nullptr) return table.select_v1;
  return table.select;
}

}  // namespace tgkeep::app
