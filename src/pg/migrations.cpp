#include "pg/migrations.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace tgkeep::pg {
namespace {

namespace asio = boost::asio;

// Migration 1: the whole schema. It holds the same records as the SQLite schema (its migrations
// 1 and 2, sqlite/migrations.cpp); PostgreSQL had no deployed schema before, so they are one step
// here. Notes on choices:
// - Every Telegram id is bigint: chat ids of supergroups and channels (-100xxxxxxxxxx) and newer
//   user ids exceed 32 bits; message_id and update_id follow for uniformity with the records.
// - Times (received_at, date, edit_date, first_seen, last_seen, at, updated_at) are bigint unix
//   seconds, not timestamptz: Telegram's `date` is unix seconds, every record and the outbox and
//   spool carry unix seconds, and the SQLite schema stores the same. The syncer then copies them
//   as they are (no conversion, no dependence on the session's TimeZone or DateStyle when COPY
//   parses text), an export reads the same numbers from either backend, and one unit holds across
//   columns (received_at - date needs no cast). Humans read to_timestamp(date).
//   schema_migrations.applied_at, which only humans read, is timestamptz.
// - Flags are boolean (SQLite: 0/1).
// - No foreign keys: the syncer writes records in batches idempotently, in any order and from
//   several instances; a message may arrive before its user. Referential checks would turn a
//   harmless reordering into a stuck outbox.
// - raw_updates.json is jsonb, queryable by operators (json->'message'->>'text'). jsonb keeps the
//   content, not the bytes (key order, whitespace and duplicate keys are normalized), and rejects
//   the escape \u0000 (SQLSTATE 22P05): writers replace it before storing. NULL after a chat's
//   history was forgotten, as in SQLite.
// - raw_updates_unhandled is partial: it holds only the few updates a restart must revisit;
//   raw_updates_by_chat serves forgetting a chat.
// - messages.id is an identity, an insertion order used as a tie breaker: a chat's history is in
//   conversation order (chat_id, update_id, id), a reply carrying the update_id it answers so it
//   sorts right after its question. In PostgreSQL NULLs sort after every value (SQLite: before),
//   so a message without update_id ends its chat's history; `ORDER BY update_id DESC, id DESC`
//   is the index read backwards.
// - The idempotency key (chat_id, message_id, role) is stored message_id first, as in SQLite:
//   message_ids of private chats and basic groups come from the bot's one increasing sequence,
//   so new entries append to the B-tree instead of landing on a random page per chat. ON CONFLICT
//   (chat_id, message_id, role) infers it whatever the column order. NULLs are distinct (the
//   default, not NULLS NOT DISTINCT), so unsent replies (no message_id yet) never collide.
// - reply_key (replies only, generated before sending) is unique where present; the partial index
//   skips the NULLs of every user message (ON CONFLICT (reply_key) WHERE reply_key IS NOT NULL).
//   An empty reply_key is refused by a check: a writer that stored "" for "none" would otherwise
//   make every second user message a "duplicate" that ON CONFLICT DO NOTHING silently drops.
// - By user: private chats (user_id = chat_id) are served by the chat index; messages_by_user
//   holds only messages written elsewhere (groups), saving an index entry per private message. A
//   user's messages are read as (chat_id = $1 AND user_id = $1) UNION ALL (user_id = $1 AND
//   user_id <> chat_id), as the SQLite store does.
// - users.tariff: '' is the default tariff.
// - usage_events: one row per message that consumed quota, keyed by (user_id, update_id) so a
//   replayed update does not count twice; counted by (user_id, at) to rebuild a Redis counter.
// - lexicon: an operator's texts, keyed by (language, key).
constexpr std::array<std::string_view, 11> kSchemaV1 = {
    R"sql(CREATE TABLE raw_updates (
  update_id      bigint  PRIMARY KEY,
  type           text    NOT NULL,
  chat_id        bigint,
  json           jsonb,
  received_at    bigint  NOT NULL,
  needs_handling boolean NOT NULL,
  handled        boolean NOT NULL
))sql",
    R"sql(CREATE INDEX raw_updates_unhandled ON raw_updates (update_id)
  WHERE needs_handling AND NOT handled)sql",
    R"sql(CREATE INDEX raw_updates_by_chat ON raw_updates (chat_id) WHERE chat_id IS NOT NULL)sql",
    R"sql(CREATE TABLE messages (
  id         bigint  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  chat_id    bigint  NOT NULL,
  message_id bigint,
  user_id    bigint,
  role       text    NOT NULL CONSTRAINT messages_role CHECK (role IN ('user', 'assistant')),
  text       text    NOT NULL,
  date       bigint  NOT NULL,
  update_id  bigint,
  edited     boolean NOT NULL DEFAULT false,
  edit_date  bigint,
  reply_key  text    CONSTRAINT messages_reply_key_not_empty CHECK (reply_key <> ''),
  status     text    NOT NULL
                     CONSTRAINT messages_status CHECK (status IN ('pending', 'sent', 'failed')),
  CONSTRAINT messages_key UNIQUE (message_id, chat_id, role)
))sql",
    R"sql(CREATE UNIQUE INDEX messages_reply_key ON messages (reply_key)
  WHERE reply_key IS NOT NULL)sql",
    R"sql(CREATE INDEX messages_by_chat ON messages (chat_id, update_id, id))sql",
    R"sql(CREATE INDEX messages_by_user ON messages (user_id, id) WHERE user_id <> chat_id)sql",
    R"sql(CREATE TABLE users (
  id            bigint  PRIMARY KEY,
  is_bot        boolean NOT NULL,
  username      text    NOT NULL,
  first_name    text    NOT NULL,
  last_name     text    NOT NULL,
  language_code text    NOT NULL,
  first_seen    bigint  NOT NULL,
  last_seen     bigint  NOT NULL,
  tariff        text    NOT NULL DEFAULT ''
))sql",
    R"sql(CREATE TABLE usage_events (
  user_id   bigint NOT NULL,
  update_id bigint NOT NULL,
  at        bigint NOT NULL,
  tariff    text   NOT NULL,
  PRIMARY KEY (user_id, update_id)
))sql",
    R"sql(CREATE INDEX usage_events_by_time ON usage_events (user_id, at))sql",
    R"sql(CREATE TABLE lexicon (
  language   text   NOT NULL,
  key        text   NOT NULL,
  text       text   NOT NULL,
  updated_at bigint NOT NULL,
  PRIMARY KEY (language, key)
))sql",
};

