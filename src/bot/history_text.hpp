// The text of a /history reply. Pure.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "bot/lexicon.hpp"
#include "storage/records.hpp"

namespace tgkeep::bot {

// Lists the last `count` of `recent` (oldest first) without the user message `asking_message_id`
// (the /history command itself); long texts are shortened to one line each.
std::string history_text(const Lexicon& lexicon, std::string_view language,
                         const std::vector<storage::MessageRecord>& recent,
                         std::int64_t asking_message_id, std::size_t count);

}  // namespace tgkeep::bot
