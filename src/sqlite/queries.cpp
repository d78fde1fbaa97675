#include "sqlite/queries.hpp"

#include <fmt/format.h>
#include <sqlite3.h>

#include <limits>
#include <string>
#include <utility>

namespace tgkeep::sqlite {
namespace {

using storage::CommitSummary;
using storage::MessageRecord;
using storage::ReplyState;
using storage::ReplyStatus;
using storage::Role;
using storage::UpdateRecord;
using storage::UserRecord;

// Columns of a message row, in the order read_message() expects.
#define TGKEEP_MESSAGE_COLUMNS                                                                \
  "chat_id, message_id, user_id, role, text, date, update_id, edited, edit_date, reply_key, " \
  "status"

constexpr const char* kInsertUpdate =
    "INSERT INTO raw_updates (update_id, type, chat_id, json, received_at, needs_handling, "
    "handled) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (update_id) DO NOTHING";
constexpr const char* kInsertMessage = "INSERT INTO messages (" TGKEEP_MESSAGE_COLUMNS
                                       ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) "
                                       "ON CONFLICT (chat_id, message_id, role) DO NOTHING";
// An edit applies when it is not older than what is stored; without an original it is stored as
// the message.
constexpr const char* kUpsertEdit =
    "INSERT INTO messages (" TGKEEP_MESSAGE_COLUMNS
    ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) "
    "ON CONFLICT (chat_id, message_id, role) DO UPDATE SET text = excluded.text, edited = 1, "
    "edit_date = excluded.edit_date "
    "WHERE messages.edit_date IS NULL OR excluded.edit_date >= messages.edit_date";
// Names follow the newest sighting, so a replayed old update does not undo a rename.
constexpr const char* kUpsertUser =
    "INSERT INTO users (id, is_bot, username, first_name, last_name, language_code, first_seen, "
    "last_seen) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7) "
    "ON CONFLICT (id) DO UPDATE SET "
    "is_bot = iif(excluded.last_seen >= users.last_seen, excluded.is_bot, users.is_bot), "
    "username = iif(excluded.last_seen >= users.last_seen, excluded.username, users.username), "
    "first_name = iif(excluded.last_seen >= users.last_seen, excluded.first_name, "
    "users.first_name), "
    "last_name = iif(excluded.last_seen >= users.last_seen, excluded.last_name, users.last_name), "
    "language_code = iif(excluded.last_seen >= users.last_seen, excluded.language_code, "
    "users.language_code), "
    "first_seen = min(users.first_seen, excluded.first_seen), "
    "last_seen = max(users.last_seen, excluded.last_seen)";
constexpr const char* kMarkHandled = "UPDATE raw_updates SET handled = 1 WHERE update_id = ?1";
constexpr const char* kInsertReply =
    "INSERT INTO messages (" TGKEEP_MESSAGE_COLUMNS
    ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) "
    "ON CONFLICT (reply_key) WHERE reply_key IS NOT NULL DO NOTHING";
constexpr const char* kSelectReply = "SELECT status, message_id FROM messages WHERE reply_key = ?1";
constexpr const char* kSettleReply =
    "UPDATE messages SET status = ?2, message_id = coalesce(?3, message_id), date = ?4 "
    "WHERE reply_key = ?1";
constexpr const char* kForgetMessages = "DELETE FROM messages WHERE chat_id = ?1";
constexpr const char* kForgetUpdates =
    "UPDATE raw_updates SET json = NULL WHERE chat_id = ?1 AND json IS NOT NULL";
constexpr const char* kEditMessage =
    "UPDATE messages SET text = ?4, edited = 1, edit_date = ?5 "
    "WHERE message_id = ?2 AND chat_id = ?1 AND role = ?3";
constexpr const char* kUnhandled =
    "SELECT update_id, type, chat_id, json FROM raw_updates "
    "WHERE needs_handling = 1 AND handled = 0 ORDER BY update_id LIMIT ?1";
constexpr const char* kLastUpdateId = "SELECT max(update_id) FROM raw_updates";
constexpr const char* kRecent =
    "SELECT * FROM (SELECT id, " TGKEEP_MESSAGE_COLUMNS
    " FROM messages WHERE chat_id = ?1 ORDER BY update_id DESC, id DESC LIMIT ?2) "
    "ORDER BY update_id, id";
constexpr const char* kExportAll =
    "SELECT id, " TGKEEP_MESSAGE_COLUMNS " FROM messages ORDER BY id";
constexpr const char* kExportChat =
    "SELECT id, " TGKEEP_MESSAGE_COLUMNS " FROM messages WHERE chat_id = ?1 ORDER BY update_id, id";
