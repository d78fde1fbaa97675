#include "telegram/update.hpp"

namespace tgkeep::telegram {

const char* kind_name(UpdateKind kind) {
  switch (kind) {
    case UpdateKind::message:
      return "message";
    case UpdateKind::edited_message:
      return "edited_message";
    case UpdateKind::channel_post:
      return "channel_post";
    case UpdateKind::edited_channel_post:
      return "edited_channel_post";
    case UpdateKind::business_message:
      return "business_message";
    case UpdateKind::edited_business_message:
      return "edited_business_message";
    case UpdateKind::callback_query:
      return "callback_query";
    case UpdateKind::other:
      return "other";
  }
  return "other";
}

std::optional<std::int64_t> Update::chat_id() const {
  if (message) return message->chat.id;
  if (callback_query) {
    if (callback_query->message) return callback_query->message->chat.id;
    return std::nullopt;  // a button under an inline message belongs to no chat
  }
  return other_chat_id;
}

const User* Update::sender() const {
  if (callback_query) return &callback_query->from;  // not the author of the message it is under
  if (message) return message->from ? &*message->from : nullptr;
  return other_from ? &*other_from : nullptr;
}

}  // namespace tgkeep::telegram
