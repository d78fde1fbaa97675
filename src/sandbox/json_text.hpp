// Small helpers for writing JSON text by hand and measuring Telegram text lengths.
//
// The emulator builds every reply by appending to a std::string (no DOM): updates are stored
// pre-serialized and a getUpdates reply is a concatenation. These helpers are pure and
// thread-compatible (no shared state).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace tgkeep::sandbox {

// Appends `s` as a quoted JSON string. Control characters are escaped; invalid UTF-8 bytes are
// replaced by U+FFFD so the output is always valid JSON.
void append_json_string(std::string& out, std::string_view s);

// Appends `"key":` (the key must not need escaping).
inline void append_key(std::string& out, std::string_view key) {
  out += '"';
  out += key;
  out += "\":";
}

void append_int(std::string& out, std::int64_t value);

// `,"key":value` helpers for objects that already have a first member.
void append_member(std::string& out, std::string_view key, std::int64_t value);
void append_member(std::string& out, std::string_view key, std::string_view text);
void append_member_bool(std::string& out, std::string_view key, bool value);
// `,"key":<raw json>`; `raw_json` is inserted verbatim.
void append_member_raw(std::string& out, std::string_view key, std::string_view raw_json);

// Length of `s` in UTF-16 code units, the unit Telegram uses for text limits and entity
// offsets. Invalid UTF-8 bytes count as one unit each.
std::size_t utf16_length(std::string_view s);

// True when `s` is valid UTF-8.
bool is_valid_utf8(std::string_view s);

}  // namespace tgkeep::sandbox
