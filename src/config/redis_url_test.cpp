#include "config/redis_url.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace tgkeep::config {
namespace {

using std::chrono::milliseconds;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

RedisEndpoint parse_ok(std::string_view url) {
  Result<RedisEndpoint> r = parse_redis_url(url, "REDIS_URL");
  EXPECT_TRUE(r.ok()) << url << ": " << (r.ok() ? "" : r.error().message);
  return r.ok() ? r.value() : RedisEndpoint{};
}

std::string parse_error(std::string_view url) {
  Result<RedisEndpoint> r = parse_redis_url(url, "REDIS_URL");
  EXPECT_FALSE(r.ok()) << url << " parsed as " << (r.ok() ? r->masked() : "");
  if (r.ok()) return {};
  EXPECT_EQ(r.error().kind, ErrorKind::fatal);
  EXPECT_THAT(r.error().message, StartsWith("REDIS_URL is not a Redis URL: "));
  EXPECT_EQ(r.error().message.find('\n'), std::string::npos);
  return r.error().message;
}

// --- forms -------------------------------------------------------------------------------------

TEST(ParseRedisUrl, HostOnlyTakesTheDefaults) {
  const RedisEndpoint e = parse_ok("redis://localhost");
  EXPECT_FALSE(e.tls);
  EXPECT_EQ(e.host, "localhost");
  EXPECT_EQ(e.port, 6379);
  EXPECT_EQ(e.db, 0);
  EXPECT_EQ(e.username, "");
  EXPECT_EQ(e.password, "");
  EXPECT_FALSE(e.tls_insecure);
  EXPECT_EQ(e.ca_file, "");
  EXPECT_EQ(e.client_name, "");
  EXPECT_FALSE(e.connect_timeout);
  EXPECT_FALSE(e.command_timeout);
  EXPECT_EQ(e.source, "REDIS_URL");
}

TEST(ParseRedisUrl, RailwayUserPasswordHostPort) {
  const RedisEndpoint e = parse_ok("redis://default:AbCdEf123@redis.railway.internal:6379");
  EXPECT_EQ(e.username, "default");
  EXPECT_EQ(e.password, "AbCdEf123");
  EXPECT_EQ(e.host, "redis.railway.internal");
  EXPECT_EQ(e.port, 6379);
  EXPECT_EQ(e.masked(), "redis://default:****@redis.railway.internal:6379/0");
}

TEST(ParseRedisUrl, UpstashRedissIsTls) {
  const RedisEndpoint e =
      parse_ok("rediss://default:AXyzSecret@eu1-clever-dog-12345.upstash.io:6379");
  EXPECT_TRUE(e.tls);
  EXPECT_EQ(e.host, "eu1-clever-dog-12345.upstash.io");
  EXPECT_EQ(e.masked(), "rediss://default:****@eu1-clever-dog-12345.upstash.io:6379/0");
}

TEST(ParseRedisUrl, PasswordOnly) {
  const RedisEndpoint e = parse_ok("redis://:s3cret@host:6380/2");
  EXPECT_EQ(e.username, "");
  EXPECT_EQ(e.password, "s3cret");
  EXPECT_EQ(e.port, 6380);
  EXPECT_EQ(e.db, 2);
  EXPECT_EQ(e.masked(), "redis://:****@host:6380/2");
}

TEST(ParseRedisUrl, BareNameBeforeAtIsAUserNameAndMaskedWhole) {
  const RedisEndpoint e = parse_ok("redis://alice@host");
  EXPECT_EQ(e.username, "alice");
  EXPECT_EQ(e.password, "");
  EXPECT_EQ(e.masked(), "redis://****@host:6379/0");
}

TEST(ParseRedisUrl, EmptyCredentialsAreNone) {
  for (std::string_view url : {"redis://@host", "redis://:@host"}) {
    const RedisEndpoint e = parse_ok(url);
    EXPECT_EQ(e.username, "") << url;
    EXPECT_EQ(e.password, "") << url;
    EXPECT_EQ(e.masked(), "redis://host:6379/0") << url;
  }
  const RedisEndpoint user_empty_password = parse_ok("redis://bob:@host");
  EXPECT_EQ(user_empty_password.username, "bob");
  EXPECT_EQ(user_empty_password.password, "");
}

TEST(ParseRedisUrl, Database) {
  EXPECT_EQ(parse_ok("redis://h/0").db, 0);
  EXPECT_EQ(parse_ok("redis://h/15").db, 15);
  EXPECT_EQ(parse_ok("redis://h:1/007").db, 7);
  EXPECT_EQ(parse_ok("redis://h/").db, 0);
  EXPECT_EQ(parse_ok("redis://h/99").db, 99);  // beyond 15 needs `databases` on the server
  EXPECT_EQ(parse_ok("redis://h?db=3").db, 3);
  EXPECT_EQ(parse_ok("redis://h/?db=3").db, 3);
  EXPECT_EQ(parse_ok("redis://h/3?db=3").db, 3);
}

TEST(ParseRedisUrl, Ipv6) {
  RedisEndpoint e = parse_ok("redis://[::1]:6380");
  EXPECT_EQ(e.host, "::1");
  EXPECT_EQ(e.port, 6380);
  EXPECT_EQ(e.masked(), "redis://[::1]:6380/0");
  e = parse_ok("rediss://:pw12@[2001:DB8::1]/1");
  EXPECT_EQ(e.host, "2001:db8::1");
  EXPECT_EQ(e.port, 6379);
  EXPECT_EQ(e.masked(), "rediss://:****@[2001:db8::1]:6379/1");
  EXPECT_EQ(parse_ok("redis://[::ffff:10.0.0.1]").host, "::ffff:10.0.0.1");
}

TEST(ParseRedisUrl, SchemeAndHostAreCaseInsensitive) {
  const RedisEndpoint e = parse_ok("REDISS://Default:PassWord@My-Redis.Example.COM:6379");
  EXPECT_TRUE(e.tls);
  EXPECT_EQ(e.host, "my-redis.example.com");
  EXPECT_EQ(e.username, "Default");  // user and password keep their case
  EXPECT_EQ(e.password, "PassWord");
}

TEST(ParseRedisUrl, EmptyPortIsTheDefault) {
  EXPECT_EQ(parse_ok("redis://host:").port, 6379);
  EXPECT_EQ(parse_ok("redis://host:/1").db, 1);
}

TEST(ParseRedisUrl, HostNamesWithUnderscoresAndIpv4) {
  EXPECT_EQ(parse_ok("redis://redis_cache:6379").host, "redis_cache");  // docker compose
  EXPECT_EQ(parse_ok("redis://10.0.0.5:6379").host, "10.0.0.5");
  EXPECT_EQ(parse_ok("redis://master.my-cluster.abc123.use1.cache.amazonaws.com").host,
            "master.my-cluster.abc123.use1.cache.amazonaws.com");
}

TEST(ParseRedisUrl, PercentEncodedCredentials) {
  const RedisEndpoint e = parse_ok("redis://us%40er%3Aname:p%40ss%3Aw%2Frd%25%3F%23@host");
  EXPECT_EQ(e.username, "us@er:name");
  EXPECT_EQ(e.password, "p@ss:w/rd%?#");
  EXPECT_EQ(e.masked(), "redis://us%40er%3Aname:****@host:6379/0");
  EXPECT_EQ(parse_ok("redis://:%d0%bf%D0%B0%D1%80%D0%BE%D0%BB%D1%8C@h").password, "пароль");
}

TEST(ParseRedisUrl, UnencodedDelimitersInThePasswordStillParse) {
  // The credentials run to the last '@', the user name to the first ':'.
  EXPECT_EQ(parse_ok("redis://default:p@ss@host:6379").password, "p@ss");
  EXPECT_EQ(parse_ok("redis://default:a:b:c@host").password, "a:b:c");
  EXPECT_EQ(parse_ok("redis://default:a/b@host/1").password, "a/b");
  EXPECT_EQ(parse_ok("redis://default:a?b=c@host").password, "a?b=c");
  EXPECT_EQ(parse_ok("redis://default:a#b@host").password, "a#b");
  EXPECT_EQ(parse_ok("redis://default:a b@host").password, "a b");
  EXPECT_EQ(parse_ok("redis://default:пароль€@host").password, "пароль€");
  const RedisEndpoint e = parse_ok("redis://default:x/y?z#w@host:6380/4");
  EXPECT_EQ(e.password, "x/y?z#w");
  EXPECT_EQ(e.host, "host");
  EXPECT_EQ(e.port, 6380);
  EXPECT_EQ(e.db, 4);
}

TEST(ParseRedisUrl, PastedSpacesLineBreaksAndQuotesAreRemoved) {
  EXPECT_EQ(parse_ok("  redis://h:1\n").port, 1);
  EXPECT_EQ(parse_ok("\"redis://:pw@h:2\"").password, "pw");
  EXPECT_EQ(parse_ok("'redis://h:3'\r\n").port, 3);
}

// --- options -----------------------------------------------------------------------------------

TEST(ParseRedisUrl, TlsVerificationOptions) {
  EXPECT_TRUE(parse_ok("rediss://h?ssl_cert_reqs=none").tls_insecure);
  EXPECT_TRUE(parse_ok("rediss://h?ssl_cert_reqs=CERT_NONE").tls_insecure);
  EXPECT_FALSE(parse_ok("rediss://h?ssl_cert_reqs=required").tls_insecure);
  EXPECT_TRUE(parse_ok("rediss://h?insecure=true").tls_insecure);
  EXPECT_TRUE(parse_ok("rediss://h?insecure").tls_insecure);
  EXPECT_TRUE(parse_ok("rediss://h?insecure=1").tls_insecure);
  EXPECT_FALSE(parse_ok("rediss://h?insecure=false").tls_insecure);
  EXPECT_EQ(parse_ok("rediss://h?insecure=yes").masked(), "rediss://h:6379/0?insecure=true");
}

TEST(ParseRedisUrl, CaFile) {
  EXPECT_EQ(parse_ok("rediss://h?ca=/etc/ssl/redis.pem").ca_file, "/etc/ssl/redis.pem");
  EXPECT_EQ(parse_ok("rediss://h?tls_ca=/a%20b/c.pem").ca_file, "/a b/c.pem");
  EXPECT_EQ(parse_ok("rediss://h?ssl_ca_certs=ca.crt").ca_file, "ca.crt");
  EXPECT_EQ(parse_ok("rediss://h?tls_ca=/a%20b/c.pem").masked(),
            "rediss://h:6379/0?ca=/a%20b/c.pem");
}

TEST(ParseRedisUrl, Timeouts) {
  RedisEndpoint e = parse_ok("redis://h?timeout=1500");
  EXPECT_EQ(e.connect_timeout, milliseconds(1500));
  EXPECT_EQ(e.command_timeout, milliseconds(1500));
  e = parse_ok("redis://h?timeout=2s&connect_timeout=250ms");
  EXPECT_EQ(e.connect_timeout, milliseconds(250));
  EXPECT_EQ(e.command_timeout, milliseconds(2000));
  e = parse_ok("redis://h?command_timeout=3s&timeout=100");  // the specific one wins, any order
  EXPECT_EQ(e.connect_timeout, milliseconds(100));
  EXPECT_EQ(e.command_timeout, milliseconds(3000));
  EXPECT_EQ(parse_ok("redis://h?connect_timeout=3600s").connect_timeout, milliseconds(3600000));
  EXPECT_EQ(e.masked(), "redis://h:6379/0?connect_timeout=100ms&command_timeout=3000ms");
}

TEST(ParseRedisUrl, ClientNameAndOptionNamesAnyCase) {
  EXPECT_EQ(parse_ok("redis://h?client_name=tgkeep-bot").client_name, "tgkeep-bot");
  EXPECT_EQ(parse_ok("redis://h?Client_Name=a%2Bb").client_name, "a+b");
  EXPECT_EQ(parse_ok("redis://h?&&client_name=x&").client_name, "x");
}

TEST(ParseRedisUrl, MaskedRoundTripsWithoutCredentials) {
  for (std::string_view url :
       {"redis://h", "rediss://[::1]:7000/3?insecure=true&client_name=x",
        "rediss://h?ca=/p%26q.pem&timeout=5s", "redis://h:1/2?command_timeout=9ms"}) {
    const RedisEndpoint e = parse_ok(url);
    const RedisEndpoint again = parse_ok(e.masked());
    EXPECT_TRUE(same_endpoint(e, again)) << url << " -> " << e.masked();
  }
}

// --- errors ------------------------------------------------------------------------------------

TEST(ParseRedisUrlErrors, ThePortExampleOfTheDesign) {
  EXPECT_EQ(parse_error("redis://default:SuperSecret1@redis.railway.internal:63a79"),
            "REDIS_URL is not a Redis URL: the port \"63a79\" is not a number "
            "(redis://default:****@redis.railway.internal:63a79)");
}

TEST(ParseRedisUrlErrors, NamesTheVariable) {
  Result<RedisEndpoint> r = parse_redis_url("redis://h:x", "REDIS_PUBLIC_URL");
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error().message, StartsWith("REDIS_PUBLIC_URL is not a Redis URL: "));
}

