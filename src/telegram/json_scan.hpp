// Splits the text of a JSON object or array into the exact text of its members, without decoding
// them. The parser uses it to keep each update's original JSON (raw_json) and to decode and
// validate one element of a getUpdates reply at a time.
//
// The scanner checks the grammar of the level it splits (braces, colons, commas, quoted keys,
// nothing after the end) and only counts brackets inside member values: it is the caller's job to
// validate each member with a real JSON parser. If every member is valid JSON, the split is exact
// and the whole text is valid JSON. Never reads outside `json`; no recursion, any nesting depth.
//
// Thread-safety: stateless functions.
#pragma once

#include <string_view>
#include <vector>

namespace tgkeep::telegram::detail {

struct RawMember {
  std::string_view key;    // the key token with its quotes, escapes not decoded
  std::string_view value;  // the value's text, without surrounding whitespace
};

// `{ "k": v, ... }` with optional whitespace around it. Returns false on a grammar error at this
// level; `members` is cleared first and receives the members in document order.
bool split_object(std::string_view json, std::vector<RawMember>& members);

// `[ v, ... ]`, likewise.
bool split_array(std::string_view json, std::vector<std::string_view>& elements);

// `json` without leading and trailing JSON whitespace.
std::string_view trim_json_space(std::string_view json);

}  // namespace tgkeep::telegram::detail
