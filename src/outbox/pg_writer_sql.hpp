// The SQL of the batch writer (pg_writer.cpp): its staging table and the set-based statements
// that move staged rows to the real tables. Placeholders ({stage}, {seg}, ...) are filled by
// staged().
#pragma once

#include <string>
#include <string_view>

namespace tgkeep::outbox::writer_sql {

// The session's staging table, always named with its schema: pg_temp is searched first anyway,
// but before this session has created it, the bare name could reach a table of someone else's.
inline constexpr std::string_view kStage = "pg_temp.tgkeep_outbox_stage";

// One row per entry but handled marks and forgets (sent as arrays). Columns by use:
//   seg, seq, kind   segment, position in the stream, kind letter as in entry_codec.hpp;
//                    'n' rows: the edits among the updates a segment stored
//   first_of_id      updates: the batch's first update entry of its update_id
//   update_id .. needs_handling   updates' raw_updates row
//   m_*              updates' and replies' message; settles: reply_key, status, message_id, date;
//                    edits: chat_id, message_id, role, text, edit_date
//   u_*              updates' sender;   q_*   usage events
inline constexpr std::string_view kCreateStage = R"sql(CREATE TEMP TABLE IF NOT EXISTS {stage} (
  seg int4 NOT NULL, seq int4 NOT NULL, kind text NOT NULL, first_of_id boolean,
  update_id int8, type text, chat_id int8, json jsonb, received_at int8, needs_handling boolean,
  m_chat_id int8, m_message_id int8, m_user_id int8, m_role text, m_text text, m_date int8,
  m_update_id int8, m_edited boolean, m_edit_date int8, m_reply_key text, m_status text,
  u_id int8, u_is_bot boolean, u_username text, u_first_name text, u_last_name text,
  u_language_code text, u_seen_at int8,
  q_user_id int8, q_update_id int8, q_at int8, q_tariff text
) ON COMMIT DELETE ROWS)sql";
inline constexpr std::string_view kCopyStage = "COPY {stage} FROM STDIN";  // every column, in order
// The staged message, in the order of pg::sql::kMessageColumns.
inline constexpr std::string_view kStagedMessage =
    "m_chat_id, m_message_id, m_user_id, m_role, m_text, m_date, m_update_id, m_edited, "
    "m_edit_date, m_reply_key, m_status";

// The updates of a segment, as PgStore's commit statement does one: raw updates, and only for
// the update_ids that were new, their messages and senders. Messages go in stream order (their
// ids follow it) and the first of a key wins: ON CONFLICT DO NOTHING skips the later ones, also
// within the statement. Senders are folded per user (DO UPDATE may touch a row only once).
// {mark} copies the edits among the new messages to 'n' rows of the stage, applied after.
inline constexpr std::string_view kStoreUpdates = R"sql(WITH new_updates AS (
  INSERT INTO raw_updates (update_id, type, chat_id, json, received_at, needs_handling, handled)
  SELECT update_id, type, chat_id, json, received_at, needs_handling, NOT needs_handling
  FROM {stage} WHERE seg = {seg} AND kind = 'u' AND first_of_id
  ON CONFLICT (update_id) DO NOTHING RETURNING update_id),
stored AS (
  SELECT seq, {staged_message}, u_id, u_is_bot, u_username, u_first_name, u_last_name,
         u_language_code, u_seen_at
  FROM {stage} WHERE seg = {seg} AND kind = 'u' AND first_of_id
    AND update_id IN (SELECT update_id FROM new_updates)),
new_messages AS (
  INSERT INTO messages ({messages})
  SELECT {staged_message} FROM stored WHERE m_chat_id IS NOT NULL ORDER BY seq
  ON CONFLICT (chat_id, message_id, role) DO NOTHING),
senders AS (
  {senders_of_stored}){mark}
SELECT count(*) FROM new_updates)sql";
// The senders of `stored` updates, folded per user (DO UPDATE may touch a row only once).
inline constexpr std::string_view kStoreSenders = R"sql(INSERT INTO users (id, is_bot, username,
    first_name, last_name, language_code, first_seen, last_seen)
  SELECT DISTINCT ON (u_id) u_id, u_is_bot, u_username, u_first_name, u_last_name,
         u_language_code, min(u_seen_at) OVER newest_first, u_seen_at
  FROM {stored} WHERE u_id IS NOT NULL
  WINDOW newest_first AS (PARTITION BY u_id ORDER BY u_seen_at DESC, seq DESC
                          ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)
  ORDER BY u_id, u_seen_at DESC, seq DESC
  ON CONFLICT (id) DO UPDATE SET {newest_sighting_wins})sql";
