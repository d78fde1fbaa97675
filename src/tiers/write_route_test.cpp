#include "tiers/write_route.hpp"

#include <gtest/gtest.h>

namespace tgkeep::tiers {
namespace {

using V = std::vector<Tier>;

TEST(WriteRoute, EachAckPointStartsItsChainAndGoesDownward) {
  health::Health h;
  WriteRoute redis(AckPoint::redis, true, true, h);
  redis.outbox_seen_empty();
  EXPECT_EQ(redis.plan(true, 0), (V{Tier::outbox, Tier::store, Tier::spool}));
  WriteRoute postgres(AckPoint::postgres, true, true, h);
  postgres.outbox_seen_empty();
  EXPECT_EQ(postgres.plan(true, 0), (V{Tier::store, Tier::spool}));
  WriteRoute local(AckPoint::local, true, true, h);
  local.outbox_seen_empty();
  EXPECT_EQ(local.plan(true, 0), (V{Tier::spool, Tier::store}));
}

TEST(WriteRoute, WithoutASpoolTheEmbeddedStoreIsTheWholeChain) {
  health::Health h;
  h.spool.failed("x");
  WriteRoute route(AckPoint::local, false, false, h);
  EXPECT_EQ(route.plan(false, 0), (V{Tier::store}));
}

TEST(WriteRoute, RedisGoneAndTheOutboxPossiblyBehindMeansTheSpoolNotPostgres) {
  health::Health h;
  WriteRoute route(AckPoint::redis, true, true, h);
  route.wrote_to_outbox();
  EXPECT_EQ(route.plan(false, 0), (V{Tier::spool}));
  route.outbox_seen_empty();
  EXPECT_EQ(route.plan(false, 0), (V{Tier::store, Tier::spool}));
}

TEST(WriteRoute, WhileTheSpoolHoldsRecordsNewOnesQueueBehindThem) {
  health::Health h;
  WriteRoute route(AckPoint::redis, true, true, h);
  route.outbox_seen_empty();
  EXPECT_EQ(route.plan(true, 5), (V{Tier::spool}));
  EXPECT_TRUE(route.spool_may_drain(5));
  route.wrote_to_outbox();
  EXPECT_FALSE(route.spool_may_drain(5));
  EXPECT_TRUE(route.outbox_worth_checking(5));
  EXPECT_FALSE(route.outbox_worth_checking(0));  // the outbox takes writes: a look would be stale
  WriteRoute local(AckPoint::local, true, true, h);
  EXPECT_TRUE(local.outbox_worth_checking(0));  // what the last run left there
  local.outbox_seen_empty();
  EXPECT_FALSE(local.outbox_worth_checking(0));
}

TEST(WriteRoute, ADownDependencyIsSkippedUntilItsProbeIsDue) {
  health::Health h;
  WriteRoute route(AckPoint::postgres, false, true, h);
  const auto t0 = health::Clock::now();
  h.postgres.failed("refused", t0);
  EXPECT_EQ(route.plan(false, 0, t0), (V{Tier::spool}));
  EXPECT_FALSE(route.spool_may_drain(3, t0));
  h.spool.failed("disk full", t0);
  EXPECT_TRUE(route.plan(false, 0, t0).empty());  // nothing takes writes: stop acknowledging
  const auto later = t0 + std::chrono::seconds(10);
  EXPECT_EQ(route.plan(false, 0, later), (V{Tier::store, Tier::spool}));
}

}  // namespace
}  // namespace tgkeep::tiers
