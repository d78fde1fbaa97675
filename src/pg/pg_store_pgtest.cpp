// PgStore against a real PostgreSQL 15: idempotent commits, edits, replies (re-sends included),
// history order, forgetting, usage/tariffs/lexicon, export, group commit under concurrent callers,
// the \u0000 escape, and completions that never run inside the call.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "pg/pg_store.hpp"
#include "pg/store_sql.hpp"
#include "pg/testing/pg_server.hpp"
#include "storage/testing/store_test_support.hpp"

namespace tgkeep::pg {
namespace {

using storage::CommitSummary;
using storage::MessageRecord;
using storage::ReplyState;
using storage::ReplyStatus;
using storage::Role;
using storage::UpdateRecord;
using storage::UserRecord;
using testing::PgServer;
using namespace std::chrono_literals;

using storage::testing::await;
using storage::testing::await_status;
using storage::testing::edit_update;
using storage::testing::message_update;
using storage::testing::reply;

class PgStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server = PgServer::start();
    ASSERT_TRUE(server);
    PgStore::Options options;
    options.conninfo = server->conninfo();
    options.where = "PostgreSQL at 127.0.0.1 (test)";
    options.connect_timeout = 5s;
    options.statement_timeout = 20s;
    auto opened = PgStore::open(options);
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    store = std::move(opened).value();
  }
  void TearDown() override {
    if (store) store->close();
    store.reset();
  }

  CommitSummary commit(std::vector<UpdateRecord> updates) {
    auto r = await<CommitSummary>(
        [&](auto done) { store->commit_updates(std::move(updates), std::move(done)); });
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? r.value() : CommitSummary{};
  }

  std::vector<MessageRecord> recent(std::int64_t chat_id, std::size_t limit = 100) {
    auto r = await<std::vector<MessageRecord>>(
        [&](auto done) { store->recent_messages(chat_id, limit, std::move(done)); });
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? r.value() : std::vector<MessageRecord>{};
  }

  ReplyState record(MessageRecord m) {
    auto r =
        await<ReplyState>([&](auto done) { store->record_reply(std::move(m), std::move(done)); });
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? r.value() : ReplyState{};
  }

  // The first column of the first row, through psql ("" for NULL or no row).
  std::string value(const std::string& sql) {
    std::string out = server->psql(sql);
    while (!out.empty() && out.back() == '\n') out.pop_back();
    return out;
  }

  std::unique_ptr<PgServer> server;
  std::unique_ptr<PgStore> store;
};

TEST_F(PgStoreTest, CommitStoresUpdateMessageAndUser) {
  auto summary = commit({message_update(10, 42, 1, 7, "hello 'quoted' Привет")});
  EXPECT_EQ(summary.stored, 1u);
  EXPECT_EQ(summary.duplicates, 0u);

  auto messages = recent(42);
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].chat_id, 42);
  EXPECT_EQ(messages[0].message_id, 1);
  EXPECT_EQ(messages[0].user_id, 7);
  EXPECT_EQ(messages[0].role, Role::user);
  EXPECT_EQ(messages[0].text, "hello 'quoted' Привет");
  EXPECT_EQ(messages[0].update_id, 10);
  EXPECT_FALSE(messages[0].edited);
  EXPECT_EQ(messages[0].status, ReplyStatus::sent);

  auto user =
      await<std::optional<UserRecord>>([&](auto done) { store->find_user(7, std::move(done)); });
  ASSERT_TRUE(user.ok());
  ASSERT_TRUE(user->has_value());
  EXPECT_EQ((*user)->username, "user7");
  EXPECT_EQ((*user)->first_name, "First");
  EXPECT_EQ((*user)->seen_at, 1700000000);
  EXPECT_EQ((*user)->tariff, "");
  auto nobody =
      await<std::optional<UserRecord>>([&](auto done) { store->find_user(8, std::move(done)); });
  ASSERT_TRUE(nobody.ok());
  EXPECT_FALSE(nobody->has_value());
}

