#include "tiers/write_route.hpp"

namespace tgkeep::tiers {

std::string_view ack_point_name(AckPoint ack) {
  switch (ack) {
    case AckPoint::redis:
      return "redis";
    case AckPoint::postgres:
      return "postgres";
    case AckPoint::local:
      return "local";
  }
  return "?";
}

std::string_view tier_name(Tier tier) {
  switch (tier) {
    case Tier::outbox:
      return "the Redis outbox";
    case Tier::store:
      return "the system of record";
    case Tier::spool:
      return "the local spool";
  }
  return "?";
}

WriteRoute::WriteRoute(AckPoint ack, bool has_outbox, bool has_spool, health::Health& health)
    : ack_(ack), has_outbox_(has_outbox), has_spool_(has_spool), health_(health) {}

std::vector<Tier> WriteRoute::plan(bool redis_connected, std::uint64_t spool_rows,
                                   health::Clock::time_point now) const {
  if (!has_spool_) return {Tier::store};
  const bool spool_empty = spool_rows == 0;
  const bool outbox_open = has_outbox_ && redis_connected && spool_empty;
  const bool store_open = spool_empty && !outbox_may_lag() && health_.postgres.worth_trying(now);
  const bool spool_open = health_.spool.worth_trying(now);
  std::vector<Tier> chain;
  switch (ack_) {
    case AckPoint::redis:
      chain = {Tier::outbox, Tier::store, Tier::spool};
      break;
    case AckPoint::postgres:
      chain = {Tier::store, Tier::spool};
      break;
    case AckPoint::local:
      chain = {Tier::spool, Tier::store};
      break;
  }
  std::vector<Tier> open;
  for (Tier tier : chain) {
    const bool usable = tier == Tier::outbox  ? outbox_open
                        : tier == Tier::store ? store_open
                                              : spool_open;
    if (usable) open.push_back(tier);
  }
  return open;
}

bool WriteRoute::spool_may_drain(std::uint64_t spool_rows, health::Clock::time_point now) const {
  return has_spool_ && spool_rows > 0 && !outbox_may_lag() && health_.postgres.worth_trying(now);
}

}  // namespace tgkeep::tiers
