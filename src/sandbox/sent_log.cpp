#include "sandbox/sent_log.hpp"

#include <algorithm>

#include "sandbox/json_text.hpp"

namespace tgkeep::sandbox {
namespace {

bool is_message_method(std::string_view method) {
  return method == "sendMessage" || method == "editMessageText" || method == "deleteMessage";
}

bool matches(const SentRecord& r, const SentFilter& f) {
  if (f.chat_id && r.chat_id != *f.chat_id) return false;
  if (f.method.empty()) return is_message_method(r.method);
  return f.method == "all" || f.method == r.method;
}

void append_record(std::string& out, const SentRecord& r) {
  out += "{\"seq\":";
  append_int(out, r.seq);
  append_member(out, "method", std::string_view(r.method));
  if (r.chat_id != 0) append_member(out, "chat_id", r.chat_id);
  if (r.message_id != 0) append_member(out, "message_id", r.message_id);
  if (r.method == "sendChatAction") {
    append_member(out, "action", std::string_view(r.text));
  } else if (r.method != "deleteMessage") {
    append_member(out, "text", std::string_view(r.text));
  }
  append_member(out, "date", r.date);
  if (r.reply_to_message_id != 0) append_member(out, "reply_to_message_id", r.reply_to_message_id);
  if (r.message_thread_id != 0) append_member(out, "message_thread_id", r.message_thread_id);
  if (!r.parse_mode.empty()) append_member(out, "parse_mode", std::string_view(r.parse_mode));
  if (!r.entities_json.empty()) append_member_raw(out, "entities", r.entities_json);
  if (!r.reply_markup_json.empty()) append_member_raw(out, "reply_markup", r.reply_markup_json);
  if (!r.callback_query_id.empty()) {
    append_member(out, "callback_query_id", std::string_view(r.callback_query_id));
  }
  out += '}';
}

}  // namespace

std::int64_t SentLog::append(SentRecord record) {
  record.seq = next_seq_++;
  if (records_.size() >= capacity_) records_.pop_front();
  records_.push_back(std::move(record));
  return records_.back().seq;
}

std::string SentLog::to_json(const SentFilter& filter) const {
  auto it = std::upper_bound(records_.begin(), records_.end(), filter.since,
                             [](std::int64_t since, const SentRecord& r) { return since < r.seq; });
  std::string out = "[";
  std::size_t count = 0;
  for (; it != records_.end(); ++it) {
    if (!matches(*it, filter)) continue;
    if (count != 0) out += ',';
    append_record(out, *it);
    if (++count == filter.limit) break;
  }
  out += ']';
  return out;
}

}  // namespace tgkeep::sandbox