TEST_F(PgStoreTest, ReplayingABatchStoresNothingTwice) {
  std::vector<UpdateRecord> batch = {message_update(1, 42, 1, 7, "a"),
                                     message_update(2, 42, 2, 7, "b"),
                                     message_update(3, 43, 1, 8, "c")};
  auto first = commit(batch);
  EXPECT_EQ(first.stored, 3u);
  EXPECT_EQ(first.duplicates, 0u);

  auto again = commit(batch);
  EXPECT_EQ(again.stored, 0u);
  EXPECT_EQ(again.duplicates, 3u);

  // Partly known: only the new one is stored. A known update_id carrying another message stores
  // nothing of it.
  UpdateRecord changed = message_update(3, 43, 9, 9, "not stored");
  auto mixed = commit({changed, message_update(4, 43, 2, 8, "d")});
  EXPECT_EQ(mixed.stored, 1u);
  EXPECT_EQ(mixed.duplicates, 1u);

  // The same update twice in one batch.
  auto twice = commit({message_update(5, 44, 1, 7, "x"), message_update(5, 44, 1, 7, "x")});
  EXPECT_EQ(twice.stored, 1u);
  EXPECT_EQ(twice.duplicates, 1u);

  EXPECT_EQ(recent(42).size(), 2u);
  EXPECT_EQ(recent(43).size(), 2u);
  EXPECT_EQ(value("SELECT count(*) FROM raw_updates"), "5");
  EXPECT_EQ(value("SELECT count(*) FROM messages"), "5");
  EXPECT_EQ(value("SELECT count(*) FROM users"), "2");
  EXPECT_EQ(value("SELECT handled FROM raw_updates WHERE update_id = 1"), "f");
}

TEST_F(PgStoreTest, UnhandledUpdatesAndLastUpdateId) {
  auto none = await<std::optional<std::int64_t>>(
      [&](auto done) { store->last_update_id(std::move(done)); });
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());

  UpdateRecord quiet = message_update(3, 42, 3, 7, "no reply due");
  quiet.needs_handling = false;
  commit({message_update(5, 42, 5, 7, "e"), message_update(1, 42, 1, 7, "a"), quiet,
          message_update(4, 42, 4, 7, "d")});

  auto pending = await<std::vector<UpdateRecord>>(
      [&](auto done) { store->unhandled_updates(10, std::move(done)); });
  ASSERT_TRUE(pending.ok());
  ASSERT_EQ(pending->size(), 3u);
  EXPECT_EQ((*pending)[0].update_id, 1);
  EXPECT_EQ((*pending)[1].update_id, 4);
  EXPECT_EQ((*pending)[2].update_id, 5);
  EXPECT_EQ((*pending)[0].type, "message");
  EXPECT_EQ((*pending)[0].chat_id, 42);
  EXPECT_EQ((*pending)[0].raw_json, "{\"update_id\": 1}");  // jsonb's normal form
  EXPECT_TRUE((*pending)[0].needs_handling);

  ASSERT_TRUE(await_status([&](auto done) { store->mark_handled({1, 5, 999}, std::move(done)); }));
  auto left = await<std::vector<UpdateRecord>>(
      [&](auto done) { store->unhandled_updates(10, std::move(done)); });
  ASSERT_TRUE(left.ok());
  ASSERT_EQ(left->size(), 1u);
  EXPECT_EQ((*left)[0].update_id, 4);

  auto last = await<std::optional<std::int64_t>>(
      [&](auto done) { store->last_update_id(std::move(done)); });
  ASSERT_TRUE(last.ok());
  EXPECT_EQ(*last, 5);
}

TEST_F(PgStoreTest, EditsApplyWhenNotOlder) {
  commit({message_update(1, 42, 1, 7, "original")});
  commit({edit_update(2, 42, 1, 7, "edit at 200", 200)});
  commit({edit_update(3, 42, 1, 7, "older edit at 100", 100)});
  auto messages = recent(42);
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].text, "edit at 200");
  EXPECT_TRUE(messages[0].edited);
  EXPECT_EQ(messages[0].edit_date, 200);
  EXPECT_EQ(messages[0].update_id, 1);  // the original's place in the history

  // An edit whose original was never seen is stored as the message.
  commit({edit_update(4, 43, 5, 7, "edited before seen", 300)});
  auto other = recent(43);
  ASSERT_EQ(other.size(), 1u);
  EXPECT_EQ(other[0].text, "edited before seen");

  // The bot's own edit of a sent reply; nothing happens for an unknown message.
  ASSERT_EQ(record(reply(42, "u1.0", "answer")).existed, false);
  ASSERT_TRUE(await_status([&](auto done) {
    store->settle_reply("u1.0", ReplyStatus::sent, 77, 1700000002, std::move(done));
  }));
  ASSERT_TRUE(await_status([&](auto done) {
    store->edit_message(42, 77, Role::assistant, "better answer", 400, std::move(done));
  }));
  ASSERT_TRUE(await_status([&](auto done) {
    store->edit_message(42, 999, Role::assistant, "nobody", 400, std::move(done));
  }));
  messages = recent(42);
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(messages[1].text, "better answer");
  EXPECT_TRUE(messages[1].edited);
  EXPECT_EQ(messages[1].edit_date, 400);
  EXPECT_EQ(value("SELECT count(*) FROM messages"), "3");
}

