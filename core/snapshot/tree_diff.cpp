// tree_diff.cpp: the difference between two full trees as an OCI layer, for the copying
// snapshotter. Like containerd's double walk: metadata decides what changed, not contents.
#include <sys/stat.h>

#include <algorithm>
#include <exception>
#include <optional>

#include <fmt/format.h>

#include "snapshot/layer_tar.hpp"
#include "snapshot/layer_tar_writer.hpp"

namespace dbuild::snapshot {
namespace {

using detail::FileInfo;
using detail::TarWriter;

bool same_metadata(const FileInfo& lower, const FileInfo& upper) {
  const struct stat& a = lower.stat;
  const struct stat& b = upper.stat;
  if (a.st_mode != b.st_mode || a.st_uid != b.st_uid || a.st_gid != b.st_gid) return false;
  if (a.st_mtim.tv_sec != b.st_mtim.tv_sec || a.st_mtim.tv_nsec != b.st_mtim.tv_nsec) return false;
  if (S_ISREG(a.st_mode) && a.st_size != b.st_size) return false;
  if ((S_ISCHR(a.st_mode) || S_ISBLK(a.st_mode)) && a.st_rdev != b.st_rdev) return false;
  return lower.link_target == upper.link_target && lower.xattrs == upper.xattrs;
}

struct DiffChild {
  std::string name;
  std::string tar_name;  // `.wh.<name>` when only in lower
  bool in_lower = false;
  bool in_upper = false;
};

// Both lists are sorted, so one merge gives the union.
std::vector<DiffChild> merge_children(const std::vector<std::string>& lower, const std::vector<std::string>& upper) {
  std::vector<DiffChild> children;
  children.reserve(std::max(lower.size(), upper.size()));
  std::size_t l = 0;
  std::size_t u = 0;
  while (l < lower.size() || u < upper.size()) {
    if (u == upper.size() || (l < lower.size() && lower[l] < upper[u])) {
      children.push_back({lower[l], std::string(detail::kWhiteoutPrefix) + lower[l], true, false});
      ++l;
    } else if (l == lower.size() || upper[u] < lower[l]) {
      children.push_back({upper[u], upper[u], false, true});
      ++u;
    } else {
      children.push_back({upper[u], upper[u], true, true});
      ++l;
      ++u;
    }
  }
  std::sort(children.begin(), children.end(),
            [](const DiffChild& a, const DiffChild& b) { return a.tar_name < b.tar_name; });
  return children;
}

class TreeDiff {
 public:
  explicit TreeDiff(TarWriter& writer) : writer_(writer) {}

  // `lower` is empty when the directory is new (or replaced a non-directory) in `upper`.
  sdk::Status diff_directory(const std::string& lower, const std::string& upper, const std::string& tar_prefix);

 private:
  struct PendingDirectory {
    std::string tar_path;
    FileInfo info;
    std::string source;
    bool written = false;
  };

  sdk::Status diff_child(const std::string& lower, const std::string& upper, const std::string& tar_prefix,
                         const DiffChild& child);
  sdk::Status write_pending();

  TarWriter& writer_;
  // Unchanged directories on the way down, written only when something below them changes.
  std::vector<PendingDirectory> pending_;
};

sdk::Status TreeDiff::diff_directory(const std::string& lower, const std::string& upper,
                                     const std::string& tar_prefix) {
  auto upper_names = detail::list_directory(upper);
  if (!upper_names) return upper_names.status();
  std::vector<std::string> lower_names;
  if (!lower.empty()) {
    auto names = detail::list_directory(lower);
    if (!names) return names.status();
    lower_names = std::move(*names);
  }
  for (const auto& child : merge_children(lower_names, *upper_names)) {
    if (auto status = diff_child(lower, upper, tar_prefix, child); !status) return status;
  }
  return sdk::Status::ok();
}

sdk::Status TreeDiff::diff_child(const std::string& lower, const std::string& upper, const std::string& tar_prefix,
                                 const DiffChild& child) {
  const std::string tar_path = tar_prefix + child.tar_name;
  if (!child.in_upper) {
    if (auto status = write_pending(); !status) return status;
    return writer_.add_whiteout(tar_path);
  }
  const std::string upper_path = upper + "/" + child.name;
  if (child.name.starts_with(detail::kWhiteoutPrefix))
    return sdk::Status::failed_precondition(fmt::format(
        "\"{}\": a name starting with \"{}\" cannot be stored in a layer", upper_path, detail::kWhiteoutPrefix));
  auto info = detail::read_file_info(upper_path);
  if (!info) return info.status();
  std::optional<FileInfo> lower_info;
  const std::string lower_path = child.in_lower ? lower + "/" + child.name : std::string();
  if (child.in_lower) {
    auto read = detail::read_file_info(lower_path);
    if (!read) return read.status();
    lower_info = std::move(*read);
  }
  const bool is_directory = S_ISDIR(info->stat.st_mode);
  const bool lower_is_directory = lower_info && S_ISDIR(lower_info->stat.st_mode);
  if (lower_info && same_metadata(*lower_info, *info)) {
    if (!is_directory) return sdk::Status::ok();
    pending_.push_back({tar_path, std::move(*info), upper_path});
    auto status = diff_directory(lower_path, upper_path, tar_path + "/");
    pending_.pop_back();
    return status;
  }
  if (auto status = write_pending(); !status) return status;
  if (auto status = writer_.add(tar_path, *info, upper_path); !status) return status;
  if (!is_directory) return sdk::Status::ok();
  return diff_directory(lower_is_directory ? lower_path : std::string(), upper_path, tar_path + "/");
}

sdk::Status TreeDiff::write_pending() {
  for (auto& directory : pending_) {
    if (directory.written) continue;
    if (auto status = writer_.add(directory.tar_path, directory.info, directory.source); !status) return status;
    directory.written = true;
  }
  return sdk::Status::ok();
}

}  // namespace

sdk::Result<LayerStats> write_layer_from_diff(const std::filesystem::path& lower, const std::filesystem::path& upper,
                                              const ByteSink& out, const LayerWriteOptions& options) {
  const std::string context =
      fmt::format("writing a layer from the difference between \"{}\" and \"{}\"", lower.string(), upper.string());
  try {
    TarWriter writer(out, options);
    TreeDiff diff(writer);
    if (auto status = writer.open(); !status) return std::move(status).with_context(context);
    if (auto status = diff.diff_directory(lower.string(), upper.string(), ""); !status)
      return std::move(status).with_context(context);
    if (auto status = writer.close(); !status) return std::move(status).with_context(context);
    return writer.stats();
  } catch (const std::exception& error) {  // allocation failures; nothing else here throws
    return sdk::Status::unavailable(error.what()).with_context(context);
  }
}

}  // namespace dbuild::snapshot
