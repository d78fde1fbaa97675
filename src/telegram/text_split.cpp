#include "telegram/text_split.hpp"

#include "util/utf8.hpp"

namespace tgkeep::telegram {
namespace {

struct Char {
  std::size_t bytes;  // the UTF-8 sequence's length, or 1 for a byte that starts none
  std::size_t units;  // UTF-16 code units
};

// The character at s[i]; a byte that starts no valid sequence counts as one unit alone.
Char char_at(std::string_view s, std::size_t i) {
  const Utf8Sequence seq = utf8_sequence_at(s, i);
  if (!seq.valid) return {1, 1};
  return {seq.length, seq.length == 4 ? std::size_t{2} : std::size_t{1}};
}

}  // namespace

std::size_t utf16_length(std::string_view utf8) {
  std::size_t units = 0;
  for (std::size_t i = 0; i < utf8.size();) {
    const Char c = char_at(utf8, i);
    units += c.units;
    i += c.bytes;
  }
  return units;
}

std::vector<std::string> split_message_text(std::string_view utf8, std::size_t max_utf16_units) {
  const std::size_t limit = max_utf16_units < 2 ? 2 : max_utf16_units;
  constexpr std::size_t kNone = std::string_view::npos;
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (start < utf8.size()) {
    std::size_t units = 0;
    std::size_t i = start;
    std::size_t after_newline = kNone;
    std::size_t after_space = kNone;
    while (i < utf8.size()) {
      const Char c = char_at(utf8, i);
      if (units + c.units > limit) break;
      units += c.units;
      if (utf8[i] == '\n') {
        after_newline = i + 1;
      } else if (utf8[i] == ' ') {
        after_space = i + 1;
      }
      i += c.bytes;
    }
    std::size_t end = i;
    if (i < utf8.size()) {
      if (after_newline != kNone) {
        end = after_newline;
      } else if (after_space != kNone) {
        end = after_space;
      }
    }
    parts.emplace_back(utf8.substr(start, end - start));
    start = end;
  }
  return parts;
}

}  // namespace tgkeep::telegram