TEST_F(PgStoreTest, RepliesAreRecordedSettledAndReportedWhenTheyExisted) {
  commit({message_update(10, 42, 1, 7, "question")});
  ReplyState first = record(reply(42, "u10.0", "answer"));
  EXPECT_FALSE(first.existed);

  ReplyState again = record(reply(42, "u10.0", "answer, replayed"));
  EXPECT_TRUE(again.existed);
  EXPECT_EQ(again.status, ReplyStatus::pending);
  EXPECT_FALSE(again.message_id.has_value());

  ASSERT_TRUE(await_status([&](auto done) {
    store->settle_reply("u10.0", ReplyStatus::sent, 55, 1700000005, std::move(done));
  }));
  ReplyState settled = record(reply(42, "u10.0", "answer"));
  EXPECT_TRUE(settled.existed);
  EXPECT_EQ(settled.status, ReplyStatus::sent);
  EXPECT_EQ(settled.message_id, 55);

  record(reply(42, "u10.1", "second part"));
  ASSERT_TRUE(await_status([&](auto done) {
    store->settle_reply("u10.1", ReplyStatus::failed, std::nullopt, 1700000006, std::move(done));
  }));
  EXPECT_EQ(record(reply(42, "u10.1", "x")).status, ReplyStatus::failed);

  Status unknown = await_status(
      [&](auto done) { store->settle_reply("u99.0", ReplyStatus::sent, 1, 1, std::move(done)); });
  EXPECT_FALSE(unknown.ok());
  auto keyless = await<ReplyState>(
      [&](auto done) { store->record_reply(reply(42, "", "x"), std::move(done)); });
  EXPECT_FALSE(keyless.ok());

  auto messages = recent(42);
  ASSERT_EQ(messages.size(), 3u);
  EXPECT_EQ(messages[0].text, "question");
  EXPECT_EQ(messages[1].text, "answer");
  EXPECT_EQ(messages[1].role, Role::assistant);
  EXPECT_EQ(messages[1].status, ReplyStatus::sent);
  EXPECT_EQ(messages[1].message_id, 55);
  EXPECT_EQ(messages[1].date, 1700000005);
  EXPECT_EQ(messages[1].reply_key, "u10.0");
  EXPECT_EQ(messages[2].status, ReplyStatus::failed);
}

TEST_F(PgStoreTest, APendingReplyIsSettledResendingThenSent) {
  // A restart found u11.0 pending: it is marked resending before it is sent once more.
  commit({message_update(11, 42, 1, 7, "question")});
  record(reply(42, "u11.0", "answer"));
  ASSERT_TRUE(await_status([&](auto done) {
    store->settle_reply("u11.0", ReplyStatus::resending, std::nullopt, 1700000008, std::move(done));
  }));
  ReplyState found = record(reply(42, "u11.0", "answer"));
  EXPECT_TRUE(found.existed);
  EXPECT_EQ(found.status, ReplyStatus::resending);
  EXPECT_FALSE(found.message_id.has_value());
  EXPECT_EQ(recent(42)[1].status, ReplyStatus::resending);
  EXPECT_EQ(value("SELECT status FROM messages WHERE reply_key = 'u11.0'"), "resending");

  ASSERT_TRUE(await_status([&](auto done) {
    store->settle_reply("u11.0", ReplyStatus::sent, 56, 1700000009, std::move(done));
  }));
  ReplyState sent = record(reply(42, "u11.0", "answer"));
  EXPECT_EQ(sent.status, ReplyStatus::sent);
  EXPECT_EQ(sent.message_id, 56);
  auto row = recent(42)[1];
  EXPECT_EQ(row.status, ReplyStatus::sent);
  EXPECT_EQ(row.message_id, 56);
  EXPECT_EQ(row.date, 1700000009);
}