TEST(ParseRedisUrlErrors, Ports) {
  EXPECT_THAT(parse_error("redis://h@host:0"), HasSubstr("the port \"0\" is out of range"));
  EXPECT_THAT(parse_error("redis://h@host:65536"), HasSubstr("\"65536\" is out of range"));
  EXPECT_THAT(parse_error("redis://host:-1"), HasSubstr("not a port from 1 to 65535"));
  EXPECT_THAT(parse_error("redis://:pw@host:6379 extra"), HasSubstr("\"6379 extra\" is not a"));
}

TEST(ParseRedisUrlErrors, SchemeProblems) {
  EXPECT_THAT(parse_error("redis.railway.internal:6379"), HasSubstr("it has no scheme"));
  EXPECT_THAT(parse_error("default:pw@redis.railway.internal:6379"),
              HasSubstr("(default:****@redis.railway.internal:6379)"));
  EXPECT_THAT(parse_error("http://h:6379"), HasSubstr("the scheme \"http://\" is not redis://"));
  EXPECT_THAT(parse_error("https://eu1-x.upstash.io"), HasSubstr("Upstash's REST URL"));
  EXPECT_THAT(parse_error("unix:///tmp/redis.sock"), HasSubstr("\"unix://\""));
  EXPECT_THAT(parse_error("redis:/h"), HasSubstr("it has no scheme"));
  EXPECT_THAT(parse_error("://h"), HasSubstr("does not start with redis:// or rediss://"));
}

