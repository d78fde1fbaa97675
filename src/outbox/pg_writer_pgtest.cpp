// write_to_postgres against a real PostgreSQL 15, beside PgStore given the same operations: the
// same rows (every column; messages in history order, their serial ids aside), idempotence, edits,
// duplicates, forgets, replies settled in their batch, hostile text, an empty batch, a failing
// batch and a killed server.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include "outbox/pg_writer.hpp"
#include "pg/migrations.hpp"
#include "pg/pg_store.hpp"
#include "pg/testing/pg_server.hpp"
#include "storage/testing/store_test_support.hpp"
#include "util/testing/run.hpp"

namespace tgkeep::outbox {
namespace {

namespace asio = boost::asio;
using pg::testing::PgServer;
using storage::ReplyStatus;
using storage::Role;
using storage::UpdateRecord;
using storage::testing::await;
using storage::testing::await_status;
using storage::testing::edit_update;
using storage::testing::message_update;
using namespace std::chrono_literals;

Entry update(UpdateRecord u, std::int64_t received_at = 1700000100) {
  return UpdateEntry{std::move(u), received_at};
}
Entry reply(std::int64_t chat_id, std::string key, std::string text) {
  return ReplyEntry{storage::testing::reply(chat_id, std::move(key), std::move(text))};
}
Entry settle(std::string key, ReplyStatus status, std::optional<std::int64_t> message_id,
             std::int64_t date = 1700000200) {
  return SettleEntry{std::move(key), status, message_id, date};
}
// Built in place: g++ 12 reports a variant moved from a temporary HandledEntry as maybe
// uninitialized (a false positive).
Entry handled(std::vector<std::int64_t> update_ids) {
  Entry entry(std::in_place_type<HandledEntry>);
  std::get<HandledEntry>(entry).update_ids = std::move(update_ids);
  return entry;
}
Entry usage(std::int64_t user_id, std::int64_t update_id, std::string tariff = "") {
  return UsageEntry{storage::UsageEvent{user_id, update_id, 1700000000 + update_id, tariff}};
}

// Every row of the four tables as one JSON text; messages in history order, without their ids.
constexpr const char* kDump = R"sql(SELECT json_build_object(
  'raw_updates', (SELECT coalesce(json_agg(r ORDER BY update_id), '[]') FROM raw_updates r),
  'messages', (SELECT coalesce(json_agg(to_jsonb(m) - 'id' ORDER BY chat_id, update_id, id), '[]')
               FROM messages m),
  'users', (SELECT coalesce(json_agg(u ORDER BY id), '[]') FROM users u),
  'usage_events', (SELECT coalesce(json_agg(q ORDER BY user_id, update_id), '[]')
                   FROM usage_events q)))sql";

class PgWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server = PgServer::start();
    ASSERT_TRUE(server);
    server->psql("CREATE DATABASE writer");
    server->psql("CREATE DATABASE store");
    writer = connect();
    ASSERT_TRUE(writer);
    auto migrated = run(pg::migrate(*writer));
    ASSERT_TRUE(migrated.ok()) << migrated.error().message;
  }
  void TearDown() override {
    if (store) store->close();
  }

  template <class T>
  T run(asio::awaitable<T> task) {
    return tgkeep::testing::run(io, std::move(task));
  }

  std::unique_ptr<pg::Connection> connect() {
    pg::ConnectOptions options;
    options.conninfo = server->conninfo("postgres", "writer");
    options.where = "PostgreSQL at 127.0.0.1 (test)";
    auto c = run(pg::Connection::connect(io.get_executor(), options));
    EXPECT_TRUE(c.ok()) << (c.ok() ? "" : c.error().message);
    return c.ok() ? std::move(c).value() : nullptr;
  }

  // How try_write() writes: on one connection; split over a second one where the batch allows;
  // the same with the batch prepared beforehand, as the syncer does.
  enum class Mode { one_connection, split, prepared_and_split };
  void use(Mode m) {
    mode = m;
    if (m != Mode::one_connection && !side) side = connect();
  }

  pg::PgResult<PgWriteSummary> try_write(const std::vector<Entry>& entries) {
    if (mode == Mode::one_connection) return run(write_to_postgres(*writer, entries, 20s));
    std::shared_ptr<PreparedBatch> prepared;
    if (mode == Mode::prepared_and_split) prepared = prepare_batch(entries);
    return run(write_to_postgres(*writer, side.get(), entries, 20s, prepared));
  }
  PgWriteSummary write(const std::vector<Entry>& entries) {
    auto r = try_write(entries);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? r.value() : PgWriteSummary{};
  }

  std::string value(const std::string& sql, const std::string& db = "writer") {
    std::string out = server->psql(sql, db);
    while (!out.empty() && out.back() == '\n') out.pop_back();
    return out;
  }
  std::string dump(const std::string& db) { return value(kDump, db); }

  // PgStore on the database "store"; its clock reads the received_at of the update at hand.
  void open_store() {
    pg::PgStore::Options options;
    options.conninfo = server->conninfo("postgres", "store");
    options.where = "PostgreSQL at 127.0.0.1 (test store)";
    options.clock = [now = now] { return now->load(); };
    auto opened = pg::PgStore::open(options);
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    store = std::move(opened).value();
  }

  // The entry as PgStore's operation; returns the updates it stored.
  std::size_t apply_to_store(const Entry& entry) {
    if (const auto* u = std::get_if<UpdateEntry>(&entry)) {
      now->store(u->received_at);
      auto r = await<storage::CommitSummary>(
          [&](auto done) { store->commit_updates({u->update}, std::move(done)); });
      EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
      return r.ok() ? r->stored : 0;
    }
    // Failures here are PgStore refusing the operation (an unknown reply_key, a reply without
    // key): the writer skips those too.
    if (const auto* h = std::get_if<HandledEntry>(&entry)) {
      (void)await_status([&](auto done) { store->mark_handled(h->update_ids, std::move(done)); });
    } else if (const auto* r = std::get_if<ReplyEntry>(&entry)) {
      (void)await<storage::ReplyState>(
          [&](auto done) { store->record_reply(r->reply, std::move(done)); });
    } else if (const auto* s = std::get_if<SettleEntry>(&entry)) {
      (void)await_status([&](auto done) {
        store->settle_reply(s->reply_key, s->status, s->message_id, s->date, std::move(done));
      });
    } else if (const auto* e = std::get_if<EditEntry>(&entry)) {
      (void)await_status([&](auto done) {
        store->edit_message(e->chat_id, e->message_id, e->role, e->text, e->edit_date,
                            std::move(done));
      });
    } else if (const auto* f = std::get_if<ForgetEntry>(&entry)) {
      (void)await_status([&](auto done) { store->forget_chat(f->chat_id, std::move(done)); });
    } else if (const auto* q = std::get_if<UsageEntry>(&entry)) {
      (void)await_status([&](auto done) { store->record_usage(q->event, std::move(done)); });
    }
    return 0;
  }

  // Writes the batches with the writer and applies their entries to PgStore one by one: the
  // summaries must count what PgStore stored, and both databases must hold the same rows.
  void expect_same_as_store(const std::vector<std::vector<Entry>>& batches) {
    if (!store) open_store();
    ASSERT_TRUE(store);
    for (std::size_t b = 0; b < batches.size(); ++b) {
      const PgWriteSummary summary = write(batches[b]);
      std::size_t stored = 0;
      std::size_t updates = 0;
      for (const Entry& entry : batches[b]) {
        stored += apply_to_store(entry);
        updates += std::holds_alternative<UpdateEntry>(entry) ? 1 : 0;
      }
      EXPECT_EQ(summary.entries, batches[b].size()) << "batch " << b;
      EXPECT_EQ(summary.updates_stored, stored) << "batch " << b;
      EXPECT_EQ(summary.updates_known, updates - stored) << "batch " << b;
    }
    ASSERT_TRUE(await_status([&](auto done) { store->flush(std::move(done)); }));
    EXPECT_EQ(dump("writer"), dump("store"));
  }

  asio::io_context io;
  std::unique_ptr<PgServer> server;
  std::unique_ptr<pg::Connection> writer;
  std::unique_ptr<pg::Connection> side;
  Mode mode = Mode::one_connection;
  std::unique_ptr<pg::PgStore> store;
  std::shared_ptr<std::atomic<std::int64_t>> now = std::make_shared<std::atomic<std::int64_t>>(0);
};

