// write_to_postgres(): the syncer's PostgreSQL side. A batch of outbox entries (entry.hpp), in
// stream order, goes to PostgreSQL in one transaction and leaves exactly the rows that PgStore
// (pg/pg_store.hpp) would leave given the same operations in the same order, one statement at a
// time: UpdateEntry is commit_updates (its received_at in place of the store's clock),
// HandledEntry mark_handled, ReplyEntry record_reply, SettleEntry settle_reply, EditEntry
// edit_message, ForgetEntry forget_chat, UsageEntry record_usage. Idempotent: writing the same
// entries again (a syncer killed between its commit and its acknowledgement) changes nothing.
//
// Built for throughput: a batch costs four round trips whatever its size.
//   1. BEGIN, and the session's staging table (TEMP, ON COMMIT DELETE ROWS) created if this
//      connection has none yet, in one pipeline;
//   2. every entry becomes one row of the staging table, sent with one COPY (text format);
//   3. set-based statements (INSERT ... SELECT ... ON CONFLICT, UPDATE ... FROM) move the staged
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

}  // namespace tgkeep::outbox
