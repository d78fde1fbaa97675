// HotTier: tgkeep's data in Redis (DESIGN.md, storage tiers): recent history per chat, cached
// user profiles, usage counters, update_id dedupe keys and the lexicon's version. Key names in
// hot_keys.hpp, values in hot_codec.hpp, scripts in hot_scripts.hpp.
//
// Redis is never the only copy here: every record is durable in the system of record first, so
// the hot tier may lose anything and be rebuilt. What it must never do is serve a history that
// lacks a stored message, hence the rules below (docs/redis-hot-tier.md has the reasoning):
// - A chat's list exists only once filled from the system of record (seed_history); writes only
//   extend an existing list (RPUSHX). A write that finds no list bumps the chat's change counter
//   and drops the list, so a fill that raced with it cannot leave a stale list behind.
// - A write that failed (Redis down, timeout) marks the chat dirty; its list is dropped as soon
//   as Redis answers again, before it is read. Reads of a dirty chat are misses.
// - The list holds the last `history_cap` entries after an empty marker; it expires after
//   `history_idle` without writes (the expiry is refreshed at most every 1/16 of it per chat).
//
// Failures: every operation returns a RedisError instead of throwing; callers fall back to the
// system of record. Redis state changes are logged once by the client, not here.
// Thread-safety: the client's executor only (one thread).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "hot/hot_keys.hpp"
#include "hot/hot_scripts.hpp"
#include "redis/client.hpp"
#include "storage/records.hpp"

namespace tgkeep::hot {

struct HotTierOptions {
  std::size_t history_cap = 200;
  std::chrono::seconds history_idle{7 * 24 * 3600};
  std::chrono::seconds profile_ttl{300};
  std::chrono::seconds dedupe_ttl{24 * 3600};
};

// What the hot tier holds for a chat.
struct HotHistory {
  bool present = false;                          // false: a miss (no list, or the chat is dirty)
  std::vector<storage::MessageRecord> messages;  // present: the latest ones, oldest first
  std::string seq;  // miss: the change counter as read, for seed_history ("" when none)
};

// The outcome of consume_quota.
struct QuotaCount {
  enum class State { consumed, spent, needs_seed } state = State::consumed;
  std::int64_t used = 0;  // after this message (consumed) or as found (spent)
};

// A write that also carried outbox commands (docs/outbox.md) in the same pipeline: whether they
// succeeded (then the records are durable in Redis) and whether the hot-tier part did.
struct HotWrite {
  redis::RedisStatus outbox;
  redis::RedisStatus hot;
};

struct HotCounters {
  std::uint64_t history_hits = 0;
  std::uint64_t history_misses = 0;
  std::uint64_t seeds = 0;
  std::uint64_t failures = 0;  // operations that failed for Redis reasons
  std::uint64_t dropped_lists = 0;
};

class HotTier {
 public:
  HotTier(redis::Client& client, HotKeys keys, HotTierOptions options);

  bool up() const { return client_.connected(); }
  const HotKeys& keys() const { return keys_; }
  const HotTierOptions& options() const { return options_; }
  const HotCounters& counters() const { return counters_; }

  // Which of `update_ids` Redis knows as durably stored (true), by their dedupe keys.
  boost::asio::awaitable<redis::RedisResult<std::vector<bool>>> known_updates(
      std::span<const std::int64_t> update_ids);

  // After updates were committed to the system of record, in one pipeline: their dedupe keys
  // (SET EX), their new messages appended to their chats' lists, edited messages' lists dropped,
  // the senders' cached profiles dropped.
  boost::asio::awaitable<redis::RedisStatus> after_commit(
      std::span<const storage::UpdateRecord> updates);

  // Appends messages stored in the system of record (the bot's replies) to their chats' lists.
  boost::asio::awaitable<redis::RedisStatus> append(
      std::span<const storage::MessageRecord> messages);

  // Drops a chat's list (after an edit or /reset); the next read fills it again.
  boost::asio::awaitable<redis::RedisStatus> drop_history(std::int64_t chat_id);

