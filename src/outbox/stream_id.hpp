// Redis Stream entry ids ("<ms>-<seq>"), compared as numbers, not as text. Pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tgkeep::outbox {

struct StreamId {
  std::uint64_t ms = 0;
  std::uint64_t seq = 0;

  friend auto operator<=>(const StreamId&, const StreamId&) = default;
  std::string text() const;
  // The smallest id after this one.
  StreamId next() const;
};

// "1700000000000-3" (or "1700000000000", seq 0); nullopt for anything else.
std::optional<StreamId> parse_stream_id(std::string_view text);

}  // namespace tgkeep::outbox
