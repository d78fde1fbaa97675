// Writers for the Bot API objects the emulator produces: User, Chat, Message, and the
// bot_command entity of a command message. Field names and shapes follow the Bot API; pure
// functions appending to a string; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "sandbox/chat_model.hpp"

namespace tgkeep::sandbox {

// User; with `full_bot_info` the getMe-only fields (can_join_groups, ...) are added.
void append_user_json(std::string& out, const UserInfo& user, bool full_bot_info = false);
void append_chat_json(std::string& out, const Chat& chat);

// Message. `reply_to_json` is the already rendered replied-to Message, or empty.
void append_message_json(std::string& out, const Chat& chat, const StoredMessage& message,
                         const UserInfo& from, std::string_view reply_to_json = {});

// `[{"offset":0,"length":N,"type":"bot_command"}]` when `text` starts with a command such as
// "/start" or "/start@bot", else an empty string.
std::string command_entities_json(std::string_view text);

}  // namespace tgkeep::sandbox
