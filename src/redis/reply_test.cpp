#include "redis/reply.hpp"

#include <gtest/gtest.h>

namespace tgkeep::redis {
namespace {

TEST(Reply, EncodesEveryType) {
  EXPECT_EQ(encode_reply(Reply::nil()), "$-1\r\n");
  EXPECT_EQ(encode_reply(Reply::of_integer(-42)), ":-42\r\n");
  EXPECT_EQ(encode_reply(Reply::of_string(std::string("a\0\r\nb", 5))),
            std::string("$5\r\na\0\r\nb\r\n", 11));
  EXPECT_EQ(encode_reply(Reply::of_status("OK")), "+OK\r\n");
  EXPECT_EQ(encode_reply(Reply::of_error("ERR no")), "-ERR no\r\n");
  std::vector<Reply> inner;
  inner.push_back(Reply::of_integer(1));
  std::vector<Reply> outer;
  outer.push_back(Reply::of_array(std::move(inner)));
  outer.push_back(Reply::nil());
  EXPECT_EQ(encode_reply(Reply::of_array(std::move(outer))), "*2\r\n*1\r\n:1\r\n$-1\r\n");
}

TEST(Reply, ComparesByValue) {
  EXPECT_EQ(Reply::of_string("x"), Reply::of_string("x"));
  EXPECT_NE(Reply::of_string("x"), Reply::of_status("x"));
  EXPECT_NE(Reply::of_integer(1), Reply::of_integer(2));
  EXPECT_TRUE(Reply::of_status("OK").is_status("OK"));
  EXPECT_FALSE(Reply::of_string("OK").is_status("OK"));
}

TEST(Reply, DescribesOnOneLine) {
  std::vector<Reply> elements;
  elements.push_back(Reply::of_string("a\"b\n"));
  elements.push_back(Reply::of_integer(7));
  elements.push_back(Reply::nil());
  elements.push_back(Reply::of_error("WRONGTYPE x"));
  EXPECT_EQ(describe(Reply::of_array(std::move(elements))),
            R"(["a\"b\x0a", 7, nil, error "WRONGTYPE x"])");
  const std::string described = describe(Reply::of_string(std::string(1000, 'x')));
  EXPECT_LT(described.size(), 260u);
  EXPECT_NE(described.find("(1000 bytes)"), std::string::npos);
}

}  // namespace
}  // namespace tgkeep::redis
