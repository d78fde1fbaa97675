// The PostgreSQL schema against a real PostgreSQL 15: migrating an empty database and again, a
// database of an earlier version with rows, several instances migrating at once, the advisory
// lock, a newer or foreign schema refused, a failing migration rolled back, and the idempotency
// keys the writers rely on.
#include <algorithm>
#include <chrono>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include "pg/connection.hpp"
#include "pg/migrations.hpp"
#include "pg/testing/pg_server.hpp"
#include "util/testing/run.hpp"

namespace tgkeep::pg {
namespace {

namespace asio = boost::asio;
using testing::PgServer;
using namespace std::chrono_literals;

std::string lines(std::vector<std::string> items) {
  std::sort(items.begin(), items.end());
  std::string out;
  for (const auto& item : items) out += item + "\n";
  return out;
}

class MigrationsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server = PgServer::start();
    ASSERT_TRUE(server);
    db = connect();
    ASSERT_TRUE(db);
  }

  template <class T>
  T run(asio::awaitable<T> task) {
    return tgkeep::testing::run(io, std::move(task));
  }

  std::unique_ptr<Connection> connect() {
    ConnectOptions options;
    options.conninfo = server->conninfo();
    options.where = "PostgreSQL at 127.0.0.1 (test)";
    options.connect_timeout = 5s;
    auto c = run(Connection::connect(io.get_executor(), options));
    EXPECT_TRUE(c.ok()) << (c.ok() ? "" : c.error().message);
    return c.ok() ? std::move(c).value() : nullptr;
  }

  PgResult<Rows> query(Connection& c, std::string text,
                       std::vector<std::optional<std::string>> params = {}) {
    Statement s;
    s.sql = std::move(text);
    s.params = std::move(params);
    return run(c.query(std::move(s), 5s));
  }

  // The first column of every row of `text`, run on `db`; fails the test on an error.
  std::vector<std::string> column(const std::string& text) {
    auto rows = query(*db, text);
    EXPECT_TRUE(rows.ok()) << text << ": " << (rows.ok() ? "" : rows.error().message);
    std::vector<std::string> out;
    if (!rows.ok()) return out;
    for (const auto& row : rows->rows) out.push_back(row[0].value_or("NULL"));
    return out;
  }

  std::string scalar(const std::string& text) {
    auto values = column(text);
    return values.empty() ? "" : values[0];
  }

  // Whether another session could take the migration lock now (and then gives it back).
  bool lock_is_free() {
    auto other = connect();
    if (!other) return false;
    const std::string key = std::to_string(kMigrationLockKey);
    auto taken = query(*other, "SELECT pg_try_advisory_lock($1::int8)", {key});
    EXPECT_TRUE(taken.ok());
    const bool free = taken.ok() && taken->rows[0][0] == "t";
    if (free) {
      EXPECT_TRUE(query(*other, "SELECT pg_advisory_unlock($1::int8)", {key}).ok());
    }
    return free;
  }

  asio::io_context io;
  std::unique_ptr<PgServer> server;
  std::unique_ptr<Connection> db;
};

