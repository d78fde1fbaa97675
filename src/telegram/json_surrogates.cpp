#include "telegram/json_surrogates.hpp"

#include <cstring>

namespace tgkeep::telegram::detail {
namespace {

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The code unit of the escape "\uXXXX" at json[i], or -1 if there is none.
long escape_unit(const char* json, std::size_t size, std::size_t i) {
  if (i + 6 > size || json[i] != '\\' || json[i + 1] != 'u') return -1;
  long unit = 0;
  for (std::size_t k = i + 2; k < i + 6; ++k) {
    const int d = hex_digit(json[k]);
    if (d < 0) return -1;
    unit = unit * 16 + d;
  }
  return unit;
}

bool is_high(long unit) {
  return unit >= 0xD800 && unit <= 0xDBFF;
}
bool is_low(long unit) {
  return unit >= 0xDC00 && unit <= 0xDFFF;
}

}  // namespace

std::size_t replace_lone_surrogates(char* json, std::size_t size) {
  std::size_t replaced = 0;
  bool in_string = false;
  std::size_t i = 0;
  while (i < size) {
    const char c = json[i];
    if (!in_string) {
      in_string = c == '"';
      ++i;
      continue;
    }
    if (c == '"') {
      in_string = false;
      ++i;
      continue;
    }
    if (c != '\\') {
      ++i;
      continue;
    }
    const long unit = escape_unit(json, size, i);
    if (unit < 0) {
      i += 2;  // a short escape such as \" or \n, or a malformed one
      continue;
    }
    if (is_high(unit) && is_low(escape_unit(json, size, i + 6))) {
      i += 12;  // a proper pair
      continue;
    }
    if (is_high(unit) || is_low(unit)) {
      std::memcpy(json + i + 2, "fffd", 4);
      ++replaced;
    }
    i += 6;
  }
  return replaced;
}

}  // namespace tgkeep::telegram::detail