TEST(ParseRedisUrlErrors, EmptyAndUnresolved) {
  EXPECT_THAT(parse_error(""), HasSubstr("it is empty"));
  EXPECT_THAT(parse_error(" \n"), HasSubstr("it is empty"));
  EXPECT_THAT(parse_error("${{Redis.REDIS_URL}}"), HasSubstr("unresolved variable reference"));
}

TEST(ParseRedisUrlErrors, Hosts) {
  EXPECT_THAT(parse_error("redis://"), HasSubstr("the host is empty"));
  EXPECT_THAT(parse_error("redis://default:pw@"), HasSubstr("the host is empty"));
  EXPECT_THAT(parse_error("redis://default:pw@:6379"), HasSubstr("the host is empty"));
  EXPECT_THAT(parse_error("redis://:6379/0"), HasSubstr("the host is empty"));
  EXPECT_THAT(parse_error("redis://u:p@my host"),
              HasSubstr("the host \"my host\" contains a space"));
  EXPECT_THAT(parse_error("redis://u:p@rédis.example"), HasSubstr("xn--"));
  EXPECT_THAT(parse_error("redis://u:p@a!b"), HasSubstr("contains '!'"));
  EXPECT_THAT(parse_error("redis://[::1"), HasSubstr("no closing ']'"));
  EXPECT_THAT(parse_error("redis://[]:1"), HasSubstr("not an IPv6 address"));
  EXPECT_THAT(parse_error("redis://[::1]x"), HasSubstr("after the IPv6 address"));
  EXPECT_THAT(parse_error("redis://[zz::1]"), HasSubstr("not an IPv6 address"));
  EXPECT_THAT(parse_error("redis://::1:6379"), HasSubstr("IPv6 address in brackets"));
  EXPECT_THAT(parse_error("redis://u:p@" + std::string(300, 'a')), HasSubstr("longer than 253"));
}

