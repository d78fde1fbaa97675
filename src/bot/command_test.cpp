#include "bot/command.hpp"

#include <gtest/gtest.h>

namespace tgkeep::bot {
namespace {

TEST(Command, ParsesNameAndArguments) {
  auto c = parse_command("/history 5", "keep_bot");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->name, "history");
  EXPECT_EQ(c->arguments, "5");
  EXPECT_FALSE(c->addressed_to_other_bot);
}

TEST(Command, LowercasesAndTrims) {
  auto c = parse_command("/START   \n", "keep_bot");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->name, "start");
  EXPECT_EQ(c->arguments, "");
}

TEST(Command, MentionOfThisBotOrAnother) {
  auto ours = parse_command("/help@Keep_Bot", "keep_bot");
  ASSERT_TRUE(ours);
  EXPECT_FALSE(ours->addressed_to_other_bot);
  auto theirs = parse_command("/help@other_bot now", "keep_bot");
  ASSERT_TRUE(theirs);
  EXPECT_TRUE(theirs->addressed_to_other_bot);
  EXPECT_EQ(theirs->arguments, "now");
}

TEST(Command, NotCommands) {
  EXPECT_FALSE(parse_command("hello", "b"));
  EXPECT_FALSE(parse_command("/", "b"));
  EXPECT_FALSE(parse_command("/usr/bin/env", "b"));
  EXPECT_FALSE(parse_command("/привет", "b"));
  EXPECT_FALSE(parse_command("", "b"));
  EXPECT_FALSE(parse_command(" /start", "b"));
}

TEST(Command, CyrillicArgumentsKept) {
  auto c = parse_command("/start привет 👋", "b");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->arguments, "привет 👋");
}

}  // namespace
}  // namespace tgkeep::bot
