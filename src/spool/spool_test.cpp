#include "spool/spool.hpp"

#include <filesystem>
#include <future>
#include <string>

#include <gtest/gtest.h>

namespace tgkeep::spool {
namespace {

namespace fs = std::filesystem;

class SpoolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        fs::temp_directory_path() /
        ("tgkeep-spool-test-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
         "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::unique_ptr<Spool> open(std::int64_t max_bytes = 0) {
    Options options;
    options.data_dir = dir_;
    options.max_bytes = max_bytes;
    auto opened = Spool::open(options);
    EXPECT_TRUE(opened) << opened.error().message;
    return std::move(opened).value();
  }

  static Row row(std::optional<std::int64_t> chat, std::string value, std::string raw = "") {
    Row r;
    r.chat_id = chat;
    r.entry.kind = 'u';
    r.entry.value = std::move(value);
    r.entry.raw = std::move(raw);
    return r;
  }

  static Status append(Spool& spool, std::vector<Row> rows) {
    std::promise<Status> done;
    spool.append(std::move(rows), [&](Status s) { done.set_value(std::move(s)); });
    return done.get_future().get();
  }
  static std::vector<Row> oldest(Spool& spool, std::size_t limit) {
    std::promise<Result<std::vector<Row>>> done;
    spool.oldest(limit, [&](Result<std::vector<Row>> r) { done.set_value(std::move(r)); });
    auto rows = done.get_future().get();
    EXPECT_TRUE(rows);
    return rows ? std::move(rows).value() : std::vector<Row>{};
  }
  static std::vector<Row> of_chat(Spool& spool, std::int64_t chat) {
    std::promise<Result<std::vector<Row>>> done;
    spool.of_chat(chat, [&](Result<std::vector<Row>> r) { done.set_value(std::move(r)); });
    auto rows = done.get_future().get();
    EXPECT_TRUE(rows);
    return rows ? std::move(rows).value() : std::vector<Row>{};
  }
  static Status remove_through(Spool& spool, std::int64_t seq) {
    std::promise<Status> done;
    spool.remove_through(seq, [&](Status s) { done.set_value(std::move(s)); });
    return done.get_future().get();
  }

  fs::path dir_;
};

TEST_F(SpoolTest, KeepsRowsInOrderAcrossAReopen) {
  {
    auto spool = open();
    ASSERT_TRUE(append(*spool, {row(1, "a", "raw-a"), row(std::nullopt, "b")}));
    ASSERT_TRUE(append(*spool, {row(2, "c")}));
    EXPECT_EQ(spool->rows(), 3u);
  }
  auto spool = open();
  EXPECT_EQ(spool->rows(), 3u);
  const auto rows = oldest(*spool, 10);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].entry.value, "a");
  EXPECT_EQ(rows[0].entry.raw, "raw-a");
  EXPECT_EQ(rows[0].entry.kind, 'u');
  EXPECT_EQ(rows[0].chat_id, 1);
  EXPECT_EQ(rows[1].chat_id, std::nullopt);
  EXPECT_EQ(rows[2].entry.value, "c");
  EXPECT_LT(rows[0].seq, rows[1].seq);
  EXPECT_LT(rows[1].seq, rows[2].seq);
}

TEST_F(SpoolTest, RemovesThroughASeqAndNeverReusesOne) {
  auto spool = open();
  ASSERT_TRUE(append(*spool, {row(1, "a"), row(1, "b"), row(2, "c")}));
  auto rows = oldest(*spool, 2);
  ASSERT_EQ(rows.size(), 2u);
  ASSERT_TRUE(remove_through(*spool, rows.back().seq));
  EXPECT_EQ(spool->rows(), 1u);
  const auto last_seq = oldest(*spool, 10).at(0).seq;
  ASSERT_TRUE(remove_through(*spool, last_seq));
  EXPECT_EQ(spool->rows(), 0u);
  ASSERT_TRUE(append(*spool, {row(3, "d")}));
  EXPECT_GT(oldest(*spool, 10).at(0).seq, last_seq);
}

TEST_F(SpoolTest, ReadsOneChatsRows) {
  auto spool = open();
  ASSERT_TRUE(append(*spool, {row(1, "a"), row(2, "b"), row(1, "c")}));
  const auto rows = of_chat(*spool, 1);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].entry.value, "a");
  EXPECT_EQ(rows[1].entry.value, "c");
  EXPECT_TRUE(of_chat(*spool, 3).empty());
}

TEST_F(SpoolTest, AFullSpoolRefusesWithAClearErrorKeepsWhatItHasAndTakesRowsAgainOnceDrained) {
  auto spool = open(64 * 1024);  // 16 pages
  const std::string big(3000, 'x');
  std::size_t taken = 0;
  Status refused;
  for (int i = 0; i < 100 && refused; ++i) {
    refused = append(*spool, {row(i, big)});
    if (refused) ++taken;
  }
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("disk full"), std::string::npos)
      << refused.error().message;
  EXPECT_EQ(refused.error().kind, ErrorKind::transient);
  EXPECT_GT(taken, 0u);
  EXPECT_EQ(spool->rows(), taken);
  EXPECT_EQ(oldest(*spool, 1000).size(), taken);
  // Draining frees pages for new rows.
  ASSERT_TRUE(remove_through(*spool, oldest(*spool, 1000).back().seq));
  EXPECT_TRUE(append(*spool, {row(1, big)}));
}

TEST_F(SpoolTest, AppendsQueuedTogetherCommitTogetherAndAFailingOneFailsAlone) {
  auto spool = open(64 * 1024);
  std::vector<std::promise<Status>> done(20);
  const std::string small(10, 's');
  const std::string huge(200 * 1024, 'h');  // never fits
  for (std::size_t i = 0; i < done.size(); ++i) {
    spool->append({row(1, i == 7 ? huge : small)}, [&, i](Status s) { done[i].set_value(s); });
  }
  for (std::size_t i = 0; i < done.size(); ++i) {
    EXPECT_EQ(static_cast<bool>(done[i].get_future().get()), i != 7) << i;
  }
  EXPECT_EQ(spool->rows(), 19u);
}

TEST_F(SpoolTest, CallsAfterCloseFail) {
  auto spool = open();
  spool->close();
  EXPECT_FALSE(append(*spool, {row(1, "a")}));
}

}  // namespace
}  // namespace tgkeep::spool
