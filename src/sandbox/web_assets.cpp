#include "sandbox/web_assets.hpp"

#include <array>
#include <utility>

namespace tgkeep::sandbox {
namespace {

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

const EmbeddedFile* find_web_file(std::string_view path) {
  if (path == "/") path = "/index.html";
  for (const EmbeddedFile& file : embedded_web_files()) {
    if (file.path == path) return &file;
  }
  return nullptr;
}

std::string_view web_content_type(std::string_view path) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 7> kTypes = {{
      {".html", "text/html; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".json", "application/json"},
      {".txt", "text/plain; charset=utf-8"},
  }};
  for (const auto& [extension, type] : kTypes) {
    if (ends_with(path, extension)) return type;
  }
  return "application/octet-stream";
}

std::optional<ApiReply> web_file_reply(std::string_view path) {
  const EmbeddedFile* file = find_web_file(path);
  if (file == nullptr) return std::nullopt;
  return ApiReply{200, std::string(file->body), std::string(web_content_type(file->path))};
}

}  // namespace tgkeep::sandbox
