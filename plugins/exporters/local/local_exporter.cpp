// local_exporter.cpp: checks the destination before the build, then copies with GNU cp, which
// keeps modes, times, symlinks, hardlinks, devices and xattrs and never follows symlinks. Owners
// become the caller's, as BuildKit's local exporter writes them: the files are the user's to
// read and delete.
#include "local_exporter.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace dbuild::exporters {
namespace {

namespace fs = std::filesystem;

sdk::Status copy_tree(const fs::path& from, const fs::path& to) {
  std::error_code error;
  fs::create_directories(to, error);
  if (error) return sdk::Status::unavailable("creating " + to.string() + ": " + error.message());
  pid_t pid = ::fork();
  if (pid < 0) return sdk::Status::unavailable(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    const std::string source = from.string() + "/.";
    ::execlp("cp", "cp", "-a", "--no-preserve=ownership", "--reflink=auto", "--", source.c_str(), to.c_str(),
             static_cast<char*>(nullptr));
    ::_exit(127);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return sdk::Status::unavailable("copying the result to " + to.string() + " failed (cp exited " +
                                    std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1) + ")");
  return sdk::Status::ok();
}

std::string platform_dir(const sdk::Platform& platform) {
  std::string name = platform.os + "_" + platform.architecture;
  if (!platform.variant.empty()) name += "_" + platform.variant;
  return name;
}

}  // namespace

sdk::Status LocalExporter::check(const sdk::Attributes& attributes) {
  for (const auto& [key, value] : attributes)
    if (key != "dest") return sdk::Status::invalid_argument("unknown attribute \"" + key + "\" (the local exporter takes dest)");
  auto dest = attributes.find("dest");
  if (dest == attributes.end() || dest->second.empty())
    return sdk::Status::invalid_argument("dest= is required (the directory to write the result to)");
  const fs::path path = fs::absolute(dest->second);
  std::error_code error;
  if (fs::exists(path, error) && !fs::is_directory(path, error))
    return sdk::Status::invalid_argument("dest " + path.string() + " exists and is not a directory");
  fs::path existing = path;
  while (!fs::exists(existing, error) && existing.has_parent_path() && existing != existing.parent_path())
    existing = existing.parent_path();
  if (::access(existing.c_str(), W_OK) != 0)
    return sdk::Status::permission_denied("dest " + path.string() + ": " + existing.string() + " is not writable");
  return sdk::Status::ok();
}

sdk::Result<sdk::ExportResponse> LocalExporter::export_result(const sdk::Attributes& attributes,
                                                              sdk::ExportSource& source) {
  const fs::path dest = fs::absolute(attributes.at("dest"));
  const auto platforms = source.platforms();
  for (const auto& platform : platforms) {
    auto rootfs = source.rootfs(platform);
    if (!rootfs) return rootfs.status();
    const fs::path target = platforms.size() == 1 ? dest : dest / platform_dir(platform);
    if (auto status = copy_tree(*rootfs, target); !status) return status;
  }
  return sdk::ExportResponse{};
}

}  // namespace dbuild::exporters
