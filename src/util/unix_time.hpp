// The wall clock in unix seconds, as Telegram dates messages.
#pragma once

#include <chrono>
#include <cstdint>

namespace tgkeep {

inline std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace tgkeep
