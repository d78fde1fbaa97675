#include "sandbox/update_queue.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace tgkeep::sandbox {
namespace {

std::string update_json(std::int64_t id, std::string_view type = "message") {
  return "{\"update_id\":" + std::to_string(id) + ",\"" + std::string(type) + "\":{}}";
}

// A queue holding updates first..last (all `message`).
UpdateQueue queue_with(std::int64_t first, std::int64_t last) {
  UpdateQueue q(first);
  for (std::int64_t id = first; id <= last; ++id)
    q.push(q.allocate_id(), "message", update_json(id));
  return q;
}

std::vector<std::int64_t> ids(const UpdateBatch& batch) {
  std::vector<std::int64_t> out;
  for (const StoredUpdate* u : batch.updates) out.push_back(u->id);
  return out;
}

const UpdateTypeMask kAll = all_update_types();

TEST(UpdateQueue, NoOffsetStartsAtEarliestAndConfirmsNothing) {
  UpdateQueue q = queue_with(1, 5);
  EXPECT_EQ(ids(q.take(0, 100, kAll)), (std::vector<std::int64_t>{1, 2, 3, 4, 5}));
  EXPECT_EQ(ids(q.take(0, 2, kAll)), (std::vector<std::int64_t>{1, 2}));
  EXPECT_EQ(q.pending(), 5u);
}

TEST(UpdateQueue, OffsetConfirmsAndForgetsEarlierUpdates) {
  UpdateQueue q = queue_with(1, 5);
  EXPECT_EQ(ids(q.take(4, 100, kAll)), (std::vector<std::int64_t>{4, 5}));
  EXPECT_EQ(q.pending(), 2u);
  EXPECT_EQ(q.confirmed_offset(), 4);
  // Forgotten for good: offset 0 now starts at 4.
  EXPECT_EQ(ids(q.take(0, 100, kAll)), (std::vector<std::int64_t>{4, 5}));
  EXPECT_TRUE(q.take(6, 100, kAll).updates.empty());
  EXPECT_EQ(q.pending(), 0u);
}

TEST(UpdateQueue, NegativeOffsetReturnsTheLastUpdatesAndForgetsTheRest) {
  UpdateQueue q = queue_with(10, 19);
  EXPECT_EQ(ids(q.take(-3, 100, kAll)), (std::vector<std::int64_t>{17, 18, 19}));
  EXPECT_EQ(q.pending(), 3u);
  EXPECT_EQ(ids(q.take(-100, 100, kAll)), (std::vector<std::int64_t>{17, 18, 19}));
  EXPECT_EQ(ids(q.take(-1, 100, kAll)), (std::vector<std::int64_t>{19}));
}

TEST(UpdateQueue, NegativeOffsetOnAnEmptyQueueIsHarmless) {
  UpdateQueue q(1);
  EXPECT_TRUE(q.take(-1, 100, kAll).updates.empty());
  q.push(q.allocate_id(), "message", update_json(1));
  EXPECT_EQ(ids(q.take(0, 100, kAll)), (std::vector<std::int64_t>{1}));
}

TEST(UpdateQueue, OffsetFarInTheFutureIsIgnoredLikeTelegram) {
  UpdateQueue q = queue_with(1, 3);
  EXPECT_EQ(ids(q.take(1000, 100, kAll)), (std::vector<std::int64_t>{1, 2, 3}));
  EXPECT_EQ(q.pending(), 3u);
  // Within the slack (next id + 10) everything is confirmed.
  EXPECT_TRUE(q.take(14, 100, kAll).updates.empty());
  EXPECT_EQ(q.pending(), 0u);
}

TEST(UpdateQueue, LimitBoundsTheBatch) {
  UpdateQueue q = queue_with(1, 250);
  EXPECT_EQ(q.take(0, 100, kAll).updates.size(), 100u);
  const UpdateBatch batch = q.take(101, 100, kAll);
  EXPECT_EQ(batch.updates.front()->id, 101);
  EXPECT_EQ(batch.updates.back()->id, 200);
}

TEST(UpdateQueue, ResultJsonConcatenatesStoredUpdates) {
  UpdateQueue q = queue_with(7, 8);
  EXPECT_EQ(q.take(0, 100, kAll).result_json(),
            "[{\"update_id\":7,\"message\":{}},{\"update_id\":8,\"message\":{}}]");
  EXPECT_EQ(q.take(9, 100, kAll).result_json(), "[]");
}

TEST(UpdateQueue, AllowedUpdatesDropFilteredTypesForGood) {
  UpdateQueue q(1);
  q.push(1, "message", update_json(1));
  q.push(2, "callback_query", update_json(2, "callback_query"));
  q.push(3, "message", update_json(3));
  q.push(4, "some_future_type", update_json(4, "some_future_type"));
  const UpdateTypeMask only_callbacks = *parse_allowed_updates("[\"callback_query\"]");
  EXPECT_EQ(ids(q.take(0, 100, only_callbacks)), (std::vector<std::int64_t>{2, 4}));
  EXPECT_EQ(q.pending(), 2u);
  // The messages were passed over: widening the filter does not bring them back.
  EXPECT_EQ(ids(q.take(0, 100, kAll)), (std::vector<std::int64_t>{2, 4}));
}

TEST(UpdateQueue, DefaultFilterDeliversInjectedChatMemberAndReactions) {
  UpdateQueue q(1);
  q.push(1, "chat_member", update_json(1, "chat_member"));
  q.push(2, "message_reaction", update_json(2, "message_reaction"));
  q.push(3, "message", update_json(3));
  EXPECT_EQ(ids(q.take(0, 100, kAll)), (std::vector<std::int64_t>{1, 2, 3}));
  q.push(4, "chat_member", update_json(4, "chat_member"));
  EXPECT_EQ(q.take(4, 100, *parse_allowed_updates("[\"message\"]")).updates.size(), 0u);
}

TEST(UpdateQueue, ExplicitIdsMayRepeatOrGoBackwards) {
  UpdateQueue q(1);
  q.push(5, "message", update_json(5));
  q.push(3, "message", update_json(3));
  q.push(5, "message", update_json(5));
  EXPECT_EQ(q.next_id(), 6);
  EXPECT_EQ(ids(q.take(0, 100, kAll)), (std::vector<std::int64_t>{3, 5, 5}));
  EXPECT_EQ(ids(q.take(4, 100, kAll)), (std::vector<std::int64_t>{5, 5}));
}

TEST(UpdateQueue, ClearForgetsEverythingButKeepsIdsIncreasing) {
  UpdateQueue q = queue_with(1, 3);
  q.clear();
  EXPECT_EQ(q.pending(), 0u);
  EXPECT_EQ(q.allocate_id(), 4);
}

TEST(AllowedUpdates, ParsesLikeTelegram) {
  EXPECT_FALSE(parse_allowed_updates(""));
  EXPECT_FALSE(parse_allowed_updates("message,callback_query"));  // not JSON: keep previous
  EXPECT_EQ(*parse_allowed_updates("[]"), all_update_types());
  EXPECT_EQ(*parse_allowed_updates("[\"nonsense\"]"), all_update_types());
  const UpdateTypeMask mask = *parse_allowed_updates("[\"Message\",\"chat_member\",\"x\"]");
  EXPECT_EQ(allowed_updates_json(mask), "[\"message\",\"chat_member\"]");
}

}  // namespace
}  // namespace tgkeep::sandbox
