// Internal to the text_markup parsers: the entity being built, and the helpers the HTML and
// Markdown parsers share. Not part of the module's interface.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "sandbox/text_markup.hpp"

namespace tgkeep::sandbox::markup {

// An entity found in the text, in byte offsets of the output text.
struct Entity {
  std::size_t begin = 0;
  std::size_t end = 0;
  std::string type;
  std::string extra;  // `,"url":"..."` and the like
};

// An entity still open while parsing.
struct Open {
  std::string tag;  // HTML tag name or Markdown entity name
  std::size_t out_begin = 0;
  std::size_t in_pos = 0;  // byte offset in the input, for error messages
  std::string argument;
};

// "can't parse entities: <message>".
Error parse_error(std::string message);
std::string lower(std::string_view s);
inline bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

// Sorts the entities, converts offsets to UTF-16 units and renders them.
Result<FormattedText> finish(std::string text, std::vector<Entity> entities);

Result<FormattedText> parse_html(std::string_view in);
Result<FormattedText> parse_markdown_v2(std::string_view in);
Result<FormattedText> parse_markdown_legacy(std::string_view in);

}  // namespace tgkeep::sandbox::markup
