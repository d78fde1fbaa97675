// Bot: the reference bot's behaviour, one update at a time (ChatDispatcher keeps each chat in
// order). Commands: /start greets by first name (with Help and History buttons), /help lists
// commands, /history [n] shows the chat's last n stored messages (hot tier first), /limits shows the
// sender's quota, /reset forgets the chat's
// history once confirmed by its "Forget" button or a second /reset within the confirmation
// window. Other text goes to the reply engine. Texts come from the lexicon in the sender's
// language. Every reply goes through ReplySender (stored, then sent).
// Thread-safety: event loop thread only.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <unordered_map>

#include <boost/asio/awaitable.hpp>

#include "bot/api_caller.hpp"
#include "bot/command.hpp"
#include "bot/lexicon.hpp"
#include "bot/reply_engine.hpp"
#include "bot/reply_sender.hpp"
#include "bot/lexicon_cache.hpp"
#include "storage/store.hpp"
#include "tiers/tiers.hpp"

namespace tgkeep::bot {

struct BotOptions {
  std::string username;  // this bot's @username without '@', from getMe
  std::size_t history_default = 10;
  std::size_t history_max = 100;
  std::chrono::seconds reset_window{60};
};

class Bot {
 public:
  Bot(BotOptions options, const LexiconCache& lexicon, ReplyEngine& engine, tiers::Tiers& tiers,
      ReplySender& replies, ApiCaller& api);

  void set_username(std::string username) { options_.username = std::move(username); }

  // Whether `update` needs a handler (a reply is due); decided before it is stored.
  bool needs_handling(const telegram::Update& update) const;

  // Acts on the update, then marks it handled in storage.
  boost::asio::awaitable<void> handle(telegram::Update update);

 private:
  boost::asio::awaitable<void> on_message(const telegram::Update& update);
  boost::asio::awaitable<void> on_command(const telegram::Message& message, std::int64_t update_id,
                                          const Command& command, std::string_view language);
  boost::asio::awaitable<void> on_help(const telegram::Message& about, std::int64_t update_id,
                                       std::string_view language);
  // `asking_message_id`: the /history message itself, left out of the list (0: none).
  boost::asio::awaitable<void> on_history(const telegram::Message& about, std::int64_t update_id,
                                          std::string_view arguments,
                                          std::int64_t asking_message_id,
                                          std::string_view language);
  boost::asio::awaitable<void> on_reset(const telegram::Message& message, std::int64_t update_id,
                                        std::string_view language);
  boost::asio::awaitable<void> on_limits(const telegram::Message& message, std::int64_t update_id,
                                        std::string_view language);
  // Consumes the sender's quota for a message going to the reply engine; false when spent (the
  // limit text has been sent then).
  boost::asio::awaitable<bool> within_quota(const telegram::Message& message,
                                            std::int64_t update_id, std::string_view language);
  boost::asio::awaitable<bool> forget(std::int64_t chat_id);
  boost::asio::awaitable<void> on_reset_answer(const telegram::Message& question, bool confirmed,
                                               std::string_view language);
  boost::asio::awaitable<void> on_callback(const telegram::Update& update);
  telegram::InlineKeyboard start_keyboard(std::string_view language) const;
  telegram::InlineKeyboard reset_keyboard(std::string_view language) const;
  bool is_known_command(std::string_view name) const;
  std::string quota_text(std::string_view key, std::string_view language,
                         const tiers::Quota& quota) const;
  const Lexicon& lexicon() const { return lexicon_.get(); }
  std::string text(std::string_view key, std::string_view language, std::string_view name = {},
                   std::string_view value = {}) const;
  void forget_expired_resets(std::chrono::steady_clock::time_point now);

  BotOptions options_;
  const LexiconCache& lexicon_;
  ReplyEngine& engine_;
  tiers::Tiers& tiers_;
  ReplySender& replies_;
  ApiCaller& api_;
  std::unordered_map<std::int64_t, std::chrono::steady_clock::time_point> reset_asked_;
};

}  // namespace tgkeep::bot
