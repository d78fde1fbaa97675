// Tiers' writes: each builds a Delivery (its record in the forms the write chain may need) and
// hands it to deliver() (tiers_failover.cpp), which takes the first tier of the route that
// accepts it. See tiers.hpp, docs/outbox.md and docs/failover.md.
#include <spdlog/spdlog.h>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "outbox/entry_codec.hpp"
#include "storage/store_awaitable.hpp"
#include "tiers/tiers.hpp"

namespace tgkeep::tiers {

namespace asio = boost::asio;
using redis::CommandBatch;
using storage::await_result;
using storage::await_status;
using storage::MessageRecord;
using storage::UpdateRecord;

namespace {

// How long a read waits for the syncer before it reads a system of record that may lag.
constexpr auto kSyncWait = std::chrono::milliseconds(1500);
constexpr auto kSyncPoll = std::chrono::milliseconds(5);

// What the hot tier reads of an update: ids, message, sender; not the raw JSON.
std::vector<UpdateRecord> light_copies(const std::vector<UpdateRecord>& updates) {
  std::vector<UpdateRecord> out;
  out.reserve(updates.size());
  for (const auto& record : updates) {
    UpdateRecord light;
    light.update_id = record.update_id;
    light.chat_id = record.chat_id;
    light.message = record.message;
    light.user = record.user;
    out.push_back(std::move(light));
  }
  return out;
}

}  // namespace

void Tiers::use_outbox(sync::OutboxStream* outbox, std::function<void()> wake_syncer) {
  outbox_ = outbox;
  wake_syncer_ = std::move(wake_syncer);
}

namespace {

// The spool's row for one entry of a chat.
spool::Row spool_row(const outbox::Entry& entry, std::optional<std::int64_t> chat_id) {
  spool::Row row;
  row.chat_id = chat_id ? chat_id : outbox::chat_of(entry);
  row.entry = outbox::encode(entry);
  return row;
}

}  // namespace

Tiers::Delivery Tiers::entry_delivery(const outbox::Entry& entry,
                                      std::optional<std::int64_t> chat_id) {
  Delivery delivery;
  delivery.to_outbox = [this, &entry]() -> asio::awaitable<bool> {
    co_return note_outbox(co_await outbox_->write(std::span(&entry, 1)));
  };
  delivery.spool_rows = [&entry, chat_id] {
    return std::vector<spool::Row>{spool_row(entry, chat_id)};
  };
  return delivery;
}

Tiers::Delivery Tiers::history_delivery(const outbox::Entry& entry, std::int64_t chat_id) {
  Delivery delivery;
  delivery.to_outbox = [this, &entry, chat_id]() -> asio::awaitable<bool> {
    CommandBatch outbox;
    outbox_->add(outbox, entry);
    hot::HotWrite written = co_await hot_->drop_history(chat_id, std::move(outbox));
    note(written.hot);
    co_return note_outbox(written.outbox);
  };
  delivery.spool_rows = [&entry, chat_id] {
    return std::vector<spool::Row>{spool_row(entry, chat_id)};
  };
  delivery.hot_after = [this, chat_id]() -> asio::awaitable<void> {
    note(co_await hot_->drop_history(chat_id));
  };
  return delivery;
}

asio::awaitable<Result<storage::CommitSummary>> Tiers::commit_updates(
    std::vector<UpdateRecord> updates, std::int64_t received_at) {
  storage::CommitSummary summary;
  if (updates.empty()) co_return summary;
  summary.stored = updates.size();
  // What the hot tier learns after the store took the batch: the batch itself, or, when the
  // store consumed it, light copies made just before.
  std::vector<UpdateRecord> for_hot_tier;
  bool store_consumed = false;
  Delivery delivery;
  delivery.to_outbox = [&]() -> asio::awaitable<bool> {
    const hot::HotTier::UpdateCommands outbox = [&](CommandBatch& batch, const UpdateRecord& update,
                                                    std::string_view history_entry) {
      outbox_->add_update(batch, update, received_at, history_entry);
    };
    hot::HotWrite written = co_await hot_->after_commit(updates, outbox);
    note(written.hot);
    co_return note_outbox(written.outbox);
  };
  delivery.to_store = [&]() -> asio::awaitable<Status> {
    // The store takes the batch by value. With a spool behind it, it gets a copy: the spool
    // needs the batch if the store fails. Without one, it takes the batch itself.
    std::vector<UpdateRecord> batch;
    if (spool_) {
      batch = updates;
    } else {
      if (hot_) for_hot_tier = light_copies(updates);
      batch = std::move(updates);
      store_consumed = true;
    }
    auto committed = co_await await_result<storage::CommitSummary>(
        [&](auto done) { store_.commit_updates(std::move(batch), std::move(done)); });
    if (!committed) co_return committed.error();
    summary = *committed;
    co_return Status::success();
  };
  delivery.spool_rows = [&] {
    std::vector<spool::Row> rows;
    rows.reserve(updates.size());
    for (const auto& update : updates) {
      spool::Row row;
      row.chat_id = update.chat_id;
      row.entry = outbox::encode_update(update, received_at);
      rows.push_back(std::move(row));
    }
    return rows;
  };
  delivery.hot_after = [&]() -> asio::awaitable<void> {
    if (store_consumed) {
      note(co_await hot_->after_commit(for_hot_tier));
    } else {
      note(co_await hot_->after_commit(updates));
    }
  };
  Status delivered = co_await deliver(delivery, /*wait=*/false);
  if (!delivered) co_return delivered.error();
  co_return summary;
}

asio::awaitable<Status> Tiers::mark_handled(std::vector<std::int64_t> update_ids) {
  outbox::HandledEntry handled;
  handled.update_ids = update_ids;
  const outbox::Entry entry(std::move(handled));
  Delivery delivery = entry_delivery(entry, std::nullopt);
  delivery.to_store = [&]() -> asio::awaitable<Status> {
    co_return co_await await_status(
        [&](auto done) { store_.mark_handled(update_ids, std::move(done)); });
  };
  co_return co_await deliver(delivery);
}

asio::awaitable<Result<storage::ReplyState>> Tiers::record_reply(MessageRecord pending) {
  storage::ReplyState state;
  Delivery delivery;
  delivery.to_outbox = [&]() -> asio::awaitable<bool> {
    auto claimed = co_await outbox_->claim_reply(pending.chat_id, pending.reply_key);
    if (!claimed) co_return note_outbox(claimed.error());
    if (claimed->has_value()) {
      state = **claimed;  // recorded before: nothing to write
      co_return true;
    }
    CommandBatch outbox;
    outbox::ReplyEntry reply;
    reply.reply = pending;
    outbox_->add(outbox, outbox::Entry(std::move(reply)));
    hot::HotWrite written =
        co_await hot_->append(std::span<const MessageRecord>(&pending, 1), std::move(outbox));
    note(written.hot);
    co_return note_outbox(written.outbox);
  };
  delivery.to_store = [&]() -> asio::awaitable<Status> {
    auto recorded = co_await await_result<storage::ReplyState>(
        [&](auto done) { store_.record_reply(pending, std::move(done)); });
    if (!recorded) co_return recorded.error();
    state = *recorded;
    co_return Status::success();
  };
  delivery.spool_rows = [&] {
    outbox::ReplyEntry reply;
    reply.reply = pending;
    return std::vector<spool::Row>{spool_row(outbox::Entry(std::move(reply)), pending.chat_id)};
  };
  delivery.hot_after = [&]() -> asio::awaitable<void> {
    if (!state.existed) note(co_await hot_->append(std::span<const MessageRecord>(&pending, 1)));
  };
  Status delivered = co_await deliver(delivery);
  if (!delivered) co_return delivered.error();
  co_return state;
}

asio::awaitable<Status> Tiers::settle_reply(std::int64_t chat_id, std::string reply_key,
                                            storage::ReplyStatus status,
                                            std::optional<std::int64_t> message_id,
                                            std::int64_t date) {
  outbox::SettleEntry settle;
  settle.reply_key = reply_key;
  settle.status = status;
  settle.message_id = message_id;
  settle.date = date;
  const outbox::Entry entry(std::move(settle));
  Delivery delivery = entry_delivery(entry, chat_id);
  // With the reply's state for claim_reply, in the same pipeline.
  delivery.to_outbox = [&]() -> asio::awaitable<bool> {
    CommandBatch batch;
    outbox_->add(batch, entry);
    outbox_->add_reply_settled(batch, chat_id, reply_key, status, message_id);
    auto replies = co_await outbox_->client().pipeline(std::move(batch));
    redis::RedisStatus written;
    if (!replies) {
      written = replies.error();
    } else if ((*replies)[0].is_error()) {
      written = outbox_->client().error_of((*replies)[0]);
    }
    co_return note_outbox(written);
  };
  delivery.to_store = [&]() -> asio::awaitable<Status> {
    co_return co_await await_status([&](auto done) {
      store_.settle_reply(reply_key, status, message_id, date, std::move(done));
    });
  };
  co_return co_await deliver(delivery);
}

asio::awaitable<Status> Tiers::edit_message(std::int64_t chat_id, std::int64_t message_id,
                                            storage::Role role, std::string text,
                                            std::int64_t edit_date) {
  outbox::EditEntry edit;
  edit.chat_id = chat_id;
  edit.message_id = message_id;
  edit.role = role;
  edit.text = text;
  edit.edit_date = edit_date;
  const outbox::Entry entry(std::move(edit));
  Delivery delivery = history_delivery(entry, chat_id);
  delivery.to_store = [&]() -> asio::awaitable<Status> {
    co_return co_await await_status([&](auto done) {
      store_.edit_message(chat_id, message_id, role, text, edit_date, std::move(done));
    });
  };
  co_return co_await deliver(delivery);
}

asio::awaitable<Status> Tiers::forget_chat(std::int64_t chat_id) {
  outbox::ForgetEntry forget;
  forget.chat_id = chat_id;
  const outbox::Entry entry(forget);
  Delivery delivery = history_delivery(entry, chat_id);
  delivery.to_store = [&]() -> asio::awaitable<Status> {
    co_return co_await await_status(
        [&](auto done) { store_.forget_chat(chat_id, std::move(done)); });
  };
  co_return co_await deliver(delivery);
}

asio::awaitable<Status> Tiers::record_usage(storage::UsageEvent event) {
  outbox::UsageEntry usage;
  usage.event = event;
  const outbox::Entry entry(std::move(usage));
  Delivery delivery = entry_delivery(entry, std::nullopt);
  delivery.to_store = [&]() -> asio::awaitable<Status> {
    co_return co_await await_status(
        [&](auto done) { store_.record_usage(event, std::move(done)); });
  };
  co_return co_await deliver(delivery);
}

asio::awaitable<bool> Tiers::wait_for_sync() {
  if (!outbox_usable()) co_return false;
  auto newest = co_await outbox_->newest();
  if (!newest) co_return false;
  if (!newest->has_value()) co_return true;  // nothing waits in the outbox
  const auto deadline = std::chrono::steady_clock::now() + kSyncWait;
  asio::steady_timer pause(co_await asio::this_coro::executor);
  for (;;) {
    if (wake_syncer_) wake_syncer_();
    auto synced = co_await outbox_->synced_through(**newest);
    if (!synced) co_return false;
    if (*synced) co_return true;
    if (std::chrono::steady_clock::now() >= deadline) co_return false;
    pause.expires_after(kSyncPoll);
    co_await pause.async_wait(asio::use_awaitable);
  }
}

}  // namespace tgkeep::tiers
