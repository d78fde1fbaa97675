#include "telegram/json_scan.hpp"

#include <gtest/gtest.h>

namespace tgkeep::telegram::detail {
namespace {

TEST(JsonScan, SplitsObjectMembersExactly) {
  std::vector<RawMember> members;
  ASSERT_TRUE(split_object(
      " { \"ok\" : true ,\"result\":[{\"a\":\"}]\\\"\"}, 2],\"d\":\"x\\\\\",\"n\":-1.5e3}\n",
      members));
  ASSERT_EQ(members.size(), 4u);
  EXPECT_EQ(members[0].key, "\"ok\"");
  EXPECT_EQ(members[0].value, "true");
  EXPECT_EQ(members[1].key, "\"result\"");
  EXPECT_EQ(members[1].value, "[{\"a\":\"}]\\\"\"}, 2]");
  EXPECT_EQ(members[2].value, "\"x\\\\\"");
  EXPECT_EQ(members[3].value, "-1.5e3");
}

TEST(JsonScan, SplitsArrayElements) {
  std::vector<std::string_view> elements;
  ASSERT_TRUE(
      split_array("[ {\"update_id\":1} ,\n{\"update_id\":2,\"x\":[[]]},null,\"s\" ]", elements));
  ASSERT_EQ(elements.size(), 4u);
  EXPECT_EQ(elements[0], "{\"update_id\":1}");
  EXPECT_EQ(elements[1], "{\"update_id\":2,\"x\":[[]]}");
  EXPECT_EQ(elements[2], "null");
  EXPECT_EQ(elements[3], "\"s\"");
  ASSERT_TRUE(split_array(" [ ] ", elements));
  EXPECT_TRUE(elements.empty());
}

TEST(JsonScan, RejectsGrammarErrorsAtItsLevel) {
  std::vector<RawMember> members;
  std::vector<std::string_view> elements;
  for (const char* bad : {"", " ", "{", "}", "{\"a\"}", "{\"a\":}", "{\"a\":1,}", "{,}",
                          "{\"a\":1 \"b\":2}", "{a:1}", "{\"a\":1}x", "{\"a\":1}}", "{\"a\":[1}",
                          "{\"a\":\"x}", "{\"a\":\"\x01\"}", "{\"a\":\"\\\"}", "[1]"}) {
    EXPECT_FALSE(split_object(bad, members)) << bad;
  }
  for (const char* bad : {"[", "[1,]", "[,1]", "[1 2]", "[1]]", "[[1]", "{}", "[\"]"}) {
    EXPECT_FALSE(split_array(bad, elements)) << bad;
  }
}

TEST(JsonScan, DeepNestingNeedsNoStack) {
  const std::string deep = "[" + std::string(1000000, '[') + std::string(1000000, ']') + "]";
  std::vector<std::string_view> elements;
  ASSERT_TRUE(split_array(deep, elements));
  EXPECT_EQ(elements.size(), 1u);
  EXPECT_FALSE(split_array(std::string(1000000, '['), elements));
}

TEST(JsonScan, Trim) {
  EXPECT_EQ(trim_json_space(" \t\r\n{}\n "), "{}");
  EXPECT_EQ(trim_json_space("   "), "");
}

}  // namespace
}  // namespace tgkeep::telegram::detail
