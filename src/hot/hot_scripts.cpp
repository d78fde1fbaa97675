#include "hot/hot_scripts.hpp"

#include <openssl/evp.h>

#include <array>

namespace tgkeep::hot {
namespace {

constexpr std::string_view kConsumeQuota = R"lua(
local used = redis.call('GET', KEYS[1])
if not used then
  local seed = tonumber(ARGV[3])
  if seed < 0 then return {-1, 0} end
  redis.call('SET', KEYS[1], seed, 'PX', ARGV[2])
  used = seed
end
used = tonumber(used)
if used >= tonumber(ARGV[1]) then return {0, used} end
used = redis.call('INCR', KEYS[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return {1, used}
)lua";

constexpr std::string_view kSeedHistory = R"lua(
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local seq = redis.call('GET', KEYS[2]) or ''
if seq ~= ARGV[1] then return -1 end
redis.call('RPUSH', KEYS[1], '')
for i = 4, #ARGV, 500 do
  redis.call('RPUSH', KEYS[1], unpack(ARGV, i, math.min(i + 499, #ARGV)))
end
redis.call('LTRIM', KEYS[1], -(tonumber(ARGV[2]) + 1), -1)
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
)lua";

}  // namespace

std::string sha1_hex(std::string_view text) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  EVP_Digest(text.data(), text.size(), digest.data(), &length, EVP_sha1(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < length; ++i) {
    hex += kHex[digest[i] >> 4];
    hex += kHex[digest[i] & 0xf];
  }
  return hex;
}

const Script& consume_quota_script() {
  static const Script script{"consume_quota", kConsumeQuota, sha1_hex(kConsumeQuota)};
  return script;
}

const Script& seed_history_script() {
  static const Script script{"seed_history", kSeedHistory, sha1_hex(kSeedHistory)};
  return script;
}

}  // namespace tgkeep::hot
