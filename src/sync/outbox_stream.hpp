// OutboxStream: the outbox in Redis (docs/outbox.md): a stream of entries (outbox/entry.hpp)
// bound for PostgreSQL, read by the syncers' consumer group; plus the small per-reply state the
// bot needs while a reply travels through it.
//
// The bot adds entries to the pipelines it sends anyway (add()), so a record and its hot-tier
// update cost one round trip; the syncer (syncer.hpp) reads, writes to PostgreSQL, acknowledges.
// Entries are never trimmed before they are acknowledged, so the stream holds exactly the backlog.
//
// Thread-safety: the Redis client's executor only.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "hot/hot_keys.hpp"
#include "outbox/entry.hpp"
#include "outbox/stream_id.hpp"
#include "redis/client.hpp"
#include "storage/store.hpp"

namespace tgkeep::sync {

inline constexpr const char* kSyncGroup = "tgkeep-sync";

// What waits in the outbox: entries not yet acknowledged by a syncer, and the oldest one's id.
struct Backlog {
  std::uint64_t entries = 0;
  std::optional<outbox::StreamId> oldest;
  // How long the oldest has waited, by the clock of its id (Redis's clock when it was added).
  std::chrono::milliseconds lag(std::chrono::system_clock::time_point now) const;
};

class OutboxStream {
 public:
  OutboxStream(redis::Client& client, const hot::HotKeys& keys);

  const std::string& key() const { return stream_; }
  const std::string& lease_key() const { return lease_; }
  redis::Client& client() { return client_; }

  // Adds the XADD of `entry` to `batch`.
  void add(redis::CommandBatch& batch, const outbox::Entry& entry) const;
  // An update's XADD; `message_entry` as for outbox::encode_update.
  void add_update(redis::CommandBatch& batch, const storage::UpdateRecord& update,
                  std::int64_t received_at, std::string_view message_entry = {}) const;
  // XADDs `entries` alone, in one pipeline.
  boost::asio::awaitable<redis::RedisStatus> write(std::span<const outbox::Entry> entries);

  // Creates the consumer group (and the stream) if missing.
  boost::asio::awaitable<redis::RedisStatus> ensure_group();

  // The reply's state while it travels: claims it as pending when unknown (nullopt: new), or
  // answers the state recorded before.
  boost::asio::awaitable<redis::RedisResult<std::optional<storage::ReplyState>>> claim_reply(
      std::int64_t chat_id, const std::string& reply_key);
  // Adds the recording of a reply's fate to `batch`.
  void add_reply_settled(redis::CommandBatch& batch, std::int64_t chat_id,
                         const std::string& reply_key, storage::ReplyStatus status,
                         std::optional<std::int64_t> message_id) const;

  // The id of the newest entry, if the stream holds any.
  boost::asio::awaitable<redis::RedisResult<std::optional<outbox::StreamId>>> newest();
  // What is not yet acknowledged (acknowledged entries are trimmed at once: the stream's length
  // and its first entry).
  boost::asio::awaitable<redis::RedisResult<Backlog>> backlog();
  // Whether every entry up to `id` is acknowledged (written to PostgreSQL).
  boost::asio::awaitable<redis::RedisResult<bool>> synced_through(outbox::StreamId id);

 private:
  redis::Client& client_;
  hot::HotKeys keys_;
  std::string stream_;
  std::string lease_;
};

// The state string kept for a reply ("p", "r" for resending, "f", "s:<message_id>") and back.
std::string reply_state_text(storage::ReplyStatus status, std::optional<std::int64_t> message_id);
storage::ReplyState parse_reply_state(std::string_view text);

}  // namespace tgkeep::sync
