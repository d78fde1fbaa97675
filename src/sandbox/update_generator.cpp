#include "sandbox/update_generator.hpp"

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "sandbox/json_text.hpp"
#include "sandbox/message_json.hpp"

namespace tgkeep::sandbox {
namespace {

constexpr std::int64_t kMaxCount = 5'000'000;
constexpr std::int64_t kMaxChats = 1'000'000;

constexpr std::array<std::string_view, 16> kFirstNames = {
    "Анна",  "Иван", "Мария", "Дмитрий", "Олена", "Сергей", "Ольга", "Алексей",
    "Alice", "Bob",  "Carol", "Dave",    "Eve",   "Frank",  "Grace", "Heidi"};
constexpr std::array<std::string_view, 6> kLanguages = {"ru", "ru", "en", "uk", "de", "es"};
constexpr std::array<std::string_view, 24> kCyrillic = {
    "привет", "как",     "дела",    "спасибо", "сегодня", "погода",   "хорошо",    "вопрос",
    "ответ",  "бот",     "можно",   "узнать",  "цена",    "тариф",    "помощь",    "история",
    "завтра", "встреча", "отлично", "почему",  "когда",   "работает", "сообщение", "да"};
constexpr std::array<std::string_view, 24> kAscii = {
    "hello", "world", "please", "help", "thanks", "what", "is",    "the",
    "price", "today", "can",    "you",  "tell",   "me",   "about", "plan",
    "ok",    "great", "why",    "when", "does",   "this", "work",  "again"};
constexpr std::array<std::string_view, 10> kEmoji = {"😀",    "👍", "🔥", "❤️", "🎉",
                                                     "🤖", "✅", "🙏", "😂",      "🚀"};
constexpr std::array<std::string_view, 4> kCommands = {"/start", "/help", "/history",
                                                       "/history 10"};

// SplitMix64: small, fast and the same on every platform (unlike std distributions).
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  std::size_t below(std::size_t n) { return static_cast<std::size_t>(next() % n); }
  double unit() { return static_cast<double>(next() >> 11) * (1.0 / 9007199254740992.0); }

 private:
  std::uint64_t state_;
};

void make_text(Rng& rng, std::size_t target, std::string& text) {
  text.clear();
  const std::size_t style = rng.below(20);  // 0-9 Cyrillic, 10-16 ASCII, 17-19 mixed
  while (text.size() < target) {
    if (!text.empty()) text += ' ';
    if (style < 10) {
      text += kCyrillic[rng.below(kCyrillic.size())];
    } else if (style < 17) {
      text += kAscii[rng.below(kAscii.size())];
    } else {
      const std::size_t pick = rng.below(3);
      text += pick == 0 ? kEmoji[rng.below(kEmoji.size())]
                        : (pick == 1 ? kCyrillic[rng.below(kCyrillic.size())]
                                     : kAscii[rng.below(kAscii.size())]);
    }
  }
  if (rng.below(4) == 0) text += rng.below(2) == 0 ? "?" : "!";
}

}  // namespace

Result<GenerateResult> generate_updates(BotState& bot, const GenerateSpec& spec,
                                        const Instant& now) {
  if (spec.count < 1 || spec.count > kMaxCount) {
    return Error::invalid("count must be between 1 and " + std::to_string(kMaxCount));
  }
  if (spec.chats < 1 || spec.chats > kMaxChats) {
    return Error::invalid("chats must be between 1 and " + std::to_string(kMaxChats));
  }
  if (spec.command_ratio < 0 || spec.command_ratio > 1) {
    return Error::invalid("command_ratio must be between 0 and 1");
  }
  if (spec.text_len < 1 || spec.text_len > 4000) {
    return Error::invalid("text_len must be between 1 and 4000");
  }
  if (spec.first_user_id < 1) return Error::invalid("first_user_id must be positive");

  Rng rng(spec.seed);
  // Each chat's `"from":{...},"chat":{...}` fragment, rendered once.
  std::vector<std::string> senders(static_cast<std::size_t>(spec.chats));
  std::vector<Chat*> chats(senders.size());
  bot.chats.reserve(bot.chats.chat_count() + senders.size());
  for (std::size_t i = 0; i < senders.size(); ++i) {
    UserInfo user;
    user.id = spec.first_user_id + static_cast<std::int64_t>(i);
    user.first_name = std::string(kFirstNames[rng.below(kFirstNames.size())]);
    if (rng.below(3) != 0) user.username = "user" + std::to_string(user.id);
    user.language_code = std::string(kLanguages[rng.below(kLanguages.size())]);
    const UserInfo& stored = bot.chats.upsert_user(user);
    chats[i] = &bot.chats.ensure_chat(user.id, ChatType::private_chat);
    std::string& s = senders[i];
    s = ",\"from\":";
    append_user_json(s, stored);
    s += ",\"chat\":";
    append_chat_json(s, *chats[i]);
  }

  GenerateResult result;
  std::string text;
  for (std::int64_t n = 0; n < spec.count; ++n) {
    const std::size_t c = rng.below(senders.size());
    const bool command = rng.unit() < spec.command_ratio;
    if (command) {
      text = kCommands[rng.below(kCommands.size())];
    } else {
      const auto len = static_cast<std::size_t>(spec.text_len);
      make_text(rng, len / 2 + rng.below(len + 1), text);
    }
    const std::int64_t update_id = bot.updates.allocate_id();
    std::string json;
    json.reserve(64 + senders[c].size() + text.size() + (command ? 64 : 16));
    json += "{\"update_id\":";
    append_int(json, update_id);
    json += ",\"message\":{\"message_id\":";
    append_int(json, chats[c]->allocate_message_id());
    json += senders[c];
    append_member(json, "date", now.unix_time);
    append_member(json, "text", std::string_view(text));
    if (command) append_member_raw(json, "entities", command_entities_json(text));
    json += "}}";
    bot.push_update(update_id, "message", std::move(json));
    if (n == 0) result.first = update_id;
    result.last = update_id;
  }
  result.count = spec.count;
  return result;
}

}  // namespace tgkeep::sandbox
