#include "bot/history_text.hpp"

#include <gtest/gtest.h>

namespace tgkeep::bot {
namespace {

storage::MessageRecord message(std::int64_t id, storage::Role role, std::string text) {
  storage::MessageRecord m;
  m.chat_id = 1;
  m.message_id = id;
  m.role = role;
  m.text = std::move(text);
  return m;
}

TEST(HistoryText, LeavesOutTheAskingMessageAndKeepsTheLastN) {
  auto lexicon = Lexicon::bundled();
  std::vector<storage::MessageRecord> recent = {
      message(1, storage::Role::user, "one"), message(2, storage::Role::assistant, "two"),
      message(3, storage::Role::user, "three"), message(4, storage::Role::user, "/history 2")};
  auto text = history_text(lexicon, "en", recent, 4, 2);
  EXPECT_EQ(text.find("one"), std::string::npos);
  EXPECT_NE(text.find("two"), std::string::npos);
  EXPECT_NE(text.find("three"), std::string::npos);
  EXPECT_EQ(text.find("/history"), std::string::npos);
}

TEST(HistoryText, EmptyHistoryHasItsOwnText) {
  auto lexicon = Lexicon::bundled();
  std::vector<storage::MessageRecord> recent = {message(9, storage::Role::user, "/history")};
  EXPECT_EQ(history_text(lexicon, "en", recent, 9, 10), lexicon.render(text::history_empty, "en"));
}

TEST(HistoryText, LongLinesAreCutAtCharacterBoundaries) {
  auto lexicon = Lexicon::bundled();
  std::string long_text;
  for (int i = 0; i < 400; ++i) long_text += "ж";
  long_text += "\nsecond line";
  std::vector<storage::MessageRecord> recent = {message(1, storage::Role::user, long_text)};
  auto text = history_text(lexicon, "ru", recent, 0, 10);
  EXPECT_NE(text.find("…"), std::string::npos);
  EXPECT_EQ(text.find("second line"), std::string::npos);
  // Still valid UTF-8: every 'ж' is whole (2 bytes: D0 B6).
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (static_cast<unsigned char>(text[i]) == 0xD0) {
      ASSERT_LT(i + 1, text.size());
      EXPECT_EQ((static_cast<unsigned char>(text[i + 1]) & 0xC0), 0x80);
    }
  }
}

}  // namespace
}  // namespace tgkeep::bot
