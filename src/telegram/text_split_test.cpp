#include "telegram/text_split.hpp"

#include <string>

#include <gtest/gtest.h>

namespace tgkeep::telegram {
namespace {

std::string join(const std::vector<std::string>& parts) {
  std::string all;
  for (const auto& p : parts) all += p;
  return all;
}

void expect_well_formed(const std::vector<std::string>& parts, std::string_view input,
                        std::size_t limit) {
  EXPECT_EQ(join(parts), input);
  for (const auto& p : parts) {
    EXPECT_FALSE(p.empty());
    EXPECT_LE(utf16_length(p), limit);
  }
}

TEST(TextSplit, ShortAndEmptyInputs) {
  EXPECT_TRUE(split_message_text("").empty());
  EXPECT_EQ(split_message_text("hello"), std::vector<std::string>{"hello"});
  const std::string exact(4096, 'a');
  EXPECT_EQ(split_message_text(exact).size(), 1u);
  EXPECT_EQ(split_message_text(exact + "b").size(), 2u);
}

TEST(TextSplit, CountsUtf16Units) {
  EXPECT_EQ(utf16_length("abc"), 3u);
  EXPECT_EQ(utf16_length("Привет"), 6u);  // 12 bytes, 6 units
  EXPECT_EQ(utf16_length("😀"), 2u);       // 4 bytes, a surrogate pair
  EXPECT_EQ(utf16_length("€"), 1u);
  EXPECT_EQ(utf16_length("\xff\xe2\x82"), 3u);  // invalid bytes: one each
}

TEST(TextSplit, CyrillicFillsTheLimitByUnitsNotBytes) {
  std::string text;
  for (int i = 0; i < 4096; ++i) text += "ж";
  const auto parts = split_message_text(text);
  ASSERT_EQ(parts.size(), 1u);  // 8192 bytes but 4096 units
  const auto two = split_message_text(text + "ж");
  ASSERT_EQ(two.size(), 2u);
  EXPECT_EQ(two[1], "ж");
  expect_well_formed(two, text + "ж", 4096);
}

TEST(TextSplit, EmojiAtTheBoundaryIsNotCut) {
  // 4095 units of ASCII, then an emoji that needs 2: it moves whole to the next part.
  const std::string text = std::string(4095, 'a') + "😀" + "tail";
  const auto parts = split_message_text(text);
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[0], std::string(4095, 'a'));
  EXPECT_EQ(parts[1], "😀tail");
  expect_well_formed(parts, text, 4096);
}

TEST(TextSplit, EmojiOnlyText) {
  std::string text;
  for (int i = 0; i < 5000; ++i) text += "😀";
  const auto parts = split_message_text(text);
  ASSERT_EQ(parts.size(), 3u);  // 10000 units: 2048 + 2048 + 904 emoji
  EXPECT_EQ(utf16_length(parts[0]), 4096u);
  expect_well_formed(parts, text, 4096);
}

TEST(TextSplit, PrefersLastNewlineThenLastSpace) {
  EXPECT_EQ(split_message_text("one two\nthree four", 12),
            (std::vector<std::string>{"one two\n", "three four"}));
  EXPECT_EQ(split_message_text("one two three four", 12),
            (std::vector<std::string>{"one two ", "three four"}));
  EXPECT_EQ(split_message_text("abcdefghijklmnop", 6),
            (std::vector<std::string>{"abcdef", "ghijkl", "mnop"}));
  // A newline beyond the limit does not count; the last space within it does.
  EXPECT_EQ(split_message_text("aa bb cc\ndd", 7), (std::vector<std::string>{"aa bb ", "cc\ndd"}));
}

TEST(TextSplit, CyrillicWordsSplitAtSpaces) {
  const std::string text = "Привет мир это тест";
  const auto parts = split_message_text(text, 10);
  EXPECT_EQ(parts, (std::vector<std::string>{"Привет ", "мир это ", "тест"}));
  expect_well_formed(parts, text, 10);
}

TEST(TextSplit, TinyLimitsStillMakeProgress) {
  const std::string text = "a😀b";
  for (std::size_t limit : {0u, 1u, 2u, 3u}) {
    const auto parts = split_message_text(text, limit);
    expect_well_formed(parts, text, limit < 2 ? 2 : limit);
  }
}

TEST(TextSplit, InvalidUtf8IsKeptByteForByte) {
  const std::string text = "ab\xff\xf0\x9f\x98" + std::string(10, 'c');
  const auto parts = split_message_text(text, 4);
  expect_well_formed(parts, text, 4);
}

}  // namespace
}  // namespace tgkeep::telegram
