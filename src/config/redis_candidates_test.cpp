#include "config/redis_candidates.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

namespace tgkeep::config {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::StartsWith;

using Env = std::map<std::string, std::string, std::less<>>;

EnvLookup lookup(const Env& env) {
  return [&env](std::string_view name) -> std::optional<std::string> {
    const auto it = env.find(name);
    if (it == env.end()) return std::nullopt;
    return it->second;
  };
}

RedisCandidates candidates_ok(const Env& env) {
  Result<RedisCandidates> r = redis_candidates(lookup(env));
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? r.value() : RedisCandidates{};
}

std::string candidates_error(const Env& env) {
  Result<RedisCandidates> r = redis_candidates(lookup(env));
  EXPECT_FALSE(r.ok());
  if (r.ok()) return {};
  EXPECT_EQ(r.error().kind, ErrorKind::fatal);
  EXPECT_EQ(r.error().message.find('\n'), std::string::npos);
  return r.error().message;
}

std::vector<std::string> sources_of(const RedisCandidates& found) {
  std::vector<std::string> out;
  for (const RedisCandidate& c : found.candidates) out.push_back(c.endpoint.source);
  return out;
}

// Everything an operator could see: the description lines (which include the warnings).
std::string everything_shown(const RedisCandidates& found) {
  std::string all;
  for (const std::string& line : describe_candidates(found)) all += line + "\n";
  return all;
}

const Env kRailway = {
    {"REDIS_URL", "redis://default:RailwayPw1@redis.railway.internal:6379"},
    {"REDIS_PRIVATE_URL", "redis://default:RailwayPw1@redis.railway.internal:6379"},
    {"REDIS_PUBLIC_URL", "redis://default:RailwayPw1@roundhouse.proxy.rlwy.net:41234"},
    {"REDISHOST", "redis.railway.internal"},
    {"REDISPORT", "6379"},
    {"REDISUSER", "default"},
    {"REDISPASSWORD", "RailwayPw1"},
};

TEST(RedisCandidates, NothingSetIsNotAnError) {
  const RedisCandidates found = candidates_ok({});
  EXPECT_THAT(found.candidates, IsEmpty());
  EXPECT_THAT(found.warnings, IsEmpty());
  EXPECT_THAT(describe_candidates(found),
              ElementsAre(StartsWith("Redis: not configured (none of TGKEEP_REDIS_URL")));
}

TEST(RedisCandidates, EmptyVariablesCountAsUnset) {
  const RedisCandidates found = candidates_ok({{"TGKEEP_REDIS_URL", ""},
                                               {"REDIS_URL", "  \n"},
                                               {"REDISHOST", ""},
                                               {"REDIS_PASSWORD", " "},
                                               {"REDIS_TLS_CA", ""}});
  EXPECT_THAT(found.candidates, IsEmpty());
  EXPECT_THAT(found.warnings, IsEmpty());
}

TEST(RedisCandidates, Precedence) {
  const RedisCandidates found = candidates_ok({
      {"REDISHOST", "e"},
      {"REDIS_PUBLIC_URL", "redis://d"},
      {"REDIS_PRIVATE_URL", "redis://c"},
      {"REDIS_URL", "redis://b"},
      {"TGKEEP_REDIS_URL", "redis://a"},
  });
  EXPECT_THAT(sources_of(found), ElementsAre("TGKEEP_REDIS_URL", "REDIS_URL", "REDIS_PRIVATE_URL",
                                             "REDIS_PUBLIC_URL", "REDISHOST"));
  std::string hosts;
  for (const RedisCandidate& c : found.candidates) hosts += c.endpoint.host;
  EXPECT_EQ(hosts, "abcde");
  EXPECT_THAT(found.candidates[0].why, HasSubstr("tgkeep's own setting"));
  EXPECT_THAT(found.candidates[2].why, HasSubstr("private-network"));
  EXPECT_THAT(found.candidates[3].why, HasSubstr("public URL"));
  EXPECT_THAT(found.candidates[4].why, HasSubstr("separate host, port, user and password"));
  EXPECT_THAT(found.warnings, IsEmpty());
}

TEST(RedisCandidates, RailwayDuplicatesAreListedOnceNamingAllSources) {
  const RedisCandidates found = candidates_ok(kRailway);
  ASSERT_EQ(found.candidates.size(), 2u);
  const RedisCandidate& first = found.candidates[0];
  EXPECT_THAT(first.sources, ElementsAre("REDIS_URL", "REDIS_PRIVATE_URL",
                                         "REDISHOST+REDISPORT+REDISUSER+REDISPASSWORD"));
  EXPECT_EQ(first.endpoint.source, "REDIS_URL");
  EXPECT_EQ(first.endpoint.password, "RailwayPw1");
  EXPECT_TRUE(first.private_network);
  const RedisCandidate& second = found.candidates[1];
  EXPECT_THAT(second.sources, ElementsAre("REDIS_PUBLIC_URL"));
  EXPECT_EQ(second.endpoint.port, 41234);
  EXPECT_FALSE(second.private_network);
  EXPECT_THAT(found.warnings, IsEmpty());
}

TEST(RedisCandidates, DescribeRailway) {
  const std::vector<std::string> lines = describe_candidates(candidates_ok(kRailway));
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_THAT(lines[0], StartsWith("Redis: 2 candidates, tried in order until one connects"));
  EXPECT_EQ(lines[1],
            "Redis: 1. redis://default:****@redis.railway.internal:6379/0 from REDIS_URL, "
            "REDIS_PRIVATE_URL, REDISHOST+REDISPORT+REDISUSER+REDISPASSWORD: tried first, the "
            "usual Redis URL variable; a private-network name, resolves only inside the "
            "platform's project");
  EXPECT_EQ(lines[2],
            "Redis: 2. redis://default:****@roundhouse.proxy.rlwy.net:41234/0 from "
            "REDIS_PUBLIC_URL: fallback, Railway's public URL through its TCP proxy, reachable "
            "from outside the project");
  for (const std::string& line : lines) EXPECT_THAT(line, Not(HasSubstr("RailwayPw1")));
}

TEST(RedisCandidates, DescribeOneCandidate) {
  const std::vector<std::string> lines =
      describe_candidates(candidates_ok({{"REDIS_URL", "rediss://:UpPw99@eu1-x.upstash.io:6379"}}));
  EXPECT_THAT(lines, ElementsAre(StartsWith("Redis: 1 candidate (precedence:"),
                                 "Redis: 1. rediss://:****@eu1-x.upstash.io:6379/0 from "
                                 "REDIS_URL: tried first, the usual Redis URL variable"));
}

TEST(RedisCandidates, SameHostOtherDatabaseIsNotADuplicate) {
  const RedisCandidates found =
      candidates_ok({{"REDIS_URL", "redis://h/1"}, {"REDIS_PRIVATE_URL", "redis://h/2"}});
  EXPECT_EQ(found.candidates.size(), 2u);
}

TEST(RedisCandidates, GenericPartSpelling) {
  const RedisCandidates found = candidates_ok({{"REDIS_HOST", "Cache.Local"},
                                               {"REDIS_PORT", "6380"},
                                               {"REDIS_USERNAME", "app"},
                                               {"REDIS_PASSWORD", "p%40ss"}});
  ASSERT_EQ(found.candidates.size(), 1u);
  const RedisEndpoint& e = found.candidates[0].endpoint;
  EXPECT_EQ(e.source, "REDIS_HOST+REDIS_PORT+REDIS_USERNAME+REDIS_PASSWORD");
  EXPECT_EQ(e.host, "cache.local");
  EXPECT_EQ(e.port, 6380);
  EXPECT_EQ(e.username, "app");
  EXPECT_EQ(e.password, "p%40ss");  // parts are literal: no percent-decoding
  EXPECT_FALSE(e.tls);
}

TEST(RedisCandidates, PartsHostOnlyAndIpv6) {
  RedisCandidates found = candidates_ok({{"REDISHOST", "h"}});
  ASSERT_EQ(found.candidates.size(), 1u);
  EXPECT_EQ(found.candidates[0].endpoint.masked(), "redis://h:6379/0");
  found = candidates_ok({{"REDIS_HOST", "[::1]"}, {"REDIS_PORT", "7000"}});
  ASSERT_EQ(found.candidates.size(), 1u);
  EXPECT_EQ(found.candidates[0].endpoint.masked(), "redis://[::1]:7000/0");
}

TEST(RedisCandidates, BothSpellingsEqualIsQuiet) {
  const RedisCandidates found = candidates_ok({{"REDISHOST", "h"}, {"REDIS_HOST", "h"}});
  EXPECT_EQ(found.candidates[0].endpoint.source, "REDISHOST");
  EXPECT_THAT(found.warnings, IsEmpty());
}

TEST(RedisCandidates, BothSpellingsDifferRailwayWins) {
  const RedisCandidates found = candidates_ok({{"REDISHOST", "railway-host"},
                                               {"REDIS_HOST", "other-host"},
                                               {"REDISPORT", "1"},
                                               {"REDIS_PORT", "2"},
                                               {"REDISUSER", "u1"},
                                               {"REDIS_USERNAME", "u2"},
                                               {"REDISPASSWORD", "FirstPw11"},
                                               {"REDIS_PASSWORD", "SecondPw22"}});
  ASSERT_EQ(found.candidates.size(), 1u);
  const RedisEndpoint& e = found.candidates[0].endpoint;
  EXPECT_EQ(e.host, "railway-host");
  EXPECT_EQ(e.port, 1);
  EXPECT_EQ(e.username, "u1");
  EXPECT_EQ(e.password, "FirstPw11");
  EXPECT_THAT(found.warnings,
              ElementsAre("REDISHOST and REDIS_HOST differ; using REDISHOST (\"railway-host\", "
                          "not \"other-host\")",
                          "REDISPORT and REDIS_PORT differ; using REDISPORT (\"1\", not \"2\")",
                          "REDISUSER and REDIS_USERNAME differ; using REDISUSER",
                          "REDISPASSWORD and REDIS_PASSWORD differ; using REDISPASSWORD"));
  EXPECT_THAT(everything_shown(found), Not(HasSubstr("Pw")));
}

TEST(RedisCandidates, SpellingsMixPerPart) {
  const RedisCandidates found = candidates_ok({{"REDISHOST", "h"}, {"REDIS_PASSWORD", "MixPw123"}});
  EXPECT_EQ(found.candidates[0].endpoint.source, "REDISHOST+REDIS_PASSWORD");
  EXPECT_EQ(found.candidates[0].endpoint.password, "MixPw123");
}

TEST(RedisCandidates, ValuesAreTrimmed) {
  const RedisCandidates found = candidates_ok(
      {{"REDISHOST", " h\n"}, {"REDISPORT", "6379\r\n"}, {"REDISPASSWORD", "pw99\n"}});
  EXPECT_EQ(found.candidates[0].endpoint.host, "h");
  EXPECT_EQ(found.candidates[0].endpoint.password, "pw99");
}

TEST(RedisCandidates, PartsWithoutHostAloneAreFatal) {
  EXPECT_EQ(candidates_error({{"REDISPASSWORD", "LonelyPw1"}}),
            "REDISPASSWORD is set, but neither REDISHOST nor REDIS_HOST: there is no host to "
            "connect to");
  EXPECT_THAT(candidates_error({{"REDISPORT", "1"}, {"REDIS_USERNAME", "u"}}),
              StartsWith("REDISPORT+REDIS_USERNAME are set, but neither"));
}

TEST(RedisCandidates, PartsWithoutHostBesideAUrlAreAWarning) {
  const RedisCandidates found =
      candidates_ok({{"REDIS_URL", "redis://h"}, {"REDISPASSWORD", "LonelyPw1"}});
  EXPECT_EQ(found.candidates.size(), 1u);
  EXPECT_THAT(found.warnings, ElementsAre(StartsWith("REDISPASSWORD is set, but neither")));
  EXPECT_THAT(found.warnings[0], HasSubstr("; skipped, the other candidates remain"));
}

TEST(RedisCandidates, BadParts) {
  EXPECT_EQ(candidates_error({{"REDISHOST", "h"}, {"REDISPORT", "63a79"}}),
            "REDISPORT is not a port: \"63a79\" is not a number from 1 to 65535");
  EXPECT_EQ(candidates_error({{"REDIS_HOST", "my host"}}),
            "REDIS_HOST is not a host name: \"my host\" contains a space");
  EXPECT_EQ(candidates_error({{"REDISHOST", "redis://default:UrlPw123@h:6379"}}),
            "REDISHOST holds a URL, not a host name (redis://default:****@h:6379); put it in "
            "REDIS_URL instead");
}

TEST(RedisCandidates, ExplicitSettingErrorIsFatalEvenWithOthers) {
  const std::string message = candidates_error(
      {{"TGKEEP_REDIS_URL", "redis://default:ExplPw77@h:port"}, {"REDIS_URL", "redis://ok"}});
  EXPECT_EQ(message,
            "TGKEEP_REDIS_URL is not a Redis URL: the port \"port\" is not a number "
            "(redis://default:****@h:port)");
}

TEST(RedisCandidates, PlatformVariableErrorIsSkippedWithAWarning) {
  // Railway with the TCP proxy off: the public URL has no host.
  Env env = kRailway;
  env["REDIS_PUBLIC_URL"] = "redis://default:RailwayPw1@:";
  const RedisCandidates found = candidates_ok(env);
  ASSERT_EQ(found.candidates.size(), 1u);
  EXPECT_THAT(found.warnings,
              ElementsAre("REDIS_PUBLIC_URL is not a Redis URL: the host is empty "
                          "(redis://default:****@:); skipped, the other candidates remain"));
  const std::string shown = everything_shown(found);
  EXPECT_THAT(shown, HasSubstr("Redis: warning: REDIS_PUBLIC_URL is not a Redis URL"));
  EXPECT_THAT(shown, Not(HasSubstr("RailwayPw1")));
}

TEST(RedisCandidates, AllBrokenIsFatalNamingEveryProblemOnOneLine) {
  const std::string message = candidates_error({{"REDIS_URL", "redis.railway.internal:6379"},
                                                {"REDIS_PUBLIC_URL", "http://x"},
                                                {"REDISPORT", "1"}});
  EXPECT_THAT(message, StartsWith("REDIS_URL is not a Redis URL: it has no scheme"));
  EXPECT_THAT(message, HasSubstr("; REDIS_PUBLIC_URL is not a Redis URL: the scheme \"http://\""));
  EXPECT_THAT(message, HasSubstr("; REDISPORT is set, but neither REDISHOST nor REDIS_HOST"));
}

TEST(RedisCandidates, TlsCaAppliesToTlsCandidatesWithoutTheirOwn) {
  const RedisCandidates found = candidates_ok({{"REDIS_URL", "rediss://a"},
                                               {"REDIS_PRIVATE_URL", "redis://b"},
                                               {"REDIS_PUBLIC_URL", "rediss://c?ca=/own.pem"},
                                               {"REDIS_TLS_CA", "/etc/ca.pem"}});
  ASSERT_EQ(found.candidates.size(), 3u);
  EXPECT_EQ(found.candidates[0].endpoint.ca_file, "/etc/ca.pem");
  EXPECT_EQ(found.candidates[1].endpoint.ca_file, "");
  EXPECT_EQ(found.candidates[2].endpoint.ca_file, "/own.pem");
  EXPECT_THAT(found.warnings, ElementsAre("REDIS_PUBLIC_URL names its own CA file (/own.pem); it "
                                          "wins over REDIS_TLS_CA (/etc/ca.pem) for that URL"));
}

TEST(RedisCandidates, TlsCaMakesEqualUrlsDuplicates) {
  const RedisCandidates found = candidates_ok({{"REDIS_URL", "rediss://a"},
                                               {"REDIS_PRIVATE_URL", "rediss://a?ca=/etc/ca.pem"},
                                               {"REDIS_TLS_CA", "/etc/ca.pem"}});
  ASSERT_EQ(found.candidates.size(), 1u);
  EXPECT_THAT(found.candidates[0].sources, ElementsAre("REDIS_URL", "REDIS_PRIVATE_URL"));
}

TEST(RedisCandidates, TlsCaWithoutTlsIsAWarning) {
  const RedisCandidates found = candidates_ok({{"REDIS_URL", "redis://a"}, {"REDIS_TLS_CA", "x"}});
  EXPECT_THAT(found.warnings, ElementsAre("REDIS_TLS_CA is set, but no Redis candidate uses TLS "
                                          "(rediss://); it is ignored"));
}

TEST(RedisCandidates, UserWithoutPasswordIsAWarning) {
  const RedisCandidates found = candidates_ok({{"REDIS_URL", "redis://MaybeAPassword9@h"}});
  ASSERT_EQ(found.candidates.size(), 1u);
  EXPECT_THAT(found.warnings,
              ElementsAre("REDIS_URL gives a user name but no password (redis://****@h:6379/0): "
                          "that works only for an ACL user with nopass; for a password alone "
                          "write redis://:PASSWORD@HOST"));
  EXPECT_THAT(everything_shown(found), Not(HasSubstr("MaybeAPassword9")));
}

TEST(RedisCandidates, SameServerDifferentPasswordsIsTheWrongpassWarning) {
  const RedisCandidates found =
      candidates_ok({{"REDIS_URL", "redis://default:OldPw111@redis.railway.internal:6379"},
                     {"REDISHOST", "redis.railway.internal"},
                     {"REDISUSER", "default"},
                     {"REDISPASSWORD", "NewPw222"}});
  ASSERT_EQ(found.candidates.size(), 2u);
  EXPECT_THAT(found.warnings,
              ElementsAre("REDIS_URL and REDISHOST+REDISUSER+REDISPASSWORD name the same server "
                          "(redis.railway.internal:6379) with different credentials; REDIS_URL "
                          "is tried first, and if Redis answers WRONGPASS one of them is stale "
                          "(copied before the password changed?)"));
  const std::string shown = everything_shown(found);
  EXPECT_THAT(shown, Not(HasSubstr("OldPw111")));
  EXPECT_THAT(shown, Not(HasSubstr("NewPw222")));
}

TEST(RedisCandidates, NoPasswordInAnyOutputOrError) {
  const std::string pw = "Qx7Secret";
  const std::vector<Env> envs = {
      {{"REDIS_URL", "redis://default:" + pw + "@h:bad"}, {"REDISHOST", "h2"}},
      {{"REDIS_URL", "redis://default:" + pw}, {"REDIS_PUBLIC_URL", "redis://:" + pw + "@p"}},
      {{"REDIS_URL", "redis://" + pw + "@h"}},
      {{"REDIS_URL", "redis://u:" + pw + "@h?password=" + pw}, {"REDISHOST", "h"}},
      {{"REDISHOST", "rediss://:" + pw + "@h"}, {"REDIS_URL", "redis://x"}},
      {{"REDISPASSWORD", pw}, {"REDIS_PASSWORD", pw + "2"}, {"REDISHOST", "h"}},
      {{"REDISPASSWORD", pw}},
      {{"TGKEEP_REDIS_URL", "redis://u:" + pw + "@"}},
      {{"REDIS_URL", "redis://u:" + pw + "@h"}, {"REDIS_PRIVATE_URL", "redis://u:x" + pw + "@h"}},
  };
  for (const Env& env : envs) {
    Result<RedisCandidates> r = redis_candidates(lookup(env));
    const std::string shown = r.ok() ? everything_shown(r.value()) : r.error().message;
    EXPECT_THAT(shown, Not(HasSubstr(pw))) << shown;
  }
}

TEST(RedisCandidates, AsksOnlyForKnownVariables) {
  std::vector<std::string> asked;
  const EnvLookup spy = [&asked](std::string_view name) -> std::optional<std::string> {
    asked.emplace_back(name);
    return std::nullopt;
  };
  ASSERT_TRUE(redis_candidates(spy).ok());
  EXPECT_THAT(asked,
              ElementsAre("TGKEEP_REDIS_URL", "REDIS_URL", "REDIS_PRIVATE_URL", "REDIS_PUBLIC_URL",
                          "REDISHOST", "REDIS_HOST", "REDISPORT", "REDIS_PORT", "REDISUSER",
                          "REDIS_USERNAME", "REDISPASSWORD", "REDIS_PASSWORD", "REDIS_TLS_CA"));
}

}  // namespace
}  // namespace tgkeep::config
