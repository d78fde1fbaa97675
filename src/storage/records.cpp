#include "storage/records.hpp"

namespace tgkeep::storage {

std::string_view role_name(Role role) {
  return role == Role::user ? "user" : "assistant";
}

std::string_view reply_status_name(ReplyStatus status) {
  switch (status) {
    case ReplyStatus::pending:
      return "pending";
    case ReplyStatus::sent:
      return "sent";
    case ReplyStatus::failed:
      return "failed";
    case ReplyStatus::resending:
      return "resending";
  }
  return "pending";
}

ReplyStatus parse_reply_status(std::string_view name) {
  if (name == "pending") return ReplyStatus::pending;
  if (name == "failed") return ReplyStatus::failed;
  if (name == "resending") return ReplyStatus::resending;
  return ReplyStatus::sent;
}

}  // namespace tgkeep::storage
