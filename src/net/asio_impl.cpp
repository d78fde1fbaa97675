// The single translation unit that compiles Boost.Asio, Asio SSL and Beast (separate
// compilation, see the top-level CMakeLists.txt): every other file includes their headers only.
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
