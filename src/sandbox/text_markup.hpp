// Formatting of outgoing texts: the parse_mode of sendMessage/editMessageText.
//
// Turns "HTML", "MarkdownV2" or legacy "Markdown" markup into plain text plus MessageEntity
// objects, following TDLib's parsers closely enough that the mistakes bots make in production
// fail here too, with Telegram's wording ("can't parse entities: Character '.' is reserved and
// must be escaped with the preceding '\'", "Unsupported start tag ..."). Entity offsets and
// lengths are in UTF-16 code units. Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "util/result.hpp"

namespace tgkeep::sandbox {

struct FormattedText {
  std::string text;
  std::string entities_json;  // `[...]`, or empty when there are no entities
};

// `parse_mode` is matched case-insensitively; empty means plain text. Errors carry the
// description without the "Bad Request: " prefix, e.g. "can't parse entities: ...".
Result<FormattedText> apply_parse_mode(std::string_view text, std::string_view parse_mode);

}  // namespace tgkeep::sandbox
