// UTF-8 decoding of one sequence, per Unicode Table 3-7 (no overlongs, no surrogates, nothing
// above U+10FFFF). Pure; shared by the JSON writer and the message splitter.
#pragma once

#include <cstddef>
#include <string_view>

namespace tgkeep {

struct Utf8Sequence {
  // Bytes of the sequence at the position: the whole character when valid, else its maximal
  // ill-formed subpart (at least 1), which a decoder replaces with one U+FFFD.
  std::size_t length = 1;
  bool valid = false;
};

inline Utf8Sequence utf8_sequence_at(std::string_view s, std::size_t i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) return {1, true};
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
    return {1, false};
  }
  for (std::size_t k = 1; k <= need; ++k) {
    if (i + k >= s.size()) return {k, false};
    const auto b = static_cast<unsigned char>(s[i + k]);
    if (b < lo || b > hi) return {k, false};
    lo = 0x80;
    hi = 0xBF;
  }
  return {need + 1, true};
}

}  // namespace tgkeep