// Migration 2: messages.status may also be 'resending' (a reply found pending after a crash and
// sent once more, docs/replies.md); SQLite's migration 3. The named constraint is dropped and
// added again in one ALTER TABLE: one ACCESS EXCLUSIVE lock, one scan of messages to validate
// it (no rewrite), all in the migration's transaction, so no moment exists without the check.
// Every existing row passes: the new set contains the old one.
constexpr std::array<std::string_view, 1> kSchemaV2 = {
    R"sql(ALTER TABLE messages DROP CONSTRAINT messages_status,
  ADD CONSTRAINT messages_status CHECK (status IN ('pending', 'sent', 'failed', 'resending')))sql",
};

constexpr std::array kMigrations = {
    Migration{1, "initial schema", kSchemaV1},
    Migration{2, "reply status resending", kSchemaV2},
};

// Created outside any migration, before the version is read (it holds the version).
constexpr const char* kCreateMigrationsTable = R"sql(CREATE TABLE schema_migrations (
  version    integer     PRIMARY KEY,
  name       text        NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
))sql";

// The columns of the schema_migrations that search_path finds first; no rows when there is none.
// (pg_attribute, not information_schema, which hides columns the user has no privilege on.)
constexpr const char* kMigrationsTableColumns =
    "SELECT attname FROM pg_attribute WHERE attrelid = to_regclass('schema_migrations') "
    "AND attnum > 0 AND NOT attisdropped ORDER BY attnum";

Statement sql(std::string text) {
  Statement s;
  s.sql = std::move(text);
  return s;
}

Statement lock_statement(const char* function) {
  Statement s;
  s.sql = fmt::format("SELECT {}($1::int8)", function);
  s.params.emplace_back(std::to_string(kMigrationLockKey));
  return s;
}

Statement record_statement(const Migration& m) {
  Statement s;
  s.sql = "INSERT INTO schema_migrations (version, name) VALUES ($1::int4, $2)";
  s.params.emplace_back(std::to_string(m.version));
  s.params.emplace_back(std::string(m.name));
  return s;
}

// BEGIN; the migration's statements; its schema_migrations row; COMMIT.
std::vector<Statement> transaction_of(const Migration& m) {
  std::vector<Statement> batch;
  batch.reserve(m.statements.size() + 3);
  batch.push_back(sql("BEGIN"));
  for (std::string_view statement : m.statements) batch.push_back(sql(std::string(statement)));
  batch.push_back(record_statement(m));
  batch.push_back(sql("COMMIT"));
  return batch;
}

// `error` with what we were doing in front, and a hint for the usual operator mistakes.
PgError in(std::string_view doing, PgError error) {
  std::string hint;
  if (error.sqlstate == "42501") {
    hint =
        "; the database user may not create tables in the schema: run `tgkeep migrate` as the "
        "schema's owner, or GRANT CREATE ON SCHEMA to this user";
  } else if (error.sqlstate == "42P07") {
    hint =
        "; the database has tables of another application with the same names: give tgkeep a "
        "database (or a schema, through search_path) of its own";
  }
  error.message = fmt::format("{}: {}{}", doing, error.message, hint);
  return error;
}

PgError schema_error(std::string message) {
  return make_error(PgErrorCode::incompatible_schema, std::move(message));
}

std::string migration_label(const Migration& m) {
  return fmt::format("applying schema migration {} ({})", m.version, m.name);
}

