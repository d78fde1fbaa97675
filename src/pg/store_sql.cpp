#include "pg/store_sql.hpp"

#include <utility>

#include <fmt/format.h>

namespace tgkeep::pg {

// jsonb refuses the escape \u0000 (SQLSTATE 22P05): it becomes \ufffd, the replacement character.
// Only a real escape is replaced: in "\\u0000" the backslash is itself escaped.
std::string sanitize_json(std::string_view json) {
  std::string out;
  out.reserve(json.size());
  for (std::size_t i = 0; i < json.size(); ++i) {
    const char c = json[i];
    if (c != '\\' || i + 1 >= json.size()) {
      out += c;
      continue;
    }
    if (json.substr(i, 6) == "\\u0000") {
      out += "\\ufffd";
      i += 5;
    } else {
      out += c;
      out += json[i + 1];
      ++i;
    }
  }
  return out;
}

namespace sql {

using storage::ExportFilter;
using storage::MessageRecord;
using storage::Role;
using storage::UpdateRecord;
using storage::UserRecord;

#define TGKEEP_MESSAGE_COLUMNS                                                                \
  "chat_id, message_id, user_id, role, text, date, update_id, edited, edit_date, reply_key, " \
  "status"

const char* const kMessageColumns = TGKEEP_MESSAGE_COLUMNS;
const char* const kSelectMessage = "SELECT id, " TGKEEP_MESSAGE_COLUMNS " FROM messages ";
#undef TGKEEP_MESSAGE_COLUMNS

// PostgreSQL's text cannot hold a NUL byte, and libpq would cut the parameter there: it becomes
// U+FFFD, as the escape \u0000 does in JSON.
Param without_nul(Param value) {
  if (!value || value->find('\0') == std::string::npos) return value;
  std::string out;
  out.reserve(value->size() + 8);
  for (char c : *value) {
    if (c == '\0') {
      out += "\xEF\xBF\xBD";
    } else {
      out += c;
    }
  }
  return out;
}

std::string Builder::p(Param value, std::string_view type) {
  statement.params.push_back(without_nul(std::move(value)));
  return fmt::format("${}::{}", statement.params.size(), type);
}

Param num(std::int64_t v) {
  return std::to_string(v);
}
Param num(std::optional<std::int64_t> v) {
  if (!v) return std::nullopt;
  return std::to_string(*v);
}
Param boolean(bool v) {
  return std::string(v ? "true" : "false");
}
Param text(std::string_view v) {
  return std::string(v);
}

std::int64_t as_int(const Param& v) {
  return v ? std::stoll(*v) : 0;
}
std::optional<std::int64_t> as_opt_int(const Param& v) {
  if (!v) return std::nullopt;
  return std::stoll(*v);
}
bool as_bool(const Param& v) {
  return v && *v == "t";
}

// A row of `SELECT id, <message columns>`.
MessageRecord read_message(const std::vector<Param>& r) {
  MessageRecord m;
  m.chat_id = as_int(r[1]);
  m.message_id = as_opt_int(r[2]);
  m.user_id = as_opt_int(r[3]);
  m.role = r[4] == "assistant" ? Role::assistant : Role::user;
  m.text = r[5].value_or("");
  m.date = as_int(r[6]);
  m.update_id = as_opt_int(r[7]);
  m.edited = as_bool(r[8]);
  m.edit_date = as_opt_int(r[9]);
  m.reply_key = r[10].value_or("");
  m.status = storage::parse_reply_status(r[11].value_or(""));
  return m;
}

std::string limit_of(std::size_t limit) {
  constexpr auto kMax = static_cast<std::size_t>(std::numeric_limits<std::int64_t>::max());
  return std::to_string(limit < kMax ? limit : kMax);
}

// The values of a message row, as "$a::int8, $b::int8, ...".
std::string message_values(Builder& b, const MessageRecord& m,
                           std::optional<std::int64_t> update_id) {
  std::string out;
  out += b.p(num(m.chat_id), "int8") + ", ";
  out += b.p(num(m.message_id), "int8") + ", ";
  out += b.p(num(m.user_id), "int8") + ", ";
  out += b.p(text(storage::role_name(m.role)), "text") + ", ";
  out += b.p(text(m.text), "text") + ", ";
  out += b.p(num(m.date), "int8") + ", ";
  out += b.p(num(update_id), "int8") + ", ";
  out += b.p(boolean(m.edited), "bool") + ", ";
  out += b.p(num(m.edit_date), "int8") + ", ";
  Param key;
  if (!m.reply_key.empty()) key = m.reply_key;
  out += b.p(std::move(key), "text") + ", ";
  out += b.p(text(storage::reply_status_name(m.status)), "text");
  return out;
}

// One statement per update: the raw update, and only when it was new its message and user
// (data-modifying CTEs reading `u`). Returns one row: 1 when stored, 0 for a known update_id.
Statement commit_statement(const UpdateRecord& u, std::int64_t now) {
  Builder b;
  Param json;
  if (!u.raw_json.empty()) json = sanitize_json(u.raw_json);
  std::string sql = fmt::format(
      "WITH u AS (INSERT INTO raw_updates (update_id, type, chat_id, json, received_at, "
      "needs_handling, handled) VALUES ({}, {}, {}, {}, {}, {}, {}) "
      "ON CONFLICT (update_id) DO NOTHING RETURNING update_id)",
      b.p(num(u.update_id), "int8"), b.p(text(u.type), "text"), b.p(num(u.chat_id), "int8"),
      b.p(std::move(json), "jsonb"), b.p(num(now), "int8"), b.p(boolean(u.needs_handling), "bool"),
      b.p(boolean(!u.needs_handling), "bool"));
  if (u.message) {
    const MessageRecord& m = *u.message;
    const auto update_id = m.update_id ? m.update_id : std::optional(u.update_id);
    sql += fmt::format(", m AS (INSERT INTO messages ({}) SELECT {} FROM u ", kMessageColumns,
                       message_values(b, m, update_id));
    if (m.edited) {
      // An edit applies when it is not older than what is stored.
      sql +=
          "ON CONFLICT (chat_id, message_id, role) DO UPDATE SET text = excluded.text, "
          "edited = true, edit_date = excluded.edit_date "
          "WHERE messages.edit_date IS NULL OR excluded.edit_date >= messages.edit_date)";
    } else {
      sql += "ON CONFLICT (chat_id, message_id, role) DO NOTHING)";
    }
  }
  if (u.user) {
    const UserRecord& user = *u.user;
    const std::string seen = b.p(num(user.seen_at), "int8");
    // Names follow the newest sighting; the tariff is never touched.
    sql += fmt::format(
        ", usr AS (INSERT INTO users (id, is_bot, username, first_name, last_name, "
        "language_code, first_seen, last_seen) SELECT {}, {}, {}, {}, {}, {}, {}, {} FROM u "
        "ON CONFLICT (id) DO UPDATE SET "
        "is_bot = CASE WHEN excluded.last_seen >= users.last_seen THEN excluded.is_bot "
        "ELSE users.is_bot END, "
        "username = CASE WHEN excluded.last_seen >= users.last_seen THEN excluded.username "
        "ELSE users.username END, "
        "first_name = CASE WHEN excluded.last_seen >= users.last_seen THEN excluded.first_name "
        "ELSE users.first_name END, "
        "last_name = CASE WHEN excluded.last_seen >= users.last_seen THEN excluded.last_name "
        "ELSE users.last_name END, "
        "language_code = CASE WHEN excluded.last_seen >= users.last_seen "
        "THEN excluded.language_code ELSE users.language_code END, "
        "first_seen = least(users.first_seen, excluded.first_seen), "
        "last_seen = greatest(users.last_seen, excluded.last_seen))",
        b.p(num(user.id), "int8"), b.p(boolean(user.is_bot), "bool"),
        b.p(text(user.username), "text"), b.p(text(user.first_name), "text"),
        b.p(text(user.last_name), "text"), b.p(text(user.language_code), "text"), seen, seen);
  }
  sql += " SELECT count(*) FROM u";
  b.statement.sql = std::move(sql);
  return std::move(b.statement);
}

// The first page of an export, or the page after (last_update_id, last_id).
Statement export_statement(const ExportFilter& filter, std::int64_t last_update_id,
                           std::int64_t last_id) {
  Builder b;
  const std::string page = std::to_string(kExportPage);
  if (filter.chat_id) {
    // Conversation order, NULL update_ids first as in SQLite.
    std::string sql = std::string(kSelectMessage) +
                      fmt::format("WHERE chat_id = {} AND (coalesce(update_id, {}), id) > ({}, {})",
                                  b.p(num(*filter.chat_id), "int8"), kMinInt64,
                                  b.p(num(last_update_id), "int8"), b.p(num(last_id), "int8"));
    if (filter.user_id) sql += " AND user_id = " + b.p(num(*filter.user_id), "int8");
    sql += fmt::format(" ORDER BY coalesce(update_id, {}), id LIMIT {}", kMinInt64, page);
    b.statement.sql = std::move(sql);
  } else if (filter.user_id) {
    const std::string user = b.p(num(*filter.user_id), "int8");
    const std::string after = b.p(num(last_id), "int8");
    b.statement.sql = fmt::format(
        "{}WHERE chat_id = {} AND user_id = {} AND id > {} UNION ALL {}WHERE "
        "user_id = {} AND user_id <> chat_id AND id > {} ORDER BY id LIMIT {}",
        kSelectMessage, user, user, after, kSelectMessage, user, after, page);
  } else {
    b.statement.sql = fmt::format("{}WHERE id > {} ORDER BY id LIMIT {}", kSelectMessage,
                                  b.p(num(last_id), "int8"), page);
  }
  return std::move(b.statement);
}

Statement plain(std::string sql, std::vector<Param> params) {
  Statement s;
  s.sql = std::move(sql);
  for (Param& p : params) s.params.push_back(without_nul(std::move(p)));
  return s;
}

std::string int_array(const std::vector<std::int64_t>& ids) {
  std::string out = "{";
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (i) out += ',';
    out += std::to_string(ids[i]);
  }
  return out + "}";
}

}  // namespace sql
}  // namespace tgkeep::pg