// A bot's conversation: updates, usage, replies recorded and settled, handled marks, an edit.
std::vector<Entry> conversation(std::int64_t first_update, int updates) {
  std::vector<Entry> out;
  for (std::int64_t id = first_update; id < first_update + updates; ++id) {
    const std::int64_t chat = 40 + id % 3;
    const std::string key = "u" + std::to_string(id) + ".0";
    out.push_back(update(message_update(id, chat, id, chat, "message " + std::to_string(id))));
    out.push_back(usage(chat, id));
    out.push_back(reply(chat, key, "answer " + std::to_string(id)));
    out.push_back(settle(key, ReplyStatus::sent, 1000 + id));
    out.push_back(handled({id}));
    if (id % 4 == 0) out.push_back(EditEntry{chat, 1000 + id, Role::assistant, "edited", 1800});
  }
  return out;
}

TEST_F(PgWriterTest, WritingABatchTwiceChangesNothing) {
  const auto batch = conversation(1, 20);
  const PgWriteSummary first = write(batch);
  EXPECT_EQ(first.entries, batch.size());
  EXPECT_EQ(first.updates_stored, 20u);
  EXPECT_EQ(first.updates_known, 0u);
  const std::string rows = dump("writer");
  EXPECT_EQ(value("SELECT count(*) FROM messages"), "40");
  EXPECT_EQ(value("SELECT count(*) FROM raw_updates WHERE handled"), "20");
  EXPECT_EQ(value("SELECT count(*) FROM messages WHERE status = 'sent' AND message_id > 1000"),
            "20");

  const PgWriteSummary again = write(batch);
  EXPECT_EQ(again.updates_stored, 0u);
  EXPECT_EQ(again.updates_known, 20u);
  EXPECT_EQ(dump("writer"), rows);
}

TEST_F(PgWriterTest, SameRowsAsPgStoreForAConversation) {
  expect_same_as_store({conversation(1, 30), conversation(25, 10)});
}

TEST_F(PgWriterTest, EditsApplyWhenNotOlderWithinAndAcrossBatches) {
  auto tie = edit_update(4, 42, 1, 7, "edit at 200, later", 200);
  expect_same_as_store({
      {update(message_update(1, 42, 1, 7, "original")),
       update(edit_update(2, 42, 1, 7, "edit at 200", 200)),
       update(edit_update(3, 42, 1, 7, "older edit at 100", 100)), update(tie),
       // An edit before its original: the edit is stored, the original changes nothing.
       update(edit_update(5, 43, 5, 7, "edit seen first", 300)),
       update(message_update(6, 43, 5, 7, "original seen second"))},
      {update(edit_update(7, 42, 1, 7, "older edit, next batch", 150))},
      {update(edit_update(8, 42, 1, 7, "newer edit, next batch", 300)),
       update(edit_update(9, 42, 1, 7, "equal to the newer", 300))},
  });
  EXPECT_EQ(value("SELECT text || '|' || edit_date || '|' || update_id FROM messages "
                  "WHERE chat_id = 42"),
            "equal to the newer|300|1");
  EXPECT_EQ(value("SELECT text || '|' || update_id FROM messages WHERE chat_id = 43"),
            "edit seen first|5");
}

TEST_F(PgWriterTest, DuplicatesAndRepeatedSendersInABatch) {
  open_store();  // migrates its database
  server->psql("INSERT INTO users VALUES (7, false, 'old', 'Old', '', 'en', 50, 50, 'pro')",
               "writer");
  server->psql("INSERT INTO users VALUES (7, false, 'old', 'Old', '', 'en', 50, 50, 'pro')",
               "store");
  auto late = message_update(2, 42, 2, 7, "b", 300);
  late.user->username = "late";
  auto early = message_update(3, 42, 3, 7, "c", 100);
  early.user->username = "early";
  auto tie = message_update(4, 42, 4, 7, "d", 300);
  tie.user->username = "tie, later";
  const Entry one = update(message_update(1, 42, 1, 7, "a", 200));
  expect_same_as_store({{one, one, update(late), one, update(early), update(tie), usage(7, 1),
                         usage(7, 1, "other"), handled({1, 1, 2})}});
  EXPECT_EQ(value("SELECT count(*) FROM messages"), "4");
  EXPECT_EQ(value("SELECT username || '|' || first_seen || '|' || last_seen || '|' || tariff "
                  "FROM users"),
            "tie, later|50|300|pro");
  EXPECT_EQ(value("SELECT tariff FROM usage_events"), "");
}

