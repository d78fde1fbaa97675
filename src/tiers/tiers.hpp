// Tiers: tgkeep's data as the bot sees it, across the tiers of DESIGN.md. Reads try the hot tier
// (Redis) first and fill it from the system of record on a miss. Writes:
// - without an outbox: to the system of record (storage::Store) first, then, best effort, to the
//   hot tier when Redis is configured;
// - with an outbox (Redis and PostgreSQL configured, docs/outbox.md): into the outbox stream in
//   the same pipeline as their hot-tier update; durable once Redis took them; a syncer moves them
//   to PostgreSQL. When Redis fails they go straight to the system of record instead.
// Redis failing never fails an operation here: it only makes it slower. See
// docs/redis-hot-tier.md.
//
// Usage quotas (the tariffs): consumed atomically in Redis by a script; the system of record keeps
// one usage event per consumed message, so a Redis that lost its counters rebuilds them, and
// without Redis the events are counted directly.
//
// Logging: one line when Redis commands start failing while connected (OOM, NOPERM, ...) and one
// when they work again; the client logs connection state itself. Never one line per message.
// Thread-safety: the event loop thread only.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "health/health.hpp"
#include "hot/hot_tier.hpp"
#include "hot/usage_window.hpp"
#include "spool/spool.hpp"
#include "storage/store.hpp"
#include "sync/outbox_stream.hpp"
#include "tiers/write_route.hpp"

namespace tgkeep::tiers {

// A user's quota in the current window.
struct Quota {
  bool allowed = true;  // consume_quota: this message may go to the reply engine
  std::int64_t used = 0;
  std::int64_t limit = 0;
  std::string tariff;
  hot::Period period = hot::Period::day;
  std::int64_t resets_at = 0;  // unix seconds
  bool from_redis = false;
};

class Tiers {
 public:
  // `hot` may be null (no Redis configured). `tariffs` is not empty; the first is the default.
  Tiers(storage::Store& store, hot::HotTier* hot, std::vector<hot::Tariff> tariffs);

  storage::Store& store() { return store_; }
  hot::HotTier* hot() { return hot_; }

  // Sends writes through `outbox` (which uses the hot tier's Redis client) from now on.
  // `wake_syncer`, when set, asks the local syncer to flush at once (a read waiting for it).
  void use_outbox(sync::OutboxStream* outbox, std::function<void()> wake_syncer);
  bool writes_through_outbox() const { return outbox_ != nullptr; }

  // Fails over along `route` (write_route.hpp), spooling into `spool` (docs/failover.md). Without
  // it, writes go to the outbox when there is one and Redis is up, else to the store.
  void use_failover(WriteRoute* route, spool::Spool* spool);
  health::Health& health() { return *health_; }
  // Whether the store is known to be unreachable now (reads need not try it).
  bool store_down() const;
  // No tier of the write chain takes records (logged once, critical): callers need not log
  // each refused write again.
  bool holding() const { return holding_; }
  // Tells writes that wait for the chain (deliver) when the bot is stopping.
  void set_stopping(std::function<bool()> stopping) { stopping_ = std::move(stopping); }

  // Intake. Which update_ids the hot tier knows as stored (all false without Redis).
  boost::asio::awaitable<std::vector<bool>> known_updates(std::span<const std::int64_t> ids);

  // Writes (see above). Each completes once the write is durable.
  boost::asio::awaitable<Result<storage::CommitSummary>> commit_updates(
      std::vector<storage::UpdateRecord> updates, std::int64_t received_at);
  boost::asio::awaitable<Status> mark_handled(std::vector<std::int64_t> update_ids);
  boost::asio::awaitable<Result<storage::ReplyState>> record_reply(storage::MessageRecord pending);
  boost::asio::awaitable<Status> settle_reply(std::int64_t chat_id, std::string reply_key,
                                              storage::ReplyStatus status,
                                              std::optional<std::int64_t> message_id,
                                              std::int64_t date);
  boost::asio::awaitable<Status> edit_message(std::int64_t chat_id, std::int64_t message_id,
                                              storage::Role role, std::string text,
                                              std::int64_t edit_date);

  // The latest `limit` messages of a chat, oldest first.
  boost::asio::awaitable<Result<std::vector<storage::MessageRecord>>> recent_messages(
      std::int64_t chat_id, std::size_t limit);
  // Forgets a chat in the system of record, then in the hot tier.
  boost::asio::awaitable<Status> forget_chat(std::int64_t chat_id);

  boost::asio::awaitable<Result<std::optional<storage::UserRecord>>> find_user(
      std::int64_t user_id);