TEST(ParseRedisUrlErrors, DatabasePath) {
  EXPECT_THAT(parse_error("redis://h/x"), HasSubstr("the database \"x\" is not a number"));
  EXPECT_THAT(parse_error("redis://h/-1"), HasSubstr("the database \"-1\" is not a number"));
  EXPECT_THAT(parse_error("redis://h/0/extra"), HasSubstr("\"0/extra\""));
  EXPECT_THAT(parse_error("redis://h/99999999999"), HasSubstr("is not a number"));
  EXPECT_THAT(parse_error("redis://h/1?db=2"), HasSubstr("given twice, differently: /1 and ?db=2"));
}

TEST(ParseRedisUrlErrors, FragmentsAndControlCharacters) {
  EXPECT_THAT(parse_error("redis://h/0#x"), HasSubstr("no #fragment"));
  EXPECT_THAT(parse_error("redis://h\n:6379"), HasSubstr("control character"));
  EXPECT_THAT(parse_error("redis://:pw\tx@h"), HasSubstr("control character"));
}

TEST(ParseRedisUrlErrors, MalformedPercentEscapes) {
  EXPECT_THAT(parse_error("redis://us%zer:pw@h"), HasSubstr("the user name has a malformed"));
  EXPECT_THAT(parse_error("redis://u:pass%4@h"), HasSubstr("the password has a malformed"));
  EXPECT_THAT(parse_error("redis://u:100%@h"), HasSubstr("write a literal '%' as %25"));
  EXPECT_THAT(parse_error("rediss://h?ca=%G0"), HasSubstr("value of the option \"ca\""));
  EXPECT_THAT(parse_error("rediss://h?%=1"), HasSubstr("option name has a malformed"));
}

