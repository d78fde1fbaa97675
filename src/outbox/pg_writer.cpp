// The batch writer of pg_writer.hpp: the staging rows, the segments that keep the stream's
// order, and the set-based statements.
//
// Order. Within a segment the statements run kind by kind: updates (raw update, message, sender),
// replies, settles, edits, handled marks, then the segment's forgets; usage events, which touch
// nothing the others do, in one statement after every segment. That is the stream's result unless
// an entry follows one of a later kind touching the same rows; there a new segment starts:
//   - any entry after a forget (which must not delete what follows it; forgets are rare);
//   - an update after a handled mark of its update_id; after an edit, reply or (assistant
//     message) settle of its message's key; after a reply or settle of its reply_key; after a
//     reply to the same (chat_id, update_id), so that messages.id keeps the stream's order there;
//   - a reply after a settle of its reply_key, or (already sent) an edit or settle of its key;
//   - a settle giving a message_id after any edit (edits find rows by message_id; edits are rare).
// One kind's entries within a segment fold as applying them one by one would: an update_id's
// first update is stored, later ones are known; per message key the first new message is
// inserted, then the newest edit of the new updates applies unless older than the row's (equal
// dates: the later one, PgStore's rule); per user the newest sighting's names, the least
// first_seen, the greatest last_seen; per reply_key the first reply, the last settle's status and
// date and the last message_id given; per message key the last edit.
#include "outbox/pg_writer.hpp"

#include <fmt/format.h>

#include <compare>
#include <cstdint>
#include <iterator>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#include "pg/copy_text.hpp"
#include "pg/store_sql.hpp"

namespace tgkeep::outbox {
namespace {

namespace asio = boost::asio;
using pg::PgError;
using pg::PgResult;
using pg::Statement;
using storage::MessageRecord;
using storage::Role;

// The session's staging table, always named with its schema: pg_temp is searched first anyway,
// but before this session has created it, the bare name could reach a table of someone else's.
constexpr std::string_view kStage = "pg_temp.tgkeep_outbox_stage";

// One row per entry, one per update_id of a handled entry. Columns by use:
//   seg, seq, kind   segment, position in the stream, kind letter as in entry_codec.hpp;
//                    'n' rows: the edits among the updates a segment stored
//   first_of_id      updates: the batch's first update entry of its update_id
//   update_id .. needs_handling   updates' raw_updates row; handled marks: update_id
//   m_*              updates' and replies' message; settles: reply_key, status, message_id, date;
//                    edits: chat_id, message_id, role, text, edit_date
//   u_*              updates' sender;   q_*   usage events
constexpr std::string_view kCreateStage = R"sql(CREATE TEMP TABLE IF NOT EXISTS {stage} (
  seg int4 NOT NULL, seq int4 NOT NULL, kind text NOT NULL, first_of_id boolean,
  update_id int8, type text, chat_id int8, json jsonb, received_at int8, needs_handling boolean,
  m_chat_id int8, m_message_id int8, m_user_id int8, m_role text, m_text text, m_date int8,
  m_update_id int8, m_edited boolean, m_edit_date int8, m_reply_key text, m_status text,
  u_id int8, u_is_bot boolean, u_username text, u_first_name text, u_last_name text,
  u_language_code text, u_seen_at int8,
  q_user_id int8, q_update_id int8, q_at int8, q_tariff text
) ON COMMIT DELETE ROWS)sql";
constexpr std::string_view kCopyStage = "COPY {stage} FROM STDIN";  // every column, in order
// The staged message, in the order of pg::sql::kMessageColumns.
constexpr std::string_view kStagedMessage =
    "m_chat_id, m_message_id, m_user_id, m_role, m_text, m_date, m_update_id, m_edited, "
    "m_edit_date, m_reply_key, m_status";

// The updates of a segment, as PgStore's commit statement does one: raw updates, and only for
// the update_ids that were new, their messages and senders. Messages go in stream order (their
// ids follow it) and the first of a key wins: ON CONFLICT DO NOTHING skips the later ones, also
// within the statement. Senders are folded per user (DO UPDATE may touch a row only once).
// {mark} copies the edits among the new messages to 'n' rows of the stage, applied after.
constexpr std::string_view kStoreUpdates = R"sql(WITH new_updates AS (
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
  INSERT INTO users (id, is_bot, username, first_name, last_name, language_code, first_seen,
                     last_seen)
  SELECT DISTINCT ON (u_id) u_id, u_is_bot, u_username, u_first_name, u_last_name,
         u_language_code, min(u_seen_at) OVER newest_first, u_seen_at
  FROM stored WHERE u_id IS NOT NULL
  WINDOW newest_first AS (PARTITION BY u_id ORDER BY u_seen_at DESC, seq DESC
                          ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)
  ORDER BY u_id, u_seen_at DESC, seq DESC
  ON CONFLICT (id) DO UPDATE SET {newest_sighting_wins}){mark}
