// Building the updates users cause: a user writes a message, a user presses an inline button.
//
// Registers the user and the chat, takes the next per-chat message id, remembers the message
// (so the bot can reply to it), records a chat event for the sandbox page and queues a
// realistic `message` or `callback_query` update. Used by the admin endpoints and the sandbox
// chat page. Pure functions over
// BotState; not thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "sandbox/bot_api_state.hpp"
#include "util/result.hpp"

namespace tgkeep::sandbox {

struct UserMessageSpec {
  std::int64_t chat_id = 0;
  std::int64_t user_id = 0;
  std::string text;
  std::string first_name;  // default "User <id>" for a new user
  std::string last_name;
  std::string username;
  std::string language_code;
  std::optional<ChatType> chat_type;  // default: private when chat_id == user_id, else group
  std::string title;                  // default "Group <chat_id>" for a new group
  std::int64_t reply_to_message_id = 0;
  std::int64_t message_thread_id = 0;
};

struct QueuedUpdate {
  std::int64_t update_id = 0;
  std::int64_t message_id = 0;
  std::string callback_query_id;  // queue_callback_query only
};

// Queues a `message` update (with a bot_command entity when the text starts with '/').
Result<QueuedUpdate> queue_user_message(BotState& bot, const UserMessageSpec& spec,
                                        const Instant& now);

struct CallbackSpec {
  std::int64_t chat_id = 0;
  std::int64_t user_id = 0;
  std::int64_t message_id = 0;  // a message of the bot in that chat
  std::string data;
};

// Queues a `callback_query` update for a button of the bot's message.
Result<QueuedUpdate> queue_callback_query(BotState& bot, const CallbackSpec& spec);

}  // namespace tgkeep::sandbox
