#include "sandbox/text_markup.hpp"

#include <gtest/gtest.h>

namespace tgkeep::sandbox {
namespace {

FormattedText ok(std::string_view text, std::string_view mode) {
  auto r = apply_parse_mode(text, mode);
  EXPECT_TRUE(r) << (r ? "" : r.error().message);
  return r ? *r : FormattedText{};
}

std::string error_of(std::string_view text, std::string_view mode) {
  auto r = apply_parse_mode(text, mode);
  EXPECT_FALSE(r) << "parsed: " << (r ? r->text : "");
  return r ? std::string() : r.error().message;
}

TEST(TextMarkup, PlainTextIsUntouched) {
  const FormattedText f = ok("a <b> *c*", "");
  EXPECT_EQ(f.text, "a <b> *c*");
  EXPECT_TRUE(f.entities_json.empty());
}

TEST(TextMarkup, HtmlTagsBecomeEntitiesWithUtf16Offsets) {
  const FormattedText f =
      ok("👍 <b>жирный</b> &amp; <a href=\"https://t.me/x?a=1&amp;b=2\">link</a>", "HTML");
  EXPECT_EQ(f.text, "👍 жирный & link");
  EXPECT_EQ(f.entities_json,
            R"([{"offset":3,"length":6,"type":"bold"},)"
            R"({"offset":12,"length":4,"type":"text_link","url":"https://t.me/x?a=1&b=2"}])");
}

TEST(TextMarkup, HtmlPreWithLanguageIsOneEntity) {
  const FormattedText f = ok("<pre><code class=\"language-cpp\">int x;</code></pre>", "html");
  EXPECT_EQ(f.text, "int x;");
  EXPECT_EQ(f.entities_json, R"([{"offset":0,"length":6,"type":"pre","language":"cpp"}])");
}

TEST(TextMarkup, HtmlErrorsUseTelegramWording) {
  EXPECT_EQ(error_of("1 < 2", "HTML"),
            "can't parse entities: Unsupported start tag \"\" at byte offset 2");
  EXPECT_EQ(error_of("<foo>x</foo>", "HTML"),
            "can't parse entities: Unsupported start tag \"foo\" at byte offset 0");
  EXPECT_EQ(error_of("<b>x</i>", "HTML"),
            "can't parse entities: Unmatched end tag at byte offset 4, expected \"</b>\", found "
            "\"</i>\"");
  EXPECT_EQ(error_of("<b>x", "HTML"),
            "can't parse entities: Can't find end tag corresponding to start tag \"b\"");
  EXPECT_EQ(error_of("x</b>", "HTML"), "can't parse entities: Unexpected end tag at byte offset 1");
}

TEST(TextMarkup, MarkdownV2RequiresEscapingReservedCharacters) {
  EXPECT_EQ(error_of("Hello.", "MarkdownV2"),
            "can't parse entities: Character '.' is reserved and must be escaped with the "
            "preceding '\\'");
  const FormattedText f =
      ok("*bold* \\. __under__ [site](https://e.com/a\\)b) `a.b`", "MarkdownV2");
  EXPECT_EQ(f.text, "bold . under site a.b");
  EXPECT_EQ(f.entities_json,
            R"([{"offset":0,"length":4,"type":"bold"},{"offset":7,"length":5,"type":"underline"},)"
            R"({"offset":13,"length":4,"type":"text_link","url":"https://e.com/a)b"},)"
            R"({"offset":18,"length":3,"type":"code"}])");
}

TEST(TextMarkup, MarkdownV2UnclosedEntity) {
  EXPECT_EQ(error_of("*bold", "MarkdownV2"),
            "can't parse entities: Can't find end of Bold entity at byte offset 0");
}

TEST(TextMarkup, LegacyMarkdown) {
  const FormattedText f = ok("*b* _i_ a.b", "Markdown");
  EXPECT_EQ(f.text, "b i a.b");
  EXPECT_EQ(f.entities_json,
            R"([{"offset":0,"length":1,"type":"bold"},{"offset":2,"length":1,"type":"italic"}])");
  EXPECT_EQ(error_of("*open", "Markdown"),
            "can't parse entities: Can't find end of the entity starting at byte offset 0");
}

TEST(TextMarkup, UnknownParseMode) {
  EXPECT_EQ(error_of("x", "BBCode"), "unsupported parse_mode");
}

}  // namespace
}  // namespace tgkeep::sandbox