TEST_F(PgStoreTest, RecentMessagesAreTheLatestOldestFirstRepliesAfterQuestions) {
  for (int i = 1; i <= 5; ++i) {
    commit({message_update(i, 42, i, 7, "m" + std::to_string(i))});
    record(reply(42, "u" + std::to_string(i) + ".0", "r" + std::to_string(i)));
  }
  // A reply recorded late still follows its question; a message without update_id comes first.
  commit({message_update(100, 43, 1, 8, "other chat")});
  MessageRecord loose = reply(42, "loose", "no update");
  record(loose);

  auto last3 = recent(42, 3);
  ASSERT_EQ(last3.size(), 3u);
  EXPECT_EQ(last3[0].text, "r4");
  EXPECT_EQ(last3[0].role, Role::assistant);
  EXPECT_EQ(last3[1].text, "m5");
  EXPECT_EQ(last3[1].role, Role::user);
  EXPECT_EQ(last3[2].text, "r5");

  auto all = recent(42);
  ASSERT_EQ(all.size(), 11u);
  EXPECT_EQ(all[0].text, "no update");
  EXPECT_EQ(all[1].text, "m1");
  EXPECT_EQ(all[2].text, "r1");
  EXPECT_EQ(all[10].text, "r5");
  EXPECT_TRUE(recent(44).empty());
}

TEST_F(PgStoreTest, ForgetChatKeepsUpdateIdsKnown) {
  commit({message_update(1, 42, 1, 7, "secret"), message_update(2, 43, 1, 8, "kept")});
  record(reply(42, "u1.0", "secret answer"));
  ASSERT_TRUE(await_status([&](auto done) { store->forget_chat(42, std::move(done)); }));
  EXPECT_TRUE(recent(42).empty());
  EXPECT_EQ(recent(43).size(), 1u);
  EXPECT_EQ(value("SELECT json IS NULL FROM raw_updates WHERE update_id = 1"), "t");
  EXPECT_EQ(value("SELECT json IS NULL FROM raw_updates WHERE update_id = 2"), "f");

  auto replayed = commit({message_update(1, 42, 1, 7, "secret")});
  EXPECT_EQ(replayed.duplicates, 1u);
  EXPECT_TRUE(recent(42).empty());
}

TEST_F(PgStoreTest, UsageTariffsAndLexicon) {
  commit({message_update(1, 42, 1, 7, "a")});
  for (std::int64_t update_id : {1, 2, 2, 3}) {
    storage::UsageEvent e;
    e.user_id = 7;
    e.update_id = update_id;
    e.at = 1000 + update_id * 10;
    e.tariff = "basic";
    ASSERT_TRUE(await_status([&](auto done) { store->record_usage(e, std::move(done)); }));
  }
  auto count = [&](std::int64_t from, std::int64_t to) {
    auto r =
        await<std::int64_t>([&](auto done) { store->count_usage(7, from, to, std::move(done)); });
    EXPECT_TRUE(r.ok());
    return r.ok() ? *r : -1;
  };
  EXPECT_EQ(count(0, 10000), 3);
  EXPECT_EQ(count(1020, 1030), 1);  // from <= at < to
  EXPECT_EQ(count(1011, 1020), 0);

  auto set = [&](std::int64_t user, std::string tariff) {
    auto r = await<bool>(
        [&](auto done) { store->set_user_tariff(user, std::move(tariff), std::move(done)); });
    EXPECT_TRUE(r.ok());
    return r.ok() && *r;
  };
  EXPECT_TRUE(set(7, "pro"));
  EXPECT_FALSE(set(8, "pro"));
  // A later sighting renames the user but keeps the tariff.
  UpdateRecord later = message_update(2, 42, 2, 7, "b", 1800000000);
  later.user->username = "renamed";
  commit({later});
  auto user =
      await<std::optional<UserRecord>>([&](auto done) { store->find_user(7, std::move(done)); });
  ASSERT_TRUE(user.ok() && user->has_value());
  EXPECT_EQ((*user)->tariff, "pro");
  EXPECT_EQ((*user)->username, "renamed");
  EXPECT_EQ((*user)->seen_at, 1800000000);

  auto put = [&](std::string language, std::string key, std::string text) {
    storage::LexiconText t{std::move(language), std::move(key), std::move(text)};
    EXPECT_TRUE(await_status([&](auto done) { store->set_lexicon_text(t, std::move(done)); }));
  };
  put("ru", "hello", "Привет");
  put("en", "hello", "Hi");
  put("en", "bye", "Bye");
  put("en", "hello", "Hello");
  put("en", "bye", "");
  auto texts = await<std::vector<storage::LexiconText>>(
      [&](auto done) { store->lexicon_texts(std::move(done)); });
  ASSERT_TRUE(texts.ok());
  ASSERT_EQ(texts->size(), 2u);
  EXPECT_EQ((*texts)[0].language, "en");
  EXPECT_EQ((*texts)[0].text, "Hello");
  EXPECT_EQ((*texts)[1].language, "ru");
  EXPECT_EQ((*texts)[1].text, "Привет");
}

