// UpdateQueue: one bot's pending updates with Telegram's getUpdates semantics.
//
// Updates are kept pre-serialized (the complete JSON object, update_id included), so serving a
// batch is a concatenation. The offset rules follow Telegram's server (TQueue):
//   * offset > 0 confirms and forgets every update with update_id < offset;
//   * offset == 0 (or absent) starts at the earliest unconfirmed update;
//   * offset < 0 starts |offset| ids before the end of the queue and forgets everything before;
//   * an offset more than 10 past the next id is "in the future" and is ignored (served from
//     the head, nothing confirmed).
// Types the bot did not ask for (allowed_updates) are dropped when a poll passes over them, as
// if Telegram had never queued them. Update types the emulator does not know are always
// delivered, so tests can feed the bot unknown kinds.
//
// Not thread-safe; owned by BotState.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sandbox/update_types.hpp"

namespace tgkeep::sandbox {

struct StoredUpdate {
  std::int64_t id = 0;
  // Index of the update type, kUnknownType for kinds the emulator does not know, or kDropped
  // for a tombstone (filtered out by allowed_updates).
  std::uint8_t type = 0;
  std::string json;
};

inline constexpr std::uint8_t kUnknownType = 254;
inline constexpr std::uint8_t kDropped = 255;

// What one getUpdates call took from the queue.
struct UpdateBatch {
  std::int64_t effective_offset = 0;         // the offset after Telegram's adjustments
  std::vector<const StoredUpdate*> updates;  // valid until the queue is next modified
  // The `[...]` result array.
  std::string result_json() const;
};

class UpdateQueue {
 public:
  explicit UpdateQueue(std::int64_t first_id = 1) : next_id_(first_id) {}

  // Appends an update whose JSON already contains its update_id. Ids that go backwards or
  // repeat are accepted and served in id order.
  void push(std::int64_t id, std::string_view type_name, std::string json);
  // Reserves the next update id (for building the JSON before push()).
  std::int64_t allocate_id() { return next_id_++; }

  // The getUpdates step: applies the offset (confirming), then takes up to `limit` updates of
  // the allowed types.
  UpdateBatch take(std::int64_t offset, std::size_t limit, UpdateTypeMask allowed);

  // Forgets everything (deleteWebhook/setWebhook with drop_pending_updates).
  void clear();

  std::int64_t next_id() const { return next_id_; }
  std::int64_t confirmed_offset() const { return confirmed_offset_; }
  std::size_t pending() const { return live_; }
  std::size_t memory_bytes() const;

 private:
  void forget_before(std::int64_t offset);
  std::int64_t head() const;

  std::deque<StoredUpdate> items_;  // sorted by id
  std::int64_t next_id_;
  std::int64_t confirmed_offset_ = 0;
  std::size_t live_ = 0;
};

}  // namespace tgkeep::sandbox
