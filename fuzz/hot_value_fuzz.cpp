// libFuzzer target for the hot tier's values (src/hot/hot_codec.hpp): whatever bytes Redis hands
// back under our prefix (another program's value, a truncated write) are decoded as a history
// entry and as a profile. Besides crashes and undefined behaviour it checks that whatever decodes
// encodes back to a value that decodes to the same record (the round trip the hot tier relies on).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "hot/hot_codec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  using namespace tgkeep::hot;
  if (auto entry = decode_entry(input); entry.ok()) {
    auto again = decode_entry(encode_entry(*entry));
    if (!again.ok() || again->text != entry->text || again->chat_id != entry->chat_id ||
        again->update_id != entry->update_id || again->role != entry->role ||
        again->status != entry->status || entry_identity(*again) != entry_identity(*entry)) {
      std::abort();
    }
  }
  if (auto profile = decode_profile(input); profile.ok()) {
    auto again = decode_profile(encode_profile(*profile));
    if (!again.ok() || again->id != profile->id || again->username != profile->username ||
        again->tariff != profile->tariff) {
      std::abort();
    }
  }
  return 0;
}