TEST_F(MigrationsTest, AnEmptyDatabaseGetsTheWholeSchemaAndARerunChangesNothing) {
  ASSERT_EQ(latest_schema_version(), 2);
  auto first = run(migrate(*db));
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_EQ(first->from, 0);
  EXPECT_EQ(first->to, 2);

  EXPECT_EQ(lines(column("SELECT table_name FROM information_schema.tables "
                         "WHERE table_schema = 'public'")),
            "lexicon\nmessages\nraw_updates\nschema_migrations\nusage_events\nusers\n");
  EXPECT_EQ(lines(column("SELECT indexname FROM pg_indexes WHERE schemaname = 'public'")),
            "lexicon_pkey\nmessages_by_chat\nmessages_by_user\nmessages_key\nmessages_pkey\n"
            "messages_reply_key\nraw_updates_by_chat\nraw_updates_pkey\nraw_updates_unhandled\n"
            "schema_migrations_pkey\nusage_events_by_time\nusage_events_pkey\nusers_pkey\n");
  EXPECT_EQ(
      scalar("SELECT indexdef FROM pg_indexes WHERE indexname = 'messages_by_chat'"),
      "CREATE INDEX messages_by_chat ON public.messages USING btree (chat_id, update_id, id)");
  EXPECT_EQ(scalar("SELECT indexdef FROM pg_indexes WHERE indexname = 'messages_reply_key'"),
            "CREATE UNIQUE INDEX messages_reply_key ON public.messages USING btree (reply_key) "
            "WHERE (reply_key IS NOT NULL)");
  EXPECT_EQ(scalar("SELECT indexdef FROM pg_indexes WHERE indexname = 'usage_events_by_time'"),
            "CREATE INDEX usage_events_by_time ON public.usage_events USING btree (user_id, at)");
  EXPECT_EQ(scalar("SELECT data_type FROM information_schema.columns "
                   "WHERE table_name = 'raw_updates' AND column_name = 'json'"),
            "jsonb");
  // Every id column is bigint.
  EXPECT_EQ(lines(column("SELECT table_name || '.' || column_name FROM information_schema.columns "
                         "WHERE table_schema = 'public' AND column_name LIKE '%id' "
                         "AND data_type <> 'bigint'")),
            "");
  EXPECT_EQ(column("SELECT version || ' ' || name FROM schema_migrations ORDER BY version"),
            (std::vector<std::string>{"1 initial schema", "2 reply status resending"}));
  EXPECT_TRUE(lock_is_free());

  auto again = run(migrate(*db));
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(again->from, 2);
  EXPECT_EQ(again->to, 2);
  EXPECT_EQ(scalar("SELECT count(*) FROM schema_migrations"), "2");
  EXPECT_TRUE(lock_is_free());
  // And from another connection, as the next start would.
  auto other = connect();
  ASSERT_TRUE(other);
  auto third = run(migrate(*other));
  ASSERT_TRUE(third.ok()) << third.error().message;
  EXPECT_EQ(third->from, 2);
  EXPECT_EQ(third->to, 2);
}

