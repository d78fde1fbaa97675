#include "util/json_writer.hpp"

#include <cstdint>
#include <limits>
#include <string>

#include <gtest/gtest.h>

namespace tgkeep {
namespace {

std::string quoted(std::string_view s) {
  std::string out;
  append_json_string(out, s);
  return out;
}

TEST(AppendJsonString, PlainAsciiIsQuoted) {
  EXPECT_EQ(quoted("hello world"), R"("hello world")");
  EXPECT_EQ(quoted(""), R"("")");
}

TEST(AppendJsonString, AppendsToExistingText) {
  std::string out = "x=";
  append_json_string(out, "y");
  EXPECT_EQ(out, R"(x="y")");
}

TEST(AppendJsonString, EscapesQuotesAndBackslash) {
  EXPECT_EQ(quoted(R"(say "hi" \ bye)"), R"("say \"hi\" \\ bye")");
}

TEST(AppendJsonString, EscapesControlCharacters) {
  EXPECT_EQ(quoted("a\nb\tc\rd\be\ff"), R"("a\nb\tc\rd\be\ff")");
  EXPECT_EQ(quoted(std::string_view("\x00\x01\x1f", 3)), R"("\u0000\u0001\u001f")");
  EXPECT_EQ(quoted("\x7f"), "\"\x7f\"");  // DEL needs no escape
}

TEST(AppendJsonString, KeepsValidUtf8AsIs) {
  EXPECT_EQ(quoted("Привет, мир"), "\"Привет, мир\"");
  EXPECT_EQ(quoted("😀 ok 👍🏽"), "\"😀 ok 👍🏽\"");
  EXPECT_EQ(quoted("\u00e9\u20ac\U0010FFFF"), "\"\u00e9\u20ac\U0010FFFF\"");
}

TEST(AppendJsonString, ReplacesInvalidUtf8WithReplacementCharacter) {
  const std::string fffd = "\xEF\xBF\xBD";
  EXPECT_EQ(quoted("a\xFFz"), "\"a" + fffd + "z\"");
  EXPECT_EQ(quoted("\xC0\xAF"), "\"" + fffd + fffd + "\"");             // overlong: two subparts
  EXPECT_EQ(quoted("\xED\xA0\x80"), "\"" + fffd + fffd + fffd + "\"");  // encoded surrogate
  EXPECT_EQ(quoted("\xF4\x90\x80\x80"), "\"" + fffd + fffd + fffd + fffd + "\"");  // > U+10FFFF
  EXPECT_EQ(quoted("\xE2\x82"), "\"" + fffd + "\"");  // truncated 3-byte sequence: one subpart
  EXPECT_EQ(quoted("\xF0\x9F\x98"), "\"" + fffd + "\"");
  EXPECT_EQ(quoted("\xE2\x82x"), "\"" + fffd + "x\"");
  EXPECT_EQ(quoted("\x80\x80"), "\"" + fffd + fffd + "\"");  // stray continuation bytes
}

TEST(JsonWriter, WritesNestedStructureWithCommas) {
  JsonWriter w;
  w.begin_object();
  w.key("chat_id");
  w.value(std::int64_t{-1001234567890});
  w.key("text");
  w.value("hi");
  w.key("list");
  w.begin_array();
  w.value(1);
  w.value(true);
  w.null();
  w.begin_object();
  w.end_object();
  w.begin_array();
  w.end_array();
  w.value("s");
  w.end_array();
  w.key("nested");
  w.begin_object();
  w.key("a");
  w.value(false);
  w.end_object();
  w.end_object();
  EXPECT_EQ(w.str(), R"({"chat_id":-1001234567890,"text":"hi","list":[1,true,null,{},[],"s"],)"
                     R"("nested":{"a":false}})");
}

TEST(JsonWriter, IntegerExtremes) {
  JsonWriter w;
  w.begin_array();
  w.value(std::numeric_limits<std::int64_t>::min());
  w.value(std::numeric_limits<std::uint64_t>::max());
  w.value(0u);
  w.value(short{-3});
  w.end_array();
  EXPECT_EQ(w.str(), "[-9223372036854775808,18446744073709551615,0,-3]");
}

TEST(JsonWriter, StringLiteralIsAStringNotABool) {
  JsonWriter w;
  w.value("text");
  EXPECT_EQ(w.str(), R"("text")");
}

TEST(JsonWriter, RawIsVerbatimAndCommaSeparated) {
  JsonWriter w;
  w.begin_object();
  w.key("update");
  w.raw(R"({"update_id":1})");
  w.key("n");
  w.value(2);
  w.end_object();
  EXPECT_EQ(w.str(), R"({"update":{"update_id":1},"n":2})");
}

TEST(JsonWriter, KeysAreEscaped) {
  JsonWriter w;
  w.begin_object();
  w.key("a\"b");
  w.value("ключ");
  w.end_object();
  EXPECT_EQ(w.str(), "{\"a\\\"b\":\"ключ\"}");
}

TEST(JsonWriter, ReleaseLeavesAnEmptyWriter) {
  JsonWriter w;
  w.begin_array();
  w.value(1);
  w.end_array();
  EXPECT_EQ(w.release(), "[1]");
  EXPECT_TRUE(w.str().empty());
  w.begin_array();
  w.value(2);
  w.end_array();
  EXPECT_EQ(w.str(), "[2]");  // no stray comma from the previous document
}

}  // namespace
}  // namespace tgkeep
