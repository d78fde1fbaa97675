// Precompiled header of the Redis transport translation units.
#pragma once
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