TEST_F(PgStoreTest, ExportStreamsEveryMatchingRowInOrder) {
  std::vector<UpdateRecord> batch;
  for (int i = 1; i <= 1200; ++i) {
    batch.push_back(message_update(i, i % 2 == 0 ? 42 : 7, i, 7, "m" + std::to_string(i)));
  }
  EXPECT_EQ(commit(batch).stored, 1200u);
  auto run = [&](storage::ExportFilter filter) {
    std::vector<MessageRecord> rows;
    Status s = await_status([&](auto done) {
      store->export_messages(
          filter, [&rows](const MessageRecord& m) { rows.push_back(m); }, std::move(done));
    });
    EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().message);
    return rows;
  };
  auto all = run({});
  ASSERT_EQ(all.size(), 1200u);
  EXPECT_EQ(all.front().text, "m1");
  EXPECT_EQ(all.back().text, "m1200");

  auto chat = run({42, std::nullopt});
  ASSERT_EQ(chat.size(), 600u);
  for (std::size_t i = 1; i < chat.size(); ++i) ASSERT_LT(chat[i - 1].update_id, chat[i].update_id);

  auto user = run({std::nullopt, 7});
  EXPECT_EQ(user.size(), 1200u);
  auto chat_user = run({42, 7});
  EXPECT_EQ(chat_user.size(), 600u);
  EXPECT_TRUE(run({42, 8}).empty());
}

TEST_F(PgStoreTest, NulEscapeInRawJsonIsStored) {
  EXPECT_EQ(sanitize_json(R"({"a":"x\u0000y","b":"\\u0000"})"),
            R"({"a":"x\ufffdy","b":"\\u0000"})");
  UpdateRecord u = message_update(1, 42, 1, 7, "nul");
  u.raw_json = R"({"update_id":1,"text":"a\u0000b"})";
  auto summary = commit({u});
  EXPECT_EQ(summary.stored, 1u);
  EXPECT_EQ(value("SELECT json->>'text' = 'a' || chr(65533) || 'b' FROM raw_updates"), "t");
  EXPECT_EQ(recent(42).size(), 1u);

  // A NUL byte in a text (decoded from \u0000 by the parser) becomes U+FFFD too.
  commit({message_update(2, 42, 2, 7, std::string("c\0d", 3))});
  auto messages = recent(42);
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(messages[1].text,
            "c\xEF\xBF\xBD"
            "d");
}

TEST_F(PgStoreTest, ABadOperationFailsAloneInItsBatch) {
  // An invalid JSON fails its own commit; the others queued with it commit.
  UpdateRecord bad = message_update(1, 42, 1, 7, "bad");
  bad.raw_json = "{not json";
  std::vector<std::future<Result<CommitSummary>>> results;
  std::vector<std::shared_ptr<std::promise<Result<CommitSummary>>>> promises;
  for (int i = 0; i < 3; ++i) {
    auto p = std::make_shared<std::promise<Result<CommitSummary>>>();
    results.push_back(p->get_future());
    UpdateRecord u = i == 1 ? bad : message_update(10 + i, 42, 10 + i, 7, "ok");
    store->commit_updates({u}, [p](Result<CommitSummary> r) { p->set_value(std::move(r)); });
  }
  EXPECT_TRUE(results[0].get().ok());
  EXPECT_FALSE(results[1].get().ok());
  EXPECT_TRUE(results[2].get().ok());
  EXPECT_EQ(recent(42).size(), 2u);
}

