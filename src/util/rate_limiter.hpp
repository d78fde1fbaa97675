// RateLimiter: when an outgoing Bot API message may be sent without tripping Telegram's flood
// limits (about 30 messages/s overall, 1/s per chat, 20/min per group; see
// https://core.telegram.org/bots/faq#my-bot-is-hitting-limits-how-do-i-avoid-this).
//
// Pure logic: the caller passes the current time in and gets back the time at which to send;
// nothing here sleeps, spawns threads or reads a clock, so tests run on a fake clock.
//
// How each scope is limited:
// - per chat: a GCRA (virtual scheduling) bucket, rate `per_chat_per_second`, burst
//   `per_chat_burst` (1 by default: strictly one message per second; Telegram tolerates short
//   bursts in private chats, raise it if you rely on that);
// - per group: a sliding window on top of the per-chat limit: at most N sends in any window of
//   N / per_group_per_minute minutes, N = floor(per_group_per_minute) capped at 100. With the
//   default 20/min that is exactly "20 in any 60 s", so a quiet group gets several quick replies
//   (one per second) and only a busy one is held back;
// - global: strict pacing, any two sends at least 1/global_per_second apart (no burst: 30
//   replies to 30 chats go out within one second instead of at once, which costs at most 33 ms).
//   Every interval is rounded up to the clock's tick so the limits hold exactly.
// A rate that is not a positive finite number switches its scope off.
//
// Reservations are first come, first served: a reservation never moves an earlier one. Per chat
// they are FIFO (non-decreasing times, strictly increasing while the global limit is on).
// Globally each takes the earliest free global slot at or after the time its own chat allows, so
// a chat queued 100 s into the future does not hold up other chats meanwhile. There are no
// priorities: a broadcast should be fed in at the global rate by its job, not reserved all at
// once, or interactive replies queue behind it.
//
// Memory stays bounded however many distinct chats it sees: per-chat state that no longer
// constrains anything (its next slot and its group window are in the past) is forgotten in a
// sweep that runs when the table has doubled since the previous sweep (amortised O(1) per
// reservation; at most max(1024, 2 x live chats) entries). Global slots in the past are dropped
// as time passes.
//
// Not thread-safe: one instance is owned and used by one event-loop thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <unordered_map>
#include <vector>

namespace tgkeep {

struct RateLimits {
  bool enabled = true;               // false: reserve() always answers `now`, pause() is ignored
  double global_per_second = 30;     // all chats together
  double per_chat_per_second = 1;    // one chat, private or group
  int per_chat_burst = 1;            // sends a quiet chat may get back to back; within [1, 1000]
  double per_group_per_minute = 20;  // additionally, one group chat
};

class RateLimiter {
 public:
  using clock = std::chrono::steady_clock;
  using time_point = clock::time_point;

  explicit RateLimiter(RateLimits limits);

  // Reserves a send slot for `chat_id` at or after `now` and returns the time at which the send
  // may happen (== now when nothing is in the way). Calling it repeatedly queues slots into the
  // future. `now` comes from a steady clock; a value older than one seen before is treated as that
  // newer one.
  time_point reserve(std::int64_t chat_id, bool is_group, time_point now);

  // After a 429 with retry_after: no slot of that chat (or, with no chat, of any chat) is handed
  // out before now + retry_after. Slots reserved earlier are not recalled; a send that gets a 429
  // reserves again. Negative retry_after acts as 0; more than 7 days acts as 7 days.
  void pause(std::optional<std::int64_t> chat_id, std::chrono::seconds retry_after, time_point now);

  // Chats with state held; includes forgotten-but-not-yet-swept ones (see the header comment).
  std::size_t tracked_chats() const { return chats_.size(); }

  const RateLimits& limits() const { return limits_; }

 private:
  using ticks = clock::rep;  // clock ticks since the clock's epoch

  struct ChatState {
    ticks tat = 0;         // GCRA theoretical arrival time of the per-chat bucket
    ticks not_before = 0;  // no slot before this: the last reservation (FIFO) or the end of a pause
    std::vector<ticks> window;       // group chats: the last sends, a ring of group_window_size_
    std::uint32_t window_head = 0;   // index of the oldest send once the ring is full
    std::uint32_t window_count = 0;  // sends held in the ring
  };

  ChatState& state_for(std::int64_t chat_id);
  void advance(ticks now);
  void sweep();
  bool expired(const ChatState& state) const;
  ticks first_free_global(ticks at) const;
  void block_global(ticks begin, ticks end);  // forbids global sends in [begin, end)

  RateLimits limits_;
  ticks global_spacing_ = 0;             // 0: no global limit
  ticks chat_interval_ = 0;              // 0: no per-chat limit
  ticks chat_tolerance_ = 0;             // (burst - 1) * chat_interval_
  std::uint32_t group_window_size_ = 0;  // 0: no group limit
  ticks group_window_ = 0;

  ticks now_ = std::numeric_limits<ticks>::min();  // the newest `now` seen
  std::unordered_map<std::int64_t, ChatState> chats_;
  std::size_t sweep_at_;
  // Times at which no global send may happen, as disjoint, non-touching [begin, end) ranges:
  // each reserved send at t forbids (t - spacing, t + spacing); a global pause forbids its span.
  std::map<ticks, ticks> global_busy_;
};

}  // namespace tgkeep
