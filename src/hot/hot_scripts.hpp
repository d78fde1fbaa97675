// The hot tier's server-side Lua scripts, run with EVALSHA (EVAL's text is sent only after a
// NOSCRIPT: a restarted or flushed Redis forgot them). Each touches only keys of one hash tag, so
// they run on Redis Cluster too. Pure data plus the SHA1 that EVALSHA names them by.
#pragma once

#include <string>
#include <string_view>

namespace tgkeep::hot {

struct Script {
  std::string_view name;
  std::string_view text;
  std::string sha1;  // lower-case hex, as SCRIPT LOAD returns it
};

// KEYS[1] = a usage counter (HotKeys::user_usage); ARGV = limit, ttl in ms, seed.
// Consumes one unit when the counter is below the limit. A missing counter is created from the
// seed (the count in the system of record), or, when the seed is -1, the script answers
// {-1, 0}: "tell me the count first". Answers {1, used} when consumed, {0, used} when spent.
const Script& consume_quota_script();

// KEYS[1] = a chat's history list, KEYS[2] = its change counter (HotKeys::chat_history_seq);
// ARGV = the counter's value read before the system of record was (or "" for none), cap, idle
// expiry in ms, then the entries, oldest first. Creates the list from the entries (after an empty
// marker, so an empty history exists too) unless it exists already (answers 0) or the counter
// moved, because a write raced with the read of the system of record (answers -1). Answers 1.
const Script& seed_history_script();

// Lower-case hex SHA1 of `text` (what Redis names a script by).
std::string sha1_hex(std::string_view text);

}  // namespace tgkeep::hot
