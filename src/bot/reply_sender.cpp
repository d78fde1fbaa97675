#include "bot/reply_sender.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "bot/update_records.hpp"
#include "telegram/requests.hpp"
#include "telegram/text_split.hpp"
#include "telegram/update_parser.hpp"
#include "util/unix_time.hpp"

namespace tgkeep::bot {

namespace asio = boost::asio;

ReplySender::ReplySender(tiers::Tiers& tiers, ApiCaller& api, RateLimiter& limiter,
                         ReplyOptions options)
    : tiers_(tiers), api_(api), limiter_(limiter), options_(options) {}

asio::awaitable<void> ReplySender::reply(const telegram::Message& to, std::int64_t update_id,
                                         std::string text, telegram::InlineKeyboard keyboard,
                                         std::string_view key_base) {
  auto parts = telegram::split_message_text(text);
  for (std::size_t i = 0; i < parts.size(); ++i) {
    auto key = fmt::format("u{}.{}{}", update_id, key_base, i);
    // Named, not a conditional temporary inside co_await: g++ 12 destroys those twice.
    telegram::InlineKeyboard part_keyboard;
    if (i + 1 == parts.size()) part_keyboard = std::move(keyboard);
    co_await send_part(to, update_id, std::move(key), std::move(parts[i]),
                       i == 0 && to.chat.is_group(), std::move(part_keyboard));
  }
}

asio::awaitable<bool> ReplySender::edit(const telegram::Message& sent, std::string text,
                                        telegram::InlineKeyboard keyboard) {
  telegram::EditMessageText request;
  request.chat_id = sent.chat.id;
  request.message_id = sent.message_id;
  request.text = telegram::split_message_text(text).front();
  request.keyboard = std::move(keyboard);
  CallPolicy policy;
  policy.timeout = options_.timeout;
  policy.max_attempts = options_.max_attempts;
  policy.stop_aware = false;
  policy.chat_id = sent.chat.id;
  auto reply =
      co_await api_.call("editMessageText", telegram::edit_message_text_body(request), policy);
  if (!reply.ok()) {
    spdlog::warn("editing message {} in chat {} failed ({}): {}", sent.message_id, sent.chat.id,
                 net::outcome_name(reply.outcome), reply.description);
    co_return false;
  }
  auto recorded = co_await tiers_.edit_message(sent.chat.id, sent.message_id,
                                               storage::Role::assistant, request.text, unix_now());
  if (!recorded) {
    spdlog::error("message {} in chat {} was edited but the edit could not be stored: {}",
                  sent.message_id, sent.chat.id, recorded.error().message);
  }
  co_return true;
}

asio::awaitable<void> ReplySender::send_part(const telegram::Message& to, std::int64_t update_id,
                                             std::string key, std::string text, bool quote,
                                             telegram::InlineKeyboard keyboard) {
  const std::int64_t chat_id = to.chat.id;
  const auto pending = pending_reply(chat_id, update_id, text, unix_now(), key);
  auto recorded = co_await tiers_.record_reply(pending);
  if (!recorded) {
    // A reply is stored before it is sent, or not sent at all.
    ++counters_.failed;
    spdlog::error("reply {} to chat {} not sent: it could not be stored: {}", key, chat_id,
                  recorded.error().message);
    co_return;
  }
  if (recorded->existed) {
    switch (recorded->status) {
      case storage::ReplyStatus::sent:
      case storage::ReplyStatus::failed:
        ++counters_.skipped_already_sent;
        co_return;
      case storage::ReplyStatus::resending:
        // A crash hit the one re-send below: Telegram may have this part twice already, and it
        // offers no way to ask (docs/replies.md). A third delivery is worse than none.
        ++counters_.skipped_unknown;
        spdlog::warn("reply {} to chat {}: fate unknown after one re-send; not sent again", key,
                     chat_id);
        co_return;
      case storage::ReplyStatus::pending: {
        // Recorded before a crash, never settled: it may or may not have gone out. Durably mark
        // that it is being sent again before sending, so that a crash during this re-send is
        // seen as such at the next start and the part is not sent a third time.
        auto marked = co_await tiers_.settle_reply(chat_id, key, storage::ReplyStatus::resending,
                                                   std::nullopt, unix_now());
        if (!marked) {
          ++counters_.failed;
          spdlog::error("reply {} to chat {} not sent again: its re-send could not be stored: {}",
                        key, chat_id, marked.error().message);
          co_return;
        }
        ++counters_.resent;
        break;
      }
    }
  }

  const auto now = std::chrono::steady_clock::now();
  const auto slot = limiter_.reserve(chat_id, to.chat.is_group(), now);
  if (slot > now) {
    asio::steady_timer wait(co_await asio::this_coro::executor, slot);
    co_await wait.async_wait(asio::as_tuple(asio::use_awaitable));
  }

  telegram::SendMessage request;
  request.chat_id = chat_id;
  request.text = text;
  request.keyboard = std::move(keyboard);
  if (quote) request.reply_to_message_id = to.message_id;
  request.message_thread_id = to.message_thread_id;
  if (!to.business_connection_id.empty()) {
    request.business_connection_id = to.business_connection_id;
  }
  CallPolicy policy;
  policy.timeout = options_.timeout;
  policy.max_attempts = options_.max_attempts;
  policy.stop_aware = false;  // finish in-flight replies during a graceful shutdown
  policy.chat_id = chat_id;
  auto reply = co_await api_.call("sendMessage", telegram::send_message_body(request), policy);

  storage::ReplyStatus status = storage::ReplyStatus::failed;
  std::optional<std::int64_t> message_id;
  std::int64_t date = unix_now();
  if (reply.ok()) {
    auto envelope = parser_.parse_envelope(reply.body);
    auto sent = envelope ? parser_.parse_message(envelope->result_json)
                         : Result<telegram::Message>(envelope.error());
    if (sent) {
      status = storage::ReplyStatus::sent;
      message_id = sent->message_id;
      if (sent->date != 0) date = sent->date;
    } else {
      // Telegram took it, but its answer is unreadable: the message exists, its id is unknown.
      status = storage::ReplyStatus::sent;
      spdlog::warn("reply {} to chat {} was sent but the reply could not be read: {}", key, chat_id,
                   sent.error().message);
    }
    ++counters_.sent;
  } else {
    ++counters_.failed;
    spdlog::warn("reply {} to chat {} failed ({}): {}", key, chat_id,
                 net::outcome_name(reply.outcome), reply.description);
  }
  auto settled = co_await tiers_.settle_reply(chat_id, key, status, message_id, date);
  if (!settled) {
    spdlog::error("reply {} to chat {}: its outcome could not be stored: {}", key, chat_id,
                  settled.error().message);
  }
}

}  // namespace tgkeep::bot
