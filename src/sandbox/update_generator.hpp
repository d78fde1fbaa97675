// Bulk generation of realistic incoming traffic for benchmarks: `count` message updates from
// users in `chats` private chats, texts mixing Cyrillic, ASCII and emoji, and a share of
// commands (/start, /help, /history). Deterministic for a given seed.
//
// Built for speed: each chat's `from`/`chat` JSON is rendered once and every update is written
// straight into its final JSON text (100k updates take tens of milliseconds). Generated
// messages are not remembered individually (only their ids are handed out), so replies to
// them carry a short reply_to_message. Pure function over BotState; not thread-safe.
#pragma once

#include <cstdint>

#include "sandbox/bot_api_state.hpp"
#include "util/result.hpp"

namespace tgkeep::sandbox {

struct GenerateSpec {
  std::int64_t count = 1000;
  std::int64_t chats = 100;
  double command_ratio = 0.07;
  std::uint64_t seed = 1;
  std::int64_t text_len = 40;  // average text length in bytes
  std::int64_t first_user_id = 100'000'000;
};

struct GenerateResult {
  std::int64_t first = 0;  // update ids
  std::int64_t last = 0;
  std::int64_t count = 0;
};

Result<GenerateResult> generate_updates(BotState& bot, const GenerateSpec& spec,
                                        const Instant& now);

}  // namespace tgkeep::sandbox
