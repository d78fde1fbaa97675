#include "bot/bot.hpp"

#include <charconv>

#include <spdlog/spdlog.h>

#include "bot/history_text.hpp"
#include "telegram/requests.hpp"
#include "util/unix_time.hpp"

namespace tgkeep::bot {

namespace asio = boost::asio;

namespace {
std::string_view period_text_key(hot::Period period) {
  switch (period) {
    case hot::Period::hour:
      return text::period_hour;
    case hot::Period::week:
      return text::period_week;
    case hot::Period::month:
      return text::period_month;
    case hot::Period::day:
      break;
  }
  return text::period_day;
}
}  // namespace

Bot::Bot(BotOptions options, const LexiconCache& lexicon, ReplyEngine& engine, tiers::Tiers& tiers,
         ReplySender& replies, ApiCaller& api)
    : options_(std::move(options)),
      lexicon_(lexicon),
      engine_(engine),
      tiers_(tiers),
      replies_(replies),
      api_(api) {}

// Not a coroutine on purpose: g++ 12 miscompiles braced initializer lists inside coroutines.
std::string Bot::text(std::string_view key, std::string_view language, std::string_view name,
                      std::string_view value) const {
  if (name.empty()) return lexicon().render(key, language);
  return lexicon().render(key, language, {{name, value}});
}

std::string Bot::quota_text(std::string_view key, std::string_view language,
                            const tiers::Quota& quota) const {
  const std::string left = std::to_string(std::max<std::int64_t>(0, quota.limit - quota.used));
  const std::string limit = std::to_string(quota.limit);
  const std::string reset = utc_minute(quota.resets_at);
  const std::string period = lexicon().render(period_text_key(quota.period), language);
  return lexicon().render(key, language,
                          {{"tariff", quota.tariff},
                           {"left", left},
                           {"limit", limit},
                           {"period", period},
                           {"reset", reset}});
}

void Bot::forget_expired_resets(std::chrono::steady_clock::time_point now) {
  if (reset_asked_.size() > 10'000) {
    std::erase_if(reset_asked_, [&](const auto& entry) { return entry.second < now; });
  }
}

bool Bot::is_known_command(std::string_view name) const {
  return name == "start" || name == "help" || name == "history" || name == "reset" ||
         name == "limits";
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
  std::vector<std::int64_t> handled(1, update.update_id);
  auto marked = co_await tiers_.mark_handled(std::move(handled));
  if (!marked) {
    spdlog::error("update {}: could not be marked handled: {}", update.update_id,
                  marked.error().message);
  }
}

asio::awaitable<void> Bot::on_message(const telegram::Update& update) {
  const auto& message = *update.message;
  const std::string_view language_code =
      message.from ? std::string_view(message.from->language_code) : std::string_view();
  if (auto command = parse_command(message.text, options_.username)) {
    if (!command->addressed_to_other_bot) {
      co_await on_command(message, update.update_id, *command, language_code);
    }
    co_return;
  }
  reset_asked_.erase(message.chat.id);  // anything else said in between cancels a pending /reset
  if (!co_await within_quota(message, update.update_id, language_code)) co_return;
  const auto language = lexicon().language_for(language_code);
  if (auto reply = engine_.reply(ReplyContext{message, language})) {
    co_await replies_.reply(message, update.update_id, std::move(*reply));
  }
}

asio::awaitable<void> Bot::on_command(const telegram::Message& message, std::int64_t update_id,
                                      const Command& command, std::string_view language) {
  if (command.name != "reset") reset_asked_.erase(message.chat.id);
  if (command.name == "start") {
    const std::string name = message.from ? message.from->first_name : std::string();
    co_await replies_.reply(message, update_id, text(text::greeting, language, "name", name),
                            start_keyboard(language));
  } else if (command.name == "help") {
    co_await on_help(message, update_id, language);
  } else if (command.name == "history") {
    co_await on_history(message, update_id, command.arguments, message.message_id, language);
  } else if (command.name == "reset") {
    co_await on_reset(message, update_id, language);
  } else if (command.name == "limits") {
    co_await on_limits(message, update_id, language);
  } else if (!message.chat.is_group()) {
    co_await replies_.reply(message, update_id,
                            text(text::unknown_command, language, "command", "/" + command.name));
  }
}

asio::awaitable<void> Bot::on_help(const telegram::Message& about, std::int64_t update_id,
                                   std::string_view language) {
  co_await replies_.reply(
      about, update_id,
      text(text::help, language, "default", std::to_string(options_.history_default)));
}

asio::awaitable<void> Bot::on_history(const telegram::Message& about, std::int64_t update_id,
                                      std::string_view arguments, std::int64_t asking_message_id,
                                      std::string_view language) {
  std::size_t count = options_.history_default;
  if (!arguments.empty()) {
    std::size_t parsed = 0;
    auto [end, ec] = std::from_chars(arguments.data(), arguments.data() + arguments.size(), parsed);
    if (ec != std::errc{} || end != arguments.data() + arguments.size() || parsed == 0 ||
        parsed > options_.history_max) {
      co_await replies_.reply(
          about, update_id,
          text(text::history_usage, language, "max", std::to_string(options_.history_max)));
      co_return;
    }
    count = parsed;
  }
  // One more than asked: the /history message itself is stored and is left out.
  auto recent = co_await tiers_.recent_messages(about.chat.id, count + 1);
  if (!recent) {
    spdlog::error("chat {}: history could not be read: {}", about.chat.id, recent.error().message);
    co_return;
  }
  co_await replies_.reply(about, update_id,
                          history_text(lexicon(), language, *recent, asking_message_id, count));
}

asio::awaitable<void> Bot::on_reset(const telegram::Message& message, std::int64_t update_id,
                                    std::string_view language) {
  const auto now = std::chrono::steady_clock::now();
  auto asked = reset_asked_.find(message.chat.id);
  if (asked == reset_asked_.end() || asked->second < now) {
    forget_expired_resets(now);
    reset_asked_[message.chat.id] = now + options_.reset_window;
    co_await replies_.reply(message, update_id,
                            text(text::reset_confirm, language, "seconds",
                                 std::to_string(options_.reset_window.count())),
                            reset_keyboard(language));
    co_return;
  }
  reset_asked_.erase(asked);
  if (!co_await forget(message.chat.id)) co_return;
  co_await replies_.reply(message, update_id, text(text::reset_done, language));
}

asio::awaitable<bool> Bot::forget(std::int64_t chat_id) {
  auto forgotten = co_await tiers_.forget_chat(chat_id);
  if (!forgotten) {
    spdlog::error("chat {}: history could not be forgotten: {}", chat_id,
                  forgotten.error().message);
    co_return false;
  }
  spdlog::info("chat {}: history forgotten on request", chat_id);
  co_return true;
}

asio::awaitable<bool> Bot::within_quota(const telegram::Message& message, std::int64_t update_id,
                                        std::string_view language) {
  if (!message.from) co_return true;  // no sender to count against (channel posts)
  auto quota = co_await tiers_.consume_quota(message.from->id, update_id, unix_now());
  if (!quota) {
    // The system of record cannot count: answer rather than lock everyone out. While it is known
    // down, health said so once; no line per message.
    if (!tiers_.store_down()) {
      spdlog::error("chat {}: the usage quota could not be checked: {}", message.chat.id,
                    quota.error().message);
    }
    co_return true;
  }
  if (quota->allowed) co_return true;
  co_await replies_.reply(message, update_id, quota_text(text::limit_reached, language, *quota));
  co_return false;
}

asio::awaitable<void> Bot::on_limits(const telegram::Message& message, std::int64_t update_id,
                                     std::string_view language) {
  if (!message.from) co_return;
  auto quota = co_await tiers_.quota(message.from->id, unix_now());
  if (!quota) {
    spdlog::error("chat {}: the usage quota could not be read: {}", message.chat.id,
                  quota.error().message);
    co_await replies_.reply(message, update_id, text(text::error_temporary, language));
    co_return;
  }
  co_await replies_.reply(message, update_id, quota_text(text::limits_left, language, *quota));
}

// The answer to the /reset question's buttons: the question is edited into the outcome.
asio::awaitable<void> Bot::on_reset_answer(const telegram::Message& question, bool confirmed,
                                           std::string_view language) {
  const auto chat = question.chat.id;
  auto asked = reset_asked_.find(chat);
  const bool pending =
      asked != reset_asked_.end() && asked->second >= std::chrono::steady_clock::now();
  if (asked != reset_asked_.end()) reset_asked_.erase(asked);
  if (!confirmed) {
    co_await replies_.edit(question, text(text::reset_cancelled, language));
    co_return;
  }
  if (!pending) {
    co_await replies_.edit(question, text(text::reset_expired, language));
    co_return;
  }
  if (!co_await forget(chat)) co_return;
  co_await replies_.edit(question, text(text::reset_done, language));
}

asio::awaitable<void> Bot::on_callback(const telegram::Update& update) {
  const auto& query = *update.callback_query;
  CallPolicy policy;
  policy.max_attempts = 3;
  policy.stop_aware = false;
  auto answered = co_await api_.call("answerCallbackQuery",
                                     telegram::answer_callback_query_body(query.id, {}), policy);
  if (!answered.ok()) {
    spdlog::debug("answerCallbackQuery for update {} failed: {}", update.update_id,
                  answered.description);
  }
  if (!query.message || query.message->date == 0) co_return;  // inline or inaccessible message
  const auto& about = *query.message;
  const std::string_view language = query.from.language_code;
  if (query.data == "help") {
    co_await on_help(about, update.update_id, language);
  } else if (query.data == "history") {
    co_await on_history(about, update.update_id, "", 0, language);
  } else if (query.data == "reset:yes" || query.data == "reset:no") {
    co_await on_reset_answer(about, query.data == "reset:yes", language);
  }
}

// Not coroutines on purpose, like text(): the keyboards are built from braced lists.
telegram::InlineKeyboard Bot::start_keyboard(std::string_view language) const {
  return {{{text(text::button_help, language), "help"},
           {text(text::button_history, language), "history"}}};
}

telegram::InlineKeyboard Bot::reset_keyboard(std::string_view language) const {
  return {{{text(text::button_reset_yes, language), "reset:yes"},
           {text(text::button_reset_no, language), "reset:no"}}};
}

}  // namespace tgkeep::bot
