#include "bot/history_text.hpp"

namespace tgkeep::bot {
namespace {

constexpr std::size_t kLineBytes = 300;

// One line: newlines become spaces; cut at a UTF-8 boundary with an ellipsis.
std::string one_line(std::string_view text) {
  std::string out;
  out.reserve(std::min(text.size(), kLineBytes + 3));
  for (char c : text) {
    if (out.size() >= kLineBytes) {
      while (!out.empty() && (static_cast<unsigned char>(out.back()) & 0xC0) == 0x80)
        out.pop_back();
      if (!out.empty() && static_cast<unsigned char>(out.back()) >= 0xC0) out.pop_back();
      out += "…";
      break;
    }
    out += (c == '\n' || c == '\r') ? ' ' : c;
  }
  return out;
}

}  // namespace

std::string history_text(const Lexicon& lexicon, std::string_view language,
                         const std::vector<storage::MessageRecord>& recent,
                         std::int64_t asking_message_id, std::size_t count) {
  std::vector<const storage::MessageRecord*> shown;
  for (const auto& record : recent) {
    if (record.role == storage::Role::user && record.message_id == asking_message_id) continue;
    shown.push_back(&record);
  }
  if (shown.size() > count) shown.erase(shown.begin(), shown.end() - static_cast<long>(count));
  if (shown.empty()) return lexicon.render(text::history_empty, language);
  std::string out =
      lexicon.render(text::history_header, language, {{"count", std::to_string(shown.size())}});
  for (const auto* record : shown) {
    const auto key = record->role == storage::Role::user ? text::history_line_user
                                                         : text::history_line_assistant;
    out += '\n';
    out += lexicon.render(key, language, {{"text", one_line(record->text)}});
  }
  return out;
}

}  // namespace tgkeep::bot
