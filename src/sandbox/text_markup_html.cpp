// The HTML parse_mode, after TDLib's parser: supported tags, attributes, the four named
// entities plus numeric ones, and its error messages.
#include <fmt/format.h>

#include <cstdint>

#include "sandbox/json_text.hpp"
#include "sandbox/text_markup_parsers.hpp"

namespace tgkeep::sandbox::markup {
namespace {

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// Decodes the HTML entity at text[i] ('&'), appending it to `out`; returns the bytes consumed,
// or 0 when it is not an entity Telegram knows (the '&' is then literal).
std::size_t decode_html_entity(std::string_view text, std::size_t i, std::string& out) {
  const std::size_t semi = text.find(';', i);
  if (semi == std::string_view::npos || semi - i > 10) return 0;
  const std::string_view name = text.substr(i + 1, semi - i - 1);
  if (name == "lt")
    out += '<';
  else if (name == "gt")
    out += '>';
  else if (name == "amp")
    out += '&';
  else if (name == "quot")
    out += '"';
  else if (name.size() >= 2 && name[0] == '#') {
    const bool hex = name[1] == 'x' || name[1] == 'X';
    const std::string_view digits = name.substr(hex ? 2 : 1);
    if (digits.empty()) return 0;
    std::uint32_t cp = 0;
    for (char c : digits) {
      int d = -1;
      if (c >= '0' && c <= '9')
        d = c - '0';
      else if (hex && c >= 'a' && c <= 'f')
        d = c - 'a' + 10;
      else if (hex && c >= 'A' && c <= 'F')
        d = c - 'A' + 10;
      if (d < 0) return 0;
      cp = cp * (hex ? 16 : 10) + static_cast<std::uint32_t>(d);
      if (cp > 0x10FFFF) return 0;
    }
    if (cp == 0 || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    append_utf8(out, cp);
  } else {
    return 0;
  }
  return semi - i + 1;
}

std::string html_entity_type(const std::string& tag) {
  if (tag == "b" || tag == "strong") return "bold";
  if (tag == "i" || tag == "em") return "italic";
  if (tag == "u" || tag == "ins") return "underline";
  if (tag == "s" || tag == "strike" || tag == "del") return "strikethrough";
  if (tag == "tg-spoiler" || tag == "span") return "spoiler";
  if (tag == "a") return "text_link";
  if (tag == "code") return "code";
  if (tag == "pre") return "pre";
  if (tag == "blockquote") return "blockquote";
  if (tag == "tg-emoji") return "custom_emoji";
  return {};
}

}  // namespace

Result<FormattedText> parse_html(std::string_view in) {
  std::string out;
  std::vector<Entity> entities;
  std::vector<Open> open;
  std::size_t i = 0;
  while (i < in.size()) {
    const char c = in[i];
    if (c == '&') {
      const std::size_t used = decode_html_entity(in, i, out);
      if (used == 0) out += '&';
      i += used == 0 ? 1 : used;
      continue;
    }
    if (c != '<') {
      out += c;
      ++i;
      continue;
    }
    const std::size_t begin = i;
    if (i + 1 < in.size() && in[i + 1] == '/') {
      if (open.empty()) return parse_error(fmt::format("Unexpected end tag at byte offset {}", i));
      i += 2;
      while (i < in.size() && !is_space(in[i]) && in[i] != '>') ++i;
      const std::string end_name = lower(in.substr(begin + 2, i - begin - 2));
      while (i < in.size() && is_space(in[i])) ++i;
      if (i >= in.size() || in[i] != '>') {
        return parse_error(fmt::format("Unclosed end tag at byte offset {}", begin));
      }
      ++i;
      Open entity = std::move(open.back());
      open.pop_back();
      if (!end_name.empty() && end_name != entity.tag) {
        return parse_error(
            fmt::format("Unmatched end tag at byte offset {}, expected \"</{}>\", found \"</{}>\"",
                        begin, entity.tag, end_name));
      }
      Entity e{entity.out_begin, out.size(), html_entity_type(entity.tag), {}};
      if (entity.tag == "code" && !entity.argument.empty() && !open.empty() &&
          open.back().tag == "pre" && open.back().out_begin == entity.out_begin) {
        open.back().argument = entity.argument;  // <pre><code class="language-x"> is one pre
        continue;
      }
      if (entity.tag == "a") {
        e.extra = ",\"url\":";
        append_json_string(e.extra, entity.argument);
      } else if (entity.tag == "pre" && !entity.argument.empty()) {
        e.extra = ",\"language\":";
        append_json_string(e.extra, entity.argument);
      } else if (entity.tag == "tg-emoji") {
        e.extra = ",\"custom_emoji_id\":";
        append_json_string(e.extra, entity.argument);
      } else if (entity.tag == "blockquote" && !entity.argument.empty()) {
        e.type = "expandable_blockquote";
      }
      if (entity.tag == "code" && !entity.argument.empty()) continue;  // language without pre
      if (entity.tag == "a" && entity.argument.empty()) continue;
      entities.push_back(std::move(e));
      continue;
    }
    ++i;
    while (i < in.size() && !is_space(in[i]) && in[i] != '>') ++i;
    if (i >= in.size())
      return parse_error(fmt::format("Unclosed start tag at byte offset {}", begin));
    Open entity{lower(in.substr(begin + 1, i - begin - 1)), out.size(), begin, {}};
    if (html_entity_type(entity.tag).empty()) {
      return parse_error(
          fmt::format("Unsupported start tag \"{}\" at byte offset {}", entity.tag, begin));
    }
    while (i < in.size() && in[i] != '>') {
      while (i < in.size() && is_space(in[i])) ++i;
      if (i < in.size() && in[i] == '>') break;
      const std::size_t name_begin = i;
      while (i < in.size() && !is_space(in[i]) && in[i] != '=' && in[i] != '>') ++i;
      const std::string attribute = lower(in.substr(name_begin, i - name_begin));
      if (attribute.empty()) {
        return parse_error(fmt::format("Empty attribute name in the tag \"{}\" at byte offset {}",
                                       entity.tag, begin));
      }
      while (i < in.size() && is_space(in[i])) ++i;
      std::string value;
      if (i < in.size() && in[i] == '=') {
        ++i;
        while (i < in.size() && is_space(in[i])) ++i;
        if (i >= in.size()) break;
        if (in[i] == '"' || in[i] == '\'') {
          const char quote = in[i++];
          while (i < in.size() && in[i] != quote) {
            if (in[i] == '&') {
              const std::size_t used = decode_html_entity(in, i, value);
              if (used != 0) {
                i += used;
                continue;
              }
            }
            value += in[i++];
          }
          if (i >= in.size()) {
            return parse_error(fmt::format("Unclosed start tag at byte offset {}", begin));
          }
          ++i;
        } else {
          while (i < in.size() && !is_space(in[i]) && in[i] != '>') value += in[i++];
        }
      } else if (attribute != "expandable") {
        return parse_error(
            fmt::format("Expected equal sign in declaration of an attribute of the tag \"{}\" at "
                        "byte offset {}",
                        entity.tag, begin));
      }
      if (entity.tag == "a" && attribute == "href") entity.argument = value;
      if (entity.tag == "code" && attribute == "class" && value.rfind("language-", 0) == 0) {
        entity.argument = value.substr(9);
      }
      if (entity.tag == "span" && attribute == "class") entity.argument = value;
      if (entity.tag == "tg-emoji" && attribute == "emoji-id") entity.argument = value;
      if (entity.tag == "blockquote" && attribute == "expandable") entity.argument = "1";
    }
    if (i >= in.size())
      return parse_error(fmt::format("Unclosed start tag at byte offset {}", begin));
    ++i;  // '>'
    if (entity.tag == "span" && entity.argument != "tg-spoiler") {
      return parse_error(
          fmt::format("Tag \"span\" must have class \"tg-spoiler\" at byte offset {}", begin));
    }
    open.push_back(std::move(entity));
  }
  if (!open.empty()) {
    return parse_error(
        fmt::format("Can't find end tag corresponding to start tag \"{}\"", open.back().tag));
  }
  return finish(std::move(out), std::move(entities));
}

}  // namespace tgkeep::sandbox::markup
