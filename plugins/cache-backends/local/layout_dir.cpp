// layout_dir.cpp: crash-safe OCI layout writes (layout_dir.hpp).
#include "layout_dir.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

namespace dbuild::cache_backends {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

constexpr const char* kTempPrefix = ".tmp-";
constexpr std::uintmax_t kMaxDocument = 64 << 20;  // a manifest or index.json, not a layer

sdk::Status errno_status(const std::string& what) {
  const int error = errno;
  if (error == EACCES || error == EPERM || error == EROFS) return sdk::Status::permission_denied(what + ": " + std::strerror(error));
  return sdk::Status::unavailable(what + ": " + std::strerror(error));
}

std::string temp_name() {
  static std::atomic<unsigned> counter{0};
  return std::string(kTempPrefix) + std::to_string(::getpid()) + "-" + std::to_string(counter++);
}

sdk::Status write_all(int fd, const char* data, std::size_t size, const fs::path& path) {
  while (size > 0) {
    ssize_t n = ::write(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno_status("writing " + path.string());
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return sdk::Status::ok();
}

sdk::Status fsync_dir(const fs::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return errno_status("opening " + dir.string());
  const int synced = ::fsync(fd);
  ::close(fd);
  return synced == 0 ? sdk::Status::ok() : errno_status("syncing " + dir.string());
}

// Streams `source` into a temporary file next to `target`, fsyncs it and renames it into place.
sdk::Status copy_atomically(const fs::path& source, const fs::path& target, std::int64_t expected_size) {
  const fs::path temp = target.parent_path() / temp_name();
  int in = ::open(source.c_str(), O_RDONLY | O_CLOEXEC);
  if (in < 0) return errno_status("opening " + source.string());
  int out = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (out < 0) {
    ::close(in);
    return errno_status("creating " + temp.string());
  }
  sdk::Status status = sdk::Status::ok();
  std::int64_t copied = 0;
  std::vector<char> buffer(1 << 20);
  while (status) {
    ssize_t n = ::read(in, buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) status = errno_status("reading " + source.string());
    if (n <= 0) break;
    status = write_all(out, buffer.data(), static_cast<std::size_t>(n), temp);
    copied += n;
  }
  if (status && copied != expected_size)
    status = sdk::Status::invalid_argument(source.string() + " has " + std::to_string(copied) + " bytes, expected " +
                                           std::to_string(expected_size));
  if (status && ::fsync(out) != 0) status = errno_status("syncing " + temp.string());
  ::close(in);
  ::close(out);
  if (status && ::rename(temp.c_str(), target.c_str()) != 0) status = errno_status("renaming " + temp.string());
  if (!status) ::unlink(temp.c_str());
  return status;
}

sdk::Result<std::string> read_small(const fs::path& path) {
  std::error_code error;
  const auto size = fs::file_size(path, error);
  if (error) return sdk::Status::not_found(path.string() + ": " + error.message());
  if (size > kMaxDocument) return sdk::Status::invalid_argument(path.string() + " is too large for a manifest");
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in && !in.eof()) return sdk::Status::unavailable("reading " + path.string());
  return text.str();
}

json descriptor_json(const sdk::Descriptor& descriptor) {
  json out = {{"mediaType", descriptor.media_type}, {"digest", descriptor.digest.str()}, {"size", descriptor.size}};
  if (!descriptor.annotations.empty()) out["annotations"] = descriptor.annotations;
  return out;
}

sdk::Result<sdk::Descriptor> descriptor_of(const json& entry) {
  if (!entry.is_object() || !entry.contains("digest") || !entry["digest"].is_string() || !entry.contains("size") ||
      !entry["size"].is_number_integer())
    return sdk::Status::invalid_argument("index.json: an entry without a digest or size");
  auto digest = sdk::Digest::parse(entry["digest"].get<std::string>());
  if (!digest) return digest.status().with_context("index.json");
  sdk::Descriptor descriptor;
  descriptor.media_type = entry.value("mediaType", "");
  descriptor.digest = *digest;
  descriptor.size = entry["size"].get<std::int64_t>();
  if (auto annotations = entry.find("annotations"); annotations != entry.end() && annotations->is_object())
    for (const auto& [key, value] : annotations->items())
      if (value.is_string()) descriptor.annotations[key] = value.get<std::string>();
  return descriptor;
}

bool is_document(const std::string& media_type) {
  return media_type == sdk::media_type::kOciManifest || media_type == sdk::media_type::kOciIndex ||
         media_type == sdk::media_type::kDockerManifest || media_type == sdk::media_type::kDockerManifestList;
}

// Adds `blob` to `seen`, and for a manifest or index, what it names (read from the layout).
void reach(const fs::path& dir, const sdk::Descriptor& blob, std::set<std::string>& seen, int depth) {
  if (!seen.insert(blob.digest.encoded()).second || depth > 8) return;
  if (!blob.media_type.empty() && !is_document(blob.media_type)) return;  // a layer or config: names nothing
  auto text = read_small(blob_path(dir, blob.digest));
  if (!text) return;
  auto doc = json::parse(*text, nullptr, false);
  if (!doc.is_object()) return;
  std::vector<const json*> children;
  if (auto config = doc.find("config"); config != doc.end()) children.push_back(&*config);
  for (const char* list : {"layers", "manifests"})
    if (auto found = doc.find(list); found != doc.end() && found->is_array())
      for (const auto& entry : *found) children.push_back(&entry);
  for (const auto* child : children)
    if (auto descriptor = descriptor_of(*child)) reach(dir, *descriptor, seen, depth + 1);
}

}  // namespace

fs::path blob_path(const fs::path& dir, const sdk::Digest& digest) {
  return dir / "blobs" / digest.algorithm() / digest.encoded();
}

sdk::Result<std::vector<sdk::Descriptor>> read_index(const fs::path& dir) {
  auto text = read_small(dir / "index.json");
  if (!text) return sdk::Status::not_found("no cache at " + dir.string() + " (no index.json)");
  auto doc = json::parse(*text, nullptr, false);
  if (!doc.is_object() || !doc.contains("manifests") || !doc["manifests"].is_array())
    return sdk::Status::invalid_argument(dir.string() + "/index.json is not an OCI index");
  std::vector<sdk::Descriptor> entries;
  for (const auto& entry : doc["manifests"]) {
    auto descriptor = descriptor_of(entry);
    if (!descriptor) return descriptor.status().with_context(dir.string());
    entries.push_back(std::move(*descriptor));
  }
  return entries;
}

sdk::Result<LayoutDir> LayoutDir::open_for_writing(const fs::path& dir) {
  std::error_code error;
  fs::create_directories(dir / "blobs" / "sha256", error);
  if (error) return sdk::Status::unavailable("creating " + dir.string() + ": " + error.message());
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return errno_status("opening " + dir.string());
  if (::flock(fd, LOCK_EX) != 0) {
    auto status = errno_status("locking " + dir.string());
    ::close(fd);
    return status;
  }
  LayoutDir layout(dir, fd);
  if (!fs::exists(dir / "oci-layout", error))
    if (auto status = layout.write_atomically(dir / "oci-layout", R"({"imageLayoutVersion":"1.0.0"})"); !status)
      return status;
  return layout;
}

LayoutDir::LayoutDir(LayoutDir&& other) noexcept : dir_(std::move(other.dir_)), lock_fd_(other.lock_fd_) {
  other.lock_fd_ = -1;
}

LayoutDir::~LayoutDir() {
  if (lock_fd_ >= 0) ::close(lock_fd_);  // closing drops the flock
}

sdk::Status LayoutDir::write_atomically(const fs::path& target, const std::string& bytes) {
  const fs::path temp = target.parent_path() / temp_name();
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return errno_status("creating " + temp.string());
  auto status = write_all(fd, bytes.data(), bytes.size(), temp);
  if (status && ::fsync(fd) != 0) status = errno_status("syncing " + temp.string());
  ::close(fd);
  if (status && ::rename(temp.c_str(), target.c_str()) != 0) status = errno_status("renaming " + temp.string());
  if (!status) ::unlink(temp.c_str());
  return status;
}

sdk::Status LayoutDir::put_blob(const sdk::Descriptor& blob, sdk::ContentStore& content) {
  const fs::path target = blob_path(dir_, blob.digest);
  std::error_code error;
  if (fs::file_size(target, error) == static_cast<std::uintmax_t>(blob.size) && !error) return sdk::Status::ok();
  fs::create_directories(target.parent_path(), error);
  auto source = content.path(blob.digest);
  if (!source) return source.status();
  return copy_atomically(*source, target, blob.size);
}

sdk::Status LayoutDir::put_bytes(const sdk::Descriptor& blob, const std::string& bytes) {
  return write_atomically(blob_path(dir_, blob.digest), bytes);
}

sdk::Status LayoutDir::tag(const sdk::Descriptor& root, const std::string& tag) {
  // Blobs first, then the directory entries they got, then the index that names them.
  if (auto status = fsync_dir(dir_ / "blobs" / "sha256"); !status) return status;
  json manifests = json::array();
  auto existing = read_index(dir_);
  // An index.json that is there but not an OCI index is not ours to replace: the garbage
  // collection after it would delete every blob it no longer names.
  if (!existing && existing.status().code() != sdk::Code::NotFound)
    return existing.status().with_hint("give --cache-to a directory of its own, or move " + (dir_ / "index.json").string() +
                                       " aside");
  if (existing)
    for (const auto& entry : *existing) {
      auto name = entry.annotations.find(kRefNameAnnotation);
      if (name == entry.annotations.end() || name->second != tag) manifests.push_back(descriptor_json(entry));
    }
  sdk::Descriptor named = root;
  named.annotations[kRefNameAnnotation] = tag;
  manifests.push_back(descriptor_json(named));
  json index = {{"schemaVersion", 2}, {"mediaType", sdk::media_type::kOciIndex}, {"manifests", manifests}};
  if (auto status = write_atomically(dir_ / "index.json", index.dump()); !status) return status;
  return fsync_dir(dir_);
}

sdk::Status LayoutDir::collect_garbage() {
  auto entries = read_index(dir_);
  if (!entries) return entries.status();
  std::set<std::string> seen;
  for (const auto& entry : *entries) reach(dir_, entry, seen, 0);
  std::error_code error;
  for (const auto& file : fs::directory_iterator(dir_ / "blobs" / "sha256", error)) {
    const auto name = file.path().filename().string();
    if (seen.count(name)) continue;
    fs::remove(file.path(), error);
  }
  for (const auto& file : fs::directory_iterator(dir_, error))
    if (file.path().filename().string().rfind(kTempPrefix, 0) == 0) fs::remove(file.path(), error);
  return sdk::Status::ok();
}

}  // namespace dbuild::cache_backends
