#include "outbox/entry_codec.hpp"

#include <simdjson.h>

#include <fmt/format.h>

#include "hot/hot_codec.hpp"
#include "hot/hot_codec_dom.hpp"
#include "util/json_writer.hpp"

namespace tgkeep::outbox {
namespace {

using hot::compact::read_int;
using hot::compact::read_text;


simdjson::dom::parser& parser() {
  thread_local simdjson::dom::parser instance;
  return instance;
}

Error malformed(char kind, std::string_view why) {
  return Error::invalid(fmt::format("a malformed outbox entry (kind {}): {}", kind, why));
}

struct Encoder {
  JsonWriter w;
  EncodedEntry out;

  void operator()(const UpdateEntry& e) { update(e.update, e.received_at, {}); }
  void update(const storage::UpdateRecord& u, std::int64_t received_at,
              std::string_view message_entry) {
    out.kind = 'u';
    w.key("i");
    w.value(u.update_id);
    w.key("y");
    w.value(u.type);
    if (u.chat_id) {
      w.key("c");
      w.value(*u.chat_id);
    }
    w.key("n");
    w.value(u.needs_handling);
    w.key("a");
    w.value(received_at);
    if (u.message) {
      w.key("m");
      if (message_entry.empty()) {
        w.raw(hot::encode_entry(*u.message));
      } else {
        w.raw(message_entry);
      }
    }
    if (u.user) {
      w.key("s");
      w.raw(hot::encode_profile(*u.user));
    }
    out.raw = u.raw_json;
  }
  void operator()(const HandledEntry& e) {
    out.kind = 'h';
    w.key("i");
    w.begin_array();
    for (std::int64_t id : e.update_ids) w.value(id);
    w.end_array();
  }
  void operator()(const ReplyEntry&) { out.kind = 'r'; }  // the whole value is the message
  void operator()(const SettleEntry& e) {
    out.kind = 's';
    w.key("k");
    w.value(e.reply_key);
    w.key("x");
    w.value(hot::compact::status_letter(e.status));
    if (e.message_id) {
      w.key("m");
      w.value(*e.message_id);
    }
    w.key("d");
    w.value(e.date);
  }
  void operator()(const EditEntry& e) {
    out.kind = 'e';
    w.key("c");
    w.value(e.chat_id);
    w.key("m");
    w.value(e.message_id);
    w.key("r");
    w.value(hot::compact::role_letter(e.role));
    w.key("t");
    w.value(e.text);
    w.key("d");
    w.value(e.edit_date);
  }
  void operator()(const ForgetEntry& e) {
    out.kind = 'f';
    w.key("c");
    w.value(e.chat_id);
  }
  void operator()(const UsageEntry& e) {
    out.kind = 'q';
    w.key("s");
    w.value(e.event.user_id);
    w.key("i");
    w.value(e.event.update_id);
    w.key("a");
    w.value(e.event.at);
    w.key("p");
    w.value(e.event.tariff);
  }
};

// Reads the fields of the object `root` into `apply(key, value)` (hot::compact::read_fields).
template <class Apply>
Status read_fields(char kind, simdjson::dom::element root, Apply apply) {
  if (auto problem = hot::compact::read_fields(root, apply)) return malformed(kind, *problem);
  return {};
}

Result<Entry> decode_update(simdjson::dom::element root, std::string_view raw) {
  UpdateEntry e;
  auto& u = e.update;
  bool has_id = false;
  std::optional<Error> nested;
  Status read = read_fields('u', root, [&](std::string_view key, simdjson::dom::element v) {
    if (key == "i") return has_id = read_int(v, u.update_id);
    if (key == "y") return read_text(v, u.type);
    if (key == "c") return read_int(v, u.chat_id);
    if (key == "n") return v.get_bool().get(u.needs_handling) == simdjson::SUCCESS;
    if (key == "a") return read_int(v, e.received_at);
    if (key == "m") {
      auto message = hot::decode_entry(v);
      if (!message) nested = message.error();
      else u.message = std::move(message).value();
      return true;
    }
    if (key == "s") {
      auto user = hot::decode_profile(v);
      if (!user) nested = user.error();
      else u.user = std::move(user).value();
      return true;
    }
    return true;  // a field of a newer tgkeep: ignored
  });
  if (!read) return read.error();
  if (nested) return malformed('u', nested->message);
  if (!has_id) return malformed('u', "update_id missing");
  u.raw_json.assign(raw);
  return Entry(std::move(e));
}

Result<Entry> decode_handled(simdjson::dom::element root) {
  HandledEntry e;
  bool has_ids = false;
  Status read = read_fields('h', root, [&](std::string_view key, simdjson::dom::element v) {
    if (key != "i") return true;
    simdjson::dom::array ids;
    if (v.get(ids)) return false;
    for (auto id : ids) {
      std::int64_t n = 0;
      if (!read_int(id, n)) return false;
      e.update_ids.push_back(n);
    }
    return has_ids = true;
  });
  if (!read) return read.error();
  if (!has_ids) return malformed('h', "update_ids missing");
  return Entry(std::move(e));
}

Result<Entry> decode_settle(simdjson::dom::element root) {
  SettleEntry e;
  bool has_key = false, has_status = false;
  Status read = read_fields('s', root, [&](std::string_view key, simdjson::dom::element v) {
    if (key == "k") return has_key = read_text(v, e.reply_key);
    if (key == "m") return read_int(v, e.message_id);
    if (key == "d") return read_int(v, e.date);
    if (key == "x") return has_status = hot::compact::read_status(v, e.status);
    return true;
  });
  if (!read) return read.error();
  if (!has_key || !has_status || e.reply_key.empty()) {
    return malformed('s', "reply_key or status missing");
  }
  return Entry(std::move(e));
}

Result<Entry> decode_edit(simdjson::dom::element root) {
  EditEntry e;
  bool has_chat = false, has_message = false, has_text = false;
  Status read = read_fields('e', root, [&](std::string_view key, simdjson::dom::element v) {
    if (key == "c") return has_chat = read_int(v, e.chat_id);
    if (key == "m") return has_message = read_int(v, e.message_id);
    if (key == "t") return has_text = read_text(v, e.text);
    if (key == "d") return read_int(v, e.edit_date);
    if (key == "r") return hot::compact::read_role(v, e.role);
    return true;
  });
  if (!read) return read.error();
  if (!has_chat || !has_message || !has_text) return malformed('e', "chat, message or text missing");
  return Entry(std::move(e));
}

Result<Entry> decode_forget(simdjson::dom::element root) {
  ForgetEntry e;
  bool has_chat = false;
  Status read = read_fields('f', root, [&](std::string_view key, simdjson::dom::element v) {
    if (key == "c") return has_chat = read_int(v, e.chat_id);
    return true;
  });
  if (!read) return read.error();
  if (!has_chat) return malformed('f', "chat missing");
  return Entry(e);
}

Result<Entry> decode_usage(simdjson::dom::element root) {
  UsageEntry e;
  bool has_user = false, has_update = false;
  Status read = read_fields('q', root, [&](std::string_view key, simdjson::dom::element v) {
    if (key == "s") return has_user = read_int(v, e.event.user_id);
    if (key == "i") return has_update = read_int(v, e.event.update_id);
    if (key == "a") return read_int(v, e.event.at);
    if (key == "p") return read_text(v, e.event.tariff);
    return true;
  });
  if (!read) return read.error();
  if (!has_user || !has_update) return malformed('q', "user or update missing");
  return Entry(std::move(e));
}

}  // namespace

std::optional<std::int64_t> chat_of(const Entry& entry) {
  if (const auto* u = std::get_if<UpdateEntry>(&entry)) return u->update.chat_id;
  if (const auto* r = std::get_if<ReplyEntry>(&entry)) return r->reply.chat_id;
  if (const auto* e = std::get_if<EditEntry>(&entry)) return e->chat_id;
  if (const auto* f = std::get_if<ForgetEntry>(&entry)) return f->chat_id;
  return std::nullopt;
}

EncodedEntry encode(const Entry& entry) {
  if (const auto* reply = std::get_if<ReplyEntry>(&entry)) {
    return EncodedEntry{'r', hot::encode_entry(reply->reply), {}};
  }
  Encoder encoder;
  encoder.w.begin_object();
  std::visit(encoder, entry);
  encoder.w.end_object();
  encoder.out.value = encoder.w.release();
  return std::move(encoder.out);
}

EncodedEntry encode_update(const storage::UpdateRecord& update, std::int64_t received_at,
                           std::string_view message_entry) {
  Encoder encoder;
  encoder.w.begin_object();
  encoder.update(update, received_at, message_entry);
  encoder.w.end_object();
  encoder.out.value = encoder.w.release();
  return std::move(encoder.out);
}

Result<Entry> decode(std::string_view kind, std::string_view value, std::string_view raw) {
  if (kind.size() != 1) {
    return Error::invalid(fmt::format("a malformed outbox entry: unknown kind \"{}\"",
                                      kind.substr(0, 16)));
  }
  const char k = kind[0];
  if (k == 'r') {
    auto reply = hot::decode_entry(value);
    if (!reply) return malformed(k, reply.error().message);
    if (reply->reply_key.empty()) return malformed(k, "reply_key missing");
    return Entry(ReplyEntry{std::move(reply).value()});
  }
  simdjson::padded_string padded(value);
  simdjson::dom::element root;
  if (auto error = parser().parse(padded).get(root)) {
    return malformed(k, simdjson::error_message(error));
  }
  switch (k) {
    case 'u':
      return decode_update(root, raw);
    case 'h':
      return decode_handled(root);
    case 's':
      return decode_settle(root);
    case 'e':
      return decode_edit(root);
    case 'f':
      return decode_forget(root);
    case 'q':
      return decode_usage(root);
    default:
      return Error::invalid(fmt::format("a malformed outbox entry: unknown kind \"{}\"", k));
  }
}

}  // namespace tgkeep::outbox
