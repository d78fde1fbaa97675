#include "telegram/text_split.hpp"

namespace tgkeep::telegram {
namespace {

struct Char {
  std::size_t bytes;  // the UTF-8 sequence's length, or 1 for a byte that starts none
  std::size_t units;  // UTF-16 code units
};

// The character at s[i], per Unicode Table 3-7 (no overlongs, surrogates, or values > U+10FFFF).
Char char_at(std::string_view s, std::size_t i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) return {1, 1};
  std::size_t need;
  unsigned char lo = 0x80;
  unsigned char hi = 0xBF;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    need = 1;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    need = 2;
    if (b0 == 0xE0) lo = 0xA0;
    if (b0 == 0xED) hi = 0x9F;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    need = 3;
    if (b0 == 0xF0) lo = 0x90;
    if (b0 == 0xF4) hi = 0x8F;
  } else {
    return {1, 1};
  }
  for (std::size_t k = 1; k <= need; ++k) {
    if (i + k >= s.size()) return {1, 1};
    const auto b = static_cast<unsigned char>(s[i + k]);
    if (b < lo || b > hi) return {1, 1};
    lo = 0x80;
    hi = 0xBF;
  }
  return {need + 1, need == 3 ? std::size_t{2} : std::size_t{1}};
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
