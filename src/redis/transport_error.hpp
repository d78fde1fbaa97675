// Transport failures (DNS, TCP, TLS, reads and writes) as typed RedisErrors, classified from
// error codes in one place, with messages that say what to check.
//
// Codes by phase: resolve -> dns; connect -> connection_refused (any failure to connect: the
// message tells refused from unreachable); TLS handshake -> tls_verify when the certificate was
// rejected, else tls; session (after connecting) -> connection_lost. A deadline that fires is
// ErrorCode::timeout in every phase.
//
// Thread-safety: pure functions.
#pragma once

#include <chrono>
#include <string_view>

#include <boost/system/error_code.hpp>

#include "redis/redis_result.hpp"

namespace tgkeep::redis {

enum class TransportPhase { resolve, connect, tls_handshake, handshake, session };

// `detail` adds what the error code cannot say (e.g. the certificate verification result).
RedisError transport_error(TransportPhase phase, const boost::system::error_code& ec,
                           std::string_view where, std::string_view detail = {});

// The certificate is trusted but names another host (ErrorCode::tls_verify).
RedisError certificate_name_mismatch(std::string_view where, std::string_view host);

RedisError timeout_error(TransportPhase phase, std::chrono::milliseconds timeout,
                         std::string_view where);

}  // namespace tgkeep::redis
