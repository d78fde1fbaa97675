#include "hot/hot_codec.hpp"
#include "hot/hot_codec_dom.hpp"

#include <simdjson.h>

#include <fmt/format.h>

#include "util/json_writer.hpp"

namespace tgkeep::hot {

using compact::read_int;
using compact::read_text;

namespace {

using storage::MessageRecord;
using storage::ReplyStatus;
using storage::Role;
using storage::UserRecord;

simdjson::dom::parser& parser() {
  thread_local simdjson::dom::parser instance;
  return instance;
}

Error malformed(std::string_view what, std::string_view why) {
  return Error::invalid(fmt::format("a malformed {} in the hot tier: {}", what, why));
}

Result<simdjson::dom::element> parse(std::string_view json, std::string_view what) {
  simdjson::dom::element root;
  if (auto error = parser().parse(json.data(), json.size()).get(root)) {
    return malformed(what, simdjson::error_message(error));
  }
  return root;
}

}  // namespace

std::string encode_entry(const MessageRecord& m) {
  JsonWriter w;
  w.begin_object();
  w.key("c");
  w.value(m.chat_id);
  if (m.update_id) {
    w.key("u");
    w.value(*m.update_id);
  }
  if (m.message_id) {
    w.key("m");
    w.value(*m.message_id);
  }
  if (m.user_id) {
    w.key("s");
    w.value(*m.user_id);
  }
  w.key("r");
  w.value(compact::role_letter(m.role));
  w.key("t");
  w.value(m.text);
  w.key("d");
  w.value(m.date);
  if (m.edit_date) {
    w.key("e");
    w.value(*m.edit_date);
  }
  if (!m.reply_key.empty()) {
    w.key("k");
    w.value(m.reply_key);
  }
  if (m.status != ReplyStatus::sent) {
    w.key("x");
    w.value(compact::status_letter(m.status));
  }
  w.end_object();
  return w.release();
}

Result<MessageRecord> decode_entry(std::string_view json) {
  auto root = parse(json, "history entry");
  if (!root) return root.error();
  return decode_entry(*root);
}

Result<UserRecord> decode_profile(std::string_view json) {
  auto root = parse(json, "user profile");
  if (!root) return root.error();
  return decode_profile(*root);
}

Result<MessageRecord> decode_entry(simdjson::dom::element root) {
  MessageRecord m;
  bool has_chat = false, has_role = false, has_text = false;
  auto problem = compact::read_fields(root, [&](std::string_view key, auto v) {
    if (key == "c") return has_chat = read_int(v, m.chat_id);
    if (key == "u") return read_int(v, m.update_id);
    if (key == "m") return read_int(v, m.message_id);
    if (key == "s") return read_int(v, m.user_id);
    if (key == "d") return read_int(v, m.date);
    if (key == "e") {
      m.edited = true;
      return read_int(v, m.edit_date);
    }
    if (key == "t") return has_text = read_text(v, m.text);
    if (key == "k") return read_text(v, m.reply_key);
    if (key == "r") return has_role = compact::read_role(v, m.role);
    if (key == "x") return compact::read_status(v, m.status);
    return true;  // a field of a newer tgkeep: ignored
  });
  if (problem) return malformed("history entry", *problem);
  if (!has_chat || !has_role || !has_text) {
    return malformed("history entry", "chat, role or text missing");
  }
  return m;
}

namespace compact {

std::string_view role_letter(Role role) {
  return role == Role::user ? "u" : "a";
}

std::string_view status_letter(ReplyStatus status) {
  switch (status) {
    case ReplyStatus::pending:
      return "p";
    case ReplyStatus::failed:
      return "f";
    case ReplyStatus::resending:
      return "r";
    case ReplyStatus::sent:
      break;
  }
  return "s";
}

bool read_role(simdjson::dom::element v, Role& out) {
  std::string_view letter;
  if (v.get_string().get(letter) != simdjson::SUCCESS) return false;
  if (letter != "u" && letter != "a") return false;
  out = letter == "u" ? Role::user : Role::assistant;
  return true;
}

bool read_status(simdjson::dom::element v, ReplyStatus& out) {
  std::string_view letter;
  if (v.get_string().get(letter) != simdjson::SUCCESS) return false;
  for (auto status :
       {ReplyStatus::pending, ReplyStatus::sent, ReplyStatus::failed, ReplyStatus::resending}) {
    if (letter == status_letter(status)) {
      out = status;
      return true;
    }
  }
  return false;
}

}  // namespace compact

std::string entry_identity(const MessageRecord& m) {
  if (!m.reply_key.empty()) return "k" + m.reply_key;
  return fmt::format("{}/{}/{}", m.chat_id, m.message_id.value_or(0),
                     m.role == Role::user ? 'u' : 'a');
}

std::string encode_profile(const UserRecord& u) {
  JsonWriter w;
  w.begin_object();
  w.key("i");
  w.value(u.id);
  w.key("b");
  w.value(u.is_bot);
  w.key("n");
  w.value(u.username);
  w.key("f");
  w.value(u.first_name);
  w.key("l");
  w.value(u.last_name);
  w.key("g");
  w.value(u.language_code);
  w.key("w");
  w.value(u.seen_at);
  w.key("p");
  w.value(u.tariff);
  w.end_object();
  return w.release();
}

Result<UserRecord> decode_profile(simdjson::dom::element root) {
  UserRecord u;
  bool has_id = false;
  auto problem = compact::read_fields(root, [&](std::string_view key, auto v) {
    if (key == "i") return has_id = read_int(v, u.id);
    if (key == "b") return v.get_bool().get(u.is_bot) == simdjson::SUCCESS;
    if (key == "n") return read_text(v, u.username);
    if (key == "f") return read_text(v, u.first_name);
    if (key == "l") return read_text(v, u.last_name);
    if (key == "g") return read_text(v, u.language_code);
    if (key == "w") return read_int(v, u.seen_at);
    if (key == "p") return read_text(v, u.tariff);
    return true;
  });
  if (problem) return malformed("user profile", *problem);
  if (!has_id) return malformed("user profile", "id missing");
  return u;
}

}  // namespace tgkeep::hot
