// The MarkdownV2 and legacy Markdown parse_modes, after TDLib's parsers: MarkdownV2 demands
// that reserved characters outside entities be escaped; legacy Markdown only knows * _ ` [.
#include <fmt/format.h>

#include "sandbox/json_text.hpp"
#include "sandbox/text_markup_parsers.hpp"

namespace tgkeep::sandbox::markup {
namespace {

constexpr std::string_view kReserved = "_*[]()~`>#+-=|{}.!";

Error reserved_error(char c) {
  return parse_error(
      fmt::format("Character '{}' is reserved and must be escaped with the preceding '\\'", c));
}

std::string markdown_type(const std::string& name) {
  if (name == "Bold") return "bold";
  if (name == "Italic") return "italic";
  if (name == "Underline") return "underline";
  if (name == "Strikethrough") return "strikethrough";
  if (name == "Spoiler") return "spoiler";
  if (name == "Code") return "code";
  if (name == "Pre") return "pre";
  if (name == "CustomEmoji") return "custom_emoji";
  return "text_link";
}

// Reads `(url)` after a closing ']' at in[i]; on success `i` is at the ')'.
Result<std::string> markdown_url(std::string_view in, std::size_t& i, bool v2) {
  std::string url;
  i += 2;
  const std::size_t url_begin = i;
  while (i < in.size() && in[i] != ')') {
    if (v2 && in[i] == '\\' && i + 1 < in.size() && in[i + 1] > 0 && in[i + 1] <= 126) {
      url += in[i + 1];
      i += 2;
      continue;
    }
    url += in[i++];
  }
  if (i >= in.size())
    return parse_error(fmt::format("Can't find end of a URL at byte offset {}", url_begin));
  return url;
}

bool closes(const Open& open, std::string_view in, std::size_t i) {
  const char c = in[i];
  const char next = i + 1 < in.size() ? in[i + 1] : '\0';
  const char next2 = i + 2 < in.size() ? in[i + 2] : '\0';
  if (open.tag == "Bold") return c == '*';
  if (open.tag == "Italic") return c == '_' && next != '_';
  if (open.tag == "Underline") return c == '_' && next == '_';
  if (open.tag == "Strikethrough") return c == '~';
  if (open.tag == "Spoiler") return c == '|' && next == '|';
  if (open.tag == "Code") return c == '`';
  if (open.tag == "Pre") return c == '`' && next == '`' && next2 == '`';
  return c == ']';  // TextUrl, CustomEmoji
}

}  // namespace

Result<FormattedText> parse_markdown_v2(std::string_view in) {
  std::string out;
  std::vector<Entity> entities;
  std::vector<Open> open;
  std::size_t quote_begin = std::string::npos;
  for (std::size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    const bool line_start = i == 0 || in[i - 1] == '\n';
    if (line_start && quote_begin != std::string::npos && c != '>') {
      entities.push_back({quote_begin, out.size() - 1, "blockquote", {}});
      quote_begin = std::string::npos;
    }
    if (c == '\\' && i + 1 < in.size() && in[i + 1] > 0 && in[i + 1] <= 126) {
      out += in[++i];
      continue;
    }
    const bool in_code = !open.empty() && (open.back().tag == "Code" || open.back().tag == "Pre");
    if (kReserved.find(c) == std::string_view::npos || (in_code && c != '`')) {
      out += c;
      continue;
    }
    if (c == '>' && line_start && open.empty()) {
      if (quote_begin == std::string::npos) quote_begin = out.size();
      continue;
    }
    if (!open.empty() && closes(open.back(), in, i)) {
      Open entity = std::move(open.back());
      open.pop_back();
      Entity e{entity.out_begin, out.size(), markdown_type(entity.tag), {}};
      if (entity.tag == "Underline" || entity.tag == "Spoiler") ++i;
      if (entity.tag == "Pre") {
        i += 2;
        if (!entity.argument.empty()) {
          e.extra = ",\"language\":";
          append_json_string(e.extra, entity.argument);
        }
      }
      if (entity.tag == "TextUrl" || entity.tag == "CustomEmoji") {
        std::string url;
        if (i + 1 < in.size() && in[i + 1] == '(') {
          auto parsed = markdown_url(in, i, true);
          if (!parsed) return parsed.error();
          url = std::move(*parsed);
        } else {
          url = out.substr(entity.out_begin);
        }
        e.extra = entity.tag == "TextUrl" ? ",\"url\":" : ",\"custom_emoji_id\":";
        if (entity.tag == "CustomEmoji" && url.rfind("tg://emoji?id=", 0) == 0)
          url = url.substr(14);
        append_json_string(e.extra, url);
      }
      entities.push_back(std::move(e));
      continue;
    }
    const char next = i + 1 < in.size() ? in[i + 1] : '\0';
    Open entity{{}, 0, i, {}};
    switch (c) {
      case '_':
        entity.tag = next == '_' ? "Underline" : "Italic";
        if (next == '_') ++i;
        break;
      case '*':
        entity.tag = "Bold";
        break;
      case '~':
        entity.tag = "Strikethrough";
        break;
      case '[':
        entity.tag = "TextUrl";
        break;
      case '|':
        if (next != '|') return reserved_error(c);
        entity.tag = "Spoiler";
        ++i;
        break;
      case '!':
        if (next != '[') return reserved_error(c);
        entity.tag = "CustomEmoji";
        ++i;
        break;
      case '`':
        if (next == '`' && i + 2 < in.size() && in[i + 2] == '`') {
          entity.tag = "Pre";
          i += 3;
          std::size_t lang_end = i;
          while (lang_end < in.size() && !is_space(in[lang_end]) && in[lang_end] != '`') ++lang_end;
          if (lang_end < in.size() && in[lang_end] == '\n') {
            entity.argument = std::string(in.substr(i, lang_end - i));
            i = lang_end;  // the newline after the language is dropped
          } else {
            --i;
          }
        } else {
          entity.tag = "Code";
        }
        break;
      default:
        return reserved_error(c);
    }
    entity.out_begin = out.size();
    open.push_back(std::move(entity));
  }
  if (quote_begin != std::string::npos)
    entities.push_back({quote_begin, out.size(), "blockquote", {}});
  if (!open.empty()) {
    return parse_error(fmt::format("Can't find end of {} entity at byte offset {}", open.back().tag,
                                   open.back().in_pos));
  }
  return finish(std::move(out), std::move(entities));
}

Result<FormattedText> parse_markdown_legacy(std::string_view in) {
  std::string out;
  std::vector<Entity> entities;
  for (std::size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (c == '\\' && i + 1 < in.size() &&
        (in[i + 1] == '_' || in[i + 1] == '*' || in[i + 1] == '`' || in[i + 1] == '[')) {
      out += in[++i];
      continue;
    }
    if (c != '_' && c != '*' && c != '`' && c != '[') {
      out += c;
      continue;
    }
    const std::size_t begin = i;
    const char end_char = c == '[' ? ']' : c;
    bool is_pre = false;
    ++i;
    if (c == '`' && i + 1 < in.size() && in[i] == '`' && in[i + 1] == '`') {
      i += 2;
      is_pre = true;
    }
    const std::size_t out_begin = out.size();
    while (i < in.size() &&
           (in[i] != end_char ||
            (is_pre && !(i + 2 < in.size() && in[i + 1] == '`' && in[i + 2] == '`')))) {
      out += in[i++];
    }
    if (i >= in.size()) {
      return parse_error(
          fmt::format("Can't find end of the entity starting at byte offset {}", begin));
    }
    Entity e{out_begin, out.size(), {}, {}};
    if (c == '_') e.type = "italic";
    if (c == '*') e.type = "bold";
    if (c == '`') e.type = is_pre ? "pre" : "code";
    if (c == '[') {
      std::string url = out.substr(out_begin);
      if (i + 1 < in.size() && in[i + 1] == '(') {
        auto parsed = markdown_url(in, i, false);
        if (!parsed) return parsed.error();
        url = std::move(*parsed);
      }
      e.type = "text_link";
      e.extra = ",\"url\":";
      append_json_string(e.extra, url);
    }
    if (is_pre) i += 2;
    entities.push_back(std::move(e));
  }
  return finish(std::move(out), std::move(entities));
}

}  // namespace tgkeep::sandbox::markup