TEST(ParseRedisUrlErrors, Options) {
  EXPECT_THAT(parse_error("redis://h?foo=1"),
              HasSubstr("unknown option \"foo\" (known: ca, client_name, command_timeout, "
                        "connect_timeout, db, insecure, ssl_ca_certs, ssl_cert_reqs, timeout, "
                        "tls_ca)"));
  EXPECT_THAT(parse_error("redis://h?foo=1&bar&baz=2"),
              HasSubstr("unknown options \"foo\", \"bar\", \"baz\""));
  EXPECT_THAT(parse_error("redis://h?a&b&c&d&e&f&g"), HasSubstr("\"e\" and 2 more"));
  EXPECT_THAT(parse_error("redis://h?password=x"), HasSubstr("credentials go before the host"));
  EXPECT_THAT(parse_error("redis://h?ssl=true"), HasSubstr("write rediss://"));
  EXPECT_THAT(parse_error("redis://h?socket_timeout=5"), HasSubstr("timeout=5s"));
  EXPECT_THAT(parse_error("redis://h?=1"), HasSubstr("an option has no name"));
  EXPECT_THAT(parse_error("redis://h?timeout=1&timeout=2"),
              HasSubstr("the option \"timeout\" is given twice"));
  EXPECT_THAT(parse_error("rediss://h?ca=a&tls_ca=b"),
              HasSubstr("the option \"tls_ca\" repeats the option \"ca\""));
  EXPECT_THAT(parse_error("rediss://h?insecure=true&ssl_cert_reqs=none"), HasSubstr("repeats"));
  EXPECT_THAT(parse_error("redis://h?db=x"), HasSubstr("\"db\" must be a database number"));
  EXPECT_THAT(parse_error("rediss://h?insecure=maybe"), HasSubstr("must be true or false"));
  EXPECT_THAT(parse_error("rediss://h?ssl_cert_reqs=optional"),
              HasSubstr("must be none or required, not \"optional\""));
  EXPECT_THAT(parse_error("rediss://h?ca="), HasSubstr("the path of a CA certificate file"));
  EXPECT_THAT(parse_error("redis://h?client_name=a%20b"), HasSubstr("without spaces"));
  EXPECT_THAT(parse_error("redis://h?client_name="), HasSubstr("without spaces"));
  for (std::string_view bad : {"0", "1.5s", "5m", "-1", "3601s", "ms", "s", "9999999999"}) {
    EXPECT_THAT(parse_error("redis://h?timeout=" + std::string(bad)),
                HasSubstr("a duration from 1 ms to 1 hour"))
        << bad;
  }
}

TEST(ParseRedisUrlErrors, TlsOptionsNeedRediss) {
  EXPECT_THAT(parse_error("redis://h?ssl_cert_reqs=none"),
              HasSubstr("the option \"ssl_cert_reqs\" needs TLS: write rediss://"));
  EXPECT_THAT(parse_error("redis://h?ca=/x.pem"), HasSubstr("\"ca\" needs TLS"));
}

