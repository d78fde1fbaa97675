#include "redis/resp_reader.hpp"

#include <gtest/gtest.h>

namespace tgkeep::redis {
namespace {

// Every reply in `bytes`, fed at once; fails the test on a protocol error.
std::vector<Reply> parse_all(std::string_view bytes) {
  RespReader reader;
  reader.feed(bytes);
  std::vector<Reply> out;
  for (;;) {
    auto next = reader.next();
    EXPECT_TRUE(next.ok()) << next.error().message;
    if (!next.ok() || !next->has_value()) return out;
    out.push_back(std::move(**next));
  }
}

Reply parse_one(std::string_view bytes) {
  auto all = parse_all(bytes);
  EXPECT_EQ(all.size(), 1u);
  return all.empty() ? Reply::nil() : all.front();
}

// The protocol error message for `bytes`, or "" when there is none.
std::string protocol_error(std::string_view bytes) {
  RespReader reader;
  reader.feed(bytes);
  for (;;) {
    auto next = reader.next();
    if (!next.ok()) {
      EXPECT_EQ(next.error().code, ErrorCode::protocol);
      EXPECT_TRUE(reader.failed());
      return next.error().message;
    }
    if (!next->has_value()) return "";
  }
}

TEST(RespReader, ReadsScalars) {
  EXPECT_EQ(parse_one("+OK\r\n"), Reply::of_status("OK"));
  EXPECT_EQ(parse_one("-ERR unknown command\r\n"), Reply::of_error("ERR unknown command"));
  EXPECT_EQ(parse_one(":0\r\n"), Reply::of_integer(0));
  EXPECT_EQ(parse_one(":-9223372036854775808\r\n"), Reply::of_integer(INT64_MIN));
  EXPECT_EQ(parse_one(":9223372036854775807\r\n"), Reply::of_integer(INT64_MAX));
  EXPECT_EQ(parse_one("$0\r\n\r\n"), Reply::of_string(""));
  EXPECT_EQ(parse_one("$-1\r\n"), Reply::nil());
  EXPECT_EQ(parse_one("*-1\r\n"), Reply::nil());
  EXPECT_EQ(parse_one("*0\r\n"), Reply::of_array({}));
}

TEST(RespReader, BulkStringsAreBinarySafe) {
  const std::string payload("a\r\nb\0c", 6);
  EXPECT_EQ(parse_one("$6\r\n" + payload + "\r\n"), Reply::of_string(payload));
}

TEST(RespReader, ReadsNestedArrays) {
  const Reply reply = parse_one("*3\r\n:1\r\n*2\r\n$1\r\na\r\n*-1\r\n*1\r\n*0\r\n");
  std::vector<Reply> inner;
  inner.push_back(Reply::of_string("a"));
  inner.push_back(Reply::nil());
  std::vector<Reply> deepest;
  deepest.push_back(Reply::of_array({}));
  std::vector<Reply> outer;
  outer.push_back(Reply::of_integer(1));
  outer.push_back(Reply::of_array(std::move(inner)));
  outer.push_back(Reply::of_array(std::move(deepest)));
  EXPECT_EQ(reply, Reply::of_array(std::move(outer)));
}

TEST(RespReader, ArraysNestEightLevelsDeepAtMost) {
  std::string eight;
  for (int i = 0; i < 8; ++i) eight += "*1\r\n";
  Reply reply = parse_one(eight + ":5\r\n");
  for (int i = 0; i < 8; ++i) {
    ASSERT_TRUE(reply.is_array());
    ASSERT_EQ(reply.elements.size(), 1u);
    Reply inner = std::move(reply.elements[0]);
    reply = std::move(inner);
  }
  EXPECT_EQ(reply, Reply::of_integer(5));
  EXPECT_NE(protocol_error("*1\r\n" + eight + ":5\r\n"), "");
}

TEST(RespReader, ReturnsRepliesInOrder) {
  const auto replies = parse_all("+OK\r\n:1\r\n$3\r\nfoo\r\n-ERR x\r\n");
  ASSERT_EQ(replies.size(), 4u);
  EXPECT_TRUE(replies[0].is_status("OK"));
  EXPECT_EQ(replies[1], Reply::of_integer(1));
  EXPECT_EQ(replies[2], Reply::of_string("foo"));
  EXPECT_TRUE(replies[3].is_error());
}

TEST(RespReader, AnySplitGivesTheSameReplies) {
  const std::string bytes =
      "*2\r\n$5\r\nhello\r\n*2\r\n:42\r\n+OK\r\n-WRONGTYPE no\r\n$-1\r\n$3\r\n\r\n\r\r\n";
  const auto whole = parse_all(bytes);
  ASSERT_EQ(whole.size(), 4u);
  for (std::size_t chunk = 1; chunk <= bytes.size(); ++chunk) {
    RespReader reader;
    std::vector<Reply> got;
    for (std::size_t at = 0; at < bytes.size(); at += chunk) {
      reader.feed(std::string_view(bytes).substr(at, chunk));
      for (;;) {
        auto next = reader.next();
        ASSERT_TRUE(next.ok()) << "chunk " << chunk;
        if (!next->has_value()) break;
        got.push_back(std::move(**next));
      }
    }
    EXPECT_EQ(got, whole) << "chunk " << chunk;
    EXPECT_EQ(reader.buffered(), 0u);
  }
}

TEST(RespReader, WaitsForTheWholeReply) {
  RespReader reader;
  reader.feed("*2\r\n$3\r\nfo");
  auto next = reader.next();
  ASSERT_TRUE(next.ok());
  EXPECT_FALSE(next->has_value());
  EXPECT_GT(reader.buffered(), 0u);
  reader.feed("o\r\n:7");
  next = reader.next();
  ASSERT_TRUE(next.ok());
  EXPECT_FALSE(next->has_value());
  reader.feed("\r\n");
  next = reader.next();
  ASSERT_TRUE(next.ok());
  ASSERT_TRUE(next->has_value());
  EXPECT_EQ(next->value().elements.size(), 2u);
}

TEST(RespReader, ReadsABigBulkStringFedInSmallPieces) {
  const std::size_t size = 8 * 1024 * 1024 + 3;
  std::string payload(size, '\0');
  for (std::size_t i = 0; i < size; ++i) payload[i] = static_cast<char>(i * 31 % 251);
  const std::string bytes = "$" + std::to_string(size) + "\r\n" + payload + "\r\n+OK\r\n";
  RespReader reader;
  std::vector<Reply> got;
  for (std::size_t at = 0; at < bytes.size(); at += 4096) {
    reader.feed(std::string_view(bytes).substr(at, 4096));
    for (;;) {
      auto next = reader.next();
      ASSERT_TRUE(next.ok());
      if (!next->has_value()) break;
      got.push_back(std::move(**next));
    }
  }
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].text.size(), size);
  EXPECT_TRUE(got[0].text == payload);
  EXPECT_TRUE(got[1].is_status("OK"));
}

