#include "outbox/stage_rows.hpp"

#include "pg/store_sql.hpp"

namespace tgkeep::outbox::stage {
namespace {

// A raw update for jsonb: empty is NULL, and the escape \u0000, which jsonb refuses, is replaced
// as PgStore replaces it.
void json_field(pg::CopyText& row, std::string_view raw) {
  if (raw.empty()) return row.field(std::nullopt);
  if (raw.find("\\u0000") == std::string_view::npos) return row.field(raw);
  row.field(pg::sanitize_json(raw));
}

void update_fields(pg::CopyText& r, const UpdateEntry& entry) {
  const storage::UpdateRecord& u = entry.update;
  r.field(u.type);
  r.number(u.chat_id);
  json_field(r, u.raw_json);
  r.number(entry.received_at);
  r.flag(u.needs_handling);
}

void message_fields(pg::CopyText& r, const MessageColumns& m) {
  r.number(m.chat_id);
  r.number(m.message_id);
  r.number(m.user_id);
  r.field(m.role);
  r.field(m.text);
  r.number(m.date);
  r.number(m.update_id);
  r.flag(m.edited);
  r.number(m.edit_date);
  r.field(m.reply_key);
  r.field(m.status);
}

}  // namespace

MessageColumns message_row(const storage::MessageRecord& m, std::optional<std::int64_t> update_id) {
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

void append_stage_row(pg::CopyText& r, const StageRow& s) {
  r.number(s.seg);
  r.number(s.seq);
  r.field(s.kind);
  r.flag(s.first_of_id);
  r.number(s.update_id);
  if (s.update) {
    update_fields(r, *s.update);
  } else {
    r.nulls(5);
  }
  if (s.message) {
    message_fields(r, *s.message);
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

void append_raw_update(pg::CopyText& r, const UpdateEntry& entry) {
  r.number(entry.update.update_id);
  update_fields(r, entry);
  r.flag(!entry.update.needs_handling);  // handled: nothing to do for it
  r.end_row();
}

void append_message(pg::CopyText& r, const MessageColumns& message) {
  message_fields(r, message);
  r.end_row();
}

}  // namespace tgkeep::outbox::stage
