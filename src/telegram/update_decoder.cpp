#include "telegram/update_decoder.hpp"

#include <cstdint>
#include <string_view>
#include <utility>

namespace tgkeep::telegram::detail {
namespace {

using simdjson::dom::element;
using simdjson::dom::object;

bool read(element e, std::int64_t& out) {
  return e.get_int64().get(out) == simdjson::SUCCESS;
}
bool read(element e, bool& out) {
  return e.get_bool().get(out) == simdjson::SUCCESS;
}
bool read(element e, std::string_view& out) {
  return e.get_string().get(out) == simdjson::SUCCESS;
}
bool read(element e, std::string& out) {
  std::string_view s;
  if (!read(e, s)) return false;
  out.assign(s);
  return true;
}
bool read(element e, std::optional<std::int64_t>& out) {
  std::int64_t n;
  if (!read(e, n)) return false;
  out = n;
  return true;
}

// The integer `id` of an object such as a chat.
std::optional<std::int64_t> object_id(element e) {
  std::optional<std::int64_t> id;
  object obj;
  if (e.get_object().get(obj) == simdjson::SUCCESS) {
    for (const auto& field : obj) {
      if (field.key == "id") read(field.value, id);
    }
  }
  return id;
}

std::optional<Chat> decode_chat(element e) {
  object obj;
  if (e.get_object().get(obj) != simdjson::SUCCESS) return std::nullopt;
  Chat chat;
  bool has_id = false;
  for (const auto& field : obj) {
    const std::string_view key = field.key;
    if (key == "id") {
      has_id |= read(field.value, chat.id);
    } else if (key == "type") {
      read(field.value, chat.type);
    } else if (key == "title") {
      read(field.value, chat.title);
    } else if (key == "username") {
      read(field.value, chat.username);
    }
  }
  if (!has_id) return std::nullopt;
  return chat;
}

std::optional<CallbackQuery> decode_callback_query(element e) {
  object obj;
  if (e.get_object().get(obj) != simdjson::SUCCESS) return std::nullopt;
  CallbackQuery query;
  bool has_id = false;
  bool has_from = false;
  for (const auto& field : obj) {
    const std::string_view key = field.key;
    if (key == "id") {
      has_id |= read(field.value, query.id);
    } else if (key == "from") {
      if (auto user = decode_user(field.value)) {
        query.from = std::move(*user);
        has_from = true;
      }
    } else if (key == "message") {
      query.message = decode_message(field.value);
    } else if (key == "data") {
      read(field.value, query.data);
    } else if (key == "inline_message_id") {
      read(field.value, query.inline_message_id);
    }
  }
  if (!has_id || !has_from) return std::nullopt;
  return query;
}

std::optional<UpdateKind> kind_from_name(std::string_view name) {
  static constexpr UpdateKind kTyped[] = {
      UpdateKind::message,          UpdateKind::edited_message,
      UpdateKind::channel_post,     UpdateKind::edited_channel_post,
      UpdateKind::business_message, UpdateKind::edited_business_message,
      UpdateKind::callback_query,
  };
  for (const UpdateKind kind : kTyped) {
    if (name == kind_name(kind)) return kind;
  }
  return std::nullopt;
}

// What an unmodelled payload says about its chat and sender.
void decode_other(element payload, Update& out) {
  object obj;
  if (payload.get_object().get(obj) != simdjson::SUCCESS) return;
  std::optional<User> user;
  for (const auto& field : obj) {
    const std::string_view key = field.key;
    if (key == "chat") {
      out.other_chat_id = object_id(field.value);
    } else if (key == "from") {
      out.other_from = decode_user(field.value);
    } else if (key == "user") {
      user = decode_user(field.value);
    }
  }
  if (!out.other_from) out.other_from = std::move(user);
}

}  // namespace

std::optional<User> decode_user(element e) {
  object obj;
  if (e.get_object().get(obj) != simdjson::SUCCESS) return std::nullopt;
  User user;
  bool has_id = false;
  for (const auto& field : obj) {
    const std::string_view key = field.key;
    if (key == "id") {
      has_id |= read(field.value, user.id);
    } else if (key == "is_bot") {
      read(field.value, user.is_bot);
    } else if (key == "first_name") {
      read(field.value, user.first_name);
    } else if (key == "last_name") {
      read(field.value, user.last_name);
    } else if (key == "username") {
      read(field.value, user.username);
    } else if (key == "language_code") {
      read(field.value, user.language_code);
    }
  }
  if (!has_id) return std::nullopt;
  return user;
}

std::optional<Message> decode_message(element e) {
  object obj;
  if (e.get_object().get(obj) != simdjson::SUCCESS) return std::nullopt;
  Message m;
  bool has_id = false;
  bool has_chat = false;
  std::string_view text;
  std::string_view caption;
  bool has_text = false;
  bool has_caption = false;
  for (const auto& field : obj) {
    const std::string_view key = field.key;
    if (key == "message_id") {
      has_id |= read(field.value, m.message_id);
    } else if (key == "date") {
      read(field.value, m.date);
    } else if (key == "chat") {
      if (auto chat = decode_chat(field.value)) {
        m.chat = std::move(*chat);
        has_chat = true;
      }
    } else if (key == "from") {
      m.from = decode_user(field.value);
    } else if (key == "text") {
      has_text |= read(field.value, text);
    } else if (key == "caption") {
      has_caption |= read(field.value, caption);
    } else if (key == "edit_date") {
      read(field.value, m.edit_date);
    } else if (key == "sender_chat") {
      m.sender_chat_id = object_id(field.value);
    } else if (key == "message_thread_id") {
      read(field.value, m.message_thread_id);
    } else if (key == "business_connection_id") {
      read(field.value, m.business_connection_id);
    }
  }
  if (!has_id || !has_chat) return std::nullopt;
  if (has_text) {
    m.text.assign(text);
    m.has_text = true;
  } else if (has_caption) {
    m.text.assign(caption);
    m.has_text = true;
  }
  return m;
}

bool decode_update(element e, Update& out) {
  object obj;
  if (e.get_object().get(obj) != simdjson::SUCCESS) return false;
  bool has_id = false;
  bool has_payload = false;
  std::optional<UpdateKind> typed;
  element payload;
  std::string_view type;
  for (const auto& field : obj) {
    const std::string_view key = field.key;
    if (key == "update_id") {
      has_id |= read(field.value, out.update_id);
      continue;
    }
    // One payload field is the rule; if there are more, a typed one wins, else the first.
    if (typed) continue;
    typed = kind_from_name(key);
    if (typed || !has_payload) {
      type = key;
      payload = field.value;
      has_payload = true;
    }
  }
  out.type.assign(type);
  out.kind = UpdateKind::other;
  if (typed == UpdateKind::callback_query) {
    out.callback_query = decode_callback_query(payload);
    if (out.callback_query) out.kind = UpdateKind::callback_query;
  } else if (typed) {
    out.message = decode_message(payload);
    if (out.message) out.kind = *typed;
  }
  if (out.kind == UpdateKind::other && has_payload) decode_other(payload, out);
  return has_id;
}

}  // namespace tgkeep::telegram::detail
