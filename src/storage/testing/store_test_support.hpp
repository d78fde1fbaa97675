// Test support for every storage::Store backend's tests: waiting for a completion on the test's
// thread, and the records the tests store (a message update, its edit, a reply keyed as the bot
// keys them). Header-only; test code only.
#pragma once

#include <cstdint>
#include <future>
#include <memory>
#include <string>
#include <utility>

#include "storage/records.hpp"
#include "util/result.hpp"

namespace tgkeep::storage::testing {

// Starts an asynchronous call and waits for its completion: await<T>([&](auto done) {...}).
// The promise is shared with the completion so that it outlives set_value() on the store thread.
template <class T, class Start>
Result<T> await(Start start) {
  auto promise = std::make_shared<std::promise<Result<T>>>();
  auto future = promise->get_future();
  start([promise](Result<T> r) { promise->set_value(std::move(r)); });
  return future.get();
}

template <class Start>
Status await_status(Start start) {
  auto promise = std::make_shared<std::promise<Status>>();
  auto future = promise->get_future();
  start([promise](Status s) { promise->set_value(std::move(s)); });
  return future.get();
}

inline storage::UpdateRecord message_update(std::int64_t update_id, std::int64_t chat_id,
                                            std::int64_t message_id, std::int64_t user_id,
                                            std::string text, std::int64_t date = 1700000000) {
  storage::UpdateRecord u;
  u.update_id = update_id;
  u.type = "message";
  u.chat_id = chat_id;
  u.raw_json = "{\"update_id\":" + std::to_string(update_id) + "}";
  u.needs_handling = true;
  storage::MessageRecord m;
  m.chat_id = chat_id;
  m.message_id = message_id;
  m.user_id = user_id;
  m.role = storage::Role::user;
  m.text = std::move(text);
  m.date = date;
  u.message = m;
  storage::UserRecord user;
  user.id = user_id;
  user.username = "user" + std::to_string(user_id);
  user.first_name = "First";
  user.language_code = "en";
  user.seen_at = date;
  u.user = user;
  return u;
}

inline storage::UpdateRecord edit_update(std::int64_t update_id, std::int64_t chat_id,
                                         std::int64_t message_id, std::int64_t user_id,
                                         std::string text, std::int64_t edit_date) {
  storage::UpdateRecord u =
      message_update(update_id, chat_id, message_id, user_id, std::move(text), 1700000000);
  u.type = "edited_message";
  u.needs_handling = false;
  u.message->edited = true;
  u.message->edit_date = edit_date;
  u.user->seen_at = edit_date;
  return u;
}

// A reply keyed as the bot keys them, "u<update_id>.<part>": it answers that update.
inline storage::MessageRecord reply(std::int64_t chat_id, std::string key, std::string text) {
  storage::MessageRecord m;
  m.chat_id = chat_id;
  if (key.size() > 1 && key[0] == 'u') m.update_id = std::stoll(key.substr(1));
  m.role = storage::Role::assistant;
  m.text = std::move(text);
  m.date = 1700000001;
  m.reply_key = std::move(key);
  return m;
}

}  // namespace tgkeep::storage::testing
