// Handshake: the commands that open a session — AUTH, SELECT, CLIENT SETNAME, PING — sent as one
// pipeline, and what their replies mean. Pure: Connection does the I/O.
//
// Policy:
// - AUTH is sent when a password is set: `AUTH user pass` with a user name, else `AUTH pass`.
// - A password sent to a server that has none configured (Redis answers an error to `AUTH pass`)
//   is not a failure: PaaS URLs carry a password whether or not the server needs one. The
//   session goes on unauthenticated and `password_not_required` tells the caller to warn.
// - Any other AUTH error fails the handshake (WRONGPASS -> ErrorCode::wrongpass, fatal).
// - SELECT is sent when db != 0; its failure fails the handshake.
// - CLIENT SETNAME is sent when a name is set; a server (or proxy) that refuses it is tolerated,
//   except with NOAUTH.
// - PING always ends the handshake, so a server that wants a password we did not send is found
//   out now (NOAUTH), not at the first command.
//
// Thread-safety: pure functions. Error messages never contain the password.
#pragma once

#include <vector>

#include "redis/command.hpp"
#include "redis/options.hpp"
#include "redis/redis_result.hpp"
#include "redis/reply.hpp"

namespace tgkeep::redis {

enum class HandshakeStep { auth, select, set_name, ping };

struct HandshakePlan {
  std::vector<HandshakeStep> steps;  // one per command in `batch`, in order
  CommandBatch batch;
};

struct HandshakeOutcome {
  bool password_not_required = false;  // a password was sent but the server has none set
  bool client_name_refused = false;    // CLIENT SETNAME answered an error (ignored)
};

HandshakePlan plan_handshake(const Options& options);

// Interprets the replies to plan.batch, in order; the first failure wins.
[[nodiscard]] RedisResult<HandshakeOutcome> check_handshake(const Options& options,
                                                            const HandshakePlan& plan,
                                                            const std::vector<Reply>& replies);

}  // namespace tgkeep::redis
