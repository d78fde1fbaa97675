// The outbox entries on the wire: each is one Redis Stream entry with up to three fields,
//   k  the kind, one letter (u h r s e f q, in the order of entry.hpp)
//   v  the entry as compact JSON (short field names; messages and users as in hot/hot_codec.hpp)
//   r  update entries only: the raw update JSON, verbatim (not escaped into v: it is the bulk)
// Pure; a malformed entry (another program writing to our stream, a newer kind) decodes to an
// error naming what is wrong, never to a wrong record.
//
// v by kind:
//   u {"i":update_id,"y":type,"c":chat_id,"n":needs_handling,"a":received_at,"m":{message},
//      "s":{user}}
//   h {"i":[update_id,...]}
//   r {message}                       (hot_codec's history entry)
//   s {"k":reply_key,"x":"s"|"f"|"p"|"r","m":message_id,"d":date}   (r: resending)
//   e {"c":chat_id,"m":message_id,"r":"u"|"a","t":text,"d":edit_date}
//   f {"c":chat_id}
//   q {"s":user_id,"i":update_id,"a":at,"p":tariff}
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "outbox/entry.hpp"
#include "util/result.hpp"

namespace tgkeep::outbox {

struct EncodedEntry {
  char kind = 0;
  std::string value;
  std::string raw;  // update entries only; may be empty
};

EncodedEntry encode(const Entry& entry);
// The same for an update entry, without copying the record into an Entry first. `message_entry`:
// the update's message already encoded as a hot-tier history entry, reused when not empty.
EncodedEntry encode_update(const storage::UpdateRecord& update, std::int64_t received_at,
                           std::string_view message_entry = {});
[[nodiscard]] Result<Entry> decode(std::string_view kind, std::string_view value,
                                   std::string_view raw);

}  // namespace tgkeep::outbox