// A user's messages: those of their private chat (chat index), then the rest (user index, which
// holds only messages with user_id <> chat_id), merged by id.
constexpr const char* kExportUser =
    "SELECT id, " TGKEEP_MESSAGE_COLUMNS
    " FROM messages WHERE chat_id = ?2 AND user_id = ?2 "
    "UNION ALL SELECT id, " TGKEEP_MESSAGE_COLUMNS
    " FROM messages WHERE user_id = ?2 AND user_id <> chat_id ORDER BY id";
constexpr const char* kExportChatUser =
    "SELECT id, " TGKEEP_MESSAGE_COLUMNS
    " FROM messages WHERE chat_id = ?1 AND user_id = ?2 ORDER BY update_id, id";
constexpr const char* kFindUser =
    "SELECT id, is_bot, username, first_name, last_name, language_code, last_seen, tariff "
    "FROM users WHERE id = ?1";
constexpr const char* kSetTariff = "UPDATE users SET tariff = ?2 WHERE id = ?1";
constexpr const char* kInsertUsage =
    "INSERT INTO usage_events (user_id, update_id, at, tariff) VALUES (?1, ?2, ?3, ?4) "
    "ON CONFLICT (user_id, update_id) DO NOTHING";
constexpr const char* kCountUsage =
    "SELECT count(*) FROM usage_events WHERE user_id = ?1 AND at >= ?2 AND at < ?3";
constexpr const char* kLexiconTexts =
    "SELECT language, key, text FROM lexicon ORDER BY language, key";
constexpr const char* kSetLexiconText =
    "INSERT INTO lexicon (language, key, text, updated_at) VALUES (?1, ?2, ?3, ?4) "
    "ON CONFLICT (language, key) DO UPDATE SET text = excluded.text, "
    "updated_at = excluded.updated_at";
constexpr const char* kDeleteLexiconText = "DELETE FROM lexicon WHERE language = ?1 AND key = ?2";

#undef TGKEEP_MESSAGE_COLUMNS

// Reads a row of `SELECT id, <message columns>`.
MessageRecord read_message(const Statement& s) {
  MessageRecord m;
  m.chat_id = s.int64(1);
  m.message_id = s.optional_int64(2);
  m.user_id = s.optional_int64(3);
  m.role = s.text(4) == "assistant" ? Role::assistant : Role::user;
  m.text = std::string(s.text(5));
  m.date = s.int64(6);
  m.update_id = s.optional_int64(7);
  m.edited = s.int64(8) != 0;
  m.edit_date = s.optional_int64(9);
  m.reply_key = std::string(s.text(10));
  m.status = storage::parse_reply_status(s.text(11));
  return m;
}

std::int64_t as_limit(std::size_t limit) {
  constexpr auto kMax = static_cast<std::size_t>(std::numeric_limits<std::int64_t>::max());
  return static_cast<std::int64_t>(limit < kMax ? limit : kMax);
}

}  // namespace

Result<Queries> Queries::prepare(Connection& db, std::function<std::int64_t()> now) {
  Queries q(db);
  q.now_ = std::move(now);
  const std::pair<Statement*, const char*> all[] = {
      {&q.insert_update_, kInsertUpdate},
      {&q.insert_message_, kInsertMessage},
      {&q.upsert_edit_, kUpsertEdit},
      {&q.upsert_user_, kUpsertUser},
      {&q.mark_handled_, kMarkHandled},
      {&q.insert_reply_, kInsertReply},
      {&q.select_reply_, kSelectReply},
      {&q.settle_reply_, kSettleReply},
      {&q.forget_messages_, kForgetMessages},
      {&q.forget_updates_, kForgetUpdates},
      {&q.edit_message_, kEditMessage},
      {&q.unhandled_, kUnhandled},
      {&q.last_update_id_, kLastUpdateId},
      {&q.recent_, kRecent},
      {&q.export_all_, kExportAll},
      {&q.export_chat_, kExportChat},
      {&q.export_user_, kExportUser},
      {&q.export_chat_user_, kExportChatUser},
      {&q.find_user_, kFindUser},
      {&q.set_tariff_, kSetTariff},
      {&q.insert_usage_, kInsertUsage},
      {&q.count_usage_, kCountUsage},
      {&q.lexicon_texts_, kLexiconTexts},
      {&q.set_lexicon_text_, kSetLexiconText},
      {&q.delete_lexicon_text_, kDeleteLexiconText},
  };
  for (const auto& [stmt, sql] : all) {
    auto prepared = db.prepare(sql);
    if (!prepared) return prepared.error();
    *stmt = std::move(prepared).value();
  }
  return q;
}