TEST(ParseRedisUrlErrors, VeryLongInputIsRefusedAndCutInTheMessage) {
  const std::string long_url = "redis://h/" + std::string(5000, '1');
  const std::string message = parse_error(long_url);
  EXPECT_THAT(message, HasSubstr("5010 bytes long"));
  EXPECT_LT(message.size(), 400u);
}

// --- secrets never appear ----------------------------------------------------------------------

// Each word of these passwords is a distinct secret: none may appear in any message, even when a
// delimiter inside the password could make the parser split it wrongly.
const std::vector<std::string> kSecretWords = {"Alpha", "Bravo",   "Charlie", "Delta",
                                               "Echo",  "Foxtrot", "Golf",    "Hotel"};

void expect_no_secret(const std::string& text, const std::string& input) {
  for (const std::string& word : kSecretWords) {
    std::string lower = word;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    EXPECT_THAT(text, Not(HasSubstr(word))) << "input: " << input << "\n-> " << text;
    EXPECT_THAT(text, Not(HasSubstr(lower))) << "input: " << input << "\n-> " << text;
  }
}

std::vector<std::string> hostile_inputs(const std::string& p) {
  return {
      "redis://default:" + p + "@host:6379",
      "rediss://default:" + p + "@host:6379/0",
      "redis://:" + p + "@host",
      "redis://default:" + p + "@host:63a79",
      "redis://default:" + p + "@host:99999",
      "redis://default:" + p + "@",
      "redis://default:" + p + "@:6379",
      "redis://default:" + p + "@host/x",
      "redis://default:" + p + "@host?foo=1",
      "redis://default:" + p + "@host?timeout=bad",
      "redis://default:" + p + "@host#frag",
      "redis://default:" + p + "@bad host",
      "redis://default:" + p + "%zz@host",
      "redis://default:" + p + "\n@host",
      "redis://default:" + p + "@host:6379 trailing garbage",
      "default:" + p + "@host:6379",                                   // no scheme
      "http://default:" + p + "@host",                                 // wrong scheme
      "redis:/default:" + p + "@host",                                 // one slash
      "redis://default:" + p + "@host:6379" + std::string(5000, 'x'),  // too long
      " \"redis://default:" + p + "@host:1/0?ca=x\" ",                 // TLS option on redis://
  };
}

TEST(ParseRedisUrlSecrets, HostilePasswordWithAtSignNeverAppears) {
  for (const std::string& input :
       hostile_inputs("Alpha@Bravo:Charlie/Delta?Echo#Foxtrot Golf€Hotel")) {
    Result<RedisEndpoint> r = parse_redis_url(input, "REDIS_URL");
    expect_no_secret(r.ok() ? r->masked() : r.error().message, input);
  }
}

TEST(ParseRedisUrlSecrets, HostilePasswordWithoutAtSignNeverAppears) {
  const std::string p = "Bravo:Charlie/Delta?Echo#Foxtrot Golf€Hotel";
  std::vector<std::string> inputs = hostile_inputs(p);
  // The host forgotten. (With an unencoded '@' in the password too, what follows that '@' cannot
  // be told from a host: docs/redis-configuration.md says to write '@' as %40.)
  inputs.push_back("redis://default:" + p);
  inputs.push_back("redis://:" + p);
  for (const std::string& input : inputs) {
    Result<RedisEndpoint> r = parse_redis_url(input, "REDIS_URL");
    expect_no_secret(r.ok() ? r->masked() : r.error().message, input);
  }
}

