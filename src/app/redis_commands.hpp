// Commands that touch the hot tier from the command line: reading a chat's history from Redis
// alone, putting a user on a tariff and changing lexicon texts (both also drop or bump what
// running instances cache in Redis, so they see the change).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "config/settings.hpp"

namespace tgkeep::app {

// `tgkeep history CHAT_ID --tier redis`.
int hot_history_command(const config::Settings& settings, std::int64_t chat_id, std::size_t limit);

// `tgkeep tariff USER_ID [NAME]`: shows the user's tariff and quota, or sets it ("default": "").
int tariff_command(const config::Settings& settings, std::int64_t user_id,
                   std::optional<std::string> tariff);

// `tgkeep lexicon list|set LANG KEY TEXT|unset LANG KEY`.
int lexicon_command(const config::Settings& settings, const std::string& action,
                    const std::vector<std::string>& args);

}  // namespace tgkeep::app
