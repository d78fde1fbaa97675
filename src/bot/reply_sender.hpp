// ReplySender: delivers a reply the way tgkeep promises. Each part (text split at Telegram's
// 4096-character limit) is recorded (role assistant, status pending) before it is sent, waits
// for its rate-limit slot, is sent with retries, then settled with Telegram's message_id (or as
// failed). Reply keys derive from the update being answered ("u<update_id>.<part>"), so a
// restart that handles an update again does not send a part already recorded as sent. A part
// recorded but not settled (pending: its fate unknown after a crash) is marked resending, then
// sent once more; a part found resending (a crash hit that re-send) is not sent again, so a part
// reaches Telegram at most twice. See docs/replies.md.
// Thread-safety: event loop thread only.
#pragma once

#include <cstdint>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "bot/api_caller.hpp"
#include "storage/store.hpp"
#include "tiers/tiers.hpp"
#include "telegram/requests.hpp"
#include "telegram/update.hpp"
#include "telegram/update_parser.hpp"
#include "util/rate_limiter.hpp"

namespace tgkeep::bot {

struct ReplyOptions {
  std::chrono::milliseconds timeout{10'000};
  int max_attempts = 5;
};

struct ReplyCounters {
  std::uint64_t sent = 0;
  std::uint64_t failed = 0;
  std::uint64_t skipped_already_sent = 0;  // found sent or failed: not sent again
  std::uint64_t resent = 0;                // found pending after a crash: sent once more
  std::uint64_t skipped_unknown = 0;       // found resending after a crash: not sent again
};

class ReplySender {
 public:
  ReplySender(tiers::Tiers& tiers, ApiCaller& api, RateLimiter& limiter, ReplyOptions options);

  // Replies to `to` (the message being answered, in update `update_id`) with `text`; the last
  // part carries `keyboard`. `key_base` distinguishes several replies to one update.
  boost::asio::awaitable<void> reply(const telegram::Message& to, std::int64_t update_id,
                                     std::string text, telegram::InlineKeyboard keyboard = {},
                                     std::string_view key_base = "");

  // Edits a message the bot sent (text and keyboard), then records the new text. Returns
  // whether Telegram took the edit.
  boost::asio::awaitable<bool> edit(const telegram::Message& sent, std::string text,
                                    telegram::InlineKeyboard keyboard = {});

  const ReplyCounters& counters() const { return counters_; }

 private:
  boost::asio::awaitable<void> send_part(const telegram::Message& to, std::int64_t update_id,
                                         std::string key, std::string text, bool quote,
                                         telegram::InlineKeyboard keyboard);

  tiers::Tiers& tiers_;
  ApiCaller& api_;
  RateLimiter& limiter_;
  ReplyOptions options_;
  ReplyCounters counters_;
  telegram::UpdateParser parser_;  // used between awaits only, so one suffices
};

}  // namespace tgkeep::bot
