#include "outbox/stream_id.hpp"

#include <charconv>
#include <limits>

namespace tgkeep::outbox {
namespace {

std::optional<std::uint64_t> number(std::string_view text) {
  std::uint64_t n = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, n);
  if (text.empty() || ec != std::errc() || ptr != end) return std::nullopt;
  return n;
}

}  // namespace

std::string StreamId::text() const {
  return std::to_string(ms) + "-" + std::to_string(seq);
}

StreamId StreamId::next() const {
  if (seq == std::numeric_limits<std::uint64_t>::max()) return StreamId{ms + 1, 0};
  return StreamId{ms, seq + 1};
}

std::optional<StreamId> parse_stream_id(std::string_view text) {
  const auto dash = text.find('-');
  auto ms = number(text.substr(0, dash));
  if (!ms) return std::nullopt;
  if (dash == std::string_view::npos) return StreamId{*ms, 0};
  auto seq = number(text.substr(dash + 1));
  if (!seq) return std::nullopt;
  return StreamId{*ms, *seq};
}

}  // namespace tgkeep::outbox
