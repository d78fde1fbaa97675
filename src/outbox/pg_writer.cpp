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
#include <boost/asio/experimental/awaitable_operators.hpp>

#include <compare>
#include <cstdint>
#include <iterator>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#include "outbox/pg_writer_sql.hpp"
#include "outbox/stage_rows.hpp"
#include "pg/copy_text.hpp"
#include "pg/store_sql.hpp"

namespace tgkeep::outbox {
namespace {

namespace asio = boost::asio;
using pg::PgError;
using pg::PgResult;
using pg::Statement;
using stage::message_row;
using stage::MessageColumns;
using stage::StageRow;
using storage::MessageRecord;
using storage::Role;
using namespace writer_sql;

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
  bool updates = false, update_edits = false, replies = false, settles = false, edits = false;
  std::vector<std::int64_t> handled;  // update_ids marked handled
  std::vector<std::int64_t> forgets;  // chat_ids, run after the rest of the segment
};

// The direct path: segment 0's updates as rows of raw_updates and messages themselves.
struct DirectRows {
  pg::CopyText raw_updates, messages;
  std::size_t updates = 0;
};

struct Plan {
  pg::CopyText stage_rows;  // COPY data
  std::vector<Segment> segments;
  bool usage = false;
  std::size_t update_entries = 0;
  bool direct = false;          // segment 0's updates go straight to their tables
  bool direct_refused = false;  // ... but one of them needs the set-based statements
  DirectRows direct_rows;
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
  explicit Planner(bool direct) { plan_.direct = direct; }

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
    if (plan_.direct && s.number == 0) return stage_direct(e, message ? &*message : nullptr);
    stage({.kind = "u",
           .first_of_id = update_ids_.insert(u.update_id).second,
           .update_id = u.update_id,
           .update = &e,
           .message = message ? &*message : nullptr,
           .sender = u.user ? &*u.user : nullptr});
  }

