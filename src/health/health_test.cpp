#include <gtest/gtest.h>

#include "health/health.hpp"

namespace tgkeep::health {
namespace {

using std::chrono::milliseconds;

TEST(Dependency, ChangesStateOnTheFirstFailureAndTheFirstSuccessOnly) {
  Dependency d("redis", "meanwhile");
  const auto t0 = Clock::now();
  d.succeeded(t0);
  EXPECT_TRUE(d.up());
  d.failed("connection refused", t0);
  d.failed("connection refused", t0);
  EXPECT_FALSE(d.up());
  EXPECT_EQ(d.went_down(), 1u);
  EXPECT_EQ(d.last_error(), "connection refused");
  d.succeeded(t0 + milliseconds(10));
  d.succeeded(t0 + milliseconds(20));
  EXPECT_TRUE(d.up());
  EXPECT_EQ(d.came_up(), 1u);
}

TEST(Dependency, ProbesWithGrowingPausesWhileDown) {
  Dependency d("postgres", "meanwhile", {milliseconds(100), milliseconds(1000), 2.0});
  const auto t0 = Clock::now();
  EXPECT_TRUE(d.worth_trying(t0));
  d.failed("down", t0);
  EXPECT_FALSE(d.probe_due(t0));
  EXPECT_FALSE(d.worth_trying(t0 + milliseconds(49)));
  EXPECT_TRUE(d.probe_due(t0 + milliseconds(100)));
  // A failed probe schedules the next one further away (equal jitter: at least half of 200 ms).
  const auto t1 = t0 + milliseconds(100);
  d.failed("still down", t1);
  EXPECT_FALSE(d.probe_due(t1 + milliseconds(99)));
  EXPECT_TRUE(d.probe_due(t1 + milliseconds(200)));
  d.succeeded(t1 + milliseconds(200));
  EXPECT_TRUE(d.worth_trying(t1 + milliseconds(200)));
}

TEST(Dependency, AFailureLoggedElsewhereIsCountedButNotLoggedAgain) {
  Dependency d("redis", "meanwhile");
  const auto t0 = Clock::now();
  d.failed_quietly("connection lost", t0);
  EXPECT_FALSE(d.up());
  EXPECT_EQ(d.went_down(), 1u);
  EXPECT_FALSE(d.probe_due(t0));
  d.succeeded(t0 + milliseconds(500));
  EXPECT_TRUE(d.up());
  EXPECT_EQ(d.came_up(), 1u);
}

TEST(Health, MetricsInPrometheusTextFormat) {
  Health h;
  h.postgres.failed("refused");
  const std::string text = h.metrics_text();
  EXPECT_NE(text.find("# TYPE tgkeep_dependency_up gauge\n"), std::string::npos);
  EXPECT_NE(text.find("tgkeep_dependency_up{dependency=\"redis\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("tgkeep_dependency_up{dependency=\"postgres\"} 0\n"), std::string::npos);
  EXPECT_NE(text.find("tgkeep_dependency_changes_total{dependency=\"postgres\",to=\"down\"} 1\n"),
            std::string::npos);
  EXPECT_NE(text.find("tgkeep_dependency_changes_total{dependency=\"spool\",to=\"up\"} 0\n"),
            std::string::npos);
  EXPECT_EQ(text.back(), '\n');
  h.has_redis = false;
  EXPECT_EQ(h.metrics_text().find("dependency=\"redis\""), std::string::npos);
}

}  // namespace
}  // namespace tgkeep::health
