// http_download.cpp: one libcurl easy handle per download; the body streams to the file and the
// hasher, and a progress callback honours stop requests.
#include "worker/http_download.hpp"

#include <curl/curl.h>

#include <cstdio>
#include <memory>

#include "oci/sha256.hpp"

namespace dbuild::worker {
namespace {

struct Sink {
  std::FILE* file = nullptr;
  oci::Sha256 hasher;
  std::int64_t size = 0;
};

std::size_t on_data(char* data, std::size_t size, std::size_t count, void* user) {
  auto* sink = static_cast<Sink*>(user);
  const std::size_t bytes = size * count;
  if (std::fwrite(data, 1, bytes, sink->file) != bytes) return 0;
  sink->hasher.update(data, bytes);
  sink->size += static_cast<std::int64_t>(bytes);
  return bytes;
}

int on_progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  return static_cast<std::stop_token*>(user)->stop_requested() ? 1 : 0;
}

}  // namespace

sdk::Result<Download> download(const std::string& url, const std::filesystem::path& file, std::stop_token stop) {
  if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0)
    return sdk::Status::invalid_argument("not an http(s) URL: " + url);
  static const bool initialised = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
  if (!initialised) return sdk::Status::unavailable("libcurl failed to initialise");
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
  std::unique_ptr<std::FILE, decltype(&std::fclose)> out(std::fopen(file.c_str(), "wb"), std::fclose);
  if (!curl || !out) return sdk::Status::unavailable("cannot start downloading " + url);
  Sink sink{out.get(), {}, 0};
  char error_buffer[CURL_ERROR_SIZE] = "";
  curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(curl.get(), CURLOPT_MAXREDIRS, 10L);
  curl_easy_setopt(curl.get(), CURLOPT_FAILONERROR, 1L);
  curl_easy_setopt(curl.get(), CURLOPT_FILETIME, 1L);
  curl_easy_setopt(curl.get(), CURLOPT_USERAGENT, "dbuild");
  curl_easy_setopt(curl.get(), CURLOPT_ERRORBUFFER, error_buffer);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, on_data);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &sink);
  curl_easy_setopt(curl.get(), CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(curl.get(), CURLOPT_XFERINFOFUNCTION, on_progress);
  curl_easy_setopt(curl.get(), CURLOPT_XFERINFODATA, &stop);
  CURLcode result = curl_easy_perform(curl.get());
  if (stop.stop_requested()) return sdk::Status::cancelled("download of " + url + " cancelled");
  if (result != CURLE_OK)
    return sdk::Status::unavailable("downloading " + url + ": " +
                                    (error_buffer[0] ? std::string(error_buffer) : curl_easy_strerror(result)));
  if (std::fflush(out.get()) != 0) return sdk::Status::unavailable("writing " + file.string());
  Download done{file, sink.hasher.finish().str(), sink.size, std::nullopt};
  long filetime = -1;
  if (curl_easy_getinfo(curl.get(), CURLINFO_FILETIME, &filetime) == CURLE_OK && filetime >= 0)
    done.last_modified = filetime;
  return done;
}

}  // namespace dbuild::worker
