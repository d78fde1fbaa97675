// The hot tier and the tiered read path against a real redis-server and a real SQLite store:
// read-through fills, appends, caps, races with fills, Redis frozen or emptied mid-run, quotas
// with script loss and counter loss, dedupe keys and profile caching.
#include <chrono>

#include <gtest/gtest.h>

#include "hot/hot_scripts.hpp"
#include "redis/testing/redis_test.hpp"
#include "sqlite/sqlite_store.hpp"
#include "sqlite/sqlite_test_support.hpp"
#include "tiers/tiers.hpp"

namespace tgkeep::hot {
namespace {

namespace asio = boost::asio;
using redis::Reply;
using redis::testing::RedisServer;
using sqlite::testing::message_update;
using sqlite::testing::TempDir;
using storage::MessageRecord;
using namespace std::chrono_literals;

constexpr std::int64_t kNow = 1'795'000'000;  // 2026-11-19, a Thursday

class HotTierTest : public redis::testing::RedisTest {
 protected:
  void SetUp() override {
    server = RedisServer::start();
    ASSERT_TRUE(server);
    sqlite::SqliteStore::Options options;
    options.data_dir = dir.path();
    auto opened = sqlite::SqliteStore::open(options);
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    store = std::move(opened).value();
    client = &make_client(options_for(*server));
    ASSERT_TRUE(run(client->connect()).ok());
  }

  void make_tiers(HotTierOptions hot_options = {}, std::string tariffs = "free=3/day,pro=5/day") {
    hot.emplace(*client, HotKeys::with_prefix("t").value(), hot_options);
    tiers.emplace(*store, &*hot, parse_tariffs(tariffs, "TGKEEP_TARIFFS").value());
  }

  // Commits updates through the tiers (the store, then the hot tier), as intake does.
  void commit(std::vector<storage::UpdateRecord> updates) {
    auto done = run(tiers->commit_updates(std::move(updates), 1700000000));
    ASSERT_TRUE(done.ok());
  }

  void record(MessageRecord reply) {
    auto done = run(tiers->record_reply(std::move(reply)));
    ASSERT_TRUE(done.ok());
  }

  std::vector<MessageRecord> recent(std::int64_t chat, std::size_t limit) {
    auto got = run(tiers->recent_messages(chat, limit));
    EXPECT_TRUE(got.ok());
    return got.ok() ? std::move(got).value() : std::vector<MessageRecord>{};
  }

  static std::vector<std::string> texts(const std::vector<MessageRecord>& messages) {
    std::vector<std::string> out;
    for (const auto& m : messages) out.push_back(m.text);
    return out;
  }

  Reply query(std::vector<std::string_view> args) { return server->query(args); }