// Reads the version, creating schema_migrations when it is missing. Runs under the lock.
asio::awaitable<PgResult<int>> current_version(Connection& db, std::chrono::milliseconds timeout) {
  const std::string doing = "reading the schema version";
  auto columns = co_await db.query(sql(kMigrationsTableColumns), timeout);
  if (!columns) {
    PgResult<int> failed(in(doing, columns.error()));
    co_return std::move(failed);
  }
  if (columns->rows.empty()) {
    auto created = co_await db.query(sql(kCreateMigrationsTable), timeout);
    if (!created) {
      PgResult<int> failed(in("creating the table schema_migrations", created.error()));
      co_return std::move(failed);
    }
  } else {
    std::vector<std::string> names;
    for (const auto& row : columns->rows) names.push_back(row[0].value_or(""));
    const bool ours = std::ranges::find(names, "version") != names.end() &&
                      std::ranges::find(names, "name") != names.end() &&
                      std::ranges::find(names, "applied_at") != names.end();
    if (!ours) {
      PgError foreign = schema_error(fmt::format(
          "{}: the table schema_migrations (columns {}) was not created by tgkeep, probably by "
          "another migration tool; give tgkeep a database (or a schema, through search_path) of "
          "its own",
          db.where(), fmt::join(names, ", ")));
      PgResult<int> failed(std::move(foreign));
      co_return std::move(failed);
    }
  }
  auto version =
      co_await db.query(sql("SELECT coalesce(max(version), 0) FROM schema_migrations"), timeout);
  if (!version) {
    PgResult<int> failed(in(doing, version.error()));
    co_return std::move(failed);
  }
  int found = 0;
  if (!version->rows.empty() && version->rows[0][0]) found = std::stoi(*version->rows[0][0]);
  PgResult<int> out(found);
  co_return std::move(out);
}

// Everything migrate() does while it holds the lock.
asio::awaitable<PgResult<MigrateOutcome>> migrate_locked(Connection& db,
                                                         std::span<const Migration> list,
                                                         const MigrateOptions& options) {
  auto version = co_await current_version(db, options.statement_timeout);
  if (!version) {
    PgResult<MigrateOutcome> failed(version.error());
    co_return std::move(failed);
  }
  MigrateOutcome outcome;
  outcome.from = *version;
  outcome.to = *version;
  const int known = list.empty() ? 0 : list.back().version;
  if (outcome.from > known) {
    PgError newer = schema_error(fmt::format(
        "{}: database schema version {} is newer than this tgkeep (knows {}); upgrade tgkeep",
        db.where(), outcome.from, known));
    PgResult<MigrateOutcome> failed(std::move(newer));
    co_return std::move(failed);
  }
  for (const Migration& m : list) {
    if (m.version <= outcome.to) continue;
    auto applied = co_await db.pipeline(transaction_of(m), options.statement_timeout);
    if (!applied) {
      PgError failed = in(migration_label(m), applied.error());
      // After a failure the session sits in the aborted transaction: end it, so that the unlock
      // (and whoever uses the connection next) can run.
      if (!db.broken()) (void)co_await db.query(sql("ROLLBACK"), options.statement_timeout);
      PgResult<MigrateOutcome> out(std::move(failed));
      co_return std::move(out);
    }
    spdlog::info("{}: schema migration {} ({}) applied", db.where(), m.version, m.name);
    outcome.to = m.version;
  }
  PgResult<MigrateOutcome> out(outcome);
  co_return std::move(out);
}

}  // namespace

std::span<const Migration> migrations() {
  return kMigrations;
}

int latest_schema_version() {
  return kMigrations.back().version;
}

asio::awaitable<PgResult<MigrateOutcome>> migrate(Connection& db, MigrateOptions options) {
  auto out = co_await migrate(db, migrations(), options);
  co_return std::move(out);
}

asio::awaitable<PgResult<MigrateOutcome>> migrate(Connection& db, std::span<const Migration> list,
                                                  MigrateOptions options) {
  // Session-level, not transaction-level (pg_advisory_xact_lock): migrate() spans several
  // transactions (reading the version, then one per migration). A transaction-level lock would be
  // released by the first COMMIT, and a second instance could read the version between two
  // migrations and race us to apply the next one; holding it across all of them would mean one
  // transaction for the lot, so one failing migration would undo those before it, and steps that
  // cannot run in a transaction block (CREATE INDEX CONCURRENTLY) would be impossible. The price
  // of a session lock is an explicit unlock on every path below; if the connection breaks, the
  // server ends the session and the lock with it.
  auto locked = co_await db.query(lock_statement("pg_advisory_lock"), options.lock_wait);
  if (!locked) {
    PgResult<MigrateOutcome> failed(in(
        "waiting for the schema migration lock (another tgkeep may be migrating)", locked.error()));
    co_return std::move(failed);
  }
  auto out = co_await migrate_locked(db, list, options);
  if (!db.broken()) {
    auto unlocked = co_await db.query(lock_statement("pg_advisory_unlock"), options.lock_wait);
    if (!unlocked && out.ok()) {
      PgResult<MigrateOutcome> failed(in("releasing the schema migration lock", unlocked.error()));
      co_return std::move(failed);
    }
  }
  co_return std::move(out);
}

}  // namespace tgkeep::pg