  // The same three with outbox commands (XADDs) sent first in the same pipeline, for when the
  // records go to the system of record through the outbox rather than before. after_commit calls
  // `outbox` for each update with its message already encoded as a history entry ("" when it has
  // none, or for an edit), so the entry is encoded once for both.
  using UpdateCommands = std::function<void(redis::CommandBatch& batch,
                                            const storage::UpdateRecord& update,
                                            std::string_view history_entry)>;
  boost::asio::awaitable<HotWrite> after_commit(std::span<const storage::UpdateRecord> updates,
                                                const UpdateCommands& outbox);
  boost::asio::awaitable<HotWrite> append(std::span<const storage::MessageRecord> messages,
                                          redis::CommandBatch outbox);
  boost::asio::awaitable<HotWrite> drop_history(std::int64_t chat_id, redis::CommandBatch outbox);

  // The latest `limit` (<= history_cap) messages of a chat, or a miss.
  boost::asio::awaitable<redis::RedisResult<HotHistory>> history(std::int64_t chat_id,
                                                                 std::size_t limit);

  // Fills a missing list with the system of record's latest messages (oldest first), read after
  // history() answered a miss with `seq`. Answers whether the list was created.
  boost::asio::awaitable<redis::RedisResult<bool>> seed_history(
      std::int64_t chat_id, const std::string& seq,
      std::span<const storage::MessageRecord> messages);

  // Cached profiles (read-through by the caller; TTL profile_ttl).
  boost::asio::awaitable<redis::RedisResult<std::optional<storage::UserRecord>>> profile(
      std::int64_t user_id);
  boost::asio::awaitable<redis::RedisStatus> cache_profile(const storage::UserRecord& user);
  boost::asio::awaitable<redis::RedisStatus> drop_profile(std::int64_t user_id);

  // Usage counters (hot/usage_window.hpp names the window). `ttl`: until the window ends, plus a
  // margin. `seed`: the system of record's count, or -1.
  boost::asio::awaitable<redis::RedisResult<QuotaCount>> consume_quota(
      std::int64_t user_id, const std::string& window_id, std::int64_t limit,
      std::chrono::milliseconds ttl, std::int64_t seed);
  boost::asio::awaitable<redis::RedisResult<std::optional<std::int64_t>>> usage(
      std::int64_t user_id, const std::string& window_id);

  // The lexicon's version (0 when never set) and bumping it (after the system of record changed).
  boost::asio::awaitable<redis::RedisResult<std::int64_t>> lexicon_version();
  boost::asio::awaitable<redis::RedisResult<std::int64_t>> bump_lexicon_version();

 private:
  // Drops the lists of dirty chats, if Redis answers. Runs before reads and writes.
  boost::asio::awaitable<void> repair();
  boost::asio::awaitable<redis::RedisResult<redis::Reply>> eval(const Script& script,
                                                                std::vector<std::string> args,
                                                                std::size_t key_count);
  // Adds the RPUSHX of `entries` to `batch`, plus the expiry refresh when due.
  void add_append(redis::CommandBatch& batch, std::int64_t chat_id,
                  std::span<const std::string> entries);
  // After an append pipeline: chats whose list was missing get their counter bumped and their
  // list dropped; lists past the cap get trimmed.
  boost::asio::awaitable<redis::RedisStatus> settle_appends(
      const std::vector<std::int64_t>& chats, const std::vector<std::int64_t>& lengths);
  void add_drop(redis::CommandBatch& batch, std::int64_t chat_id);
  // The status of the first `count` replies of a pipeline (the outbox commands).
  redis::RedisStatus leading_status(const redis::RedisResult<std::vector<redis::Reply>>& replies,
                                    std::size_t count);
  void mark_dirty(std::span<const std::int64_t> chats);
  redis::RedisError note_failure(redis::RedisError error);

  redis::Client& client_;
  HotKeys keys_;
  HotTierOptions options_;
  HotCounters counters_;
  std::unordered_set<std::int64_t> dirty_;
  bool dirty_overflow_ = false;  // too many to track: drop every list
  std::unordered_map<std::int64_t, std::chrono::steady_clock::time_point> expiry_refreshed_;
};

}  // namespace tgkeep::hot
