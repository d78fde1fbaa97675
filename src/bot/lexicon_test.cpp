#include "bot/lexicon.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>

namespace tgkeep::bot {
namespace {

std::set<std::string> placeholders(std::string_view s) {
  std::set<std::string> out;
  for (std::size_t open = s.find('{'); open != std::string_view::npos;
       open = s.find('{', open + 1)) {
    const std::size_t close = s.find('}', open);
    if (close != std::string_view::npos) out.emplace(s.substr(open + 1, close - open - 1));
  }
  return out;
}

TEST(Lexicon, ChoosesRussianForRussianCodes) {
  const Lexicon lexicon = Lexicon::bundled();
  for (std::string_view code : {"ru", "ru-RU", "RU", "ru_RU", "Ru", "ru-Latn-RU"}) {
    EXPECT_EQ(lexicon.language_for(code), "ru") << code;
  }
}

TEST(Lexicon, EverythingElseGetsEnglish) {
  const Lexicon lexicon = Lexicon::bundled();
  for (std::string_view code : {"", "en", "en-US", "EN", "de", "uk", "r", "rus", "-ru", " ru",
                                "ru ", "\xff\xfe", "русский"}) {
    EXPECT_EQ(lexicon.language_for(code), "en") << code;
  }
}

TEST(Lexicon, RendersBundledTexts) {
  const Lexicon lexicon = Lexicon::bundled();
  EXPECT_EQ(lexicon.render(text::greeting, "en", {{"name", "Ann"}}),
            "Hello, Ann! I keep every message of this chat. Write anything, or send /help.");
  EXPECT_EQ(lexicon.render(text::history_usage, "ru-RU", {{"max", "50"}}),
            "Использование: /history [n], где n — число от 1 до 50.");
  EXPECT_EQ(lexicon.render(text::history_line_assistant, "de", {{"text", "hi"}}), "bot: hi");
}

TEST(Lexicon, EveryKeyExistsInEveryBundledLanguageWithTheSamePlaceholders) {
  const Lexicon lexicon = Lexicon::bundled();
  EXPECT_EQ(lexicon.languages(), (std::vector<std::string>{"en", "ru"}));
  std::set<std::pair<std::string_view, std::string_view>> seen;
  for (const LexiconEntry& e : bundled_lexicon_entries()) {
    EXPECT_TRUE(seen.emplace(e.language, e.key).second) << "duplicate " << e.key;
    EXPECT_NE(std::find(text::all_keys.begin(), text::all_keys.end(), e.key), text::all_keys.end())
        << "not in text::all_keys: " << e.key;
  }
  for (std::string_view key : text::all_keys) {
    const LexiconEntry* en = nullptr;
    const LexiconEntry* ru = nullptr;
    for (const LexiconEntry& e : bundled_lexicon_entries()) {
      if (e.key != key) continue;
      if (e.language == "en") en = &e;
      if (e.language == "ru") ru = &e;
    }
    ASSERT_NE(en, nullptr) << key;
    ASSERT_NE(ru, nullptr) << key;
    EXPECT_EQ(placeholders(en->text), placeholders(ru->text)) << key;
    EXPECT_EQ(lexicon.render(key, "en"), en->text);
    EXPECT_EQ(lexicon.render(key, "ru"), ru->text);
  }
}

TEST(Lexicon, FallsBackToEnglishPerKey) {
  Lexicon lexicon = Lexicon::bundled();
  lexicon.set("en", "only_in_english", "English only, {name}");
  EXPECT_EQ(lexicon.render("only_in_english", "ru", {{"name", "Анна"}}), "English only, Анна");

  // A partial language: its own texts where present, English elsewhere.
  lexicon.set("de", std::string(text::greeting), "Hallo, {name}!");
  EXPECT_EQ(lexicon.language_for("de-AT"), "de");
  EXPECT_EQ(lexicon.render(text::greeting, "de-AT", {{"name", "Jörg"}}), "Hallo, Jörg!");
  EXPECT_EQ(lexicon.render(text::history_empty, "de"), "This chat has no stored messages yet.");
}

TEST(Lexicon, MissingKeyEverywhereRendersAsTheKey) {
  const Lexicon lexicon = Lexicon::bundled();
  EXPECT_EQ(lexicon.render("no_such_key", "ru", {{"x", "y"}}), "no_such_key");
  EXPECT_EQ(Lexicon().render(text::greeting, "en"), "greeting");
  EXPECT_EQ(Lexicon().language_for("ru"), "en");
  EXPECT_TRUE(Lexicon().languages().empty());
}

TEST(Lexicon, SubstitutesCyrillicAndEmojiArguments) {
  const Lexicon lexicon = Lexicon::bundled();
  EXPECT_EQ(lexicon.render(text::greeting, "ru", {{"name", "Анна 🌸"}}),
            "Здравствуйте, Анна 🌸! Я сохраняю каждое сообщение этого чата. Напишите "
            "что-нибудь или отправьте /help.");
  EXPECT_EQ(lexicon.render(text::limits_left, "ru",
                           {{"tariff", "free"},
                            {"left", "3"},
                            {"limit", "10"},
                            {"period", "день"},
                            {"reset", "2026-11-23 00:00"}}),
            "Тариф «free»: осталось 3 из 10 сообщений за период «день». Лимит обновится "
            "2026-11-23 00:00 UTC.");
  EXPECT_EQ(lexicon.render(text::history_line_user, "ru", {{"text", "👍🏽 ок"}}),
            "вы: 👍🏽 ок");
}

TEST(Lexicon, UnknownOrMalformedPlaceholdersAreKept) {
  Lexicon lexicon;
  lexicon.set("en", "k", "Hi {name}, {unknown} { } {} {na-me} {{name}} {name");
  EXPECT_EQ(lexicon.render("k", "en", {{"name", "Ann"}}),
            "Hi Ann, {unknown} { } {} {na-me} {Ann} {name");
  EXPECT_EQ(lexicon.render(text::greeting, "en"), "greeting");  // no such key here
  const Lexicon bundled = Lexicon::bundled();
  EXPECT_EQ(bundled.render(text::greeting, "en").substr(0, 14), "Hello, {name}!");
}

TEST(Lexicon, ArgumentsAreNotScannedAgain) {
  Lexicon lexicon;
  lexicon.set("en", "k", "{a} and {b}");
  EXPECT_EQ(lexicon.render("k", "en", {{"a", "{b}"}, {"b", "B"}}), "{b} and B");
  EXPECT_EQ(lexicon.render("k", "en", {{"a", "1"}, {"a", "2"}}), "1 and {b}");
}

TEST(Lexicon, SetOverridesAndNormalizesTheLanguage) {
  Lexicon lexicon = Lexicon::bundled();
  lexicon.set("RU", std::string(text::greeting), "Привет, {name}!");
  EXPECT_EQ(lexicon.render(text::greeting, "ru", {{"name", "Ян"}}), "Привет, Ян!");
  EXPECT_EQ(lexicon.render(text::reset_done, "ru"), "Готово: история этого чата удалена.");

  lexicon.set("pt_BR", std::string(text::greeting), "Olá, {name}!");
  EXPECT_EQ(lexicon.language_for("pt-BR"), "pt-br");
  EXPECT_EQ(lexicon.language_for("pt"), "en");  // only the regional variant exists
  EXPECT_EQ(lexicon.render(text::greeting, "pt_br", {{"name", "Ana"}}), "Olá, Ana!");
  EXPECT_EQ(lexicon.languages(), (std::vector<std::string>{"en", "pt-br", "ru"}));
}

}  // namespace
}  // namespace tgkeep::bot