TEST_F(MigrationsTest, Version1WithRowsMigratesToAllowResendingAndKeepsEverything) {
  // A database as tgkeep with schema version 1 left it.
  auto v1 = run(migrate(*db, migrations().first(1)));
  ASSERT_TRUE(v1.ok()) << v1.error().message;
  ASSERT_EQ(v1->to, 1);
  const std::string insert =
      "INSERT INTO messages (chat_id, message_id, user_id, role, text, date, update_id, edited, "
      "edit_date, reply_key, status) VALUES ";
  ASSERT_TRUE(query(*db, insert +
                             "(42, 1, 42, 'user', 'question', 1700000000, 1, false, NULL, NULL, "
                             "'sent'), "
                             "(42, NULL, NULL, 'assistant', 'answer', 1700000000, 1, false, NULL, "
                             "'u1.0', 'pending'), "
                             "(42, 100, NULL, 'assistant', 'two', 1700000001, 1, false, NULL, "
                             "'u1.1', 'sent'), "
                             "(-100, 3, 8, 'user', 'edited', 1700000001, 2, true, 1700000050, "
                             "NULL, 'sent'), "
                             "(42, NULL, NULL, 'assistant', 'lost', 1700000002, 3, false, NULL, "
                             "'u3.0', 'failed')")
                  .ok());
  ASSERT_TRUE(query(*db,
                    "INSERT INTO raw_updates VALUES (2, 'message', -100, '{}', 1700000001, true, "
                    "false)")
                  .ok());
  // Version 1 refuses resending.
  auto early = query(*db, "UPDATE messages SET status = 'resending' WHERE reply_key = 'u1.0'");
  ASSERT_FALSE(early.ok());
  EXPECT_EQ(early.error().sqlstate, "23514");
  const std::string dump = "SELECT string_agg(m::text, E'\\n' ORDER BY id) FROM messages m";
  const std::string indexes =
      "SELECT string_agg(indexdef, E'\\n' ORDER BY indexname) FROM pg_indexes "
      "WHERE schemaname = 'public'";
  const std::string rows_before = scalar(dump);
  const std::string indexes_before = scalar(indexes);
  ASSERT_NE(rows_before.find("u3.0"), std::string::npos);

  auto migrated = run(migrate(*db));
  ASSERT_TRUE(migrated.ok()) << migrated.error().message;
  EXPECT_EQ(migrated->from, 1);
  EXPECT_EQ(migrated->to, 2);
  EXPECT_EQ(scalar(dump), rows_before);
  EXPECT_EQ(scalar(indexes), indexes_before);
  EXPECT_EQ(scalar("SELECT count(*) FROM raw_updates WHERE NOT handled"), "1");
  // One constraint of that name, validated, allowing resending and nothing else new.
  EXPECT_EQ(column("SELECT convalidated::text || ' ' || pg_get_constraintdef(oid) FROM "
                   "pg_constraint WHERE conname = 'messages_status'"),
            std::vector<std::string>{
                "true CHECK ((status = ANY (ARRAY['pending'::text, 'sent'::text, 'failed'::text, "
                "'resending'::text])))"});
  auto resending = query(*db, "UPDATE messages SET status = 'resending' WHERE reply_key = 'u1.0'");
  ASSERT_TRUE(resending.ok()) << resending.error().message;
  EXPECT_EQ(resending->affected, 1);
  auto sent = query(*db,
                    "UPDATE messages SET status = 'sent', message_id = 101 "
                    "WHERE reply_key = 'u1.0' AND status = 'resending'");
  ASSERT_TRUE(sent.ok()) << sent.error().message;
  EXPECT_EQ(sent->affected, 1);
  auto lost = query(*db, "UPDATE messages SET status = 'lost' WHERE reply_key = 'u3.0'");
  ASSERT_FALSE(lost.ok());
  EXPECT_EQ(lost.error().sqlstate, "23514");
  EXPECT_EQ(column("SELECT version::text FROM schema_migrations ORDER BY version"),
            (std::vector<std::string>{"1", "2"}));
  EXPECT_TRUE(lock_is_free());
}

TEST_F(MigrationsTest, InstancesMigratingAtOnceApplyEachMigrationOnce) {
  constexpr int kInstances = 4;
  std::vector<std::unique_ptr<Connection>> conns;
  for (int i = 0; i < kInstances; ++i) {
    conns.push_back(connect());
    ASSERT_TRUE(conns.back());
  }
  std::vector<std::optional<PgResult<MigrateOutcome>>> outcomes(kInstances);
  if (io.stopped()) io.restart();  // run() ran it out of work
  for (int i = 0; i < kInstances; ++i) {
    asio::co_spawn(io, tgkeep::testing::store_into(migrate(*conns[i]), outcomes[i]),
                   asio::detached);
  }
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (std::ranges::any_of(outcomes, [](const auto& o) { return !o.has_value(); }) &&
         std::chrono::steady_clock::now() < deadline) {
    io.run_one_for(100ms);
  }
  int applied = 0;
  for (const auto& o : outcomes) {
    ASSERT_TRUE(o.has_value());
    ASSERT_TRUE(o->ok()) << o->error().message;
    EXPECT_EQ((*o)->to, 2);
    if ((*o)->from == 0) {
      ++applied;
    } else {
      EXPECT_EQ((*o)->from, 2);
    }
  }
  EXPECT_EQ(applied, 1);
  EXPECT_EQ(column("SELECT version::text FROM schema_migrations ORDER BY version"),
            (std::vector<std::string>{"1", "2"}));
  EXPECT_TRUE(lock_is_free());
}

