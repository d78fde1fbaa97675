#include "spool/spool_drainer.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "outbox/entry_codec.hpp"
#include "outbox/pg_writer.hpp"
#include "storage/store_awaitable.hpp"

namespace tgkeep::spool {

namespace asio = boost::asio;

SpoolDrainer::SpoolDrainer(asio::any_io_executor ex, Spool& spool, tiers::WriteRoute& route,
                           sync::OutboxStream* outbox, std::function<bool()> redis_connected,
                           DrainerOptions options)
    : ex_(ex),
      spool_(spool),
      route_(route),
      outbox_(outbox),
      redis_connected_(std::move(redis_connected)),
      options_(std::move(options)),
      timer_(ex) {}

void SpoolDrainer::stop() {
  stopping_ = true;
  timer_.cancel();
}

asio::awaitable<void> SpoolDrainer::pause(std::chrono::milliseconds duration) {
  timer_.expires_after(duration);
  boost::system::error_code ec;
  co_await timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
}

asio::awaitable<void> SpoolDrainer::run() {
  while (!stopping_) {
    if (route_.outbox_worth_checking(spool_.rows())) co_await look_at_outbox();
    bool wrote = false;
    if (route_.spool_may_drain(spool_.rows())) wrote = co_await drain_batch();
    if (!wrote && !stopping_) co_await pause(options_.idle);
  }
  pg_.reset();
}

asio::awaitable<void> SpoolDrainer::look_at_outbox() {
  if (!outbox_ || !redis_connected_()) {
    if (spool_.rows() > 0 && !waiting_for_outbox_logged_) {
      spdlog::warn(
          "spool: {} records wait for Redis: its outbox holds older records, which reach "
          "PostgreSQL first",
          spool_.rows());
      waiting_for_outbox_logged_ = true;
    }
    co_return;
  }
  auto backlog = co_await outbox_->backlog();
  if (backlog && backlog->entries == 0) {
    route_.outbox_seen_empty();
    waiting_for_outbox_logged_ = false;
  }
}

asio::awaitable<bool> SpoolDrainer::drain_batch() {
  health::Dependency& postgres = route_.health().postgres;
  if (!pg_ || pg_->broken()) {
    pg_.reset();  // before opening the next: a broken connection's socket must not be reused
    auto connected = co_await pg::Connection::connect(ex_, options_.postgres);
    if (!connected) {
      postgres.failed(connected.error().message);
      co_return false;
    }
    pg_ = std::move(connected).value();
  }
  auto rows = co_await storage::await_result<std::vector<Row>>(
      [&](auto done) { spool_.oldest(options_.batch, std::move(done)); });
  if (!rows) {
    spdlog::error("spool: {}", rows.error().message);
    co_return false;
  }
  if (rows->empty()) co_return false;
  std::vector<outbox::Entry> entries;
  entries.reserve(rows->size());
  for (const Row& row : *rows) {
    auto entry =
        outbox::decode(std::string_view(&row.entry.kind, 1), row.entry.value, row.entry.raw);
    if (!entry) {
      // Written by this program, so never expected; kept out of the batch, logged, removed.
      spdlog::error("spool: row {} cannot be read and is skipped: {}", row.seq,
                    entry.error().message);
      continue;
    }
    entries.push_back(std::move(entry).value());
  }
  auto written = co_await outbox::write_to_postgres(*pg_, entries, options_.statement_timeout);
  if (!written) {
    postgres.failed(written.error().message);
    if (pg_->broken()) pg_.reset();
    co_return false;
  }
  postgres.succeeded();
  const std::int64_t through = rows->back().seq;
  Status removed = co_await storage::await_status(
      [&](auto done) { spool_.remove_through(through, std::move(done)); });
  if (!removed) {
    // Written but still spooled: the next round writes them again, which changes nothing.
    spdlog::error("spool: {}", removed.error().message);
    co_return false;
  }
  drained_ += rows->size();
  drained_this_outage_ += rows->size();
  if (spool_.rows() == 0) {
    spdlog::info("spool: {} records written to PostgreSQL; the spool is empty",
                 drained_this_outage_);
    drained_this_outage_ = 0;
  }
  co_return true;
}

}  // namespace tgkeep::spool
