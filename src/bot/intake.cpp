#include "bot/intake.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "bot/update_records.hpp"
#include "storage/store_awaitable.hpp"
#include "telegram/requests.hpp"
#include "util/unix_time.hpp"

namespace tgkeep::bot {

using storage::await_result;
using storage::await_status;

namespace asio = boost::asio;

namespace {

Error conflict_error(const net::ApiReply& reply) {
  if (reply.description.find("webhook") != std::string::npos) {
    return Error::fatal(
        "Telegram refuses getUpdates because a webhook is set for this bot (409 Conflict). Run "
        "with --delete-webhook (TGKEEP_DELETE_WEBHOOK=1) to remove it and poll instead");
  }
  return Error::fatal(
      "Telegram refuses getUpdates: another instance is polling with this bot token (409 "
      "Conflict: " +
      reply.description + "). Stop the other instance; only one may poll");
}

}  // namespace

Intake::Intake(IntakeOptions options, ApiCaller& api, tiers::Tiers& tiers, Bot& bot,
               ChatDispatcher& dispatcher, StopSignal& stop)
    : options_(std::move(options)),
      api_(api),
      tiers_(tiers),
      store_(tiers.store()),
      bot_(bot),
      dispatcher_(dispatcher),
      stop_(stop) {}

asio::awaitable<Status> Intake::resume_unhandled() {
  auto last = co_await await_result<std::optional<std::int64_t>>(
      [&](auto done) { store_.last_update_id(std::move(done)); });
  if (!last) co_return last.error();
  if (*last) {
    offset_ = **last + 1;
    dispatched_up_to_ = **last;
  }
  std::size_t resumed = 0;
  for (std::int64_t after = 0;;) {
    auto pending = co_await await_result<std::vector<storage::UpdateRecord>>(
        [&](auto done) { store_.unhandled_updates(1000, std::move(done)); });
    if (!pending) co_return pending.error();
    bool progressed = false;
    for (auto& record : *pending) {
      if (record.update_id <= after) continue;
      after = record.update_id;
      progressed = true;
      auto update = parser_.parse_update(record.raw_json);
      if (!update) {
        spdlog::warn("update {} cannot be handled again: {}", record.update_id,
                     update.error().message);
        continue;
      }
      ++resumed;
      co_await dispatcher_.submit(std::move(update.value()));
    }
    if (!progressed || pending->size() < 1000) break;
    // The next page starts after what is handled by then: wait for this page first.
    co_await dispatcher_.drain(std::chrono::steady_clock::time_point::max());
  }
  if (resumed > 0)
    spdlog::info("resuming {} stored updates whose handling was interrupted", resumed);
  co_return Status::success();
}

asio::awaitable<Status> Intake::run() {
  CallPolicy policy;
  policy.timeout = std::chrono::seconds(options_.timeout_seconds + 15);
  policy.max_attempts = 0;  // until it works or a stop is requested
  while (!stop_.stopping()) {
    telegram::GetUpdates request;
    request.offset = offset_;
    request.limit = options_.limit;
    request.timeout = options_.timeout_seconds;
    request.allowed_updates = options_.allowed_updates;
    const auto asked_at = std::chrono::steady_clock::now();
    auto reply = co_await api_.call("getUpdates", telegram::get_updates_body(request), policy);
    if (stop_.stopping()) break;
    switch (reply.outcome) {
      case net::ApiOutcome::ok: {
        auto processed = co_await process(reply.body);
        if (!processed) {
          if (processed.error().kind == ErrorKind::fatal) co_return processed.error();
          co_await stop_.sleep(options_.storage_retry);
        } else if (processed.value() == 0) {
          co_await pace_empty_polls(std::chrono::steady_clock::now() - asked_at);
        } else {
          empty_fast_polls_ = 0;
        }
        break;
      }
      case net::ApiOutcome::unauthorized:
        co_return Error::fatal("the bot token was rejected by Telegram (401 Unauthorized)");
      case net::ApiOutcome::conflict:
        co_return conflict_error(reply);
      case net::ApiOutcome::fatal:
        co_return Error::fatal(reply.description);
      default:
        // rejected (e.g. a bad allowed_updates), or retries ended by a stop request
        if (!stop_.stopping()) {
          spdlog::error("getUpdates failed: {} ({})", reply.description, reply.error_code);
          co_await stop_.sleep(std::chrono::seconds(5));
        }
        break;
    }
  }
  co_return Status::success();
}

// A server that ignores the long-poll timeout (some Bot API stand-ins) answers [] at once: pause
// a little, growing to 1 s, so polling never spins.
asio::awaitable<void> Intake::pace_empty_polls(std::chrono::steady_clock::duration took) {
  const auto expected = std::chrono::seconds(options_.timeout_seconds);
  if (options_.timeout_seconds == 0 || took >= expected / 2) {
    empty_fast_polls_ = 0;
    co_return;
  }
  if (++empty_fast_polls_ == 3) {
    spdlog::warn(
        "the Bot API answers getUpdates at once instead of waiting up to {} s; pausing "
        "between polls",
        options_.timeout_seconds);
  }
  const auto pause = std::chrono::milliseconds(std::min(1000, 50 * empty_fast_polls_));
  co_await stop_.sleep(pause);
}

asio::awaitable<Result<std::size_t>> Intake::process(std::string_view body) {
  auto batch = parser_.parse_updates(body);
  if (!batch) {
    ++counters_.malformed_replies;
    spdlog::warn("a getUpdates reply could not be parsed ({}); asking again",
                 batch.error().message);
    co_return batch.error();
  }
  counters_.rejected += batch->rejected.size();
  for (const auto& why : batch->rejected) spdlog::warn("skipped an update: {}", why);
  if (batch->updates.empty() && !batch->max_update_id) co_return std::size_t{0};

  counters_.received += batch->updates.size();
  const auto now = unix_now();
  // Updates Redis knows as durably stored (a redelivery after a crash) are skipped whole.
  std::vector<std::int64_t> ids;
  ids.reserve(batch->updates.size());
  for (const auto& update : batch->updates) ids.push_back(update.update_id);
  const std::vector<bool> known = co_await tiers_.known_updates(ids);
  std::vector<storage::UpdateRecord> records;
  records.reserve(batch->updates.size());
  // Decided once: what is stored as needing work is exactly what gets dispatched.
  std::vector<bool> needs_handling(batch->updates.size(), false);
  for (std::size_t i = 0; i < batch->updates.size(); ++i) {
    if (known[i]) {
      ++counters_.duplicates;
      continue;
    }
    needs_handling[i] = bot_.needs_handling(batch->updates[i]);
    records.push_back(to_record(batch->updates[i], needs_handling[i], now));
  }
  if (!records.empty()) {
    const std::size_t count = records.size();
    auto committed = co_await tiers_.commit_updates(std::move(records), now);
    if (!committed) {
      ++counters_.storage_failures;
      if (!tiers_.holding()) {
        spdlog::error("{} updates could not be stored; they stay unconfirmed: {}", count,
                      committed.error().message);
      }
      co_return Error::transient(committed.error().message);
    }
    counters_.stored += committed->stored;
    counters_.duplicates += committed->duplicates;
  }
  // Durable: the next getUpdates may confirm them to Telegram.
  offset_ = *batch->max_update_id + 1;
  for (std::size_t i = 0; i < batch->updates.size(); ++i) {
    auto& update = batch->updates[i];
    if (update.update_id <= dispatched_up_to_) continue;
    dispatched_up_to_ = update.update_id;
    if (needs_handling[i] && !known[i]) co_await dispatcher_.submit(std::move(update));
  }
  co_return batch->updates.size() + batch->rejected.size();
}

}  // namespace tgkeep::bot