TEST_F(MigrationsTest, MigrateWaitsForTheLockHeldByAnotherSession) {
  const std::string key = std::to_string(kMigrationLockKey);
  auto holder = connect();
  ASSERT_TRUE(holder);
  ASSERT_TRUE(query(*holder, "SELECT pg_advisory_lock($1::int8)", {key}).ok());

  std::optional<PgResult<MigrateOutcome>> a;
  std::optional<PgResult<MigrateOutcome>> b;
  auto other = connect();
  ASSERT_TRUE(other);
  if (io.stopped()) io.restart();  // run() ran it out of work
  asio::co_spawn(io, tgkeep::testing::store_into(migrate(*db), a), asio::detached);
  asio::co_spawn(io, tgkeep::testing::store_into(migrate(*other), b), asio::detached);
  const auto until = std::chrono::steady_clock::now() + 300ms;
  while (std::chrono::steady_clock::now() < until) io.run_one_for(20ms);
  EXPECT_FALSE(a.has_value());
  EXPECT_FALSE(b.has_value());
  // Nothing was touched while the lock was held elsewhere.
  EXPECT_EQ(server->psql("SELECT to_regclass('schema_migrations') IS NULL"), "t\n");
  EXPECT_EQ(
      server->psql("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"),
      "2\n");

  ASSERT_TRUE(query(*holder, "SELECT pg_advisory_unlock($1::int8)", {key}).ok());
  while (!a || !b) io.run_one();
  ASSERT_TRUE(a->ok()) << a->error().message;
  ASSERT_TRUE(b->ok()) << b->error().message;
  EXPECT_EQ((*a)->from + (*b)->from, 2);  // one applied them, the other found them applied
  EXPECT_EQ(scalar("SELECT count(*) FROM schema_migrations"), "2");
}

TEST_F(MigrationsTest, AWaitForTheLockThatTimesOutSaysWhy) {
  const std::string key = std::to_string(kMigrationLockKey);
  auto holder = connect();
  ASSERT_TRUE(holder);
  ASSERT_TRUE(query(*holder, "SELECT pg_advisory_lock($1::int8)", {key}).ok());
  MigrateOptions options;
  options.lock_wait = 200ms;
  auto out = run(migrate(*db, options));
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.error().message.find("waiting for the schema migration lock"), std::string::npos)
      << out.error().message;
  EXPECT_EQ(out.error().kind(), ErrorKind::transient);
}

TEST_F(MigrationsTest, ANewerSchemaIsRefused) {
  ASSERT_TRUE(run(migrate(*db)).ok());
  server->psql("INSERT INTO schema_migrations (version, name) VALUES (7, 'from the future')");
  auto out = run(migrate(*db));
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.error().message.find(
                "database schema version 7 is newer than this tgkeep (knows 2); upgrade tgkeep"),
            std::string::npos)
      << out.error().message;
  EXPECT_EQ(out.error().code, PgErrorCode::incompatible_schema);
  EXPECT_EQ(out.error().kind(), ErrorKind::fatal);
  EXPECT_TRUE(lock_is_free());
  EXPECT_EQ(scalar("SELECT count(*) FROM schema_migrations"), "3");  // untouched
}

TEST_F(MigrationsTest, AnotherToolsSchemaMigrationsTableIsRefused) {
  server->psql("CREATE TABLE schema_migrations (version bigint PRIMARY KEY, dirty boolean)");
  auto out = run(migrate(*db));
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.error().message.find("schema_migrations (columns version, dirty) was not created "
                                     "by tgkeep"),
            std::string::npos)
      << out.error().message;
  EXPECT_EQ(server->psql("SELECT to_regclass('messages') IS NULL"), "t\n");
  EXPECT_TRUE(lock_is_free());
}