TEST_F(PgWriterTest, AForgetKeepsWhatFollowsIt) {
  expect_same_as_store(
      {{update(message_update(1, 42, 1, 7, "secret")), reply(42, "u1.0", "secret answer"),
        settle("u1.0", ReplyStatus::sent, 77), ForgetEntry{42},
        update(message_update(2, 42, 2, 7, "after")), reply(42, "u2.0", "kept"),
        update(message_update(1, 42, 1, 7, "replayed")), ForgetEntry{43},
        update(message_update(3, 43, 1, 8, "other chat, after its forget"))}});
  EXPECT_EQ(value("SELECT string_agg(text, ',' ORDER BY id) FROM messages WHERE chat_id = 42"),
            "after,kept");
  EXPECT_EQ(value("SELECT string_agg((json IS NULL)::text, ',' ORDER BY update_id) "
                  "FROM raw_updates"),
            "true,false,false");
}

TEST_F(PgWriterTest, RepliesSettledInTheirBatchAndSettlesBeforeTheirReply) {
  expect_same_as_store({{update(message_update(1, 42, 1, 7, "question")),
                         reply(42, "u1.0", "answer"), settle("u1.0", ReplyStatus::sent, 55),
                         // Settled before it is recorded: the settle found nothing.
                         settle("u1.1", ReplyStatus::sent, 56), reply(42, "u1.1", "second part"),
                         reply(42, "u1.0", "answer, replayed"),
                         settle("u9.0", ReplyStatus::sent, 1), reply(42, "", "no key: refused"),
                         // Re-settled: the last status and date, the last message_id given.
                         settle("u1.0", ReplyStatus::failed, std::nullopt, 1700000300)}});
  EXPECT_EQ(value("SELECT string_agg(concat_ws('|', text, status, message_id, date), ',' "
                  "ORDER BY id) FROM messages WHERE role = 'assistant'"),
            "answer|failed|55|1700000300,second part|pending|1700000001");
}

TEST_F(PgWriterTest, HostileTextIsStoredAsPgStoreStoresIt) {
  const std::string hostile = std::string("tab\there\nnewline\r\nback\\slash \\N \\.\n\\.") +
                              std::string("\0nul", 4) + " Привет 👋🏽";
  auto u = message_update(1, 42, 1, 7, hostile);
  u.raw_json = "{\"update_id\":1,\n\t\"text\":\"a\\u0000b \\\\u0000 \\t Привет 👋\"}";
  u.user->first_name = "Tab\tName\\";
  u.type = "message\n";
  auto edit = EditEntry{42, 9, Role::assistant, "edit\t\\\n" + std::string("\0", 1), 5};
  auto answer = storage::testing::reply(42, "u1.0\t\\", "reply \r\n\\");
  expect_same_as_store({{update(u), ReplyEntry{answer}, settle("u1.0\t\\", ReplyStatus::sent, 9),
                         edit, usage(7, 1, "pro\t\\")}});
  EXPECT_EQ(value("SELECT text FROM messages WHERE chat_id = 42 AND role = 'user'"),
            "tab\there\nnewline\r\nback\\slash \\N \\.\n\\.\xEF\xBF\xBDnul Привет 👋🏽");
  EXPECT_EQ(value("SELECT json->>'text' FROM raw_updates"),
            "a\xEF\xBF\xBD"
            "b \\u0000 \t Привет 👋");
  EXPECT_EQ(value("SELECT text FROM messages WHERE role = 'assistant'"), "edit\t\\\n\xEF\xBF\xBD");
}

TEST_F(PgWriterTest, AnEmptyBatchWritesNothing) {
  const PgWriteSummary summary = write({});
  EXPECT_EQ(summary.entries, 0u);
  EXPECT_EQ(summary.updates_stored, 0u);
  EXPECT_EQ(summary.updates_known, 0u);
  EXPECT_EQ(write({update(message_update(1, 42, 1, 7, "a"))}).updates_stored, 1u);
}

