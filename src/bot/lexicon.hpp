// Lexicon: the texts the bot sends, by key and language, with {name}-style placeholders.
//
// English and Russian are bundled (lexicon_texts.cpp, as data); set() adds or overrides texts,
// e.g. from the database. The language is picked from Telegram's `language_code` (an IETF tag:
// "ru", "ru-RU", "RU" -> "ru"; "pt-BR" -> "pt-br" if that language is present, else "pt"); a
// code with no texts, or none at all, gets English. A key missing in the chosen language falls
// back to its English text, and a key missing everywhere renders as the key itself, so a
// forgotten text shows up as "history_usage" rather than as an empty message.
//
// Placeholders are `{name}` with name made of letters, digits and '_'. Substituted values are not
// scanned again (a user called "{count}" stays "{count}"); a placeholder without a value, and
// any other '{', is kept as is. There is no escape syntax: none is needed while unknown
// placeholders are kept.
//
// Thread-safety: const member functions may run concurrently; set() must not run concurrently
// with anything else. To change texts while serving, build a new Lexicon and swap it in.
#pragma once

#include <array>
#include <functional>
#include <initializer_list>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tgkeep::bot {

// Keys of the reference bot's texts, with the placeholders each one expects.
namespace text {
inline constexpr std::string_view greeting = "greeting";  // {name}
inline constexpr std::string_view help = "help";          // (says /history shows 10 by default)
inline constexpr std::string_view history_header = "history_header";  // {count}
inline constexpr std::string_view history_empty = "history_empty";
inline constexpr std::string_view history_line_user = "history_line_user";            // {text}
inline constexpr std::string_view history_line_assistant = "history_line_assistant";  // {text}
inline constexpr std::string_view history_usage = "history_usage";                    // {max}
// /reset asks first, with buttons; a second /reset or the "forget" button within {seconds}
// confirms. A late second /reset simply asks again; a late button press says it expired.
inline constexpr std::string_view reset_confirm = "reset_confirm";  // {seconds}
inline constexpr std::string_view reset_done = "reset_done";
inline constexpr std::string_view reset_cancelled = "reset_cancelled";
inline constexpr std::string_view reset_expired = "reset_expired";
// Inline button labels.
inline constexpr std::string_view button_help = "button_help";
inline constexpr std::string_view button_history = "button_history";
inline constexpr std::string_view button_reset_yes = "button_reset_yes";
inline constexpr std::string_view button_reset_no = "button_reset_no";
inline constexpr std::string_view unknown_command = "unknown_command";  // {command}
// Quotas: {tariff} name, {limit}, {left}, {period} (a period_* text), {reset} ("2026-11-23 00:00").
inline constexpr std::string_view limit_reached = "limit_reached";  // {tariff} {limit} {period} {reset}
inline constexpr std::string_view limits_left = "limits_left";  // {tariff} {left} {limit} {period} {reset}
inline constexpr std::string_view period_hour = "period_hour";
inline constexpr std::string_view period_day = "period_day";
inline constexpr std::string_view period_week = "period_week";
inline constexpr std::string_view period_month = "period_month";
inline constexpr std::string_view error_temporary = "error_temporary";  // storage or API trouble

inline constexpr std::array all_keys = {
    greeting,          help,
    history_header,    history_empty,
    history_line_user, history_line_assistant,
    history_usage,     reset_confirm,
    reset_done,        unknown_command,
    limit_reached,     limits_left,
    error_temporary,   reset_cancelled,
    reset_expired,     button_help,
    button_history,    button_reset_yes,
    button_reset_no,   period_hour,
    period_day,        period_week,
    period_month,
};
}  // namespace text

// The language every key must exist in, and the one used when nothing else matches.
inline constexpr std::string_view kFallbackLanguage = "en";

// One bundled text; the table lives in lexicon_texts.cpp (also what a database is seeded with).
struct LexiconEntry {
  std::string_view language;
  std::string_view key;
  std::string_view text;
};
std::span<const LexiconEntry> bundled_lexicon_entries();

class Lexicon {
 public:
  using Args = std::initializer_list<std::pair<std::string_view, std::string_view>>;

  Lexicon() = default;  // empty: every key renders as itself

  // English and Russian, from bundled_lexicon_entries().
  static Lexicon bundled();

  // The language whose texts serve `language_code`; kFallbackLanguage when none matches.
  // The view stays valid as long as this Lexicon.
  std::string_view language_for(std::string_view language_code) const;

  // The text for `key` in the language for `language_code` (English if missing there, the key
  // itself if missing everywhere), with {name} placeholders replaced by `args`.
  std::string render(std::string_view key, std::string_view language_code, Args args = {}) const;

  // Adds or replaces one text. `language` is a tag as in language_for ("RU", "pt_BR" work).
  void set(std::string language, std::string key, std::string text);

  // The languages that have at least one text, sorted.
  std::vector<std::string> languages() const;

 private:
  using Texts = std::map<std::string, std::string, std::less<>>;  // key -> text
  const std::string* find(std::string_view language, std::string_view key) const;

  std::map<std::string, Texts, std::less<>> texts_;  // language -> texts
};

}  // namespace tgkeep::bot
