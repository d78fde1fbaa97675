#include "sandbox/json_text.hpp"

#include <gtest/gtest.h>

namespace tgkeep::sandbox {
namespace {

std::string quoted(std::string_view s) {
  std::string out;
  append_json_string(out, s);
  return out;
}

TEST(JsonText, EscapesQuotesBackslashesAndControls) {
  EXPECT_EQ(quoted("a\"b\\c"), R"("a\"b\\c")");
  EXPECT_EQ(quoted("line\nnext\ttab\x01"), R"("line\nnext\ttab\u0001")");
}

TEST(JsonText, KeepsValidUtf8AndReplacesInvalidBytes) {
  EXPECT_EQ(quoted("привет 👍"), "\"привет 👍\"");
  EXPECT_EQ(quoted("a\xff"
                   "b"),
            "\"a\xEF\xBF\xBD"
            "b\"");
  EXPECT_EQ(quoted("\xED\xA0\x80"), "\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"");  // surrogate
}

TEST(JsonText, CountsUtf16Units) {
  EXPECT_EQ(utf16_length("abc"), 3u);
  EXPECT_EQ(utf16_length("привет"), 6u);
  EXPECT_EQ(utf16_length("👍"), 2u);
  EXPECT_EQ(utf16_length("a👍b"), 4u);
}

TEST(JsonText, ValidatesUtf8) {
  EXPECT_TRUE(is_valid_utf8("ok ✅"));
  EXPECT_FALSE(is_valid_utf8("\xC0\x80"));  // overlong
}

}  // namespace
}  // namespace tgkeep::sandbox