TEST_F(PgWriterTest, AFailingBatchStoresNothingAndTheConnectionStaysUsable) {
  auto bad = message_update(2, 42, 2, 7, "bad json");
  bad.raw_json = "{not json";
  auto failed = try_write({update(message_update(1, 42, 1, 7, "a")), update(bad)});
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().sqlstate, "22P02") << failed.error().message;
  EXPECT_FALSE(writer->broken());
  EXPECT_EQ(value("SELECT count(*) FROM raw_updates"), "0");

  // A failure in the applying statements (a reply stored as a user message has its key).
  auto clash = message_update(3, 42, 3, 7, "carries a reply_key");
  clash.message->reply_key = "u1.0";
  failed = try_write({reply(42, "u1.0", "answer"), update(clash)});
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().code, pg::PgErrorCode::unique_violation) << failed.error().message;
  EXPECT_EQ(value("SELECT count(*) FROM messages"), "0");

  EXPECT_EQ(write(conversation(1, 3)).updates_stored, 3u);
  EXPECT_EQ(value("SELECT count(*) FROM messages"), "6");
}

TEST_F(PgWriterTest, AKilledServerFailsTheBatchAndANewConnectionWritesTheNext) {
  EXPECT_EQ(write(conversation(1, 5)).updates_stored, 5u);
  server->psql("CHECKPOINT");  // the fixture runs with synchronous_commit off: make it durable
  server->kill_hard();
  auto lost = try_write(conversation(6, 5));
  ASSERT_FALSE(lost.ok());
  EXPECT_TRUE(writer->broken());
  EXPECT_TRUE(pg::retryable(lost.error().code)) << lost.error().message;

  ASSERT_TRUE(server->restart());
  // Dropped before connecting again, as the pool and PgStore do: libpq closed its socket, and
  // its descriptor, released later, could unregister a new socket given the same number.
  writer.reset();
  writer = connect();
  ASSERT_TRUE(writer);
  const PgWriteSummary retried = write(conversation(1, 10));
  EXPECT_EQ(retried.updates_stored, 5u);
  EXPECT_EQ(retried.updates_known, 5u);
  EXPECT_EQ(value("SELECT count(*) FROM messages"), "20");
}

// A random stream over few keys, so that entries of every kind meet on the same rows: repeated
// update_ids, messages edited with equal dates, edits before originals, replies settled before
// and after they are recorded and settled again, edits of replies by message_id, handled marks
// before and after their updates, forgets, repeated usage events, senders seen out of order.
std::vector<Entry> random_stream(std::uint64_t seed, int count) {
  std::mt19937_64 rng(seed);
  auto pick = [&rng](int n) { return static_cast<int>(rng() % static_cast<std::uint64_t>(n)); };
  const std::string texts[] = {"a", "b\tc", "Привет", "x\\y", "👍", ""};
  auto text = [&] { return texts[pick(6)]; };
  std::vector<Entry> out;
  for (int i = 0; i < count; ++i) {
    const int dice = pick(100);
    const int key = pick(12);  // a reply "u<key+1>.0" in chat 1 + key % 3, sent as 1000 + 10 key
    const std::string reply_key = "u" + std::to_string(key + 1) + ".0";
    if (dice < 40) {
      const std::int64_t id = 1 + pick(40);
      const std::int64_t chat = 1 + pick(3);
      UpdateRecord u = pick(3) == 0
                           ? edit_update(id, chat, 1 + pick(8), 7 + pick(3), text(), 100 + pick(4))
                           : message_update(id, chat, 1 + pick(8), 7 + pick(3), text());
      u.user->seen_at = 1000 + pick(5);
      u.user->first_name = text();
      u.needs_handling = pick(2) == 0;
      if (pick(12) == 0) u.message->message_id.reset();
      if (pick(12) == 0) u.message.reset();
      if (pick(12) == 0) u.user.reset();
      out.push_back(update(std::move(u), 1700000000 + i));
    } else if (dice < 55) {
      out.push_back(reply(1 + key % 3, reply_key, text()));
    } else if (dice < 70) {
      std::optional<std::int64_t> message_id;
      if (pick(3) > 0) message_id = 1000 + 10 * key + pick(2);
      // Any status: pending, sent, failed, resending.
      out.push_back(settle(pick(10) == 0 ? "u99.0" : reply_key, static_cast<ReplyStatus>(pick(4)),
                           message_id, 1700000000 + pick(9)));
    } else if (dice < 80) {
      if (pick(2) == 0) {
        out.push_back(EditEntry{1 + key % 3, 1000 + 10 * key + pick(2), Role::assistant, text(),
                                100 + pick(4)});
      } else {
        out.push_back(EditEntry{1 + pick(3), 1 + pick(8), Role::user, text(), 100 + pick(4)});
      }
    } else if (dice < 88) {
      out.push_back(handled({1 + pick(40), 1 + pick(40)}));
    } else if (dice < 92) {
      out.push_back(ForgetEntry{1 + pick(3)});
    } else {
      out.push_back(usage(7 + pick(3), 1 + pick(40), pick(2) == 0 ? "" : "pro"));
    }
  }
  return out;
}

