// docker_load.cpp: libcurl over the unix socket; the body streams from the file.
#include "docker_load.hpp"

#include <curl/curl.h>

#include <cstdio>
#include <cstdlib>
#include <memory>

#include <nlohmann/json.hpp>

namespace dbuild::exporters {
namespace {

std::size_t read_body(char* buffer, std::size_t size, std::size_t count, void* file) {
  return std::fread(buffer, size, count, static_cast<std::FILE*>(file));
}

std::size_t collect(char* data, std::size_t size, std::size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

}  // namespace

sdk::Result<std::string> docker_socket() {
  const char* host = std::getenv("DOCKER_HOST");
  if (!host || !*host) return std::string("/var/run/docker.sock");
  std::string value = host;
  if (value.rfind("unix://", 0) != 0)
    return sdk::Status::invalid_argument("DOCKER_HOST=" + value + ": only unix:// sockets are supported for --load");
  return value.substr(7);
}

sdk::Result<std::string> docker_load(const std::string& socket, const std::filesystem::path& tarball) {
  std::unique_ptr<std::FILE, decltype(&std::fclose)> file(std::fopen(tarball.c_str(), "rb"), std::fclose);
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
  if (!file || !curl) return sdk::Status::unavailable("cannot start loading into Docker");
  std::error_code error;
  const auto size = static_cast<curl_off_t>(std::filesystem::file_size(tarball, error));
  std::string answer;
  char error_buffer[CURL_ERROR_SIZE] = "";
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> headers(
      curl_slist_append(nullptr, "Content-Type: application/x-tar"), curl_slist_free_all);
  curl_easy_setopt(curl.get(), CURLOPT_UNIX_SOCKET_PATH, socket.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_URL, "http://localhost/images/load");
  curl_easy_setopt(curl.get(), CURLOPT_POST, 1L);
  curl_easy_setopt(curl.get(), CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(curl.get(), CURLOPT_READFUNCTION, read_body);
  curl_easy_setopt(curl.get(), CURLOPT_READDATA, file.get());
  curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDSIZE_LARGE, size);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &answer);
  curl_easy_setopt(curl.get(), CURLOPT_ERRORBUFFER, error_buffer);
  CURLcode result = curl_easy_perform(curl.get());
  if (result != CURLE_OK)
    return sdk::Status::unavailable("loading into the Docker engine at " + socket + ": " +
                                    (error_buffer[0] ? std::string(error_buffer) : curl_easy_strerror(result)))
        .with_hint("is dockerd running? set DOCKER_HOST=unix:///path/to/docker.sock for another engine");
  long code = 0;
  curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &code);
  // The answer is a JSON stream: {"stream": "Loaded image: ...\n"} or {"errorDetail": ...}.
  std::string loaded;
  std::size_t start = 0;
  while (start < answer.size()) {
    auto end = answer.find('\n', start);
    auto line = nlohmann::json::parse(answer.substr(start, end == std::string::npos ? end : end - start), nullptr, false);
    start = end == std::string::npos ? answer.size() : end + 1;
    if (!line.is_object()) continue;
    if (line.contains("error")) return sdk::Status::unavailable("Docker refused the image: " + line.value("error", ""));
    loaded += line.value("stream", "");
  }
  if (code != 200) return sdk::Status::unavailable("Docker answered HTTP " + std::to_string(code) + ": " + answer);
  return loaded;
}

}  // namespace dbuild::exporters