  void operator()(const HandledEntry& e) {
    if (e.update_ids.empty()) return;
    Segment& s = segment(false);
    s.handled.insert(s.handled.end(), e.update_ids.begin(), e.update_ids.end());
    touched_.handled_ids.insert(e.update_ids.begin(), e.update_ids.end());
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

  // An update of segment 0 on the direct path: its raw update and message as rows of their tables
  // (its sender still staged, to be folded per user). A repeated update_id is known already; an
  // edit, a reply_key or a second message of a key needs the set-based statements instead.
  void stage_direct(const UpdateEntry& e, const MessageColumns* message) {
    const storage::UpdateRecord& u = e.update;
    if (!update_ids_.insert(u.update_id).second) return;
    if (message) {
      const auto key = key_of(*u.message, u.message->role);
      plan_.direct_refused = plan_.direct_refused || u.message->edited || message->reply_key ||
                             (key && !direct_keys_.insert(*key).second);
      stage::append_message(plan_.direct_rows.messages, *message);
    }
    stage::append_raw_update(plan_.direct_rows.raw_updates, e);
    ++plan_.direct_rows.updates;
    stage({.kind = "u",
           .first_of_id = true,
           .update_id = u.update_id,
           .sender = u.user ? &*u.user : nullptr});
  }

  // Appends the entry's row to the current segment's.
  void stage(StageRow row) {
    row.seg = plan_.segments.back().number;
    row.seq = seq_;
    stage::append_stage_row(plan_.stage_rows, row);
  }

  Plan plan_;
  Touched touched_;
  std::unordered_set<std::int64_t> update_ids_;  // of the whole batch
  std::set<MessageKey> direct_keys_;             // of the direct path's messages
  int seq_ = 0;
};

struct Pipeline {
  std::vector<Statement> statements;
  std::vector<std::size_t> update_counts;  // the statements whose one row counts stored updates
};

// Which of a batch's statements a transaction runs: all of them (ending with COMMIT), or, when
// the batch is split over two connections, those of messages, users and usage events, or those
// of raw_updates. The split applies to one-segment batches on the direct path only.
enum class Part { whole, messages, raw };

Pipeline statements_of(const Plan& plan, Part part) {
  Pipeline p;
  auto add = [&p](std::string sql) { p.statements.push_back(pg::sql::plain(std::move(sql))); };
  const bool messages = part != Part::raw;
  const bool raw = part != Part::messages;
  for (const Segment& s : plan.segments) {
    if (s.updates && plan.direct && s.number == 0) {
      if (messages) add(staged(kSendersAlone, 0, {}, staged(kDirectSenders, 0)));
    } else if (s.updates) {
      // Its joins of the stage with itself as hash joins: without statistics the stage looks like
      // one row, and the planner's nested loop costs O(batch²).
      add("SET LOCAL enable_nestloop = off");
      p.update_counts.push_back(p.statements.size());
      add(staged(kStoreUpdates, s.number,
                 s.update_edits ? staged(kMarkNewEdits, s.number) : std::string()));
      add("SET LOCAL enable_nestloop TO DEFAULT");
      if (s.update_edits) add(staged(kApplyUpdateEdits, s.number));
    }
    if (messages && s.replies) add(staged(kRecordReplies, s.number));
    if (messages && s.settles) add(staged(kSettleReplies, s.number));
    if (messages && s.edits) add(staged(kEditMessages, s.number));
    if (raw && !s.handled.empty()) {
      p.statements.push_back(pg::sql::plain(
          "UPDATE raw_updates SET handled = true WHERE NOT handled AND update_id = ANY($1::int8[])",
          {pg::sql::int_array(s.handled)}));
    }
    if (!s.forgets.empty()) {
      const std::string chats = pg::sql::int_array(s.forgets);
      if (messages) {
        p.statements.push_back(
            pg::sql::plain("DELETE FROM messages WHERE chat_id = ANY($1::int8[])", {chats}));
      }
      if (raw) {
        p.statements.push_back(pg::sql::plain(
            "UPDATE raw_updates SET json = NULL WHERE chat_id = ANY($1::int8[]) AND json IS NOT "
            "NULL",
            {chats}));
      }
    }
  }
  if (messages && plan.usage) add(staged(kRecordUsage, 0));
  if (part == Part::whole) add("COMMIT");
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

// Sends `part` of `plan` on `connection`: BEGIN, its COPYs and its statements (with COMMIT when
// whole). Returns the updates the set-based statements stored; on an error the transaction is
// left for rollback().
asio::awaitable<PgResult<std::size_t>> send_part(pg::Connection& connection, Plan& plan, Part part,
                                                 std::size_t entries,
                                                 std::chrono::milliseconds timeout) {
  Pipeline apply = statements_of(plan, part);
  std::vector<Statement> begin = begin_statements();
  if (part == Part::raw) begin.resize(1);  // BEGIN; no staging there
  auto begun = co_await connection.pipeline(std::move(begin), timeout);
  if (!begun) co_return while_doing("beginning the transaction", entries, begun.error());
  if (part != Part::messages && plan.direct_rows.updates > 0) {
    auto copied = co_await connection.copy_in(
        fmt::format("COPY raw_updates ({}) FROM STDIN", stage::kRawUpdateColumns),
        plan.direct_rows.raw_updates.take(), timeout);
    if (!copied) co_return while_doing("copying their updates", entries, copied.error());
  }
  if (part != Part::raw && plan.direct_rows.messages.size() > 0) {
    auto copied = co_await connection.copy_in(
        fmt::format("COPY messages ({}) FROM STDIN", pg::sql::kMessageColumns),
        plan.direct_rows.messages.take(), timeout);
    if (!copied) co_return while_doing("copying their messages", entries, copied.error());
  }
  if (part != Part::raw) {
    auto copied =
        co_await connection.copy_in(staged(kCopyStage, 0), plan.stage_rows.take(), timeout);
    if (!copied) co_return while_doing("staging them with COPY", entries, copied.error());
  }
  std::size_t stored = 0;
  if (apply.statements.empty()) co_return stored;
  auto applied = co_await connection.pipeline(std::move(apply.statements), timeout);
  if (!applied) co_return while_doing("applying them", entries, applied.error());
  for (std::size_t index : apply.update_counts) {
    const auto& rows = (*applied)[index].rows;
    if (!rows.empty() && !rows[0].empty()) {
      stored += static_cast<std::size_t>(pg::sql::as_int(rows[0][0]));
    }
  }
  co_return stored;
}

// Ends a transaction that may still be open (aborted), so that the connection can be reused.
asio::awaitable<void> rollback(pg::Connection& connection, std::chrono::milliseconds timeout) {
  if (!connection.broken()) (void)co_await connection.query(pg::sql::plain("ROLLBACK"), timeout);
}

PgResult<PgWriteSummary> summary_of(const Plan& plan, std::size_t entries, std::size_t stored) {
  PgWriteSummary summary;
  summary.entries = entries;
  summary.updates_stored = plan.direct_rows.updates + stored;
  summary.updates_known = plan.update_entries - summary.updates_stored;
  return summary;
}

// One attempt at writing `plan` in one transaction.
asio::awaitable<PgResult<PgWriteSummary>> write_plan(pg::Connection& connection, Plan& plan,
                                                     std::size_t entries,
                                                     std::chrono::milliseconds timeout) {
  auto sent = co_await send_part(connection, plan, Part::whole, entries, timeout);
  if (!sent) {
    co_await rollback(connection, timeout);
    PgResult<PgWriteSummary> out(sent.error());
    co_return std::move(out);
  }
  co_return summary_of(plan, entries, *sent);
}

// One attempt at writing `plan` over two connections at once: raw updates on `side` (their jsonb
// is the costliest part), the rest on `main`. Committed messages first: should the raw updates'
// commit then fail, the batch is written again, and the set-based statements, finding the raw
// updates new, add nothing twice; the other order could leave raw updates whose messages a retry
// would skip as already known.
asio::awaitable<PgResult<PgWriteSummary>> write_split(pg::Connection& main, pg::Connection& side,
                                                      Plan& plan, std::size_t entries,
                                                      std::chrono::milliseconds timeout) {
  using namespace asio::experimental::awaitable_operators;
  auto [messages, raw] = co_await (send_part(main, plan, Part::messages, entries, timeout) &&
                                   send_part(side, plan, Part::raw, entries, timeout));
  std::optional<PgError> error;
  if (!messages) error = messages.error();
  if (!error && !raw) error = raw.error();
  bool main_open = true, side_open = true;  // a failed COMMIT ends its transaction too
  if (!error) {
    auto committed = co_await main.query(pg::sql::plain("COMMIT"), timeout);
    main_open = false;
    if (!committed) error = while_doing("committing their messages", entries, committed.error());
  }
  if (!error) {
    auto committed = co_await side.query(pg::sql::plain("COMMIT"), timeout);
    side_open = false;
    if (!committed) error = while_doing("committing their updates", entries, committed.error());
  }
  if (error) {
    if (main_open) co_await rollback(main, timeout);
    if (side_open) co_await rollback(side, timeout);
    PgResult<PgWriteSummary> out(std::move(*error));
    co_return std::move(out);
  }
  co_return summary_of(plan, entries, 0);
}

}  // namespace

// The direct path first: COPY into raw_updates and messages costs half of staging the rows and
// moving them with INSERT ... ON CONFLICT, and in a stream nearly every update is new. When one
// is not (a replayed batch, an update stored by the bot's own fallback), the COPY fails on its
// unique key, nothing of the attempt stays, and the set-based statements write the batch.
asio::awaitable<PgResult<PgWriteSummary>> write_to_postgres(pg::Connection& connection,
                                                            std::span<const Entry> entries,
                                                            std::chrono::milliseconds timeout) {
  co_return co_await write_to_postgres(connection, nullptr, entries, timeout);
}

struct PreparedBatch {
  Plan plan;
};

std::shared_ptr<PreparedBatch> prepare_batch(std::span<const Entry> entries) {
  auto prepared = std::make_shared<PreparedBatch>();
  prepared->plan = Planner(true).plan(entries);
  return prepared;
}

asio::awaitable<PgResult<PgWriteSummary>> write_to_postgres(
    pg::Connection& connection, pg::Connection* side, std::span<const Entry> entries,
    std::chrono::milliseconds timeout, std::shared_ptr<PreparedBatch> prepared) {
  if (entries.empty()) {
    PgWriteSummary nothing;
    PgResult<PgWriteSummary> out(nothing);
    co_return std::move(out);
  }
  Plan direct;
  if (prepared) {
    direct = std::move(prepared->plan);
  } else {
    direct = Planner(true).plan(entries);
  }
  if (!direct.direct_refused) {
    const bool split =
        side && !side->broken() && direct.segments.size() == 1 && direct.direct_rows.updates > 0;
    // Named and assigned, not a conditional temporary: g++ 12 miscompiles those in coroutines.
    PgError not_yet;
    PgResult<PgWriteSummary> written(not_yet);
    if (split) {
      written = co_await write_split(connection, *side, direct, entries.size(), timeout);
    } else {
      written = co_await write_plan(connection, direct, entries.size(), timeout);
    }
    if (written || connection.broken() || (side && side->broken()) ||
        direct.direct_rows.updates == 0) {
      co_return std::move(written);
    }
  }
  Plan set_based = Planner(false).plan(entries);
  co_return co_await write_plan(connection, set_based, entries.size(), timeout);
}

}  // namespace tgkeep::outbox
