#include "hot/hot_codec.hpp"
#include "hot/hot_codec_dom.hpp"

#include <simdjson.h>

#include <fmt/format.h>

#include "util/json_writer.hpp"

namespace tgkeep::hot {
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

// Reads the fields of the JSON object `root` into `apply(key, value)`; a non-object or a field of
// the wrong type is an error.
template <class Apply>
Status read_fields(simdjson::dom::element root, std::string_view what, Apply apply) {
  simdjson::dom::object object;
  if (root.get(object)) return malformed(what, "not an object");
  for (auto field : object) {
    if (!apply(field.key, field.value)) {
      return malformed(what, fmt::format("field \"{}\" has the wrong type", field.key));
    }
  }
  return {};
}

Result<simdjson::dom::element> parse(std::string_view json, std::string_view what) {
  simdjson::dom::element root;
  if (auto error = parser().parse(json.data(), json.size()).get(root)) {
    return malformed(what, simdjson::error_message(error));
  }
  return root;
}

bool read_int(simdjson::dom::element v, std::int64_t& out) {
  return v.get_int64().get(out) == simdjson::SUCCESS;
}
bool read_int(simdjson::dom::element v, std::optional<std::int64_t>& out) {
  std::int64_t n = 0;
  if (v.get_int64().get(n) != simdjson::SUCCESS) return false;
  out = n;
  return true;
}
bool read_text(simdjson::dom::element v, std::string& out) {
  std::string_view s;
  if (v.get_string().get(s) != simdjson::SUCCESS) return false;
  out.assign(s);
  return true;
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
  w.value(m.role == Role::user ? "u" : "a");
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
    w.value(std::string_view(m.status == ReplyStatus::pending ? "p" : "f"));
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
  Status read = read_fields(root, "history entry", [&](std::string_view key, auto v) {
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
    std::string letter;
    if (key == "r") {
      if (!read_text(v, letter) || (letter != "u" && letter != "a")) return false;
      m.role = letter == "u" ? Role::user : Role::assistant;
      return has_role = true;
    }
    if (key == "x") {
      if (!read_text(v, letter) || letter.size() != 1) return false;
      if (letter == "p")
        m.status = ReplyStatus::pending;
      else if (letter == "f")
        m.status = ReplyStatus::failed;
      else if (letter != "s")
        return false;
      return true;
    }
    return true;  // a field of a newer tgkeep: ignored
  });
  if (!read) return read.error();
  if (!has_chat || !has_role || !has_text) {
    return malformed("history entry", "chat, role or text missing");
  }
  return m;
}

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
  Status read = read_fields(root, "user profile", [&](std::string_view key, auto v) {
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
  if (!read) return read.error();
  if (!has_id) return malformed("user profile", "id missing");
  return u;
}

}  // namespace tgkeep::hot
