#include "tiers/tiers.hpp"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "storage/store_awaitable.hpp"

namespace tgkeep::tiers {

namespace asio = boost::asio;
using storage::await_result;
using storage::await_status;
using storage::MessageRecord;
using storage::UserRecord;

namespace {

// A counter outlives its window a little, so a clock a bit behind Redis's still finds it.
constexpr std::int64_t kCounterMarginSeconds = 3600;

}  // namespace

template <class T, class Start>
asio::awaitable<Result<T>> Tiers::read_store(Start start) {
  if (store_down()) {
    co_return Error::transient("PostgreSQL is down (" + health_->postgres.last_error() + ")");
  }
  auto read = co_await await_result<T>(std::move(start));
  if (store_has_health()) {
    if (read) {
      health_->postgres.succeeded();
    } else {
      health_->postgres.failed(read.error().message);
    }
  }
  co_return read;
}

Tiers::Tiers(storage::Store& store, hot::HotTier* hot, std::vector<hot::Tariff> tariffs)
    : store_(store), hot_(hot), tariffs_(std::move(tariffs)) {}

void Tiers::note(const redis::RedisStatus& status) {
  // Redis's health (one line per change): the client also logs losing and regaining its
  // connections; this also catches commands failing on a live connection (OOM, NOPERM, ...).
  if (status.ok()) {
    failing_.reset();
    health_->redis.succeeded();
    return;
  }
  const auto code = status.error().code;
  if (code == redis::ErrorCode::unavailable && !failing_) return;  // a dirty chat, not Redis
  failing_ = code;
  if (hot_->up()) {
    health_->redis.failed(status.error().message);
  } else {
    health_->redis.failed_quietly(status.error().message);  // the client said so, once
  }
}

asio::awaitable<std::vector<bool>> Tiers::known_updates(std::span<const std::int64_t> ids) {
  if (!hot_usable()) co_return std::vector<bool>(ids.size(), false);
  auto known = co_await hot_->known_updates(ids);
  note(known);
  if (!known) co_return std::vector<bool>(ids.size(), false);
  co_return std::move(known).value();
}

asio::awaitable<Result<std::vector<MessageRecord>>> Tiers::recent_messages(std::int64_t chat_id,
                                                                           std::size_t limit) {
  std::optional<std::string> seed_seq;
  if (hot_usable() && limit <= hot_->options().history_cap) {
    auto hot = co_await hot_->history(chat_id, limit);
    note(hot);
    if (hot && hot->present) co_return std::move(hot->messages);
    if (hot) seed_seq = hot->seq;
  }
  // A miss: read the system of record; fill the hot tier with as much as it holds. Through an
  // outbox, the system of record may still lack the latest writes: wait for the syncer first.
  if (outbox_) {
    const bool synced = co_await wait_for_sync();
    if (!synced) seed_seq.reset();
  }
  // Records waiting in the spool are not in the store yet: merged into the answer, and the hot
  // tier is not filled from a store that lacks them.
  const bool spooling = spool_ && spool_->rows() > 0;
  if (spooling) seed_seq.reset();
  const std::size_t fill = seed_seq ? std::max(limit, hot_->options().history_cap) : limit;
  auto stored = co_await read_store<std::vector<MessageRecord>>(
      [&](auto done) { store_.recent_messages(chat_id, fill, std::move(done)); });
  if (!stored && !spooling) co_return stored.error();
  std::vector<MessageRecord> out;
  if (stored) out = std::move(stored).value();
  if (spooling) co_await merge_spooled(chat_id, out);
  if (seed_seq) note(co_await hot_->seed_history(chat_id, *seed_seq, out));
  if (out.size() > limit) out.erase(out.begin(), out.end() - static_cast<std::ptrdiff_t>(limit));
  co_return out;
}

asio::awaitable<Result<std::optional<UserRecord>>> Tiers::find_user(std::int64_t user_id) {
  if (hot_usable()) {
    auto cached = co_await hot_->profile(user_id);
    note(cached);
    if (cached && cached->has_value()) co_return std::move(cached).value();
  }
  auto stored = co_await read_store<std::optional<UserRecord>>(
      [&](auto done) { store_.find_user(user_id, std::move(done)); });
  if (stored && stored->has_value() && hot_usable()) note(co_await hot_->cache_profile(**stored));
  co_return stored;
}

const hot::Tariff& Tiers::tariff_named(std::string_view name) {
  if (name.empty()) return tariffs_.front();
  for (const auto& tariff : tariffs_) {
    if (tariff.name == name) return tariff;
  }
  if (std::find(unknown_tariffs_warned_.begin(), unknown_tariffs_warned_.end(), name) ==
      unknown_tariffs_warned_.end()) {
    unknown_tariffs_warned_.emplace_back(name);
    spdlog::warn(
        "users on tariff \"{}\" get the default tariff \"{}\": no such tariff in "
        "TGKEEP_TARIFFS",
        name, tariffs_.front().name);
  }
  return tariffs_.front();
}

asio::awaitable<Result<std::int64_t>> Tiers::stored_usage(std::int64_t user_id,
                                                          const hot::UsageWindow& window) {
  co_return co_await read_store<std::int64_t>(
      [&](auto done) { store_.count_usage(user_id, window.start, window.end, std::move(done)); });
}

asio::awaitable<Result<Tiers::QuotaFrame>> Tiers::quota_frame(std::int64_t user_id,
                                                              std::int64_t now) {
  auto user = co_await find_user(user_id);
  if (!user) co_return user.error();
  const hot::Tariff& tariff = tariff_named(user->has_value() ? (*user)->tariff : "");
  QuotaFrame frame;
  frame.window = hot::window_at(tariff.period, now);
  frame.quota.limit = tariff.limit;
  frame.quota.tariff = tariff.name;
  frame.quota.period = tariff.period;
  frame.quota.resets_at = frame.window.end;
  co_return frame;
}

asio::awaitable<Result<Quota>> Tiers::quota(std::int64_t user_id, std::int64_t now) {
  auto frame = co_await quota_frame(user_id, now);
  if (!frame) co_return frame.error();
  Quota quota = std::move(frame->quota);
  const hot::UsageWindow window = frame->window;
  if (hot_usable()) {
    auto used = co_await hot_->usage(user_id, window.id);
    note(used);
    if (used && used->has_value()) {
      quota.used = **used;
      quota.from_redis = true;
    }
  }
  if (!quota.from_redis) {
    auto counted = co_await stored_usage(user_id, window);
    if (!counted) co_return counted.error();
    quota.used = *counted;
  }
  quota.allowed = quota.used < quota.limit;
  co_return quota;
}

asio::awaitable<Result<Quota>> Tiers::consume_quota(std::int64_t user_id, std::int64_t update_id,
                                                    std::int64_t now) {
  auto frame = co_await quota_frame(user_id, now);
  if (!frame) co_return frame.error();
  Quota quota = std::move(frame->quota);
  const hot::UsageWindow window = frame->window;
  if (hot_usable()) {
    const auto ttl = std::chrono::seconds(window.end - now + kCounterMarginSeconds);
    auto counted = co_await hot_->consume_quota(user_id, window.id, quota.limit, ttl, -1);
    if (counted && counted->state == hot::QuotaCount::State::needs_seed) {
      // Redis has no counter for this window: a new window, or Redis lost its data.
      auto stored = co_await stored_usage(user_id, window);
      if (!stored) co_return stored.error();
      counted = co_await hot_->consume_quota(user_id, window.id, quota.limit, ttl, *stored);
    }
    note(counted);
    if (counted && counted->state != hot::QuotaCount::State::needs_seed) {
      quota.from_redis = true;
      quota.used = counted->used;
      quota.allowed = counted->state == hot::QuotaCount::State::consumed;
    }
  }
  if (!quota.from_redis) {
    auto stored = co_await stored_usage(user_id, window);
    if (!stored) co_return stored.error();
    quota.allowed = *stored < quota.limit;
    quota.used = *stored + (quota.allowed ? 1 : 0);
  }
  if (quota.allowed) {
    storage::UsageEvent event;
    event.user_id = user_id;
    event.update_id = update_id;
    event.at = now;
    event.tariff = quota.tariff;
    auto recorded = co_await record_usage(std::move(event));
    if (!recorded) co_return recorded.error();
  }
  co_return quota;
}

}  // namespace tgkeep::tiers
