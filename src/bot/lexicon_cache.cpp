#include "bot/lexicon_cache.hpp"

#include <spdlog/spdlog.h>

#include "storage/store_awaitable.hpp"

namespace tgkeep::bot {

namespace asio = boost::asio;

Lexicon lexicon_with(const std::vector<storage::LexiconText>& texts) {
  Lexicon lexicon = Lexicon::bundled();
  for (const auto& entry : texts) lexicon.set(entry.language, entry.key, entry.text);
  return lexicon;
}

namespace {
bool same_texts(const std::vector<storage::LexiconText>& a,
                const std::vector<storage::LexiconText>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i].language != b[i].language || a[i].key != b[i].key || a[i].text != b[i].text)
      return false;
  }
  return true;
}
}  // namespace

asio::awaitable<void> LexiconCache::reload(tiers::Tiers& tiers) {
  auto texts = co_await storage::await_result<std::vector<storage::LexiconText>>(
      [&](auto done) { tiers.store().lexicon_texts(std::move(done)); });
  if (!texts) {
    spdlog::warn("lexicon: the operator's texts could not be read ({}); keeping the current ones",
                 texts.error().message);
    co_return;
  }
  if (same_texts(*texts, loaded_)) co_return;
  current_ = std::make_shared<const Lexicon>(lexicon_with(*texts));
  spdlog::info("lexicon: {} text(s) of the operator in use", texts->size());
  loaded_ = std::move(texts).value();
}

asio::awaitable<void> LexiconCache::watch(tiers::Tiers& tiers, StopSignal& stop) {
  co_await reload(tiers);
  auto since_store_read = std::chrono::steady_clock::now();
  while (!stop.stopping()) {
    co_await stop.sleep(std::chrono::seconds(1));
    if (stop.stopping()) break;
    if (tiers.hot() && tiers.hot()->up()) {
      auto version = co_await tiers.hot()->lexicon_version();
      if (!version) continue;
      if (version_ && *version_ != *version) co_await reload(tiers);
      version_ = *version;
    } else if (std::chrono::steady_clock::now() - since_store_read >= std::chrono::seconds(10)) {
      since_store_read = std::chrono::steady_clock::now();
      co_await reload(tiers);
    }
  }
}

}  // namespace tgkeep::bot
