// Tiers' write chain: the outbox, the system of record and the local spool, tried in the order
// of the route (write_route.hpp); and what reads need while records wait in the spool.
// See docs/failover.md.
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "outbox/entry_codec.hpp"
#include "storage/store_awaitable.hpp"
#include "tiers/tiers.hpp"

namespace tgkeep::tiers {

namespace asio = boost::asio;
using storage::MessageRecord;

void Tiers::use_failover(WriteRoute* route, spool::Spool* spool) {
  route_ = route;
  spool_ = spool;
  health_ = route ? &route->health() : &own_health_;
}

bool Tiers::store_down() const {
  return store_has_health() && !health_->postgres.worth_trying();
}

bool Tiers::note_outbox(const redis::RedisStatus& status) {
  note(status);
  return status.ok();
}

TierPlan Tiers::plan() const {
  if (route_) return route_->plan(hot_ && hot_->up(), spool_ ? spool_->rows() : 0);
  TierPlan plan;
  if (outbox_usable()) plan.push_back(Tier::outbox);
  plan.push_back(Tier::store);
  return plan;
}

void Tiers::note_holding(bool holding, const Status& why) {
  if (holding == holding_) return;
  holding_ = holding;
  if (holding) {
    spdlog::critical(
        "write chain: no tier takes records ({}); updates are not acknowledged until one does "
        "(Telegram keeps them for 24 hours)",
        why ? std::string("every tier is down") : why.error().message);
  } else {
    spdlog::info("write chain: records are taken again");
  }
}

asio::awaitable<Status> Tiers::deliver(Delivery& delivery, bool wait) {
  Status delivered = co_await deliver_once(delivery);
  if (!wait || !store_has_health()) co_return delivered;
  asio::steady_timer pause(co_await asio::this_coro::executor);
  while (!delivered && holding_ && !(stopping_ && stopping_())) {
    pause.expires_after(std::chrono::milliseconds(250));
    co_await pause.async_wait(asio::use_awaitable);
    delivered = co_await deliver_once(delivery);
  }
  co_return delivered;
}

asio::awaitable<Status> Tiers::deliver_once(Delivery& delivery) {
  Status last = Error::transient("every tier of the write chain is down");
  for (Tier tier : plan()) {
    if (tier == Tier::outbox) {
      if (co_await delivery.to_outbox()) {
        if (route_) route_->wrote_to_outbox();
        note_holding(false, {});
        co_return Status::success();
      }
      last = Error::transient("Redis: " + health_->redis.last_error());
    } else if (tier == Tier::store) {
      Status stored = co_await delivery.to_store();
      if (stored) {
        if (store_has_health()) health_->postgres.succeeded();
        if (hot_ && delivery.hot_after) co_await delivery.hot_after();
        note_holding(false, {});
        co_return stored;
      }
      if (store_has_health()) health_->postgres.failed(stored.error().message);
      last = stored;
    } else {
      std::vector<spool::Row> rows = delivery.spool_rows();
      Status spooled = co_await storage::await_status(
          [&](auto done) { spool_->append(std::move(rows), std::move(done)); });
      if (spooled) {
        health_->spool.succeeded();
        if (hot_ && delivery.hot_after) co_await delivery.hot_after();
        note_holding(false, {});
        co_return spooled;
      }
      health_->spool.failed(spooled.error().message);
      last = spooled;
    }
  }
  if (store_has_health()) note_holding(true, last);
  co_return last;
}

namespace {

// Applies one spooled entry of a chat to the history being assembled (as the store would).
void apply_spooled(const outbox::Entry& entry, std::vector<MessageRecord>& messages) {
  const auto same_message = [](const MessageRecord& a, const MessageRecord& b) {
    if (!a.reply_key.empty() || !b.reply_key.empty()) return a.reply_key == b.reply_key;
    return a.message_id == b.message_id && a.role == b.role;
  };
  const auto put = [&](const MessageRecord& message) {
    for (auto& known : messages) {
      if (same_message(known, message)) {
        if (message.edited) known = message;
        return;
      }
    }
    messages.push_back(message);
  };
  if (const auto* update = std::get_if<outbox::UpdateEntry>(&entry)) {
    if (update->update.message) put(*update->update.message);
  } else if (const auto* reply = std::get_if<outbox::ReplyEntry>(&entry)) {
    put(reply->reply);
  } else if (const auto* settle = std::get_if<outbox::SettleEntry>(&entry)) {
    for (auto& known : messages) {
      if (known.reply_key != settle->reply_key) continue;
      known.status = settle->status;
      known.message_id = settle->message_id;
    }
  } else if (const auto* edit = std::get_if<outbox::EditEntry>(&entry)) {
    for (auto& known : messages) {
      if (known.message_id != edit->message_id || known.role != edit->role) continue;
      known.text = edit->text;
      known.edited = true;
      known.edit_date = edit->edit_date;
    }
  } else if (std::holds_alternative<outbox::ForgetEntry>(entry)) {
    messages.clear();
  }
}

}  // namespace

asio::awaitable<void> Tiers::merge_spooled(std::int64_t chat_id,
                                           std::vector<MessageRecord>& messages) {
  if (!spool_ || spool_->rows() == 0) co_return;
  auto rows = co_await storage::await_result<std::vector<spool::Row>>(
      [&](auto done) { spool_->of_chat(chat_id, std::move(done)); });
  if (!rows) co_return;  // the history then lacks what waits in the spool; never fails a read
  for (const auto& row : *rows) {
    auto entry =
        outbox::decode(std::string_view(&row.entry.kind, 1), row.entry.value, row.entry.raw);
    if (entry) apply_spooled(*entry, messages);
  }
}

}  // namespace tgkeep::tiers
