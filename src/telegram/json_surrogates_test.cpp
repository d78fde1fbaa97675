#include "telegram/json_surrogates.hpp"

#include <string>

#include <gtest/gtest.h>

namespace tgkeep::telegram::detail {
namespace {

std::pair<std::string, std::size_t> repair(std::string json) {
  const std::size_t n = replace_lone_surrogates(json.data(), json.size());
  return {json, n};
}

TEST(JsonSurrogates, LeavesPairsAndOtherEscapesAlone) {
  const std::string ok = R"({"t":"\ud83d\ude00 \u0436 \n \\ud83d \"\ud83d\ude00\""})";
  EXPECT_EQ(repair(ok), std::make_pair(ok, std::size_t{0}));
}

TEST(JsonSurrogates, ReplacesLoneHighAndLow) {
  EXPECT_EQ(repair(R"({"t":"a\ud83d"})"), std::make_pair(std::string(R"({"t":"a\ufffd"})"), 1ul));
  EXPECT_EQ(repair(R"(["\uDE00x"])"), std::make_pair(std::string(R"(["\ufffdx"])"), 1ul));
  EXPECT_EQ(repair(R"(["\ud83d\ud83d\ude00"])"),
            std::make_pair(std::string(R"(["\ufffd\ud83d\ude00"])"), 1ul));
  EXPECT_EQ(repair(R"(["\ud83d\u0041"])"), std::make_pair(std::string(R"(["\ufffd\u0041"])"), 1ul));
  EXPECT_EQ(repair(R"({"\udc00":"\udbff"})"),
            std::make_pair(std::string(R"({"\ufffd":"\ufffd"})"), 2ul));
}

TEST(JsonSurrogates, OutsideStringsAndTruncatedEscapesAreLeftAlone) {
  EXPECT_EQ(repair(R"(\ud83d)").second, 0u);  // not inside a string
  EXPECT_EQ(repair(R"("\ud8)").second, 0u);
  EXPECT_EQ(repair(R"("\ud83d\)").second, 1u);
  EXPECT_EQ(repair("\"\\").second, 0u);
}

}  // namespace
}  // namespace tgkeep::telegram::detail
