#include "sandbox/web_assets.hpp"

#include <gtest/gtest.h>

namespace tgkeep::sandbox {
namespace {

TEST(WebAssets, ThePageAndItsAssetsAreEmbedded) {
  const EmbeddedFile* index = find_web_file("/");
  ASSERT_NE(index, nullptr);
  EXPECT_EQ(index, find_web_file("/index.html"));
  EXPECT_NE(index->body.find("<meta charset=\"utf-8\">"), std::string_view::npos);
  for (std::string_view asset :
       {"/chat.js", "/view.js", "/format.js", "/dialogs.js", "/chat.css", "/favicon.svg"}) {
    const EmbeddedFile* file = find_web_file(asset);
    ASSERT_NE(file, nullptr) << asset;
    EXPECT_FALSE(file->body.empty()) << asset;
    EXPECT_NE(index->body.find(asset.substr(1)), std::string_view::npos) << asset;
  }
  EXPECT_EQ(find_web_file("/nope.js"), nullptr);
  EXPECT_EQ(find_web_file(""), nullptr);
}

TEST(WebAssets, NothingIsFetchedFromOutside) {
  // The page must work without internet: no CDN, no external fonts or scripts. The only URL
  // allowed is the SVG namespace, which is a name, not a download.
  for (const EmbeddedFile& file : embedded_web_files()) {
    for (std::string_view scheme : {"http://", "https://", "//cdn", "//fonts."}) {
      std::size_t at = file.body.find(scheme);
      while (at != std::string_view::npos) {
        EXPECT_EQ(file.body.substr(at, 26), "http://www.w3.org/2000/svg") << file.path;
        at = file.body.find(scheme, at + 1);
      }
    }
  }
}

TEST(WebAssets, RepliesCarryTheContentType) {
  EXPECT_EQ(web_content_type("/index.html"), "text/html; charset=utf-8");
  EXPECT_EQ(web_content_type("/chat.js"), "text/javascript; charset=utf-8");
  EXPECT_EQ(web_content_type("/chat.css"), "text/css; charset=utf-8");
  EXPECT_EQ(web_content_type("/x.bin"), "application/octet-stream");
  auto reply = web_file_reply("/chat.css");
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 200u);
  EXPECT_EQ(reply->content_type, "text/css; charset=utf-8");
  EXPECT_FALSE(web_file_reply("/missing"));
}

}  // namespace
}  // namespace tgkeep::sandbox
