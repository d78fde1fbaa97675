#include "bot/command.hpp"

#include <algorithm>
#include <cctype>

namespace tgkeep::bot {
namespace {

bool is_name_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
}

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string_view trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t\r\n");
  return text.substr(first, last - first + 1);
}

}  // namespace

std::optional<Command> parse_command(std::string_view text, std::string_view bot_username) {
  if (text.size() < 2 || text.front() != '/') return std::nullopt;
  std::size_t end = 1;
  while (end < text.size() && is_name_char(text[end])) ++end;
  if (end == 1 || end - 1 > 32) return std::nullopt;
  Command command;
  command.name = lower(text.substr(1, end - 1));
  std::string_view rest = text.substr(end);
  if (rest.starts_with("@")) {
    std::size_t mention_end = 1;
    while (mention_end < rest.size() && is_name_char(rest[mention_end])) ++mention_end;
    const auto mention = rest.substr(1, mention_end - 1);
    command.addressed_to_other_bot = !bot_username.empty() && lower(mention) != lower(bot_username);
    rest = rest.substr(mention_end);
  }
  if (!rest.empty() && !std::isspace(static_cast<unsigned char>(rest.front()))) {
    return std::nullopt;  // "/path/to/file", "/etc..." are not commands
  }
  command.arguments = std::string(trim(rest));
  return command;
}

}  // namespace tgkeep::bot