TEST_F(MigrationsTest, AFailingMigrationIsRolledBackAndNamed) {
  static constexpr std::string_view kGood[] = {"CREATE TABLE a (id bigint PRIMARY KEY)"};
  static constexpr std::string_view kBad[] = {"CREATE TABLE b (id bigint PRIMARY KEY)",
                                              "CREATE INDEX b_x ON b (no_such_column)"};
  static const Migration kList[] = {Migration{1, "good", kGood}, Migration{2, "bad", kBad}};
  auto out = run(migrate(*db, kList));
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.error().message.find("applying schema migration 2 (bad): "), std::string::npos)
      << out.error().message;
  EXPECT_NE(out.error().message.find("no_such_column"), std::string::npos) << out.error().message;
  EXPECT_EQ(out.error().sqlstate, "42703");
  EXPECT_FALSE(db->broken());
  EXPECT_EQ(column("SELECT version::text FROM schema_migrations"), std::vector<std::string>{"1"});
  EXPECT_EQ(scalar("SELECT to_regclass('b') IS NULL"), "t");  // nothing of migration 2 remains
  EXPECT_EQ(scalar("SELECT to_regclass('a') IS NULL"), "f");
  EXPECT_TRUE(lock_is_free());

  // Fixed, it applies from where it stopped.
  static constexpr std::string_view kFixed[] = {"CREATE TABLE b (id bigint PRIMARY KEY)"};
  static const Migration kFixedList[] = {Migration{1, "good", kGood},
                                         Migration{2, "fixed", kFixed}};
  auto fixed = run(migrate(*db, kFixedList));
  ASSERT_TRUE(fixed.ok()) << fixed.error().message;
  EXPECT_EQ(fixed->from, 1);
  EXPECT_EQ(fixed->to, 2);
}

