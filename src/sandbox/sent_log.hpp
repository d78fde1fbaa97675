// SentLog: everything the bot did to chats (sent, edited, deleted messages, chat actions,
// callback answers), in order, for tests to inspect through GET /_admin/sent.
//
// Each record gets a sequence number starting at 1. The log keeps at most `capacity` records
// (the oldest go first); sequence numbers keep counting. Not thread-safe; owned by BotState.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>

namespace tgkeep::sandbox {

struct SentRecord {
  std::int64_t seq = 0;
  std::string method;  // sendMessage, editMessageText, deleteMessage, sendChatAction, ...
  std::int64_t chat_id = 0;
  std::int64_t message_id = 0;
  std::int64_t date = 0;
  std::int64_t reply_to_message_id = 0;
  std::int64_t message_thread_id = 0;
  std::string text;  // message text; the action of sendChatAction; callback answer text
  std::string parse_mode;
  std::string entities_json;  // `[...]` or empty
  std::string reply_markup_json;
  std::string callback_query_id;
};

struct SentFilter {
  std::optional<std::int64_t> chat_id;
  std::int64_t since = 0;  // records with seq > since
  std::string method;      // empty: message methods only; "all": everything; else that method
  std::size_t limit = 0;   // 0: no limit
};

class SentLog {
 public:
  explicit SentLog(std::size_t capacity = 1'000'000) : capacity_(capacity) {}

  // Stores `record` with the next sequence number, which it returns.
  std::int64_t append(SentRecord record);
  // `[{"seq":1,"method":"sendMessage",...},...]`.
  std::string to_json(const SentFilter& filter) const;
  std::int64_t last_seq() const { return next_seq_ - 1; }
  std::size_t size() const { return records_.size(); }

 private:
  std::deque<SentRecord> records_;
  std::size_t capacity_;
  std::int64_t next_seq_ = 1;
};

}  // namespace tgkeep::sandbox
