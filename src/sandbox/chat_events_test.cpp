#include "sandbox/chat_events.hpp"

#include <gtest/gtest.h>

namespace tgkeep::sandbox {
namespace {

ChatEvent event(ChatEventKind kind, std::int64_t chat_id, std::int64_t id = 0) {
  return ChatEvent{0, kind, chat_id, id, {}, false};
}

std::vector<std::int64_t> seqs(const std::vector<const ChatEvent*>& events) {
  std::vector<std::int64_t> out;
  for (const ChatEvent* e : events) out.push_back(e->seq);
  return out;
}

TEST(ChatEventLog, NumbersEventsAndFiltersByChat) {
  ChatEventLog log;
  EXPECT_EQ(log.last_seq(), 0);
  EXPECT_EQ(log.append(event(ChatEventKind::message, 5, 1)), 1);
  EXPECT_EQ(log.append(event(ChatEventKind::message, 6, 1)), 2);
  EXPECT_EQ(log.append(event(ChatEventKind::user, 0, 42)), 3);  // concerns every chat
  EXPECT_EQ(log.append(event(ChatEventKind::edit, 5, 1)), 4);
  EXPECT_EQ(seqs(log.after(0, std::nullopt, 100)), (std::vector<std::int64_t>{1, 2, 3, 4}));
  EXPECT_EQ(seqs(log.after(1, 5, 100)), (std::vector<std::int64_t>{3, 4}));
  EXPECT_EQ(seqs(log.after(0, std::nullopt, 2)), (std::vector<std::int64_t>{1, 2}));
  EXPECT_TRUE(log.after(4, std::nullopt, 100).empty());
  EXPECT_FALSE(log.has_gap(0));
  EXPECT_FALSE(log.has_gap(4));
  EXPECT_TRUE(log.has_gap(5));  // from the future: the emulator restarted
}

TEST(ChatEventLog, EvictionAndClearAreGaps) {
  ChatEventLog log(3);
  for (int i = 0; i < 5; ++i) log.append(event(ChatEventKind::message, 1, i));
  EXPECT_EQ(log.size(), 3u);
  EXPECT_EQ(log.first_seq(), 3);
  EXPECT_TRUE(log.has_gap(1));   // event 2 is gone
  EXPECT_FALSE(log.has_gap(2));  // 3, 4, 5 are all there
  log.clear();
  EXPECT_EQ(log.size(), 0u);
  EXPECT_TRUE(log.has_gap(4));
  EXPECT_FALSE(log.has_gap(5));
  EXPECT_EQ(log.append(event(ChatEventKind::reset, 0)), 6);  // numbers keep counting
  EXPECT_EQ(seqs(log.after(5, 9, 10)), (std::vector<std::int64_t>{6}));
}

TEST(ChatEventLog, RemembersRecentCallbackOrigins) {
  ChatEventLog log;
  log.remember_callback("q1", CallbackOrigin{5, 7});
  ASSERT_TRUE(log.callback_origin("q1"));
  EXPECT_EQ(log.callback_origin("q1")->chat_id, 5);
  EXPECT_EQ(log.callback_origin("q1")->message_id, 7);
  EXPECT_FALSE(log.callback_origin("q2"));
  for (std::size_t i = 0; i < ChatEventLog::kCallbacksKept; ++i) {
    log.remember_callback("x" + std::to_string(i), CallbackOrigin{1, 1});
  }
  EXPECT_FALSE(log.callback_origin("q1"));  // the oldest went first
  EXPECT_TRUE(log.callback_origin("x0"));
}

TEST(ChatEventLog, KindNames) {
  EXPECT_EQ(chat_event_kind_name(ChatEventKind::deletion), "delete");
  EXPECT_EQ(chat_event_kind_name(ChatEventKind::callback_answer), "callback_answer");
  EXPECT_EQ(chat_event_kind_name(ChatEventKind::reset), "reset");
}

}  // namespace
}  // namespace tgkeep::sandbox
