#include "sandbox/message_json.hpp"

#include "sandbox/json_text.hpp"

namespace tgkeep::sandbox {
namespace {

bool is_command_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '@';
}

}  // namespace

void append_user_json(std::string& out, const UserInfo& user, bool full_bot_info) {
  out += "{\"id\":";
  append_int(out, user.id);
  append_member_bool(out, "is_bot", user.is_bot);
  append_member(out, "first_name", std::string_view(user.first_name));
  if (!user.last_name.empty()) append_member(out, "last_name", std::string_view(user.last_name));
  if (!user.username.empty()) append_member(out, "username", std::string_view(user.username));
  if (!user.language_code.empty()) {
    append_member(out, "language_code", std::string_view(user.language_code));
  }
  if (full_bot_info) {
    out +=
        ",\"can_join_groups\":true,\"can_read_all_group_messages\":false,"
        "\"supports_inline_queries\":false,\"can_connect_to_business\":false,"
        "\"has_main_web_app\":false";
  }
  out += '}';
}

void append_chat_json(std::string& out, const Chat& chat) {
  out += "{\"id\":";
  append_int(out, chat.id);
  if (chat.type == ChatType::private_chat) {
    append_member(out, "first_name", std::string_view(chat.first_name));
    if (!chat.last_name.empty()) append_member(out, "last_name", std::string_view(chat.last_name));
  } else {
    append_member(out, "title", std::string_view(chat.title));
  }
  if (!chat.username.empty()) append_member(out, "username", std::string_view(chat.username));
  append_member(out, "type", chat_type_name(chat.type));
  out += '}';
}

void append_message_json(std::string& out, const Chat& chat, const StoredMessage& message,
                         const UserInfo& from, std::string_view reply_to_json) {
  out += "{\"message_id\":";
  append_int(out, message.message_id);
  if (message.message_thread_id != 0) {
    append_member(out, "message_thread_id", message.message_thread_id);
  }
  out += ",\"from\":";
  append_user_json(out, from);
  out += ",\"chat\":";
  append_chat_json(out, chat);
  append_member(out, "date", message.date);
  if (message.edit_date != 0) append_member(out, "edit_date", message.edit_date);
  if (!reply_to_json.empty()) append_member_raw(out, "reply_to_message", reply_to_json);
  append_member(out, "text", std::string_view(message.text));
  if (!message.entities_json.empty()) append_member_raw(out, "entities", message.entities_json);
  if (!message.reply_markup_json.empty()) {
    append_member_raw(out, "reply_markup", message.reply_markup_json);
  }
  out += '}';
}

std::string command_entities_json(std::string_view text) {
  if (text.size() < 2 || text[0] != '/' || !is_command_char(text[1]) || text[1] == '@') return {};
  std::size_t end = 1;
  while (end < text.size() && is_command_char(text[end])) ++end;
  std::string out = "[{\"offset\":0,\"length\":";
  append_int(out, static_cast<std::int64_t>(end));  // ASCII only: bytes == UTF-16 units
  out += ",\"type\":\"bot_command\"}]";
  return out;
}

}  // namespace tgkeep::sandbox
