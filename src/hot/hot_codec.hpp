// The hot tier's values: a history entry (one MessageRecord) and a cached user profile (one
// UserRecord), as compact JSON with short field names. Pure; a malformed value (another program
// writing under our prefix, a truncated value) decodes to an error, never to a wrong record.
//
// History entry: {"c":chat,"u":update_id,"m":message_id,"s":sender,"r":"u"|"a","t":text,"d":date,
//                 "e":edit_date,"k":reply_key,"x":"p"|"s"|"f"|"r"}   absent fields are unset
// Profile:       {"i":id,"b":is_bot,"n":username,"f":first,"l":last,"g":language,"w":seen_at,
//                 "p":tariff}
//
// Thread-safety: pure functions (decoding uses a thread-local parser).
#pragma once

#include <string>
#include <string_view>

#include "storage/records.hpp"
#include "util/result.hpp"

namespace tgkeep::hot {

std::string encode_entry(const storage::MessageRecord& message);
[[nodiscard]] Result<storage::MessageRecord> decode_entry(std::string_view json);

// The identity of an entry for de-duplication on read: the reply key for replies, else
// chat/message_id/role. Two entries with one identity are the same message.
std::string entry_identity(const storage::MessageRecord& message);

std::string encode_profile(const storage::UserRecord& user);
[[nodiscard]] Result<storage::UserRecord> decode_profile(std::string_view json);

}  // namespace tgkeep::hot
