#include "sandbox/chat_events.hpp"

#include <algorithm>

namespace tgkeep::sandbox {

std::string_view chat_event_kind_name(ChatEventKind kind) {
  switch (kind) {
    case ChatEventKind::message:
      return "message";
    case ChatEventKind::edit:
      return "edit";
    case ChatEventKind::deletion:
      return "delete";
    case ChatEventKind::callback_answer:
      return "callback_answer";
    case ChatEventKind::action:
      return "action";
    case ChatEventKind::user:
      return "user";
    case ChatEventKind::chat:
      return "chat";
    case ChatEventKind::reset:
      return "reset";
  }
  return "message";
}

std::int64_t ChatEventLog::append(ChatEvent event) {
  event.seq = next_seq_++;
  if (events_.size() >= capacity_) {
    dropped_through_ = events_.front().seq;
    events_.pop_front();
  }
  events_.push_back(std::move(event));
  return events_.back().seq;
}

bool ChatEventLog::has_gap(std::int64_t since) const {
  return since < dropped_through_ || since > last_seq();
}

std::vector<const ChatEvent*> ChatEventLog::after(std::int64_t since,
                                                  std::optional<std::int64_t> chat_id,
                                                  std::size_t limit) const {
  std::vector<const ChatEvent*> out;
  auto it = std::upper_bound(events_.begin(), events_.end(), since,
                             [](std::int64_t s, const ChatEvent& e) { return s < e.seq; });
  for (; it != events_.end() && out.size() < limit; ++it) {
    if (chat_id && it->chat_id != 0 && it->chat_id != *chat_id) continue;
    out.push_back(&*it);
  }
  return out;
}

void ChatEventLog::clear() {
  events_.clear();
  dropped_through_ = last_seq();
  callback_order_.clear();
  callbacks_.clear();
}

void ChatEventLog::remember_callback(std::string query_id, CallbackOrigin origin) {
  if (callbacks_.size() >= kCallbacksKept && !callback_order_.empty()) {
    callbacks_.erase(callback_order_.front());
    callback_order_.pop_front();
  }
  if (callbacks_.insert_or_assign(query_id, origin).second) {
    callback_order_.push_back(std::move(query_id));
  }
}

std::optional<CallbackOrigin> ChatEventLog::callback_origin(std::string_view query_id) const {
  const auto it = callbacks_.find(std::string(query_id));
  if (it == callbacks_.end()) return std::nullopt;
  return it->second;
}

}  // namespace tgkeep::sandbox
