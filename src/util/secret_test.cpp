#include "util/secret.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace tgkeep {
namespace {

TEST(MaskToken, KeepsTheBotIdOnly) {
  EXPECT_EQ(mask_token("123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11"), "123456:****");
  EXPECT_EQ(mask_token("1:a"), "1:****");
}

TEST(MaskToken, AnythingNotTokenShapedIsMaskedWhole) {
  for (std::string_view bad :
       {"", ":", "123456", "123456:", ":secret", "abc:secret", "12a:secret", "123456:sec ret",
        "123456:secret\n", " 123456:secret", "123456:sec:ret", "123456:секрет"}) {
    EXPECT_EQ(mask_token(bad), "****") << bad;
  }
}

TEST(MaskUrl, UserinfoPasswords) {
  EXPECT_EQ(mask_url("redis://default:s3cr3t@redis.railway.internal:6379/0"),
            "redis://default:****@redis.railway.internal:6379/0");
  EXPECT_EQ(mask_url("rediss://default:AbC123@eu1-x.upstash.io:6379"),
            "rediss://default:****@eu1-x.upstash.io:6379");
  EXPECT_EQ(mask_url("redis://:onlypassword@host:6379"), "redis://:****@host:6379");
  EXPECT_EQ(mask_url("postgres://user:pw@host/db"), "postgres://user:****@host/db");
  EXPECT_EQ(mask_url("postgresql://user:pw@host:5432/db?sslmode=require"),
            "postgresql://user:****@host:5432/db?sslmode=require");
}

TEST(MaskUrl, NothingSecretStaysAsIs) {
  for (std::string_view plain :
       {"", "redis://host:6379", "redis://host", "postgres://host/db", "https://api.telegram.org",
        "localhost:6379", "just text", "redis://default:@host:6379", "redis://@host",
        "https://mastodon.social/@someone", "redis://[::1]:6379/0",
        "postgres://h/db?user=a@b.c&sslmode=disable"}) {
    EXPECT_EQ(mask_url(plain), plain);
  }
}

TEST(MaskUrl, UserWithoutPasswordIsHiddenWhole) {
  EXPECT_EQ(mask_url("postgres://user@host/db"), "postgres://****@host/db");
  EXPECT_EQ(mask_url("https://ghp_token123@github.com/x.git"), "https://****@github.com/x.git");
}

TEST(MaskUrl, PercentEncodedAndRawAtSigns) {
  EXPECT_EQ(mask_url("redis://default:p%40ss%3Aw%2Frd@host:6379"),
            "redis://default:****@host:6379");
  EXPECT_EQ(mask_url("redis://default:p@ss@w@rd@host:6379"), "redis://default:****@host:6379");
}

TEST(MaskUrl, UnencodedDelimitersInPasswords) {
  EXPECT_EQ(mask_url("redis://u:pa/ss@host:6379/0"), "redis://u:****@host:6379/0");
  EXPECT_EQ(mask_url("redis://u:pa#ss@host"), "redis://u:****@host");
  EXPECT_EQ(mask_url("redis://u:pa?ss@host"), "redis://u:****@host");
  EXPECT_EQ(mask_url("redis://u:12/34@host"), "redis://u:****@host");
  EXPECT_EQ(mask_url("redis://:pa/ss@host"), "redis://:****@host");
  // Host forgotten: what follows ':' is not a port, so it is hidden.
  EXPECT_EQ(mask_url("redis://default:hunter2"), "redis://default:****");
}

TEST(MaskUrl, Ipv6Hosts) {
  EXPECT_EQ(mask_url("redis://default:pw@[::1]:6379/0"), "redis://default:****@[::1]:6379/0");
  EXPECT_EQ(mask_url("rediss://:pw@[2001:db8::1]:6380"), "rediss://:****@[2001:db8::1]:6380");
  EXPECT_EQ(mask_url("postgres://[fe80::1%25eth0]:5432/db"), "postgres://[fe80::1%25eth0]:5432/db");
  EXPECT_EQ(mask_url("redis://[::1]:6379/0?x=a@b"), "redis://[::1]:6379/0?x=a@b");
  EXPECT_EQ(mask_url("redis://u:p/w@[::1]:6379"), "redis://u:****@[::1]:6379");
}

TEST(MaskUrl, NoScheme) {
  EXPECT_EQ(mask_url("default:pw@host:6379"), "default:****@host:6379");
  EXPECT_EQ(mask_url("pw@host"), "****@host");
  EXPECT_EQ(mask_url("123456:AAE-secret"), "123456:****");
}

TEST(MaskUrl, SecretQueryParameters) {
  EXPECT_EQ(mask_url("postgres://h/db?user=u&password=pw&sslmode=require"),
            "postgres://h/db?user=u&password=****&sslmode=require");
  EXPECT_EQ(mask_url("redis://h:6379/0?PASSWORD=pw#frag"), "redis://h:6379/0?PASSWORD=****#frag");
  EXPECT_EQ(mask_url("https://h/hook?secret_token=abc&access_token=def&api_key=x&ok=1"),
            "https://h/hook?secret_token=****&access_token=****&api_key=****&ok=1");
  EXPECT_EQ(mask_url("https://h/?password="), "https://h/?password=");
  EXPECT_EQ(mask_url("postgres://u:pw@h/db?sslpassword=k"),
            "postgres://u:****@h/db?sslpassword=****");
}

TEST(MaskUrl, LibpqKeyValueStrings) {
  EXPECT_EQ(mask_url("host=h port=5432 user=u password=p@ss/x dbname=d"),
            "host=h port=5432 user=u password=**** dbname=d");
  EXPECT_EQ(mask_url("host=h password = 'it\\'s a secret' dbname=d"),
            "host=h password = **** dbname=d");
  EXPECT_EQ(mask_url("password='unterminated"), "password=****");
}

TEST(MaskUrl, BotApiPaths) {
  EXPECT_EQ(mask_url("https://api.telegram.org/bot123456:AAE-x_y/getUpdates?offset=5"),
            "https://api.telegram.org/bot123456:****/getUpdates?offset=5");
  EXPECT_EQ(mask_url("https://api.telegram.org/file/bot123456:AAE/photos/file_1.jpg"),
            "https://api.telegram.org/file/bot123456:****/photos/file_1.jpg");
  EXPECT_EQ(mask_url("http://127.0.0.1:8081/bot1:x"), "http://127.0.0.1:8081/bot1:****");
  EXPECT_EQ(mask_url("https://h/botany/bot/bot12/bot:x"), "https://h/botany/bot/bot12/bot:x");
}

TEST(MaskUrl, VeryLongInputs) {
  const std::string password(100'000, 'p');
  EXPECT_EQ(mask_url("redis://u:" + password + "@host:6379"), "redis://u:****@host:6379");
  const std::string ats(100'000, '@');
  EXPECT_EQ(mask_url("redis://u:" + ats + "@h"), "redis://u:****@h");
  const std::string query = "https://h/?" + std::string(100'000, '&') + "token=t";
  EXPECT_EQ(mask_url(query), "https://h/?" + std::string(100'000, '&') + "token=****");
  const std::string bots = [] {
    std::string s = "https://h";
    for (int i = 0; i < 20'000; ++i) s += "/bot1:x";
    return s;
  }();
  EXPECT_EQ(mask_url(bots).find(":x"), std::string::npos);
}

TEST(MaskSecretsIn, ReplacesEveryOccurrence) {
  EXPECT_EQ(mask_secrets_in("auth failed for hunter2; retrying with hunter2", {"hunter2"}),
            "auth failed for ****; retrying with ****");
  EXPECT_EQ(mask_secrets_in("no secrets here", {"hunter2"}), "no secrets here");
  EXPECT_EQ(mask_secrets_in("", {"hunter2"}), "");
  EXPECT_EQ(mask_secrets_in("text", {}), "text");
}

TEST(MaskSecretsIn, ShortAndEmptySecretsAreIgnored) {
  EXPECT_EQ(mask_secrets_in("a abc abcd", {"", "a", "abc"}), "a abc abcd");
  EXPECT_EQ(mask_secrets_in("a abc abcd", {"abcd"}), "a abc ****");
}

TEST(MaskSecretsIn, OverlappingAndNestedSecrets) {
  // Order does not matter; nothing of either secret survives.
  EXPECT_EQ(mask_secrets_in("xabcdefy", {"abcde", "cdef"}), "x****y");
  EXPECT_EQ(mask_secrets_in("xabcdefy", {"cdef", "abcde"}), "x****y");
  EXPECT_EQ(mask_secrets_in("secretpassword!", {"secret", "secretpassword"}), "****!");
  EXPECT_EQ(mask_secrets_in("aaaaaa", {"aaaa"}), "****");
  EXPECT_EQ(mask_secrets_in("****", {"****"}), "****");
}

TEST(MaskSecretsIn, PercentEncodedForms) {
  EXPECT_EQ(mask_secrets_in("redis://u:p%40ss%2Fw@h", {"p@ss/w"}), "redis://u:****@h");
  EXPECT_EQ(mask_secrets_in("redis://u:p%40ss%2fw@h", {"p@ss/w"}), "redis://u:****@h");
}

TEST(MaskSecretsIn, Utf8Secrets) {
  EXPECT_EQ(mask_secrets_in("пароль: секрет!", {"секрет"}), "пароль: ****!");
}

TEST(MaskSecretsIn, VeryLongRepetitiveTextIsLinear) {
  // A naive search would be quadratic here; KMP is not.
  const std::string text(2'000'000, 'a');
  const std::string secret = std::string(50'000, 'a') + "b";
  EXPECT_EQ(mask_secrets_in(text, {secret}), text);
  EXPECT_EQ(mask_secrets_in(text + "b", {secret}), std::string(1'950'000, 'a') + "****");
}

}  // namespace
}  // namespace tgkeep
