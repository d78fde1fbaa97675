#include "bot/bot.hpp"

#include <charconv>

#include <spdlog/spdlog.h>

#include "bot/history_text.hpp"
#include "bot/store_awaitable.hpp"
#include "telegram/requests.hpp"

namespace tgkeep::bot {

namespace asio = boost::asio;

Bot::Bot(BotOptions options, const Lexicon& lexicon, ReplyEngine& engine, storage::Store& store,
         ReplySender& replies, ApiCaller& api)
    : options_(std::move(options)),
      lexicon_(lexicon),
      engine_(engine),
      store_(store),
      replies_(replies),
      api_(api) {}

// Not a coroutine on purpose: g++ 12 miscompiles braced initializer lists inside coroutines.
std::string Bot::text(std::string_view key, std::string_view language, std::string_view name,
                      std::string_view value) const {
  if (name.empty()) return lexicon_.render(key, language);
  return lexicon_.render(key, language, {{name, value}});
}

void Bot::forget_expired_resets(std::chrono::steady_clock::time_point now) {
  if (reset_asked_.size() > 10'000) {
    std::erase_if(reset_asked_, [&](const auto& entry) { return entry.second < now; });
  }
}

bool Bot::is_known_command(std::string_view name) const {
  return name == "start" || name == "help" || name == "history" || name == "reset";
}

bool Bot::needs_handling(const telegram::Update& update) const {
  using telegram::UpdateKind;
  if (update.kind == UpdateKind::callback_query) return update.callback_query.has_value();
  if (update.kind != UpdateKind::message && update.kind != UpdateKind::business_message) {
    return false;  // edits and channel posts are kept, not answered
  }
  if (!update.message || !update.message->has_text || update.message->text.empty()) return false;
  const auto& message = *update.message;
  if (message.from && message.from->is_bot) return false;
  if (auto command = parse_command(message.text, options_.username)) {
    if (command->addressed_to_other_bot) return false;
    // In groups, commands of other bots are common: answer only ours.
    return is_known_command(command->name) || !message.chat.is_group();
  }
  return engine_.answers_text();
}

asio::awaitable<void> Bot::handle(telegram::Update update) {
  if (update.kind == telegram::UpdateKind::callback_query) {
    co_await on_callback(update);
  } else if (update.message) {
    co_await on_message(update);
  }
  auto marked = co_await await_status(
      [&](auto done) { store_.mark_handled({update.update_id}, std::move(done)); });
  if (!marked) {
    spdlog::error("update {}: could not be marked handled: {}", update.update_id,
                  marked.error().message);
  }
}

asio::awaitable<void> Bot::on_message(const telegram::Update& update) {
  const auto& message = *update.message;
  const std::string_view language_code =
      message.from ? std::string_view(message.from->language_code) : std::string_view();
  const auto language = lexicon_.language_for(language_code);
  if (auto command = parse_command(message.text, options_.username)) {
    if (!command->addressed_to_other_bot) co_await on_command(update, *command, language_code);
    co_return;
  }
  reset_asked_.erase(message.chat.id);  // anything else said in between cancels a pending /reset
  if (auto text = engine_.reply(ReplyContext{message, language})) {
    co_await replies_.reply(message, update.update_id, std::move(*text));
  }
}

asio::awaitable<void> Bot::on_command(const telegram::Update& update, const Command& command,
                                      std::string_view language) {
  const auto& message = *update.message;
  if (command.name != "reset") reset_asked_.erase(message.chat.id);
  if (command.name == "start") {
    const std::string name = message.from ? message.from->first_name : std::string();
    co_await replies_.reply(message, update.update_id,
                            text(text::greeting, language, "name", name));
  } else if (command.name == "help") {
    co_await replies_.reply(
        message, update.update_id,
        text(text::help, language, "default", std::to_string(options_.history_default)));
  } else if (command.name == "history") {
    co_await on_history(update, command.arguments, language);
  } else if (command.name == "reset") {
    co_await on_reset(update, language);
  } else if (!message.chat.is_group()) {
    co_await replies_.reply(message, update.update_id,
                            text(text::unknown_command, language, "command", "/" + command.name));
  }
}

asio::awaitable<void> Bot::on_history(const telegram::Update& update, std::string_view arguments,
                                      std::string_view language) {
  const auto& message = *update.message;
  std::size_t count = options_.history_default;
  if (!arguments.empty()) {
    std::size_t parsed = 0;
    auto [end, ec] = std::from_chars(arguments.data(), arguments.data() + arguments.size(), parsed);
    if (ec != std::errc{} || end != arguments.data() + arguments.size() || parsed == 0 ||
        parsed > options_.history_max) {
      co_await replies_.reply(
          message, update.update_id,
          text(text::history_usage, language, "max", std::to_string(options_.history_max)));
      co_return;
    }
    count = parsed;
  }
  // One more than asked: the /history message itself is stored and is left out.
  auto recent = co_await await_result<std::vector<storage::MessageRecord>>(
      [&](auto done) { store_.recent_messages(message.chat.id, count + 1, std::move(done)); });
  if (!recent) {
    spdlog::error("chat {}: history could not be read: {}", message.chat.id,
                  recent.error().message);
    co_return;
  }
  co_await replies_.reply(message, update.update_id,
                          history_text(lexicon_, language, *recent, message.message_id, count));
}

asio::awaitable<void> Bot::on_reset(const telegram::Update& update, std::string_view language) {
  const auto& message = *update.message;
  const auto now = std::chrono::steady_clock::now();
  auto asked = reset_asked_.find(message.chat.id);
  if (asked == reset_asked_.end() || asked->second < now) {
    forget_expired_resets(now);
    reset_asked_[message.chat.id] = now + options_.reset_window;
    co_await replies_.reply(message, update.update_id,
                            text(text::reset_confirm, language, "seconds",
                                 std::to_string(options_.reset_window.count())));
    co_return;
  }
  reset_asked_.erase(asked);
  auto forgotten = co_await await_status(
      [&](auto done) { store_.forget_chat(message.chat.id, std::move(done)); });
  if (!forgotten) {
    spdlog::error("chat {}: history could not be forgotten: {}", message.chat.id,
                  forgotten.error().message);
    co_return;
  }
  spdlog::info("chat {}: history forgotten on request", message.chat.id);
  co_await replies_.reply(message, update.update_id, text(text::reset_done, language));
}

asio::awaitable<void> Bot::on_callback(const telegram::Update& update) {
  CallPolicy policy;
  policy.max_attempts = 3;
  policy.stop_aware = false;
  auto reply = co_await api_.call(
      "answerCallbackQuery", telegram::answer_callback_query_body(update.callback_query->id, {}),
      policy);
  if (!reply.ok()) {
    spdlog::debug("answerCallbackQuery for update {} failed: {}", update.update_id,
                  reply.description);
  }
}

}  // namespace tgkeep::bot
