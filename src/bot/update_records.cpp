#include "bot/update_records.hpp"

namespace tgkeep::bot {

storage::UpdateRecord to_record(const telegram::Update& update, bool needs_handling,
                                std::int64_t now) {
  storage::UpdateRecord record;
  record.update_id = update.update_id;
  record.type = update.type;
  record.chat_id = update.chat_id();
  record.raw_json = update.raw_json;
  record.needs_handling = needs_handling;
  if (update.message && update.kind != telegram::UpdateKind::callback_query) {
    const auto& m = *update.message;
    storage::MessageRecord message;
    message.chat_id = m.chat.id;
    message.message_id = m.message_id;
    if (m.from) message.user_id = m.from->id;
    message.role = storage::Role::user;
    message.text = m.text;
    message.date = m.date;
    message.update_id = update.update_id;
    message.edited = update.is_edit();
    message.edit_date = m.edit_date;
    record.message = std::move(message);
  }
  if (const auto* sender = update.sender()) {
    storage::UserRecord user;
    user.id = sender->id;
    user.is_bot = sender->is_bot;
    user.username = sender->username;
    user.first_name = sender->first_name;
    user.last_name = sender->last_name;
    user.language_code = sender->language_code;
    const bool dated = update.message && update.kind != telegram::UpdateKind::callback_query;
    user.seen_at = dated ? update.message->date : now;
    record.user = std::move(user);
  }
  return record;
}

storage::MessageRecord pending_reply(std::int64_t chat_id, std::int64_t update_id, std::string text,
                                     std::int64_t date, std::string reply_key) {
  storage::MessageRecord reply;
  reply.chat_id = chat_id;
  reply.update_id = update_id;
  reply.role = storage::Role::assistant;
  reply.text = std::move(text);
  reply.date = date;
  reply.reply_key = std::move(reply_key);
  reply.status = storage::ReplyStatus::pending;
  return reply;
}

}  // namespace tgkeep::bot