TEST_F(PgWriterTest, SameRowsAsPgStoreForRandomStreams) {
  for (std::uint64_t seed = 1; seed <= 3; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    const auto stream = random_stream(seed, 300);
    std::mt19937_64 rng(seed);
    std::vector<std::vector<Entry>> batches;
    for (std::size_t at = 0; at < stream.size();) {
      const std::size_t size = std::min<std::size_t>(1 + rng() % 60, stream.size() - at);
      batches.emplace_back(stream.begin() + static_cast<std::ptrdiff_t>(at),
                           stream.begin() + static_cast<std::ptrdiff_t>(at + size));
      at += size;
    }
    expect_same_as_store(batches);
    if (HasFailure()) return;
  }
}

// New updates only, the common batch: the one the direct path and the split are for.
std::vector<Entry> plain_updates(std::int64_t first_update, int updates) {
  std::vector<Entry> out;
  for (std::int64_t id = first_update; id < first_update + updates; ++id) {
    const std::int64_t chat = 40 + id % 7;
    out.push_back(update(message_update(id, chat, id, chat, "plain " + std::to_string(id))));
  }
  return out;
}

// Plain batches (split), a replay of part of one, a conversation and a random stream (several
// segments: one connection).
std::vector<std::vector<Entry>> mixed_batches() {
  return {plain_updates(1, 50), plain_updates(40, 30), conversation(100, 20), plain_updates(200, 5),
          random_stream(7, 200)};
}

TEST_F(PgWriterTest, SplitOverTwoConnectionsSameRowsAsPgStore) {
  use(Mode::split);
  expect_same_as_store(mixed_batches());
}

TEST_F(PgWriterTest, PreparedAheadAndSplitSameRowsAsPgStore) {
  use(Mode::prepared_and_split);
  expect_same_as_store(mixed_batches());
}

TEST_F(PgWriterTest, ASplitBatchWithAnUpdateAlreadyStoredKeepsPgStoreRules) {
  use(Mode::prepared_and_split);
  // Update 3 arrived before (the bot's own fallback wrote it), without a message of its own.
  server->psql(
      "INSERT INTO raw_updates (update_id, type, chat_id, json, received_at, needs_handling, "
      "handled) VALUES (3, 'message', 43, NULL, 1, false, true)",
      "writer");
  const PgWriteSummary summary = write(plain_updates(1, 10));
  EXPECT_EQ(summary.updates_stored, 9u);
  EXPECT_EQ(summary.updates_known, 1u);
  EXPECT_EQ(value("SELECT count(*) FROM raw_updates"), "10");
  EXPECT_EQ(value("SELECT count(*) FROM messages"), "9");  // a known update adds no message
  EXPECT_EQ(value("SELECT count(*) FROM messages WHERE update_id = 3"), "0");
}

TEST_F(PgWriterTest, MessagesCommittedWithoutTheirUpdatesAreCompletedByTheNextWrite) {
  use(Mode::split);
  const auto batch = plain_updates(1, 40);
  write(batch);
  const std::string rows = dump("writer");
  // As if the syncer died between the two commits: messages and users stored, raw updates not.
  server->psql("DELETE FROM raw_updates", "writer");
  const PgWriteSummary again = write(batch);
  EXPECT_EQ(again.updates_stored, 40u);
  EXPECT_EQ(dump("writer"), rows);
}

}  // namespace
}  // namespace tgkeep::outbox