TEST(RespReader, RejectsWhatIsNotResp) {
  EXPECT_NE(protocol_error("!oops\r\n"), "");
  EXPECT_NE(protocol_error(":12a\r\n"), "");
  EXPECT_NE(protocol_error("$abc\r\n"), "");
  EXPECT_NE(protocol_error("$-2\r\n"), "");
  EXPECT_NE(protocol_error("*-2\r\n"), "");
  EXPECT_NE(protocol_error("*3000000000\r\n"), "");
  EXPECT_NE(protocol_error("HTTP/1.1 400 Bad Request\r\n"), "");
  // RESP3 types are not spoken (the client never sends HELLO 3).
  EXPECT_NE(protocol_error("%1\r\n+a\r\n+b\r\n"), "");
  EXPECT_EQ(protocol_error("+OK\r\n"), "");
}

TEST(RespReader, StaysFailedAfterAnError) {
  RespReader reader;
  reader.feed("+OK\r\n?\r\n+OK\r\n");
  auto first = reader.next();
  ASSERT_TRUE(first.ok());
  EXPECT_TRUE(first->has_value());
  EXPECT_FALSE(reader.next().ok());
  reader.feed("+OK\r\n");
  EXPECT_FALSE(reader.next().ok());
  EXPECT_TRUE(reader.failed());
}

TEST(RespReader, BoundsTheBytesOfAnIncompleteReply) {
  RespReader reader(1000);
  reader.feed("$9223372036854775807\r\n");
  auto next = reader.next();
  ASSERT_TRUE(next.ok());
  EXPECT_FALSE(next->has_value());
  reader.feed(std::string(2000, 'x'));
  next = reader.next();
  ASSERT_FALSE(next.ok());
  EXPECT_EQ(next.error().code, ErrorCode::protocol);
  EXPECT_NE(next.error().message.find("exceeds 1000 bytes"), std::string::npos);
}

TEST(RespReader, ABigAnnouncedArrayAllocatesAsElementsArrive) {
  RespReader reader;
  reader.feed("*2147483647\r\n:1\r\n:2\r\n");
  auto next = reader.next();
  ASSERT_TRUE(next.ok());
  EXPECT_FALSE(next->has_value());
}

}  // namespace
}  // namespace tgkeep::redis