// On the direct path the stage holds only the senders of the updates stored directly.
inline constexpr std::string_view kDirectSenders =
    "(SELECT * FROM {stage} WHERE seg = {seg} AND kind = 'u') AS stored";
inline constexpr std::string_view kSendersAlone = "{senders_of_stored}";

inline constexpr std::string_view kMarkNewEdits =
    ",\nmarked AS (INSERT INTO {stage} (seg, seq, kind, m_chat_id, m_message_id, m_role, m_text, "
    "m_edit_date) SELECT {seg}, seq, 'n', m_chat_id, m_message_id, m_role, m_text, m_edit_date "
    "FROM stored WHERE m_edited AND m_message_id IS NOT NULL)";

// Per key, the newest of the segment's new edits, where it is not older than the row's (a row it
// already is, having been inserted from it, is left alone).
inline constexpr std::string_view kApplyUpdateEdits = R"sql(UPDATE messages
SET text = newest.m_text, edited = true, edit_date = newest.m_edit_date
FROM (
  SELECT DISTINCT ON (m_chat_id, m_message_id, m_role)
         m_chat_id, m_message_id, m_role, m_text, m_edit_date
  FROM {stage} WHERE seg = {seg} AND kind = 'n'
  ORDER BY m_chat_id, m_message_id, m_role, m_edit_date DESC NULLS LAST, seq DESC
) AS newest
WHERE messages.message_id = newest.m_message_id AND messages.chat_id = newest.m_chat_id
  AND messages.role = newest.m_role
  AND (messages.edit_date IS NULL OR newest.m_edit_date >= messages.edit_date)
  AND (messages.text, messages.edited, messages.edit_date)
      IS DISTINCT FROM (newest.m_text, true, newest.m_edit_date))sql";

inline constexpr std::string_view kRecordReplies =
    "INSERT INTO messages ({messages}) SELECT {staged_message} FROM {stage} "
    "WHERE seg = {seg} AND kind = 'r' ORDER BY seq "
    "ON CONFLICT (reply_key) WHERE reply_key IS NOT NULL DO NOTHING";

inline constexpr std::string_view kSettleReplies = R"sql(UPDATE messages
SET status = settled.m_status, message_id = coalesce(settled.m_message_id, messages.message_id),
    date = settled.m_date
FROM (
  SELECT DISTINCT ON (m_reply_key) m_reply_key, m_status, m_date,
         first_value(m_message_id) OVER (PARTITION BY m_reply_key
                                         ORDER BY m_message_id IS NULL, seq DESC) AS m_message_id
  FROM {stage} WHERE seg = {seg} AND kind = 's' ORDER BY m_reply_key, seq DESC
) AS settled
WHERE messages.reply_key = settled.m_reply_key)sql";

inline constexpr std::string_view kEditMessages = R"sql(UPDATE messages
SET text = latest.m_text, edited = true, edit_date = latest.m_edit_date
FROM (
  SELECT DISTINCT ON (m_chat_id, m_message_id, m_role)
         m_chat_id, m_message_id, m_role, m_text, m_edit_date
  FROM {stage} WHERE seg = {seg} AND kind = 'e'
  ORDER BY m_chat_id, m_message_id, m_role, seq DESC
) AS latest
WHERE messages.message_id = latest.m_message_id AND messages.chat_id = latest.m_chat_id
  AND messages.role = latest.m_role)sql";

inline constexpr std::string_view kRecordUsage =
    "INSERT INTO usage_events (user_id, update_id, at, tariff) "
    "SELECT q_user_id, q_update_id, q_at, q_tariff FROM {stage} WHERE kind = 'q' ORDER BY seq "
    "ON CONFLICT (user_id, update_id) DO NOTHING";

// `sql` with its placeholders filled for segment `seg`; `stored`: the relation kStoreSenders
// reads the senders from.
std::string staged(std::string_view sql, int seg, std::string_view mark = {},
                   std::string_view stored = "stored");

}  // namespace tgkeep::outbox::writer_sql