SELECT count(*) FROM new_updates)sql";
constexpr std::string_view kMarkNewEdits =
    ",\nmarked AS (INSERT INTO {stage} (seg, seq, kind, m_chat_id, m_message_id, m_role, m_text, "
    "m_edit_date) SELECT {seg}, seq, 'n', m_chat_id, m_message_id, m_role, m_text, m_edit_date "
    "FROM stored WHERE m_edited AND m_message_id IS NOT NULL)";

// Per key, the newest of the segment's new edits, where it is not older than the row's (a row it
// already is, having been inserted from it, is left alone).
constexpr std::string_view kApplyUpdateEdits = R"sql(UPDATE messages
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

constexpr std::string_view kRecordReplies =
    "INSERT INTO messages ({messages}) SELECT {staged_message} FROM {stage} "
    "WHERE seg = {seg} AND kind = 'r' ORDER BY seq "
    "ON CONFLICT (reply_key) WHERE reply_key IS NOT NULL DO NOTHING";

constexpr std::string_view kSettleReplies = R"sql(UPDATE messages
SET status = settled.m_status, message_id = coalesce(settled.m_message_id, messages.message_id),
    date = settled.m_date
FROM (
  SELECT DISTINCT ON (m_reply_key) m_reply_key, m_status, m_date,
         first_value(m_message_id) OVER (PARTITION BY m_reply_key
                                         ORDER BY m_message_id IS NULL, seq DESC) AS m_message_id
  FROM {stage} WHERE seg = {seg} AND kind = 's' ORDER BY m_reply_key, seq DESC
) AS settled
WHERE messages.reply_key = settled.m_reply_key)sql";

constexpr std::string_view kEditMessages = R"sql(UPDATE messages
SET text = latest.m_text, edited = true, edit_date = latest.m_edit_date
FROM (
  SELECT DISTINCT ON (m_chat_id, m_message_id, m_role)
         m_chat_id, m_message_id, m_role, m_text, m_edit_date
  FROM {stage} WHERE seg = {seg} AND kind = 'e'
  ORDER BY m_chat_id, m_message_id, m_role, seq DESC
) AS latest
WHERE messages.message_id = latest.m_message_id AND messages.chat_id = latest.m_chat_id
  AND messages.role = latest.m_role)sql";

constexpr std::string_view kMarkHandled =
    "UPDATE raw_updates SET handled = true WHERE NOT handled AND update_id IN "
    "(SELECT update_id FROM {stage} WHERE seg = {seg} AND kind = 'h')";

constexpr std::string_view kRecordUsage =
    "INSERT INTO usage_events (user_id, update_id, at, tariff) "
    "SELECT q_user_id, q_update_id, q_at, q_tariff FROM {stage} WHERE kind = 'q' ORDER BY seq "
    "ON CONFLICT (user_id, update_id) DO NOTHING";

// PgStore's rule for a user seen again: names follow the newest sighting (ties: the later one),
// first_seen the least, last_seen the greatest; the tariff is never touched.
std::string newest_sighting_wins() {
  std::string set;
  for (std::string_view column :
       {"is_bot", "username", "first_name", "last_name", "language_code"}) {
    set += fmt::format(
        "{0} = CASE WHEN excluded.last_seen >= users.last_seen THEN excluded.{0} ELSE users.{0} "
        "END, ",
        column);
  }
  return set +
         "first_seen = least(users.first_seen, excluded.first_seen), "
         "last_seen = greatest(users.last_seen, excluded.last_seen)";
}

// `sql` with its placeholders filled for segment `seg`.
std::string staged(std::string_view sql, int seg, std::string_view mark = {}) {
  static const std::string kNewestSightingWins = newest_sighting_wins();
  return fmt::format(fmt::runtime(sql), fmt::arg("stage", kStage), fmt::arg("seg", seg),
                     fmt::arg("messages", pg::sql::kMessageColumns),
                     fmt::arg("staged_message", kStagedMessage),
                     fmt::arg("newest_sighting_wins", kNewestSightingWins), fmt::arg("mark", mark));
}

// --- staging rows -------------------------------------------------------------------------------