TEST_F(PgStoreTest, ConcurrentCommitsAreGroupCommitted) {
  constexpr int kThreads = 8;
  constexpr int kPerThread = 50;
  std::atomic<int> stored{0};
  std::atomic<int> completions{0};
  std::vector<std::thread> threads;
  const auto before = store->transactions_committed();
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::vector<std::future<void>> waits;
      for (int i = 0; i < kPerThread; ++i) {
        auto p = std::make_shared<std::promise<void>>();
        waits.push_back(p->get_future());
        const int id = t * kPerThread + i + 1;
        store->commit_updates({message_update(id, 1000 + t, i + 1, 7, "m")},
                              [&, p](Result<CommitSummary> r) {
                                if (r.ok()) stored += static_cast<int>(r->stored);
                                ++completions;
                                p->set_value();
                              });
      }
      for (auto& w : waits) w.wait();
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(completions.load(), kThreads * kPerThread);
  EXPECT_EQ(stored.load(), kThreads * kPerThread);
  const auto transactions = store->transactions_committed() - before;
  EXPECT_GE(transactions, 1u);
  EXPECT_LT(transactions, static_cast<std::uint64_t>(kThreads * kPerThread));
  std::printf("%d commit_updates calls from %d threads: %llu transactions\n", kThreads * kPerThread,
              kThreads, static_cast<unsigned long long>(transactions));
  EXPECT_EQ(value("SELECT count(*) FROM messages"), std::to_string(kThreads * kPerThread));
}

TEST_F(PgStoreTest, CompletionsNeverRunInsideTheCallAndFlushFollowsWrites) {
  // Inside the call would mean on the caller's thread: completions run on the store's.
  const auto caller = std::this_thread::get_id();
  std::atomic<bool> on_caller{false};
  std::atomic<bool> committed{false};
  store->commit_updates({message_update(1, 42, 1, 7, "a")}, [&](Result<CommitSummary> r) {
    if (std::this_thread::get_id() == caller) on_caller = true;
    committed = r.ok();
  });
  Status flushed = await_status([&](auto done) { store->flush(std::move(done)); });
  EXPECT_TRUE(flushed.ok());
  EXPECT_TRUE(committed.load());  // flush completes after what was queued before it
  EXPECT_FALSE(on_caller.load());

  // After close(): an error, still not on the caller's thread.
  store->close();
  auto refused = await<CommitSummary>([&](auto done) {
    store->commit_updates({message_update(2, 42, 2, 7, "b")}, [&, done](Result<CommitSummary> r) {
      if (std::this_thread::get_id() == caller) on_caller = true;
      done(std::move(r));
    });
  });
  EXPECT_FALSE(refused.ok());
  EXPECT_FALSE(on_caller.load());
}

TEST_F(PgStoreTest, CloseCommitsWhatIsQueued) {
  constexpr int kCalls = 200;
  std::atomic<int> ok{0};
  std::atomic<int> completions{0};
  for (int i = 1; i <= kCalls; ++i) {
    store->commit_updates({message_update(i, 42, i, 7, "m")}, [&](Result<CommitSummary> r) {
      if (r.ok() && r->stored == 1) ++ok;
      ++completions;
    });
  }
  store->close();  // returns once the queue ran and its completions were called
  EXPECT_EQ(completions.load(), kCalls);
  EXPECT_EQ(ok.load(), kCalls);
  EXPECT_EQ(value("SELECT count(*) FROM messages"), std::to_string(kCalls));
}

TEST_F(PgStoreTest, ReconnectsAfterTheServerRestarted) {
  commit({message_update(1, 42, 1, 7, "before")});
  // A clean stop: the fixture runs with synchronous_commit=off, so a kill may lose commits.
  ASSERT_TRUE(server->stop());
  ASSERT_TRUE(server->restart());
  // The batch that meets the dead connection fails; the next ones reconnect.
  bool committed = false;
  for (int attempt = 0; attempt < 3 && !committed; ++attempt) {
    auto r = await<CommitSummary>([&](auto done) {
      store->commit_updates({message_update(2, 42, 2, 7, "after")}, std::move(done));
    });
    committed = r.ok();
    if (!r.ok()) std::printf("attempt %d: %s\n", attempt, r.error().message.c_str());
  }
  EXPECT_TRUE(committed);
  std::size_t seen = 0;
  for (int attempt = 0; attempt < 3 && seen == 0; ++attempt) {
    auto r = await<std::vector<MessageRecord>>(
        [&](auto done) { store->recent_messages(42, 10, std::move(done)); });
    if (r.ok()) seen = r->size();
  }
  EXPECT_EQ(seen, 2u);
}

}  // namespace
}  // namespace tgkeep::pg
