// LexiconCache: the lexicon the bot renders from, kept in process: the bundled texts with the
// operator's texts from the system of record on top (`tgkeep lexicon set`). watch() reloads it
// when the texts change: with Redis, when the lexicon's version key moves (any instance, or the
// CLI, bumps it), checked every second; without Redis, by re-reading the system of record every
// 10 s. A reload builds a new Lexicon and swaps it in; nothing holds the old one across an await.
// Thread-safety: the event loop thread only.
#pragma once

#include <memory>
#include <optional>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "bot/lexicon.hpp"
#include "bot/stop_signal.hpp"
#include "storage/records.hpp"
#include "tiers/tiers.hpp"

namespace tgkeep::bot {

// The bundled lexicon with `texts` applied over it.
Lexicon lexicon_with(const std::vector<storage::LexiconText>& texts);

class LexiconCache {
 public:
  LexiconCache() : current_(std::make_shared<Lexicon>(Lexicon::bundled())) {}

  const Lexicon& get() const { return *current_; }

  // Loads the operator's texts now; an error is logged and the current texts stay.
  boost::asio::awaitable<void> reload(tiers::Tiers& tiers);

  // Reloads on changes until a stop is requested.
  boost::asio::awaitable<void> watch(tiers::Tiers& tiers, StopSignal& stop);

 private:
  std::shared_ptr<const Lexicon> current_;
  std::vector<storage::LexiconText> loaded_;
  std::optional<std::int64_t> version_;
};

}  // namespace tgkeep::bot