// A raw update for jsonb: empty is NULL, and the escape \u0000, which jsonb refuses, is replaced
// as PgStore replaces it.
void json_field(pg::CopyText& row, std::string_view raw) {
  if (raw.empty()) return row.field(std::nullopt);
  if (raw.find("\\u0000") == std::string_view::npos) return row.field(raw);
  row.field(pg::sanitize_json(raw));
}

// The m_* columns of a row; what a kind does not use stays NULL.
struct MessageColumns {
  std::optional<std::int64_t> chat_id{}, message_id{}, user_id{};
  std::optional<std::string_view> role{}, text{};
  std::optional<std::int64_t> date{}, update_id{};
  std::optional<bool> edited{};
  std::optional<std::int64_t> edit_date{};
  std::optional<std::string_view> reply_key{}, status{};
};

// A whole message row, as pg::sql::message_values writes it.
MessageColumns message_row(const MessageRecord& m, std::optional<std::int64_t> update_id) {
  MessageColumns c{.chat_id = m.chat_id,
                   .message_id = m.message_id,
                   .user_id = m.user_id,
                   .role = storage::role_name(m.role),
                   .text = m.text,
                   .date = m.date,
                   .update_id = update_id,
                   .edited = m.edited,
                   .edit_date = m.edit_date,
                   .status = storage::reply_status_name(m.status)};
  if (!m.reply_key.empty()) c.reply_key = m.reply_key;
  return c;
}

// The parts of one staging row; null pointers are NULL columns.
struct StageRow {
  int seg = 0;
  int seq = 0;
  std::string_view kind;
  std::optional<bool> first_of_id{};
  std::optional<std::int64_t> update_id{};
  const UpdateEntry* update = nullptr;
  const MessageColumns* message = nullptr;
  const storage::UserRecord* sender = nullptr;
  const storage::UsageEvent* usage = nullptr;
};

void append_row(pg::CopyText& r, const StageRow& s) {
  r.number(s.seg);
  r.number(s.seq);
  r.field(s.kind);
  r.flag(s.first_of_id);
  r.number(s.update_id);
  if (s.update) {
    const storage::UpdateRecord& u = s.update->update;
    r.field(u.type);
    r.number(u.chat_id);
    json_field(r, u.raw_json);
    r.number(s.update->received_at);
    r.flag(u.needs_handling);
  } else {
    r.nulls(5);
  }
  if (const MessageColumns* m = s.message) {
    r.number(m->chat_id);
    r.number(m->message_id);
    r.number(m->user_id);
    r.field(m->role);
    r.field(m->text);
    r.number(m->date);
    r.number(m->update_id);
    r.flag(m->edited);
    r.number(m->edit_date);
    r.field(m->reply_key);
    r.field(m->status);
  } else {
    r.nulls(11);
  }
  if (const storage::UserRecord* user = s.sender) {
    r.number(user->id);
    r.flag(user->is_bot);
    r.field(user->username);
    r.field(user->first_name);
    r.field(user->last_name);
    r.field(user->language_code);
    r.number(user->seen_at);
  } else {
    r.nulls(7);
  }
  if (const storage::UsageEvent* q = s.usage) {
    r.number(q->user_id);
    r.number(q->update_id);
    r.number(q->at);
    r.field(q->tariff);
  } else {
    r.nulls(4);
  }
  r.end_row();
}

struct MessageKey {
  std::int64_t chat_id = 0;
  std::int64_t message_id = 0;
  Role role = Role::user;
  auto operator<=>(const MessageKey&) const = default;
};

std::optional<MessageKey> key_of(const MessageRecord& m, Role role) {
  if (!m.message_id) return std::nullopt;  // unsent: no key, never a conflict
  return MessageKey{m.chat_id, *m.message_id, role};
}

// Which statements a segment needs.
struct Segment {
  int number = 0;
  bool updates = false, update_edits = false, replies = false, settles = false, edits = false,
       handled = false;
  std::vector<std::int64_t> forgets;  // chat_ids, run after the rest of the segment
};

struct Plan {
  pg::CopyText stage_rows;  // COPY data
  std::vector<Segment> segments;
  bool usage = false;
  std::size_t update_entries = 0;
};

// What the entries of the current segment touched, for the rules of the file comment.
struct Touched {
  std::unordered_set<std::int64_t> handled_ids;
  std::set<MessageKey> edited_keys;
  std::set<MessageKey> reply_message_keys;
  std::set<std::pair<std::int64_t, std::int64_t>> reply_positions;  // (chat_id, update_id)
  std::set<std::string_view> reply_keys;
  std::set<std::string_view> settled_keys;
  std::unordered_set<std::int64_t> settled_message_ids;
};

