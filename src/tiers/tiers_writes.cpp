// Tiers' writes: through the outbox when there is one and Redis takes writes, else to the system
// of record first and then the hot tier. See tiers.hpp and docs/outbox.md.
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

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

bool Tiers::note_outbox(const redis::RedisStatus& status) {
  if (status.ok()) {
    if (outbox_failing_) spdlog::info("outbox: Redis takes writes again");
    outbox_failing_ = false;
    return true;
  }
  if (!outbox_failing_) {
    spdlog::warn("outbox: {}; writing straight to the system of record meanwhile",
                 status.error().message);
  }
  outbox_failing_ = true;
  return false;
}

asio::awaitable<Result<storage::CommitSummary>> Tiers::commit_updates(
    std::vector<UpdateRecord> updates, std::int64_t received_at) {
  if (updates.empty()) {
    storage::CommitSummary nothing;
    co_return nothing;
  }
  if (outbox_usable()) {
    const hot::HotTier::UpdateCommands outbox = [&](CommandBatch& batch, const UpdateRecord& update,
                                                    std::string_view history_entry) {
      outbox_->add_update(batch, update, received_at, history_entry);
    };
    hot::HotWrite written = co_await hot_->after_commit(updates, outbox);
    note(written.hot);
    if (note_outbox(written.outbox)) {
      storage::CommitSummary summary;
      summary.stored = updates.size();
      co_return summary;
    }
  }
  std::vector<UpdateRecord> for_hot_tier;
  if (hot_) for_hot_tier = light_copies(updates);
  auto committed = co_await await_result<storage::CommitSummary>(
      [&](auto done) { store_.commit_updates(std::move(updates), std::move(done)); });
  if (committed && hot_) note(co_await hot_->after_commit(for_hot_tier));
  co_return committed;
}

asio::awaitable<Status> Tiers::mark_handled(std::vector<std::int64_t> update_ids) {
  if (outbox_usable()) {
    outbox::HandledEntry handled;
    handled.update_ids = update_ids;
    const outbox::Entry entry(std::move(handled));
    if (note_outbox(co_await outbox_->write(std::span(&entry, 1)))) co_return Status::success();
  }
  co_return co_await await_status(
      [&](auto done) { store_.mark_handled(std::move(update_ids), std::move(done)); });
}

asio::awaitable<Result<storage::ReplyState>> Tiers::record_reply(MessageRecord pending) {
  if (outbox_usable()) {
    auto claimed = co_await outbox_->claim_reply(pending.chat_id, pending.reply_key);
    if (claimed && claimed->has_value()) co_return **claimed;
    if (claimed) {
      CommandBatch outbox;
      outbox::ReplyEntry reply;
      reply.reply = pending;
      outbox_->add(outbox, outbox::Entry(std::move(reply)));
      hot::HotWrite written =
          co_await hot_->append(std::span<const MessageRecord>(&pending, 1), std::move(outbox));
      note(written.hot);
      if (note_outbox(written.outbox)) {
        storage::ReplyState fresh;
        co_return fresh;
      }
    } else {
      note_outbox(claimed.error());
    }
  }
  auto recorded = co_await await_result<storage::ReplyState>(
      [&](auto done) { store_.record_reply(pending, std::move(done)); });
  if (recorded && !recorded->existed && hot_) {
    note(co_await hot_->append(std::span<const MessageRecord>(&pending, 1)));
  }
  co_return recorded;
}

asio::awaitable<Status> Tiers::settle_reply(std::int64_t chat_id, std::string reply_key,
                                            storage::ReplyStatus status,
                                            std::optional<std::int64_t> message_id,
                                            std::int64_t date) {
  if (outbox_usable()) {
    CommandBatch batch;
    outbox::SettleEntry settle;
    settle.reply_key = reply_key;
    settle.status = status;
    settle.message_id = message_id;
    settle.date = date;
    outbox_->add(batch, outbox::Entry(std::move(settle)));
    outbox_->add_reply_settled(batch, chat_id, reply_key, status, message_id);
    auto replies = co_await outbox_->client().pipeline(std::move(batch));
    redis::RedisStatus written;
    if (!replies) {
      written = replies.error();
    } else if ((*replies)[0].is_error()) {
      written = outbox_->client().error_of((*replies)[0]);
    }
    if (note_outbox(written)) co_return Status::success();
  }
  co_return co_await await_status([&](auto done) {
    store_.settle_reply(std::move(reply_key), status, message_id, date, std::move(done));
  });
}

asio::awaitable<Status> Tiers::edit_message(std::int64_t chat_id, std::int64_t message_id,
                                            storage::Role role, std::string text,
                                            std::int64_t edit_date) {
  if (outbox_usable()) {
    CommandBatch outbox;
    outbox::EditEntry edit;
    edit.chat_id = chat_id;
    edit.message_id = message_id;
    edit.role = role;
    edit.text = text;
    edit.edit_date = edit_date;
    outbox_->add(outbox, outbox::Entry(std::move(edit)));
    hot::HotWrite written = co_await hot_->drop_history(chat_id, std::move(outbox));
    note(written.hot);
    if (note_outbox(written.outbox)) co_return Status::success();
  }
  auto edited = co_await await_status([&](auto done) {
    store_.edit_message(chat_id, message_id, role, std::move(text), edit_date, std::move(done));
  });
  if (edited && hot_) note(co_await hot_->drop_history(chat_id));
  co_return edited;
}

asio::awaitable<Status> Tiers::forget_chat(std::int64_t chat_id) {
  if (outbox_usable()) {
    CommandBatch outbox;
    outbox::ForgetEntry forget;
    forget.chat_id = chat_id;
    outbox_->add(outbox, outbox::Entry(forget));
    hot::HotWrite written = co_await hot_->drop_history(chat_id, std::move(outbox));
    note(written.hot);
    if (note_outbox(written.outbox)) co_return Status::success();
  }
  auto forgotten =
      co_await await_status([&](auto done) { store_.forget_chat(chat_id, std::move(done)); });
  if (forgotten && hot_) note(co_await hot_->drop_history(chat_id));
  co_return forgotten;
}

asio::awaitable<Status> Tiers::record_usage(storage::UsageEvent event) {
  if (outbox_usable()) {
    outbox::UsageEntry usage;
    usage.event = event;
    const outbox::Entry entry(std::move(usage));
    if (note_outbox(co_await outbox_->write(std::span(&entry, 1)))) co_return Status::success();
  }
  co_return co_await await_status(
      [&](auto done) { store_.record_usage(std::move(event), std::move(done)); });
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
