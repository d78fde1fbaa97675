// Reply statuses by name: the names are stored in both databases' messages.status (and checked
// there), so every status reads back as itself and the existing names never change.
#include <gtest/gtest.h>

#include <string_view>
#include <utility>

#include "storage/records.hpp"

namespace tgkeep::storage {
namespace {

TEST(ReplyStatusNames, EveryStatusRoundTripsUnderItsName) {
  const std::pair<ReplyStatus, std::string_view> names[] = {{ReplyStatus::pending, "pending"},
                                                            {ReplyStatus::sent, "sent"},
                                                            {ReplyStatus::failed, "failed"},
                                                            {ReplyStatus::resending, "resending"}};
  for (const auto& [status, name] : names) {
    EXPECT_EQ(reply_status_name(status), name);
    EXPECT_EQ(parse_reply_status(name), status) << name;
  }
  // Anything else reads as sent (user messages are stored as sent).
  EXPECT_EQ(parse_reply_status(""), ReplyStatus::sent);
  EXPECT_EQ(parse_reply_status("Resending"), ReplyStatus::sent);
}

}  // namespace
}  // namespace tgkeep::storage
