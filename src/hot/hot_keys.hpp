// HotKeys: the Redis key names of the hot tier. Pure.
//
// Every key of one chat or one user carries a hash tag ({chat:42}, {user:7}), so operations that
// touch several keys of one chat or user stay in one Redis Cluster slot. Keys live under a
// configurable prefix, so several bots can share one Redis.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "util/result.hpp"

namespace tgkeep::hot {

class HotKeys {
 public:
  // The prefix may not contain '{', '}' or spaces (they would break hash tags or commands).
  [[nodiscard]] static Result<HotKeys> with_prefix(std::string_view prefix);

  std::string chat_history(std::int64_t chat_id) const;  // tgkeep:{chat:42}:history
  // Counts changes to the chat's history, so a read-through fill can tell that a write raced it.
  std::string chat_history_seq(std::int64_t chat_id) const;  // tgkeep:{chat:42}:history:seq
  // The pattern matching every chat's history list (for SCAN).
  std::string chat_history_pattern() const;              // tgkeep:{chat:*}:history
  std::string user_profile(std::int64_t user_id) const;  // tgkeep:{user:7}:profile
  // The usage counter of one quota window (see usage_window.hpp): tgkeep:{user:7}:usage:d20261122
  std::string user_usage(std::int64_t user_id, std::string_view window_id) const;
  std::string update_seen(std::int64_t update_id) const;  // tgkeep:update:123 (dedupe)
  std::string lexicon_version() const;                    // tgkeep:lexicon:version
  // The outbox (docs/outbox.md): the stream of writes bound for PostgreSQL, and the lease of the
  // syncer that drains it. Both carry the hash tag {outbox}.
  std::string outbox_stream() const;  // tgkeep:{outbox}:stream
  std::string outbox_lease() const;   // tgkeep:{outbox}:lease
  // A reply's state while it travels through the outbox ("p", "f", "s:<message_id>").
  std::string reply_state(std::int64_t chat_id, std::string_view reply_key) const;

  const std::string& prefix() const { return prefix_; }

 private:
  explicit HotKeys(std::string prefix) : prefix_(std::move(prefix)) {}
  std::string prefix_;
};

}  // namespace tgkeep::hot