// Walks the stream once: stages every entry and cuts it into segments.
class Planner {
 public:
  Plan plan(std::span<const Entry> entries) {
    plan_.segments.emplace_back();
    for (std::size_t i = 0; i < entries.size(); ++i) {
      seq_ = static_cast<int>(i);
      std::visit(*this, entries[i]);
    }
    return std::move(plan_);
  }

  void operator()(const UpdateEntry& e) {
    const storage::UpdateRecord& u = e.update;
    bool conflict = touched_.handled_ids.contains(u.update_id);
    std::optional<MessageColumns> message;
    if (u.message) {
      const MessageRecord& m = *u.message;
      const std::int64_t update_id = m.update_id.value_or(u.update_id);
      if (auto key = key_of(m, m.role)) {
        conflict =
            conflict || touched_.edited_keys.contains(*key) ||
            touched_.reply_message_keys.contains(*key) ||
            (m.role == Role::assistant && touched_.settled_message_ids.contains(key->message_id));
      }
      conflict = conflict || touched_.reply_positions.contains({m.chat_id, update_id}) ||
                 (!m.reply_key.empty() && (touched_.reply_keys.contains(m.reply_key) ||
                                           touched_.settled_keys.contains(m.reply_key)));
      message = message_row(m, update_id);
    }
    Segment& s = segment(conflict);
    s.updates = true;
    s.update_edits = s.update_edits || (u.message && u.message->edited);
    ++plan_.update_entries;
    stage({.kind = "u",
           .first_of_id = update_ids_.insert(u.update_id).second,
           .update_id = u.update_id,
           .update = &e,
           .message = message ? &*message : nullptr,
           .sender = u.user ? &*u.user : nullptr});
  }

  void operator()(const HandledEntry& e) {
    if (e.update_ids.empty()) return;
    segment(false).handled = true;
    for (std::int64_t id : e.update_ids) {
      stage({.kind = "h", .update_id = id});
      touched_.handled_ids.insert(id);
    }
  }

  void operator()(const ReplyEntry& e) {
    const MessageRecord& reply = e.reply;
    if (reply.reply_key.empty()) return;  // PgStore refuses it and writes nothing
    const auto key = key_of(reply, Role::assistant);
    const bool conflict = touched_.settled_keys.contains(reply.reply_key) ||
                          (key && (touched_.edited_keys.contains(*key) ||
                                   touched_.settled_message_ids.contains(key->message_id)));
    segment(conflict).replies = true;
    // Recorded as PgStore's record_reply records it: an assistant message, pending.
    MessageColumns message = message_row(reply, reply.update_id);
    message.role = storage::role_name(Role::assistant);
    message.status = storage::reply_status_name(storage::ReplyStatus::pending);
    stage({.kind = "r", .message = &message});
    touched_.reply_keys.insert(reply.reply_key);
    if (key) touched_.reply_message_keys.insert(*key);
    if (reply.update_id) touched_.reply_positions.insert({reply.chat_id, *reply.update_id});
  }

  void operator()(const SettleEntry& e) {
    segment(e.message_id && !touched_.edited_keys.empty()).settles = true;
    const MessageColumns message{.message_id = e.message_id,
                                 .date = e.date,
                                 .reply_key = e.reply_key,
                                 .status = storage::reply_status_name(e.status)};
    stage({.kind = "s", .message = &message});
    touched_.settled_keys.insert(e.reply_key);
    if (e.message_id) touched_.settled_message_ids.insert(*e.message_id);
  }

  void operator()(const EditEntry& e) {
    segment(false).edits = true;
    const MessageColumns message{.chat_id = e.chat_id,
                                 .message_id = e.message_id,
                                 .role = storage::role_name(e.role),
                                 .text = e.text,
                                 .edit_date = e.edit_date};
    stage({.kind = "e", .message = &message});
    touched_.edited_keys.insert(MessageKey{e.chat_id, e.message_id, e.role});
  }

  void operator()(const ForgetEntry& e) { plan_.segments.back().forgets.push_back(e.chat_id); }

  void operator()(const UsageEntry& e) {
    plan_.usage = true;
    stage({.kind = "q", .usage = &e.event});
  }

 private:
  // The segment for the entry at hand: a new one after a conflict or after a forget.
  Segment& segment(bool conflict) {
    if (conflict || !plan_.segments.back().forgets.empty()) {
      Segment next;
      next.number = static_cast<int>(plan_.segments.size());
      plan_.segments.push_back(std::move(next));
      touched_ = Touched();
    }
    return plan_.segments.back();
  }

