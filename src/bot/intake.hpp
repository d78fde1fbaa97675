// Intake: long polling. getUpdates → parse → commit to storage → only then move the offset past
// the batch (the next getUpdates confirms it to Telegram) → hand updates that need work to the
// ChatDispatcher. An update is acknowledged only once it is durable; a redelivered update_id is
// recognised by Redis's dedupe keys (set only after a durable commit), by storage and by the
// dispatch watermark, so it is neither stored nor handled twice. After the commit the hot tier
// learns of the batch (history lists, dedupe keys), best effort.
//
// Failures: 5xx and network errors back off with jitter; 429 waits retry_after; a storage
// failure keeps the offset where it is and retries; a malformed reply is logged, counted and
// retried. 401 and 409 end the run with an explanation.
// Thread-safety: event loop thread only.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "bot/api_caller.hpp"
#include "bot/bot.hpp"
#include "bot/chat_dispatcher.hpp"
#include "storage/store.hpp"
#include "tiers/tiers.hpp"
#include "telegram/update_parser.hpp"

namespace tgkeep::bot {

struct IntakeOptions {
  int limit = 100;
  int timeout_seconds = 25;
  std::vector<std::string> allowed_updates;  // empty: Telegram's default
  std::chrono::milliseconds storage_retry{1000};
};

struct IntakeCounters {
  std::uint64_t received = 0;
  std::uint64_t stored = 0;
  std::uint64_t duplicates = 0;  // by the system of record or by Redis's dedupe keys
  std::uint64_t rejected = 0;  // elements of a reply without a usable update_id
  std::uint64_t malformed_replies = 0;
  std::uint64_t storage_failures = 0;
};

class Intake {
 public:
  Intake(IntakeOptions options, ApiCaller& api, tiers::Tiers& tiers, Bot& bot,
         ChatDispatcher& dispatcher, StopSignal& stop);

  // Hands updates stored before a crash but never handled to the dispatcher; run before run().
  boost::asio::awaitable<Status> resume_unhandled();

  // Polls until a stop is requested (ok) or Telegram refuses to serve this bot (fatal).
  boost::asio::awaitable<Status> run();

  const IntakeCounters& counters() const { return counters_; }

 private:
  // Stores and dispatches one getUpdates reply; returns how many elements it had.
  boost::asio::awaitable<Result<std::size_t>> process(std::string_view body);
  boost::asio::awaitable<void> pace_empty_polls(std::chrono::steady_clock::duration took);

  IntakeOptions options_;
  ApiCaller& api_;
  tiers::Tiers& tiers_;
  storage::Store& store_;
  Bot& bot_;
  ChatDispatcher& dispatcher_;
  StopSignal& stop_;
  telegram::UpdateParser parser_;
  std::optional<std::int64_t> offset_;
  std::int64_t dispatched_up_to_ = 0;  // update_ids at or below were handed out already
  IntakeCounters counters_;
  int empty_fast_polls_ = 0;
};

}  // namespace tgkeep::bot