  TempDir dir;
  std::unique_ptr<RedisServer> server;
  std::unique_ptr<sqlite::SqliteStore> store;
  redis::Client* client = nullptr;
  std::optional<HotTier> hot;
  std::optional<tiers::Tiers> tiers;
};

TEST_F(HotTierTest, AMissFillsTheListAndLaterReadsAndWritesUseIt) {
  make_tiers();
  commit({message_update(1, 42, 1, 7, "one"), message_update(2, 42, 2, 7, "two")});
  // Nothing was filled yet: appends never create a list.
  EXPECT_EQ(query({"EXISTS", "t:{chat:42}:history"}), Reply::of_integer(0));

  EXPECT_EQ(texts(recent(42, 10)), (std::vector<std::string>{"one", "two"}));
  EXPECT_EQ(hot->counters().history_misses, 1u);
  EXPECT_EQ(hot->counters().seeds, 1u);

  commit({message_update(3, 42, 3, 7, "three")});
  EXPECT_EQ(texts(recent(42, 10)), (std::vector<std::string>{"one", "two", "three"}));
  EXPECT_EQ(texts(recent(42, 2)), (std::vector<std::string>{"two", "three"}));
  EXPECT_EQ(hot->counters().history_hits, 2u);
  // The list expires when idle.
  auto ttl = query({"PTTL", "t:{chat:42}:history"});
  EXPECT_GT(ttl.integer, 0);
}

TEST_F(HotTierTest, AnEmptyChatIsAHitToo) {
  make_tiers();
  EXPECT_TRUE(recent(5, 10).empty());
  EXPECT_TRUE(recent(5, 10).empty());
  EXPECT_EQ(hot->counters().history_hits, 1u);
}

TEST_F(HotTierTest, RepliesFollowTheirQuestionAndDuplicatesAreShownOnce) {
  make_tiers();
  commit({message_update(1, 42, 1, 7, "q1")});
  ASSERT_EQ(recent(42, 10).size(), 1u);
  commit({message_update(2, 42, 2, 7, "q2")});
  MessageRecord reply;
  reply.chat_id = 42;
  reply.role = storage::Role::assistant;
  reply.text = "a1";
  reply.update_id = 1;
  reply.reply_key = "u1.0";
  reply.status = storage::ReplyStatus::pending;
  record(reply);
  record(reply);  // a replayed record: the store knows it, nothing is appended
  // An append repeated anyway (a retried pipeline): the reader shows it once.
  ASSERT_TRUE(run(hot->append(std::span<const MessageRecord>(&reply, 1))).ok());
  EXPECT_EQ(texts(recent(42, 10)), (std::vector<std::string>{"q1", "a1", "q2"}));
}

TEST_F(HotTierTest, TheListIsCappedAndReadsBeyondTheCapGoToTheStore) {
  HotTierOptions options;
  options.history_cap = 10;
  make_tiers(options);
  ASSERT_TRUE(recent(42, 5).empty());
  for (int i = 1; i <= 60; ++i) commit({message_update(i, 42, i, 7, "m" + std::to_string(i))});
  const auto length = query({"LLEN", "t:{chat:42}:history"}).integer;
  EXPECT_LE(length, 10 + 1 + 8);
  EXPECT_GE(length, 10);
  EXPECT_EQ(texts(recent(42, 3)), (std::vector<std::string>{"m58", "m59", "m60"}));
  const auto all = recent(42, 50);  // more than the cap: the system of record answers
  ASSERT_EQ(all.size(), 50u);
  EXPECT_EQ(all.front().text, "m11");
}

TEST_F(HotTierTest, AFillThatRacedWithAWriteIsRefused) {
  make_tiers();
  auto miss = run(hot->history(42, 10));
  ASSERT_TRUE(miss.ok());
  ASSERT_FALSE(miss->present);
  // A write lands between the miss and the fill: the fill's snapshot may lack it.
  commit({message_update(1, 42, 1, 7, "late")});
  auto filled = run(hot->seed_history(42, miss->seq, {}));
  ASSERT_TRUE(filled.ok());
  EXPECT_FALSE(*filled);
  EXPECT_EQ(texts(recent(42, 10)), (std::vector<std::string>{"late"}));
}

TEST_F(HotTierTest, ChatsWrittenWhileRedisWasFrozenAreDroppedBeforeTheyAreRead) {
  make_tiers();
  commit({message_update(1, 42, 1, 7, "before")});
  ASSERT_EQ(recent(42, 10).size(), 1u);
  server->freeze();
  commit({message_update(2, 42, 2, 7, "during")});  // times out: the list is now suspect
  EXPECT_GE(hot->counters().failures, 1u);
  server->thaw();
  pump(300ms);
  EXPECT_EQ(texts(recent(42, 10)), (std::vector<std::string>{"before", "during"}));
  EXPECT_EQ(hot->counters().dropped_lists, 1u);
}

TEST_F(HotTierTest, EditsAndForgettingDropTheList) {
  make_tiers();
  commit({message_update(1, 42, 1, 7, "typo")});
  ASSERT_EQ(recent(42, 10).size(), 1u);
  auto edit = message_update(2, 42, 1, 7, "fixed");
  edit.message->edited = true;
  edit.message->edit_date = 1700000100;
  commit({edit});
  EXPECT_EQ(texts(recent(42, 10)), (std::vector<std::string>{"fixed"}));
  ASSERT_TRUE(run(tiers->forget_chat(42)).ok());
  EXPECT_TRUE(recent(42, 10).empty());
}

TEST_F(HotTierTest, DedupeKeysMarkCommittedUpdatesForADay) {
  make_tiers();
  commit({message_update(10, 42, 1, 7, "x"), message_update(11, 43, 1, 8, "y")});
  const std::vector<std::int64_t> ids = {10, 11, 12};
  EXPECT_EQ(run(tiers->known_updates(ids)), (std::vector<bool>{true, true, false}));
  const auto ttl = query({"TTL", "t:update:10"}).integer;
  EXPECT_GT(ttl, 86000);
  EXPECT_LE(ttl, 86400);
}

TEST_F(HotTierTest, ProfilesAreCachedAndDroppedWhenTheUserWritesAgain) {
  make_tiers();
  commit({message_update(1, 42, 1, 7, "hi")});
  auto user = run(tiers->find_user(7));
  ASSERT_TRUE(user.ok() && user->has_value());
  EXPECT_EQ((*user)->username, "user7");
  EXPECT_EQ(query({"EXISTS", "t:{user:7}:profile"}), Reply::of_integer(1));
  EXPECT_GT(query({"TTL", "t:{user:7}:profile"}).integer, 0);
  commit({message_update(2, 42, 2, 7, "again")});
  EXPECT_EQ(query({"EXISTS", "t:{user:7}:profile"}), Reply::of_integer(0));
}

TEST_F(HotTierTest, QuotaIsConsumedInRedisAndRebuiltFromUsageEvents) {
  make_tiers();
  commit({message_update(1, 42, 1, 7, "hi")});
  for (int i = 1; i <= 3; ++i) {
    auto q = run(tiers->consume_quota(7, 100 + i, kNow));
    ASSERT_TRUE(q.ok()) << q.error().message;
    EXPECT_TRUE(q->allowed);
    EXPECT_TRUE(q->from_redis);
    EXPECT_EQ(q->used, i);
  }
  auto spent = run(tiers->consume_quota(7, 104, kNow));
  ASSERT_TRUE(spent.ok());
  EXPECT_FALSE(spent->allowed);
  EXPECT_EQ(spent->limit, 3);
  EXPECT_EQ(spent->tariff, "free");
  EXPECT_EQ(spent->resets_at, window_at(Period::day, kNow).end);

  // Redis loses its data and its scripts: the counter comes back from the usage events.
  query({"FLUSHALL"});
  query({"SCRIPT", "FLUSH"});
  auto rebuilt = run(tiers->consume_quota(7, 105, kNow));
  ASSERT_TRUE(rebuilt.ok()) << rebuilt.error().message;
  EXPECT_FALSE(rebuilt->allowed);
  EXPECT_EQ(rebuilt->used, 3);

  // The next day is a new window.
  auto tomorrow = run(tiers->consume_quota(7, 106, kNow + 86400));
  ASSERT_TRUE(tomorrow.ok());
  EXPECT_TRUE(tomorrow->allowed);
  EXPECT_EQ(tomorrow->used, 1);
}

TEST_F(HotTierTest, QuotaWithoutRedisCountsTheSystemOfRecord) {
  make_tiers();
  commit({message_update(1, 42, 1, 7, "hi")});
  for (int i = 1; i <= 2; ++i) ASSERT_TRUE(run(tiers->consume_quota(7, 100 + i, kNow)).ok());
  server->kill_hard();
  pump(100ms);
  auto third = run(tiers->consume_quota(7, 103, kNow));
  ASSERT_TRUE(third.ok()) << third.error().message;
  EXPECT_TRUE(third->allowed);
  EXPECT_FALSE(third->from_redis);
  auto fourth = run(tiers->consume_quota(7, 104, kNow));
  ASSERT_TRUE(fourth.ok());
  EXPECT_FALSE(fourth->allowed);
  auto shown = run(tiers->quota(7, kNow));
  ASSERT_TRUE(shown.ok());
  EXPECT_EQ(shown->used, 3);
  // And the history still reads, from the system of record.
  EXPECT_EQ(texts(recent(42, 10)), (std::vector<std::string>{"hi"}));
}

TEST_F(HotTierTest, AUsersTariffComesFromTheStoreThroughTheCache) {
  make_tiers();
  commit({message_update(1, 42, 1, 7, "hi")});
  auto set = sqlite::testing::await<bool>(
      [&](auto cb) { store->set_user_tariff(7, "pro", std::move(cb)); });
  ASSERT_TRUE(set.ok() && *set);
  auto q = run(tiers->quota(7, kNow));
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->tariff, "pro");
  EXPECT_EQ(q->limit, 5);
}

TEST(HotScripts, NamesAreTheSha1OfTheText) {
  EXPECT_EQ(sha1_hex("abc"), "a9993e364706816aba3e25717850c26c9cd0d89d");
  EXPECT_EQ(consume_quota_script().sha1.size(), 40u);
}

}  // namespace
}  // namespace tgkeep::hot
