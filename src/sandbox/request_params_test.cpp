#include "sandbox/request_params.hpp"

#include <gtest/gtest.h>

namespace tgkeep::sandbox {
namespace {

TEST(RequestParams, QueryAndFormAreUrlDecoded) {
  RequestParams p;
  parse_urlencoded("chat_id=42&text=hello+world%21&empty=&flag", p);
  EXPECT_EQ(p.get("chat_id"), "42");
  EXPECT_EQ(p.get("text"), "hello world!");
  EXPECT_TRUE(p.has("empty"));
  EXPECT_TRUE(p.has("flag"));
  EXPECT_EQ(p.get_int("chat_id"), 42);
  EXPECT_EQ(p.get_int("missing", 7), 7);
}

TEST(RequestParams, JsonMembersBecomeStringsOrJsonText) {
  RequestParams p;
  ASSERT_TRUE(parse_json_body(
      R"({"chat_id":-100123,"text":"hi \"you\"","disable_notification":true,
          "reply_markup":{"inline_keyboard":[[{"text":"A","callback_data":"a"}]]},"x":null})",
      p));
  EXPECT_EQ(p.get_int("chat_id"), -100123);
  EXPECT_EQ(p.get("text"), "hi \"you\"");
  EXPECT_TRUE(p.get_bool("disable_notification"));
  EXPECT_EQ(p.get("reply_markup"), R"({"inline_keyboard":[[{"text":"A","callback_data":"a"}]]})");
  EXPECT_FALSE(p.has("x"));
}

TEST(RequestParams, MalformedJsonIsAnErrorNotACrash) {
  RequestParams p;
  const Status s = parse_json_body("{\"chat_id\":", p);
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("can't parse JSON body"), std::string::npos);
  EXPECT_FALSE(parse_json_body("[1,2]", p));
}

TEST(RequestParams, BodyOverridesQueryAndContentTypeChoosesTheParser) {
  RequestParams p;
  ASSERT_TRUE(parse_request_params("chat_id=1&limit=5", "application/json; charset=utf-8",
                                   R"({"chat_id":2})", p));
  EXPECT_EQ(p.get("chat_id"), "2");
  EXPECT_EQ(p.get("limit"), "5");

  RequestParams form;
  ASSERT_TRUE(parse_request_params("", "application/x-www-form-urlencoded",
                                   "allowed_updates=%5B%22message%22%5D", form));
  EXPECT_EQ(form.get("allowed_updates"), R"(["message"])");
}

TEST(RequestParams, MultipartTextParts) {
  const std::string body =
      "--XyZ\r\nContent-Disposition: form-data; name=\"chat_id\"\r\n\r\n42\r\n"
      "--XyZ\r\nContent-Disposition: form-data; name=\"text\"\r\n"
      "Content-Type: text/plain\r\n\r\nline1\r\nline2\r\n--XyZ--\r\n";
  RequestParams p;
  ASSERT_TRUE(parse_request_params("", "multipart/form-data; boundary=XyZ", body, p));
  EXPECT_EQ(p.get("chat_id"), "42");
  EXPECT_EQ(p.get("text"), "line1\r\nline2");
  RequestParams bad;
  EXPECT_FALSE(
      parse_request_params("", "multipart/form-data; boundary=XyZ", "--XyZ\r\nbroken", bad));
}

TEST(RequestParams, StrictIntegers) {
  EXPECT_EQ(parse_int64("-42"), -42);
  EXPECT_FALSE(parse_int64("42abc"));
  EXPECT_FALSE(parse_int64(""));
  EXPECT_FALSE(parse_int64("@name"));
}

}  // namespace
}  // namespace tgkeep::sandbox
