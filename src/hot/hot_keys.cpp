#include "hot/hot_keys.hpp"

#include <fmt/format.h>

namespace tgkeep::hot {

Result<HotKeys> HotKeys::with_prefix(std::string_view prefix) {
  if (prefix.empty()) return Error::fatal("the Redis key prefix is empty");
  if (prefix.size() > 64) return Error::fatal("the Redis key prefix is longer than 64 bytes");
  for (char c : prefix) {
    if (c == '{' || c == '}' || c == ' ' || c == '\n' || c == '\r' || c == '\t') {
      return Error::fatal(fmt::format(
          "the Redis key prefix \"{}\" contains '{{', '}}' or white space; use letters, digits, "
          "':', '-' or '_'",
          prefix));
    }
  }
  return HotKeys(std::string(prefix));
}

std::string HotKeys::chat_history(std::int64_t chat_id) const {
  return fmt::format("{}:{{chat:{}}}:history", prefix_, chat_id);
}

std::string HotKeys::chat_history_seq(std::int64_t chat_id) const {
  return chat_history(chat_id) + ":seq";
}

std::string HotKeys::chat_history_pattern() const {
  return prefix_ + ":{chat:*}:history";
}

std::string HotKeys::user_profile(std::int64_t user_id) const {
  return fmt::format("{}:{{user:{}}}:profile", prefix_, user_id);
}

std::string HotKeys::user_usage(std::int64_t user_id, std::string_view window_id) const {
  return fmt::format("{}:{{user:{}}}:usage:{}", prefix_, user_id, window_id);
}

std::string HotKeys::update_seen(std::int64_t update_id) const {
  return fmt::format("{}:update:{}", prefix_, update_id);
}

std::string HotKeys::lexicon_version() const {
  return prefix_ + ":lexicon:version";
}

std::string HotKeys::outbox_stream() const {
  return prefix_ + ":{outbox}:stream";
}

std::string HotKeys::outbox_lease() const {
  return prefix_ + ":{outbox}:lease";
}

std::string HotKeys::reply_state(std::int64_t chat_id, std::string_view reply_key) const {
  return fmt::format("{}:{{chat:{}}}:reply:{}", prefix_, chat_id, reply_key);
}

}  // namespace tgkeep::hot