Status Queries::insert_message(Statement& s, const MessageRecord& m,
                               std::optional<std::int64_t> update_id, std::string_view doing) {
  s.bind(1, m.chat_id);
  s.bind(2, m.message_id);
  s.bind(3, m.user_id);
  s.bind(4, storage::role_name(m.role));
  s.bind(5, m.text);
  s.bind(6, m.date);
  s.bind(7, update_id);
  s.bind(8, std::int64_t{m.edited ? 1 : 0});
  s.bind(9, m.edit_date);
  if (m.reply_key.empty()) {
    s.bind_null(10);
  } else {
    s.bind(10, m.reply_key);
  }
  s.bind(11, storage::reply_status_name(m.status));
  return db_->run(s, doing);
}

Status Queries::upsert_user(const UserRecord& u) {
  Statement& s = upsert_user_;
  s.bind(1, u.id);
  s.bind(2, std::int64_t{u.is_bot ? 1 : 0});
  s.bind(3, u.username);
  s.bind(4, u.first_name);
  s.bind(5, u.last_name);
  s.bind(6, u.language_code);
  s.bind(7, u.seen_at);
  return db_->run(s, "storing a user");
}

Status Queries::commit_update(const UpdateRecord& u, CommitSummary& summary) {
  Statement& s = insert_update_;
  s.bind(1, u.update_id);
  s.bind(2, u.type);
  s.bind(3, u.chat_id);
  s.bind(4, u.raw_json);
  s.bind(5, now_());
  s.bind(6, std::int64_t{u.needs_handling ? 1 : 0});
  s.bind(7, std::int64_t{u.needs_handling ? 0 : 1});
  if (Status st = db_->run(s, "storing updates"); !st) return st;
  if (db_->changes() == 0) {
    ++summary.duplicates;
    return {};
  }
  if (u.message) {
    const MessageRecord& m = *u.message;
    const auto update_id = m.update_id ? m.update_id : std::optional(u.update_id);
    Statement& stmt = m.edited ? upsert_edit_ : insert_message_;
    if (Status st = insert_message(stmt, m, update_id, "storing a message"); !st) return st;
  }
  if (u.user) {
    if (Status st = upsert_user(*u.user); !st) return st;
  }
  ++summary.stored;
  return {};
}

Status Queries::mark_handled(std::int64_t update_id) {
  mark_handled_.bind(1, update_id);
  return db_->run(mark_handled_, "marking updates handled");
}

Result<ReplyState> Queries::record_reply(const MessageRecord& reply) {
  if (reply.reply_key.empty()) return Error::invalid("record_reply: the reply has no reply_key");
  MessageRecord pending = reply;
  pending.role = Role::assistant;
  pending.status = ReplyStatus::pending;
  if (Status st = insert_message(insert_reply_, pending, pending.update_id, "recording a reply");
      !st) {
    return st.error();
  }
  if (db_->changes() != 0) return ReplyState{};

  Statement& s = select_reply_;
  Statement::Use use(s);
  s.bind(1, reply.reply_key);
  const int rc = s.step();
  if (rc != SQLITE_ROW) return db_->error(rc, "recording a reply");
  return ReplyState{true, storage::parse_reply_status(s.text(0)), s.optional_int64(1)};
}

Status Queries::settle_reply(std::string_view reply_key, ReplyStatus status,
                             std::optional<std::int64_t> message_id, std::int64_t date) {
  Statement& s = settle_reply_;
  s.bind(1, reply_key);
  s.bind(2, storage::reply_status_name(status));
  s.bind(3, message_id);
  s.bind(4, date);
  if (Status st = db_->run(s, "settling a reply"); !st) return st;
  if (db_->changes() == 0) {
    return Error::invalid(fmt::format("settle_reply: no reply recorded with key {}", reply_key));
  }
  return {};
}

Status Queries::forget_chat(std::int64_t chat_id) {
  forget_messages_.bind(1, chat_id);
  if (Status st = db_->run(forget_messages_, "forgetting a chat"); !st) return st;
  forget_updates_.bind(1, chat_id);
  return db_->run(forget_updates_, "forgetting a chat");
}

Status Queries::edit_message(std::int64_t chat_id, std::int64_t message_id, storage::Role role,
                             const std::string& text, std::int64_t edit_date) {
  edit_message_.bind(1, chat_id);
  edit_message_.bind(2, message_id);
  edit_message_.bind(3, storage::role_name(role));
  edit_message_.bind(4, text);
  edit_message_.bind(5, edit_date);
  return db_->run(edit_message_, "recording an edit");
}