  // Consumes one message of `user_id`'s quota for update `update_id` at `now` (unix seconds),
  // recording the usage event in the system of record when allowed.
  boost::asio::awaitable<Result<Quota>> consume_quota(std::int64_t user_id, std::int64_t update_id,
                                                      std::int64_t now);
  // The quota as it stands, consuming nothing.
  boost::asio::awaitable<Result<Quota>> quota(std::int64_t user_id, std::int64_t now);

  const hot::Tariff& tariff_named(std::string_view name);

 private:
  // Records the outcome of a hot-tier call for the one-line-per-change log.
  void note(const redis::RedisStatus& status);
  template <class T>
  void note(const redis::RedisResult<T>& result) {
    note(result.ok() ? redis::RedisStatus() : redis::RedisStatus(result.error()));
  }
  bool hot_usable() const { return hot_ && hot_->up(); }
  bool outbox_usable() const { return outbox_ && hot_ && hot_->up(); }
  // Records the outcome of an outbox write (health: one line per change); true when it worked.
  bool note_outbox(const redis::RedisStatus& status);

  // One record (or batch) in every form the write chain may need; deliver() takes the first tier
  // of the route that accepts it. `to_outbox` and `to_store` write; the spool takes
  // `spool_rows()`; `hot_after` (optional) updates the hot tier after the store or the spool took
  // the record (the outbox form carries its hot-tier update in the same pipeline).
  struct Delivery {
    std::function<boost::asio::awaitable<bool>()> to_outbox;
    std::function<boost::asio::awaitable<Status>()> to_store;
    std::function<std::vector<spool::Row>()> spool_rows;
    std::function<boost::asio::awaitable<void>()> hot_after;
  };
  // `wait`: while no tier takes records, try again every 250 ms until one does or a stop is
  // requested (a handler's reply must be recorded before it is sent; intake holds its offset and
  // retries on its own, so it does not wait here).
  boost::asio::awaitable<Status> deliver(Delivery& delivery, bool wait = true);
  boost::asio::awaitable<Status> deliver_once(Delivery& delivery);
  // A Delivery of one entry written alone to the outbox or the spool (`to_store` left to set).
  Delivery entry_delivery(const outbox::Entry& entry, std::optional<std::int64_t> chat_id);
  // The same for an entry that changes a chat's history (an edit, /reset): the chat's hot list
  // is dropped with it (in the outbox's pipeline, or after the store or the spool took it).
  Delivery history_delivery(const outbox::Entry& entry, std::int64_t chat_id);
  TierPlan plan() const;
  // PostgreSQL is the system of record and has a health to report to (failover configured).
  bool store_has_health() const { return route_ && route_->has_spool(); }
  // Logs once when no tier takes records, and once when one does again.
  void note_holding(bool holding, const Status& why);
  // Reads of the store, skipped while it is known down, their failures reported to its health.
  template <class T, class Start>
  boost::asio::awaitable<Result<T>> read_store(Start start);
  // A chat's messages still in the spool, merged after what the store returned.
  boost::asio::awaitable<void> merge_spooled(std::int64_t chat_id,
                                             std::vector<storage::MessageRecord>& messages);
  boost::asio::awaitable<Status> record_usage(storage::UsageEvent event);
  // Before reading the system of record for a chat the hot tier missed: waits (boundedly) until
  // the outbox is synced up to its newest entry. False when it is not (then nothing is seeded).
  boost::asio::awaitable<bool> wait_for_sync();
  // A user's quota before counting: the tariff's terms and the window `now` falls in.
  struct QuotaFrame {
    Quota quota;
    hot::UsageWindow window;
  };
  boost::asio::awaitable<Result<QuotaFrame>> quota_frame(std::int64_t user_id, std::int64_t now);
  boost::asio::awaitable<Result<std::int64_t>> stored_usage(std::int64_t user_id,
                                                            const hot::UsageWindow& window);

  storage::Store& store_;
  hot::HotTier* hot_;
  std::vector<hot::Tariff> tariffs_;
  std::optional<redis::ErrorCode> failing_;  // the error hot-tier calls fail with, if they do
  sync::OutboxStream* outbox_ = nullptr;
  std::function<void()> wake_syncer_;
  health::Health own_health_;
  health::Health* health_ = &own_health_;
  WriteRoute* route_ = nullptr;
  spool::Spool* spool_ = nullptr;
  bool holding_ = false;
  std::function<bool()> stopping_;
  std::vector<std::string> unknown_tariffs_warned_;
};

}  // namespace tgkeep::tiers