TEST_F(MigrationsTest, BigIdsFitAndTheIdempotencyKeysHold) {
  ASSERT_TRUE(run(migrate(*db)).ok());
  const std::string chat = "-1001234567890";  // a supergroup: beyond 32 bits
  const std::string user = "7123456789";      // a user id beyond 2^32
  const std::string update = "9000000000";
  auto insert_update = [&](const std::string& suffix) {
    return query(
        *db,
        "INSERT INTO raw_updates (update_id, type, chat_id, json, received_at, "
        "needs_handling, handled) VALUES ($1, 'message', $2, $3, 1700000000, true, false)" +
            suffix,
        {update, chat, std::string(R"({"update_id": 9000000000, "message": {}})")});
  };
  ASSERT_TRUE(insert_update("").ok());
  auto dup = insert_update("");
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error().code, PgErrorCode::unique_violation);
  auto replay = insert_update(" ON CONFLICT DO NOTHING");
  ASSERT_TRUE(replay.ok()) << replay.error().message;
  EXPECT_EQ(replay->affected, 0);
  EXPECT_EQ(scalar("SELECT json->>'update_id' FROM raw_updates"), update);
  EXPECT_EQ(scalar("SELECT count(*) FROM raw_updates WHERE needs_handling AND NOT handled"), "1");

  const std::string columns =
      "INSERT INTO messages (chat_id, message_id, user_id, role, text, date, update_id, reply_key, "
      "status) VALUES ($1, $2, $3, $4, 'hi', 1700000000, $5, $6, $7)";
  auto message = [&](std::optional<std::string> message_id, std::string role,
                     std::optional<std::string> reply_key, const std::string& suffix = "") {
    std::string status = reply_key ? "pending" : "sent";
    return query(*db, columns + suffix,
                 {chat, std::move(message_id), user, std::move(role), update, std::move(reply_key),
                  std::move(status)});
  };
  ASSERT_TRUE(message("3000000000", "user", std::nullopt).ok());
  auto same = message("3000000000", "user", std::nullopt);
  ASSERT_FALSE(same.ok());
  EXPECT_EQ(same.error().code, PgErrorCode::unique_violation);
  EXPECT_EQ(same.error().sqlstate, "23505");
  auto ignored = message("3000000000", "user", std::nullopt, " ON CONFLICT DO NOTHING");
  ASSERT_TRUE(ignored.ok()) << ignored.error().message;
  EXPECT_EQ(ignored->affected, 0);
  auto targeted = message("3000000000", "user", std::nullopt,
                          " ON CONFLICT (chat_id, message_id, role) DO NOTHING");
  ASSERT_TRUE(targeted.ok()) << targeted.error().message;
  EXPECT_EQ(targeted->affected, 0);
  // The same message_id with the other role is another record.
  ASSERT_TRUE(message("3000000000", "assistant", std::nullopt).ok());

  // Replies before they are sent: no message_id (NULLs never collide), keyed by reply_key.
  ASSERT_TRUE(message(std::nullopt, "assistant", std::string("u9000000000.0")).ok());
  ASSERT_TRUE(message(std::nullopt, "assistant", std::string("u9000000000.1")).ok());
  auto same_key = message(std::nullopt, "assistant", std::string("u9000000000.0"));
  ASSERT_FALSE(same_key.ok());
  EXPECT_EQ(same_key.error().code, PgErrorCode::unique_violation);
  auto replayed_reply = message(std::nullopt, "assistant", std::string("u9000000000.0"),
                                " ON CONFLICT (reply_key) WHERE reply_key IS NOT NULL DO NOTHING");
  ASSERT_TRUE(replayed_reply.ok()) << replayed_reply.error().message;
  EXPECT_EQ(replayed_reply->affected, 0);
  // reply_key is unique only where present: user messages without one do not collide.
  ASSERT_TRUE(message("3000000001", "user", std::nullopt).ok());
  ASSERT_TRUE(message("3000000002", "user", std::nullopt).ok());
  // "" is not "none".
  auto empty_key = message("3000000003", "user", std::string(""));
  ASSERT_FALSE(empty_key.ok());
  EXPECT_EQ(empty_key.error().sqlstate, "23514");
  auto bad_status = query(*db,
                          "INSERT INTO messages (chat_id, role, text, date, status) "
                          "VALUES (1, 'user', 'x', 0, 'lost')");
  ASSERT_FALSE(bad_status.ok());
  EXPECT_EQ(bad_status.error().sqlstate, "23514");
  EXPECT_EQ(scalar("SELECT count(*) FROM messages WHERE chat_id = -1001234567890 "
                   "AND user_id = 7123456789"),
            "6");
  // A chat's history is read through messages_by_chat.
  ASSERT_TRUE(query(*db, "SET enable_seqscan = off").ok());
  const auto plan = column(
      "EXPLAIN SELECT * FROM messages WHERE chat_id = -1001234567890 "
      "ORDER BY update_id DESC, id DESC LIMIT 20");
  ASSERT_FALSE(plan.empty());
  EXPECT_NE(lines(plan).find("messages_by_chat"), std::string::npos) << lines(plan);

  const std::string usage =
      "INSERT INTO usage_events (user_id, update_id, at, tariff) VALUES ($1, $2, 1700000000, '')";
  ASSERT_TRUE(query(*db, usage, {user, update}).ok());
  auto usage_dup = query(*db, usage, {user, update});
  ASSERT_FALSE(usage_dup.ok());
  EXPECT_EQ(usage_dup.error().code, PgErrorCode::unique_violation);

  const std::string user_row =
      "INSERT INTO users (id, is_bot, username, first_name, last_name, language_code, first_seen, "
      "last_seen) VALUES ($1, false, 'u', 'F', '', 'en', 1, 1)";
  ASSERT_TRUE(query(*db, user_row, {user}).ok());
  EXPECT_EQ(scalar("SELECT '[' || tariff || ']' FROM users"), "[]");
  auto user_dup = query(*db, user_row, {user});
  ASSERT_FALSE(user_dup.ok());
  EXPECT_EQ(user_dup.error().code, PgErrorCode::unique_violation);

  const std::string text =
      "INSERT INTO lexicon (language, key, text, updated_at) "
      "VALUES ('ru', 'greeting', 'Привет', 1)";
  ASSERT_TRUE(query(*db, text).ok());
  auto text_dup = query(*db, text);
  ASSERT_FALSE(text_dup.ok());
  EXPECT_EQ(text_dup.error().code, PgErrorCode::unique_violation);
}

}  // namespace
}  // namespace tgkeep::pg
