// Bot commands in message text ("/history 5", "/start@my_bot"). Pure.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace tgkeep::bot {

struct Command {
  std::string name;                     // lower case, without '/' and '@bot' ("history")
  std::string arguments;                // the rest of the text, trimmed
  bool addressed_to_other_bot = false;  // "/start@other_bot"
};

// A command when the text starts with '/' followed by a name of [A-Za-z0-9_]; nullopt otherwise.
// `bot_username` (without '@') decides whether "/cmd@name" is meant for this bot.
std::optional<Command> parse_command(std::string_view text, std::string_view bot_username);

}  // namespace tgkeep::bot
