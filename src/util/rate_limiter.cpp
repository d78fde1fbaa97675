#include "util/rate_limiter.hpp"

#include <algorithm>
#include <cmath>
#include <iterator>

namespace tgkeep {

namespace {

using clock = std::chrono::steady_clock;
using ticks = clock::rep;

constexpr std::size_t kMinSweep = 1024;
constexpr std::uint32_t kMaxGroupWindow = 100;
constexpr int kMaxBurst = 1000;

constexpr ticks ticks_per_second =
    std::chrono::duration_cast<clock::duration>(std::chrono::seconds{1}).count();
constexpr ticks ticks_per_day = ticks_per_second * 86400;

bool usable_rate(double rate) {
  return std::isfinite(rate) && rate > 0;
}

// `seconds` as clock ticks, rounded up so a limit is never exceeded; within [1 tick, 1 day].
ticks ticks_for(double seconds) {
  const double t = std::ceil(seconds * static_cast<double>(ticks_per_second));
  if (!(t >= 1)) return 1;
  if (t >= static_cast<double>(ticks_per_day)) return ticks_per_day;
  return static_cast<ticks>(t);
}

}  // namespace

RateLimiter::RateLimiter(RateLimits limits) : limits_(limits), sweep_at_(kMinSweep) {
  if (usable_rate(limits_.global_per_second)) {
    global_spacing_ = ticks_for(1.0 / limits_.global_per_second);
  }
  if (usable_rate(limits_.per_chat_per_second)) {
    chat_interval_ = ticks_for(1.0 / limits_.per_chat_per_second);
    chat_tolerance_ =
        static_cast<ticks>(std::clamp(limits_.per_chat_burst, 1, kMaxBurst) - 1) * chat_interval_;
  }
  if (usable_rate(limits_.per_group_per_minute)) {
    const double per_minute = limits_.per_group_per_minute;
    const double n = std::clamp(std::floor(per_minute), 1.0, double{kMaxGroupWindow});
    group_window_size_ = static_cast<std::uint32_t>(n);
    group_window_ = ticks_for(n / per_minute * 60.0);
  }
}

RateLimiter::time_point RateLimiter::reserve(std::int64_t chat_id, bool is_group, time_point now) {
  if (!limits_.enabled) return now;
  advance(now.time_since_epoch().count());

  ChatState& chat = state_for(chat_id);
  ticks at = std::max(now_, chat.not_before);
  if (chat_interval_ > 0) at = std::max(at, chat.tat - chat_tolerance_);
  const bool windowed = is_group && group_window_size_ > 0;
  if (windowed) {
    if (chat.window.size() != group_window_size_) {
      chat.window.assign(group_window_size_, 0);
      chat.window_head = chat.window_count = 0;
    }
    if (chat.window_count == group_window_size_) {
      at = std::max(at, chat.window[chat.window_head] + group_window_);
    }
  }
  if (global_spacing_ > 0) {
    at = first_free_global(at);
    block_global(at - global_spacing_ + 1, at + global_spacing_);
  }

  chat.not_before = at;
  if (chat_interval_ > 0) chat.tat = std::max(chat.tat, at) + chat_interval_;
  if (windowed) {
    if (chat.window_count < group_window_size_) {
      chat.window[(chat.window_head + chat.window_count) % group_window_size_] = at;
      ++chat.window_count;
    } else {
      chat.window[chat.window_head] = at;
      chat.window_head = (chat.window_head + 1) % group_window_size_;
    }
  }
  return time_point{clock::duration{at}};
}

void RateLimiter::pause(std::optional<std::int64_t> chat_id, std::chrono::seconds retry_after,
                        time_point now) {
  if (!limits_.enabled) return;
  advance(now.time_since_epoch().count());
  // Clamped in seconds first: converting an absurd retry_after to ticks would overflow.
  const auto bounded = std::clamp(retry_after, std::chrono::seconds{0},
                                  std::chrono::seconds{std::chrono::hours{24 * 7}});
  const ticks until = now_ + std::chrono::duration_cast<clock::duration>(bounded).count();
  if (until <= now_) return;
  if (chat_id) {
    ChatState& chat = state_for(*chat_id);
    chat.not_before = std::max(chat.not_before, until);
  } else {
    block_global(now_, until);
  }
}

RateLimiter::ChatState& RateLimiter::state_for(std::int64_t chat_id) {
  if (chats_.size() >= sweep_at_ && !chats_.contains(chat_id)) {
    sweep();
  }
  const auto [it, inserted] = chats_.try_emplace(chat_id);
  if (inserted) it->second.tat = it->second.not_before = now_;  // as good as no state at all
  return it->second;
}

void RateLimiter::advance(ticks now) {
  now_ = std::max(now_, now);
  while (!global_busy_.empty() && global_busy_.begin()->second <= now_) {
    global_busy_.erase(global_busy_.begin());
  }
}

bool RateLimiter::expired(const ChatState& chat) const {
  if (chat.not_before > now_ || chat.tat > now_) return false;
  if (chat.window_count > 0) {
    const std::size_t newest = (chat.window_head + chat.window_count - 1) % chat.window.size();
    if (chat.window[newest] + group_window_ > now_) return false;
  }
  return true;
}

void RateLimiter::sweep() {
  std::erase_if(chats_, [this](const auto& entry) { return expired(entry.second); });
  sweep_at_ = std::max(kMinSweep, 2 * chats_.size());
}

RateLimiter::ticks RateLimiter::first_free_global(ticks at) const {
  auto next = global_busy_.upper_bound(at);
  if (next != global_busy_.begin()) {
    const auto prev = std::prev(next);
    // Ranges never touch, so the end of the range holding `at` is itself free.
    if (prev->second > at) return prev->second;
  }
  return at;
}

void RateLimiter::block_global(ticks begin, ticks end) {
  if (begin >= end) return;
  auto it = global_busy_.upper_bound(begin);
  if (it != global_busy_.begin() && std::prev(it)->second >= begin) --it;
  while (it != global_busy_.end() && it->first <= end) {
    begin = std::min(begin, it->first);
    end = std::max(end, it->second);
    it = global_busy_.erase(it);
  }
  global_busy_.emplace(begin, end);
}

}  // namespace tgkeep
