// write_to_postgres(): the syncer's PostgreSQL side. A batch of outbox entries (entry.hpp), in
// stream order, goes to PostgreSQL in one transaction and leaves exactly the rows that PgStore
// (pg/pg_store.hpp) would leave given the same operations in the same order, one statement at a
// time: UpdateEntry is commit_updates (its received_at in place of the store's clock),
// HandledEntry mark_handled, ReplyEntry record_reply, SettleEntry settle_reply, EditEntry
// edit_message, ForgetEntry forget_chat, UsageEntry record_usage. Idempotent: writing the same
// entries again (a syncer killed between its commit and its acknowledgement) changes nothing.
//
// Built for throughput: a batch costs a handful of round trips whatever its size.
//   1. BEGIN, and the session's staging table (TEMP, ON COMMIT DELETE ROWS) created if this
//      connection has none yet, in one pipeline;
//   2. the direct path: the new updates' raw_updates and messages rows go straight into their
//      tables with COPY (text format). Nearly every update a syncer sees is new; when one is not
//      (a replayed batch, an update the bot's fallback stored), COPY fails on its unique key, the
//      attempt is rolled back, and the batch is written by steps 3-4 alone;
//   3. every other entry (and each update's sender) becomes one row of the staging table, sent
//      with one COPY;
//   4. set-based statements (INSERT ... SELECT ... ON CONFLICT, UPDATE ... FROM) move the staged
//      rows to the real tables, sent as one pipeline that ends with COMMIT.
// The stream is cut into segments where applying each kind of entry as a set would reorder two
// entries whose order matters (a forget and what follows it, a settle before its reply, ...);
// see pg_writer.cpp. Usually a whole batch is one segment.
//
// Errors: the transaction is rolled back (unless the connection broke) and the PgError returned,
// typed by SQLSTATE (pg/sqlstate.hpp); nothing of the batch is stored. The connection stays usable
// unless connection.broken(). Entries PgStore refuses without writing anything (a reply without
// reply_key) are skipped; a settle of an unknown reply_key changes nothing, as in PgStore.
// `timeout` bounds each round trip.
//
// Thread-safety: as the connection's (its executor, one operation at a time).
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <span>

#include <boost/asio/awaitable.hpp>

#include "outbox/entry.hpp"
#include "pg/connection.hpp"

namespace tgkeep::outbox {

struct PgWriteSummary {
  std::size_t entries = 0;         // entries in the batch
  std::size_t updates_stored = 0;  // update entries whose update_id was new
  std::size_t updates_known = 0;   // update entries already stored (or repeated in the batch)
};

// Writes `entries` (in stream order) to PostgreSQL in one transaction; idempotent: writing the
// same entries again changes nothing. An empty batch does not touch the connection.
boost::asio::awaitable<pg::PgResult<PgWriteSummary>> write_to_postgres(
    pg::Connection& connection, std::span<const Entry> entries, std::chrono::milliseconds timeout);

// The same, with a second connection (`side`, null: none) for the raw updates of a batch of new
// updates: their COPY, the costliest part (jsonb), runs beside the messages' in a transaction of
// its own, committed right after the messages'. A batch that cannot be split (already stored in
// part, edits among its updates, several segments) goes on `connection` alone.
// `prepared`, if given, is prepare_batch() of these very entries, made ahead of time.
struct PreparedBatch;
boost::asio::awaitable<pg::PgResult<PgWriteSummary>> write_to_postgres(
    pg::Connection& connection, pg::Connection* side, std::span<const Entry> entries,
    std::chrono::milliseconds timeout, std::shared_ptr<PreparedBatch> prepared = nullptr);

// The client-side work of writing `entries` (their COPY rows and statements), done ahead: the
// syncer prepares its next batch while PostgreSQL writes the current one.
std::shared_ptr<PreparedBatch> prepare_batch(std::span<const Entry> entries);

}  // namespace tgkeep::outbox
