#include "sandbox/user_messages.hpp"

#include "sandbox/json_text.hpp"
#include "sandbox/message_json.hpp"
#include "sandbox/message_methods.hpp"

namespace tgkeep::sandbox {
namespace {

std::string update_prefix(std::int64_t update_id, std::string_view type) {
  std::string json = "{\"update_id\":";
  append_int(json, update_id);
  json += ",\"";
  json += type;
  json += "\":";
  return json;
}

}  // namespace

Result<QueuedUpdate> queue_user_message(BotState& bot, const UserMessageSpec& spec,
                                        const Instant& now) {
  if (spec.chat_id == 0) return Error::invalid("chat_id is required");
  if (spec.user_id <= 0) return Error::invalid("user_id must be a positive integer");
  const ChatType type = spec.chat_type.value_or(
      spec.chat_id == spec.user_id ? ChatType::private_chat : ChatType::group);
  if (type == ChatType::private_chat && spec.chat_id != spec.user_id) {
    return Error::invalid("a private chat's id must equal the user's id");
  }

  UserInfo user;
  user.id = spec.user_id;
  user.first_name = spec.first_name;
  user.last_name = spec.last_name;
  user.username = spec.username;
  user.language_code = spec.language_code;
  if (user.first_name.empty() && bot.chats.find_user(user.id) == nullptr) {
    user.first_name = "User " + std::to_string(user.id);
  }
  bot.chats.upsert_user(user);
  const bool new_chat = bot.chats.find_chat(spec.chat_id) == nullptr;
  Chat& chat = bot.chats.ensure_chat(spec.chat_id, type);
  if (type != ChatType::private_chat) {
    if (!spec.title.empty()) chat.title = spec.title;
    if (chat.title.empty()) chat.title = "Group " + std::to_string(spec.chat_id);
    chat.add_member(user.id);
  }
  if (new_chat) bot.record_event(ChatEventKind::chat, chat.id, 0);

  StoredMessage message;
  message.message_id = chat.allocate_message_id();
  message.from_id = user.id;
  message.date = now.unix_time;
  message.text = spec.text;
  message.entities_json = command_entities_json(spec.text);
  message.message_thread_id = spec.message_thread_id;
  if (spec.reply_to_message_id != 0 && chat.has_existed(spec.reply_to_message_id)) {
    message.reply_to_message_id = spec.reply_to_message_id;
  }

  const std::int64_t update_id = bot.updates.allocate_id();
  std::string json = update_prefix(update_id, "message");
  json += render_message(bot, chat, message);
  json += '}';
  const QueuedUpdate queued{update_id, message.message_id, {}};
  chat.remember(std::move(message));
  bot.record_event(ChatEventKind::message, chat.id, queued.message_id);
  bot.push_update(update_id, "message", std::move(json));
  return queued;
}

Result<QueuedUpdate> queue_callback_query(BotState& bot, const CallbackSpec& spec) {
  Chat* chat = bot.chats.find_chat(spec.chat_id);
  if (chat == nullptr) return Error::invalid("chat not found");
  const StoredMessage* message = chat->find(spec.message_id);
  if (message == nullptr) return Error::invalid("message not found");
  const UserInfo* user = bot.chats.find_user(spec.user_id);
  if (user == nullptr) return Error::invalid("user not found; send a message from it first");

  const std::int64_t update_id = bot.updates.allocate_id();
  std::string query_id = std::to_string(bot.bot_user.id * 1000003 + update_id);
  std::string json = update_prefix(update_id, "callback_query");
  json += "{\"id\":";
  append_json_string(json, query_id);
  json += ",\"from\":";
  append_user_json(json, *user);
  json += ",\"message\":";
  json += render_message(bot, *chat, *message);
  append_member(json, "chat_instance", std::to_string(chat->id * 7919 + 1));
  append_member(json, "data", std::string_view(spec.data));
  json += "}}";
  bot.push_update(update_id, "callback_query", std::move(json));
  bot.events.remember_callback(query_id, CallbackOrigin{chat->id, spec.message_id});
  return QueuedUpdate{update_id, spec.message_id, std::move(query_id)};
}

}  // namespace tgkeep::sandbox
