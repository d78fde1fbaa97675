// Queuing Update objects given as JSON text (POST /_admin/updates).
//
// Each object's text is stored and served verbatim, so tests can feed the bot wrong types,
// unknown fields and unknown update kinds; an object without update_id gets the next id inserted
// at its front. All objects are checked before any is queued. The chats, users and messages the
// updates mention (message-like payloads, callback queries, chat member updates) are registered
// as far as they are well-typed, so the bot can answer them like any other chat. Pure function
// over BotState; not thread-safe.
#pragma once

#include <cstdint>
#include <string_view>

#include "sandbox/bot_api_state.hpp"
#include "util/result.hpp"

namespace tgkeep::sandbox {

struct QueuedRange {
  std::int64_t first = 0;  // update ids
  std::int64_t last = 0;
  std::int64_t count = 0;
};

// `json`: one Update object or an array of them.
Result<QueuedRange> queue_raw_updates(BotState& bot, std::string_view json);

}  // namespace tgkeep::sandbox