TEST(ParseRedisUrlSecrets, SimplePasswordsInBrokenUrls) {
  const std::string pw = "Zq8xWv7Ku";
  const std::vector<std::string> inputs = {
      "redis://default:" + pw,           // no '@', no host
      "redis://:" + pw,                  // password only, no host
      "redis://default:" + pw + "/0",    // no '@'
      "redis://default:" + pw + "?x=1",  // no '@'
      "redis://default:" + pw + "#x",    // no '@'
      "rediss://[::1]:" + pw,            // IPv6 with a password where the port goes
      "redis://" + pw + "@",             // a bare password (Lettuce style), no host
      "redis://" + pw + "@h:bad",        // a bare password, bad port
      "redis://u:" + pw + "@h?password=" + pw,
      "redis://u:" + pw + "@h?p%61ssword=" + pw,
      "redis://u:" + pw + "@h:1:2",
      "redis://u:p@h?token=" + pw,
      "redis.railway.internal:" + pw,
      "redis://u:" + pw + "@h:1%",
  };
  for (const std::string& input : inputs) {
    Result<RedisEndpoint> r = parse_redis_url(input, "REDIS_URL");
    const std::string text = r.ok() ? r->masked() : r.error().message;
    EXPECT_THAT(text, Not(HasSubstr(pw))) << input << " -> " << text;
    EXPECT_THAT(text, Not(HasSubstr("Zq8x"))) << input << " -> " << text;
  }
}

TEST(ParseRedisUrlSecrets, PercentEncodedPasswordNeverAppearsDecodedOrEncoded) {
  const std::string message = parse_error("redis://default:Sec%40ret99@host:bad");
  EXPECT_THAT(message, Not(HasSubstr("Sec")));
  EXPECT_THAT(message, Not(HasSubstr("ret99")));
}

// --- helpers -----------------------------------------------------------------------------------

TEST(MaskRedisUrlInput, HidesPasswordsTheWayTheParserSplits) {
  EXPECT_EQ(mask_redis_url_input("redis://u:pa/ss@host:1/0"), "redis://u:****@host:1/0");
  EXPECT_EQ(mask_redis_url_input("redis://bare/name@host"), "redis://****@host");
  EXPECT_EQ(mask_redis_url_input("redis://u:secret"), "redis://u:****");
  EXPECT_EQ(mask_redis_url_input("redis://host:6379/0"), "redis://host:6379/0");
  EXPECT_EQ(mask_redis_url_input("redis://:@h"), "redis://:@h");
  EXPECT_EQ(mask_redis_url_input("redis://h?password=x"), "redis://h?password=****");
  EXPECT_EQ(mask_redis_url_input("redis://h\n"), "redis://h");
  EXPECT_EQ(mask_redis_url_input("redis://h/\t0"), "redis://h/?0");
  EXPECT_EQ(mask_redis_url_input(std::string(300, 'a')), std::string(200, 'a') + "...");
  std::string accents = "redis://h/x";  // odd length: byte 200 is inside an "é"
  for (int i = 0; i < 150; ++i) accents += "é";
  const std::string cut = mask_redis_url_input(accents);
  EXPECT_EQ(cut.size(), 202u);
  EXPECT_TRUE(cut.ends_with("é...")) << cut;
}

TEST(RedisHostProblem, AcceptsAndRejects) {
  for (std::string_view good : {"h", "redis.railway.internal", "10.0.0.1", "::1", "a_b-c"}) {
    EXPECT_FALSE(redis_host_problem(good)) << good;
  }
  EXPECT_EQ(redis_host_problem(""), "is empty");
  EXPECT_EQ(redis_host_problem("a b"), "contains a space");
  EXPECT_EQ(redis_host_problem("a/b"), "contains '/', which no host name has");
  EXPECT_EQ(redis_host_problem("fe80::1%eth0"), "is not an IPv6 address");
}

TEST(ParseRedisPort, Range) {
  EXPECT_EQ(parse_redis_port("1"), 1);
  EXPECT_EQ(parse_redis_port("6379"), 6379);
  EXPECT_EQ(parse_redis_port("065535"), std::nullopt);  // more than 5 digits
  EXPECT_EQ(parse_redis_port("65535"), 65535);
  for (std::string_view bad : {"", "0", "65536", "99999", "-1", "+1", "1 ", "0x10", "６"}) {
    EXPECT_EQ(parse_redis_port(bad), std::nullopt) << bad;
  }
}

TEST(SameEndpoint, IgnoresTheSourceOnly) {
  RedisEndpoint a = parse_ok("redis://:pw@h:1/2");
  RedisEndpoint b = a;
  b.source = "REDISHOST";
  EXPECT_TRUE(same_endpoint(a, b));
  b.password = "other";
  EXPECT_FALSE(same_endpoint(a, b));
  b = a;
  b.command_timeout = milliseconds(5);
  EXPECT_FALSE(same_endpoint(a, b));
}

}  // namespace
}  // namespace tgkeep::config