Result<std::vector<UpdateRecord>> Queries::unhandled_updates(std::size_t limit) {
  Statement& s = unhandled_;
  Statement::Use use(s);
  s.bind(1, as_limit(limit));
  std::vector<UpdateRecord> out;
  int rc;
  while ((rc = s.step()) == SQLITE_ROW) {
    UpdateRecord u;
    u.update_id = s.int64(0);
    u.type = std::string(s.text(1));
    u.chat_id = s.optional_int64(2);
    u.raw_json = std::string(s.text(3));  // "" once the chat was forgotten
    u.needs_handling = true;
    out.push_back(std::move(u));
  }
  if (rc != SQLITE_DONE) return db_->error(rc, "reading unhandled updates");
  return out;
}

Result<std::optional<std::int64_t>> Queries::last_update_id() {
  Statement& s = last_update_id_;
  Statement::Use use(s);
  const int rc = s.step();
  if (rc != SQLITE_ROW) return db_->error(rc, "reading the last update_id");
  return s.optional_int64(0);
}

Result<std::vector<MessageRecord>> Queries::recent_messages(std::int64_t chat_id,
                                                            std::size_t limit) {
  Statement& s = recent_;
  Statement::Use use(s);
  s.bind(1, chat_id);
  s.bind(2, as_limit(limit));
  std::vector<MessageRecord> out;
  int rc;
  while ((rc = s.step()) == SQLITE_ROW) out.push_back(read_message(s));
  if (rc != SQLITE_DONE) return db_->error(rc, "reading recent messages");
  return out;
}

Status Queries::export_messages(const storage::ExportFilter& filter,
                                const std::function<void(const MessageRecord&)>& row) {
  Statement& s = filter.chat_id ? (filter.user_id ? export_chat_user_ : export_chat_)
                                : (filter.user_id ? export_user_ : export_all_);
  Statement::Use use(s);
  if (filter.chat_id) s.bind(1, *filter.chat_id);
  if (filter.user_id) s.bind(2, *filter.user_id);
  int rc;
  while ((rc = s.step()) == SQLITE_ROW) row(read_message(s));
  if (rc != SQLITE_DONE) return db_->error(rc, "exporting messages");
  return {};
}

Result<std::optional<UserRecord>> Queries::find_user(std::int64_t user_id) {
  Statement& s = find_user_;
  Statement::Use use(s);
  s.bind(1, user_id);
  const int rc = s.step();
  if (rc == SQLITE_DONE) return std::optional<UserRecord>();
  if (rc != SQLITE_ROW) return db_->error(rc, "reading a user");
  UserRecord u;
  u.id = s.int64(0);
  u.is_bot = s.int64(1) != 0;
  u.username = std::string(s.text(2));
  u.first_name = std::string(s.text(3));
  u.last_name = std::string(s.text(4));
  u.language_code = std::string(s.text(5));
  u.seen_at = s.int64(6);
  u.tariff = std::string(s.text(7));
  return std::optional<UserRecord>(std::move(u));
}

Result<bool> Queries::set_user_tariff(std::int64_t user_id, const std::string& tariff) {
  set_tariff_.bind(1, user_id);
  set_tariff_.bind(2, tariff);
  if (Status st = db_->run(set_tariff_, "setting a tariff"); !st) return st.error();
  return db_->changes() != 0;
}

Status Queries::record_usage(const storage::UsageEvent& event) {
  Statement& s = insert_usage_;
  s.bind(1, event.user_id);
  s.bind(2, event.update_id);
  s.bind(3, event.at);
  s.bind(4, event.tariff);
  return db_->run(s, "recording usage");
}

Result<std::int64_t> Queries::count_usage(std::int64_t user_id, std::int64_t from,
                                          std::int64_t to) {
  Statement& s = count_usage_;
  Statement::Use use(s);
  s.bind(1, user_id);
  s.bind(2, from);
  s.bind(3, to);
  const int rc = s.step();
  if (rc != SQLITE_ROW) return db_->error(rc, "counting usage");
  return s.int64(0);
}

Result<std::vector<storage::LexiconText>> Queries::lexicon_texts() {
  Statement& s = lexicon_texts_;
  Statement::Use use(s);
  std::vector<storage::LexiconText> out;
  int rc;
  while ((rc = s.step()) == SQLITE_ROW) {
    out.push_back({std::string(s.text(0)), std::string(s.text(1)), std::string(s.text(2))});
  }
  if (rc != SQLITE_DONE) return db_->error(rc, "reading the lexicon");
  return out;
}

Status Queries::set_lexicon_text(const storage::LexiconText& entry) {
  Statement& s = entry.text.empty() ? delete_lexicon_text_ : set_lexicon_text_;
  s.bind(1, entry.language);
  s.bind(2, entry.key);
  if (!entry.text.empty()) {
    s.bind(3, entry.text);
    s.bind(4, now_());
  }
  return db_->run(s, "setting a lexicon text");
}

}  // namespace tgkeep::sqlite
