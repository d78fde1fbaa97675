// The sandbox chat page (src/sandbox/web/: HTML, CSS, JavaScript, an icon), compiled into the
// binary: CMake turns every file of that folder into bytes of a generated source
// (embed_web_assets.cmake) whenever one changes, so the emulator serves the page with no files
// next to it and no network. GET / serves /index.html.
//
// The data is immutable and static: thread-safe.
#pragma once

#include <optional>
#include <span>
#include <string_view>

#include "sandbox/api_reply.hpp"

namespace tgkeep::sandbox {

struct EmbeddedFile {
  std::string_view path;  // URL path, "/chat.js"
  std::string_view body;
};

// Every embedded file (defined in the generated source).
std::span<const EmbeddedFile> embedded_web_files();

// The file served at `path` ("/" is "/index.html"), or nullptr.
const EmbeddedFile* find_web_file(std::string_view path);

// The Content-Type for a path, by its extension ("text/html; charset=utf-8", ...).
std::string_view web_content_type(std::string_view path);

// 200 with the file, or nullopt when there is no such file.
std::optional<ApiReply> web_file_reply(std::string_view path);

}  // namespace tgkeep::sandbox
