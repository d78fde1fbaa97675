#include "bot/lexicon.hpp"

namespace tgkeep::bot {

namespace {

// "RU" -> "ru", "pt_BR" -> "pt-br": Telegram sends IETF tags, databases and people vary.
std::string normalized_language(std::string_view code) {
  std::string out(code);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c == '_') c = '-';
  }
  return out;
}

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

std::string substitute(std::string_view text, Lexicon::Args args) {
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t open = text.find('{', i);
    if (open == std::string_view::npos) break;
    out.append(text, i, open - i);
    std::size_t end = open + 1;
    while (end < text.size() && is_name_char(text[end])) ++end;
    const std::string_view name = text.substr(open + 1, end - open - 1);
    const std::pair<std::string_view, std::string_view>* value = nullptr;
    if (!name.empty() && end < text.size() && text[end] == '}') {
      for (const auto& arg : args) {
        if (arg.first == name) {
          value = &arg;
          break;
        }
      }
    }
    if (value != nullptr) {
      out += value->second;
      i = end + 1;
    } else {
      out += '{';
      i = open + 1;
    }
  }
  if (i < text.size()) out.append(text, i);
  return out;
}

}  // namespace

Lexicon Lexicon::bundled() {
  Lexicon lexicon;
  for (const LexiconEntry& entry : bundled_lexicon_entries()) {
    lexicon.set(std::string(entry.language), std::string(entry.key), std::string(entry.text));
  }
  return lexicon;
}

std::string_view Lexicon::language_for(std::string_view language_code) const {
  const std::string tag = normalized_language(language_code);
  if (tag.empty()) return kFallbackLanguage;
  if (const auto it = texts_.find(tag); it != texts_.end()) return it->first;
  const std::string_view primary = std::string_view(tag).substr(0, tag.find('-'));
  if (const auto it = texts_.find(primary); it != texts_.end()) return it->first;
  return kFallbackLanguage;
}

std::string Lexicon::render(std::string_view key, std::string_view language_code, Args args) const {
  const std::string* text = find(language_for(language_code), key);
  if (text == nullptr) text = find(kFallbackLanguage, key);
  if (text == nullptr) return std::string(key);
  return substitute(*text, args);
}

void Lexicon::set(std::string language, std::string key, std::string text) {
  texts_[normalized_language(language)].insert_or_assign(std::move(key), std::move(text));
}

std::vector<std::string> Lexicon::languages() const {
  std::vector<std::string> out;
  out.reserve(texts_.size());
  for (const auto& [language, texts] : texts_) {
    if (!texts.empty()) out.push_back(language);
  }
  return out;
}

const std::string* Lexicon::find(std::string_view language, std::string_view key) const {
  const auto texts = texts_.find(language);
  if (texts == texts_.end()) return nullptr;
  const auto text = texts->second.find(key);
  return text == texts->second.end() ? nullptr : &text->second;
}

}  // namespace tgkeep::bot
