#include "tiers/write_route.hpp"

namespace tgkeep::tiers {

WriteRoute::WriteRoute(AckPoint ack, bool has_outbox, bool has_spool, health::Health& health)
    : ack_(ack), has_outbox_(has_outbox), has_spool_(has_spool), health_(health) {}

TierPlan WriteRoute::plan(bool redis_connected, std::uint64_t spool_rows,
                          health::Clock::time_point now) const {
  TierPlan open;
  if (!has_spool_) {
    open.push_back(Tier::store);
    return open;
  }
  const bool spool_empty = spool_rows == 0;
  const auto usable = [&](Tier tier) {
    switch (tier) {
      case Tier::outbox:
        return has_outbox_ && redis_connected && spool_empty;
      case Tier::store:
        return spool_empty && !outbox_may_lag() && health_.postgres.worth_trying(now);
      case Tier::spool:
        return health_.spool.worth_trying(now);
    }
    return false;
  };
  static constexpr std::array kRedis = {Tier::outbox, Tier::store, Tier::spool};
  static constexpr std::array kPostgres = {Tier::store, Tier::spool};
  static constexpr std::array kLocal = {Tier::spool, Tier::store};
  const auto add = [&](const auto& chain) {
    for (Tier tier : chain) {
      if (usable(tier)) open.push_back(tier);
    }
  };
  switch (ack_) {
    case AckPoint::redis:
      add(kRedis);
      break;
    case AckPoint::postgres:
      add(kPostgres);
      break;
    case AckPoint::local:
      add(kLocal);
      break;
  }
  return open;
}

bool WriteRoute::spool_may_drain(std::uint64_t spool_rows, health::Clock::time_point now) const {
  return has_spool_ && spool_rows > 0 && !outbox_may_lag() && health_.postgres.worth_trying(now);
}

}  // namespace tgkeep::tiers
