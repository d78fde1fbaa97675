// Repairs lone UTF-16 surrogate escapes in JSON text ("\ud83d" not followed by a low surrogate,
// or a low surrogate on its own). RFC 8259 lets them through its grammar, but they encode no
// character: simdjson refuses them, and so does PostgreSQL's jsonb. Telegram can send them when it
// cuts a name or a text in the middle of an emoji. Replacing each with "\ufffd" (U+FFFD, the
// replacement character) keeps the length, so the text stays byte-for-byte the same elsewhere.
//
// Thread-safety: stateless function.
#pragma once

#include <cstddef>

namespace tgkeep::telegram::detail {

// Rewrites, in place, every lone surrogate escape inside the JSON strings of json[0..size) as
// \ufffd. Returns how many were replaced. Text outside strings and malformed escapes are left
// alone (a JSON parser reports those).
std::size_t replace_lone_surrogates(char* json, std::size_t size);

}  // namespace tgkeep::telegram::detail