  // Appends the entry's row to the current segment's.
  void stage(StageRow row) {
    row.seg = plan_.segments.back().number;
    row.seq = seq_;
    append_row(plan_.stage_rows, row);
  }

  Plan plan_;
  Touched touched_;
  std::unordered_set<std::int64_t> update_ids_;  // of the whole batch
  int seq_ = 0;
};

struct Pipeline {
  std::vector<Statement> statements;
  std::vector<std::size_t> update_counts;  // the statements whose one row counts stored updates
};

Pipeline statements_of(const Plan& plan) {
  Pipeline p;
  auto add = [&p](std::string sql) { p.statements.push_back(pg::sql::plain(std::move(sql))); };
  for (const Segment& s : plan.segments) {
    if (s.updates) {
      // Its joins of the stage with itself as hash joins: without statistics the stage looks like
      // one row, and the planner's nested loop costs O(batch²).
      add("SET LOCAL enable_nestloop = off");
      p.update_counts.push_back(p.statements.size());
      add(staged(kStoreUpdates, s.number,
                 s.update_edits ? staged(kMarkNewEdits, s.number) : std::string()));
      add("SET LOCAL enable_nestloop TO DEFAULT");
      if (s.update_edits) add(staged(kApplyUpdateEdits, s.number));
    }
    if (s.replies) add(staged(kRecordReplies, s.number));
    if (s.settles) add(staged(kSettleReplies, s.number));
    if (s.edits) add(staged(kEditMessages, s.number));
    if (s.handled) add(staged(kMarkHandled, s.number));
    if (!s.forgets.empty()) {
      const std::string chats = pg::sql::int_array(s.forgets);
      p.statements.push_back(
          pg::sql::plain("DELETE FROM messages WHERE chat_id = ANY($1::int8[])", {chats}));
      p.statements.push_back(pg::sql::plain(
          "UPDATE raw_updates SET json = NULL WHERE chat_id = ANY($1::int8[]) AND json IS NOT NULL",
          {chats}));
    }
  }
  if (plan.usage) add(staged(kRecordUsage, 0));
  add("COMMIT");
  return p;
}

// BEGIN, and the staging table when this session has none yet (its NOTICE "already exists"
// silenced: libpq would print it on stderr for every batch).
std::vector<Statement> begin_statements() {
  return {pg::sql::plain("BEGIN"), pg::sql::plain("SET LOCAL client_min_messages = warning"),
          pg::sql::plain(staged(kCreateStage, 0))};
}

PgError while_doing(std::string_view doing, std::size_t entries, PgError error) {
  error.message =
      fmt::format("writing a batch of {} outbox entries, {}: {}", entries, doing, error.message);
  return error;
}

}  // namespace

asio::awaitable<PgResult<PgWriteSummary>> write_to_postgres(pg::Connection& connection,
                                                            std::span<const Entry> entries,
                                                            std::chrono::milliseconds timeout) {
  PgWriteSummary summary;
  summary.entries = entries.size();
  if (entries.empty()) {
    PgResult<PgWriteSummary> out(summary);
    co_return std::move(out);
  }
  Plan plan = Planner().plan(entries);
  Pipeline apply = statements_of(plan);

  std::optional<PgError> error;
  auto begun = co_await connection.pipeline(begin_statements(), timeout);
  if (!begun) error = while_doing("beginning the transaction", entries.size(), begun.error());
  if (!error) {
    auto copied =
        co_await connection.copy_in(staged(kCopyStage, 0), plan.stage_rows.take(), timeout);
    if (!copied) error = while_doing("staging them with COPY", entries.size(), copied.error());
  }
  std::vector<pg::Rows> results;
  if (!error) {
    auto applied = co_await connection.pipeline(std::move(apply.statements), timeout);
    if (!applied) error = while_doing("applying them", entries.size(), applied.error());
    if (applied) results = std::move(applied).value();
  }
  if (error) {
    // The transaction may still be open (aborted): end it so that the connection can be reused.
    if (!connection.broken()) (void)co_await connection.query(pg::sql::plain("ROLLBACK"), timeout);
    PgResult<PgWriteSummary> out(std::move(*error));
    co_return std::move(out);
  }
  for (std::size_t index : apply.update_counts) {
    const auto& rows = results[index].rows;
    if (!rows.empty() && !rows[0].empty()) {
      summary.updates_stored += static_cast<std::size_t>(pg::sql::as_int(rows[0][0]));
    }
  }
  summary.updates_known = plan.update_entries - summary.updates_stored;
  PgResult<PgWriteSummary> out(summary);
  co_return std::move(out);
}

}  // namespace tgkeep::outbox
