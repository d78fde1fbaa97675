// A reply's state string in Redis (claim_reply, add_reply_settled): every status reads back as
// itself, and the strings written before resending existed still read as they did.
#include <gtest/gtest.h>

#include "sync/outbox_stream.hpp"

namespace tgkeep::sync {
namespace {

using storage::ReplyStatus;

TEST(ReplyStateText, EveryStatusRoundTrips) {
  EXPECT_EQ(reply_state_text(ReplyStatus::pending, std::nullopt), "p");
  EXPECT_EQ(reply_state_text(ReplyStatus::failed, std::nullopt), "f");
  EXPECT_EQ(reply_state_text(ReplyStatus::resending, std::nullopt), "r");
  EXPECT_EQ(reply_state_text(ReplyStatus::sent, 77), "s:77");
  EXPECT_EQ(reply_state_text(ReplyStatus::sent, std::nullopt), "s");

  for (auto status : {ReplyStatus::pending, ReplyStatus::failed, ReplyStatus::resending}) {
    const auto state = parse_reply_state(reply_state_text(status, std::nullopt));
    EXPECT_TRUE(state.existed);
    EXPECT_EQ(state.status, status);
    EXPECT_FALSE(state.message_id);
  }
  const auto sent = parse_reply_state("s:77");
  EXPECT_EQ(sent.status, ReplyStatus::sent);
  EXPECT_EQ(sent.message_id, 77);
  EXPECT_EQ(parse_reply_state("s").status, ReplyStatus::sent);
}

}  // namespace
}  // namespace tgkeep::sync
