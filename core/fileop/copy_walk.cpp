// copy_walk.cpp: the directory walk of a copy: which entries are copied, directories created
// eagerly or on demand, and directory metadata set once everything inside is written.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include <fmt/format.h>

#include "fileop/copier.hpp"
#include "fileop/paths.hpp"

namespace dbuild::fileop::detail {
namespace {

// mkdirat, or the directory already there; anything else in the way is an error.
sdk::Result<std::pair<os::UniqueFd, bool>> make_or_open_directory(int parent, const std::string& name,
                                                                  const std::string& display) {
  bool created = true;
  // Owner-only until finish_directory sets the real mode, so that a read-only source directory
  // still receives its contents.
  if (::mkdirat(parent, name.c_str(), 0700) != 0) {
    if (errno != EEXIST) return errno_status(errno, "mkdir", display);
    struct stat existing;
    if (::fstatat(parent, name.c_str(), &existing, AT_SYMLINK_NOFOLLOW) != 0)
      return errno_status(errno, "lstat", display);
    if (!S_ISDIR(existing.st_mode))
      return sdk::Status::failed_precondition(fmt::format("cannot copy to non-directory: {}", display));
    created = false;
  }
  os::UniqueFd fd(::openat(parent, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd.valid()) return errno_status(errno, "open", display);
  return std::make_pair(std::move(fd), created);
}

}  // namespace

Copier::Copier(const Tree& source, int dest_root_fd, const CopyRules& rules, const CopyContext& context)
    : source_(source), dest_root_fd_(dest_root_fd), rules_(rules), context_(context) {
  struct stat source_root, dest_root;
  same_device_ = ::fstat(source.fd.get(), &source_root) == 0 && ::fstat(dest_root_fd, &dest_root) == 0 &&
                 source_root.st_dev == dest_root.st_dev;
  try_reflink_ = same_device_;  // extents are only shared within one file system
}

sdk::Status Copier::copy(const std::string& source_relative, const struct stat& info,
                         const std::string& target_relative) {
  if (!S_ISDIR(info.st_mode)) {
    if (target_relative.empty()) return sdk::Status::failed_precondition("cannot replace to directory / with file");
    auto source_dir = open_beneath(source_.fd.get(), parent_of(source_relative), O_RDONLY | O_DIRECTORY);
    if (!source_dir) return source_dir.status();
    auto target_dir = open_beneath(dest_root_fd_, parent_of(target_relative), O_RDONLY | O_DIRECTORY);
    if (!target_dir) return target_dir.status();
    return copy_leaf(source_dir->get(), source_relative, info, target_dir->get(), target_relative);
  }
  auto source_dir = open_beneath(source_.fd.get(), source_relative, O_RDONLY | O_DIRECTORY);
  if (!source_dir) return source_dir.status();
  Frame top;
  top.source = std::move(*source_dir);
  top.source_relative = source_relative;
  top.target_relative = target_relative;
  top.info = info;
  top.top = true;
  top.state.includes.resize(rules_.includes.size());
  frames_.clear();
  frames_.push_back(std::move(top));
  if (auto target = materialize(0); !target) return target.status();
  if (auto status = walk(0); !status) return status;
  return finish_directory(0);
}

sdk::Result<int> Copier::materialize(std::size_t index) {
  Frame& frame = frames_[index];
  if (frame.target.valid()) return frame.target.get();
  const std::string display = "/" + frame.target_relative;
  if (frame.target_relative.empty()) {  // the destination root itself
    auto root = open_beneath(dest_root_fd_, "", O_RDONLY | O_DIRECTORY);
    if (!root) return root.status();
    frame.target = std::move(*root);
    return frame.target.get();
  }
  os::UniqueFd top_parent;
  int parent = -1;
  if (index == 0) {
    auto opened = open_beneath(dest_root_fd_, parent_of(frame.target_relative), O_RDONLY | O_DIRECTORY);
    if (!opened) return opened.status();
    top_parent = std::move(*opened);
    parent = top_parent.get();
  } else {
    auto opened = materialize(index - 1);
    if (!opened) return opened.status();
    parent = *opened;
  }
  auto made = make_or_open_directory(parent, name_of(frames_[index].target_relative), display);
  if (!made) return made.status();
  frames_[index].target = std::move(made->first);
  frames_[index].created = made->second;
  struct stat made_info;
  if (made->second && same_device_ && ::fstat(frames_[index].target.get(), &made_info) == 0)
    made_directories_.emplace(made_info.st_dev, made_info.st_ino);
  return frames_[index].target.get();
}

sdk::Result<Copier::Decision> Copier::decide(const MatchState& parent, const std::string& path, bool is_dir) const {
  Decision decision;
  decision.state.includes.resize(rules_.includes.size());
  std::vector<bool> unmatched(rules_.includes.size(), false);
  for (std::size_t i = 0; i < rules_.includes.size(); ++i) {
    auto matched = rules_.includes[i].matches_incrementally(path, parent.includes[i], decision.state.includes[i]);
    if (!matched) return matched.status().with_context("matching include patterns");
    unmatched[i] = !*matched;
    if (unmatched[i]) decision.included = false;
  }
  bool excluded = false;
  if (rules_.excludes) {
    auto matched = rules_.excludes->matches_incrementally(path, parent.excludes, decision.state.excludes);
    if (!matched) return matched.status().with_context("matching exclude patterns");
    excluded = *matched;
  }
  if (excluded) decision.included = false;
  if (!is_dir || decision.included) return decision;
  // Not copied itself: enter it only if something below may still be.
  for (std::size_t i = 0; i < rules_.includes.size() && decision.descend; ++i)
    if (unmatched[i]) decision.descend = rules_.includes[i].may_match_below(path);
  if (excluded && decision.descend) decision.descend = rules_.excludes->exceptions_may_match_below(path);
  return decision;
}

sdk::Status Copier::walk(std::size_t index) {
  auto names = list_names(frames_[index].source.get(), "/" + frames_[index].source_relative);
  if (!names) return names.status();
  for (const auto& name : *names) {
    if (auto status = check_stop(); !status) return status;
    if (auto status = copy_child(index, name); !status) return status;
  }
  return sdk::Status::ok();
}

sdk::Status Copier::copy_child(std::size_t parent, const std::string& name) {
  struct stat info;
  const int source_dir = frames_[parent].source.get();
  if (::fstatat(source_dir, name.c_str(), &info, AT_SYMLINK_NOFOLLOW) != 0) {
    if (errno == ENOENT) return sdk::Status::ok();  // gone since the listing
    return errno_status(errno, "lstat", "/" + join_relative(frames_[parent].source_relative, name));
  }
  const bool is_dir = S_ISDIR(info.st_mode);
  std::string source_relative = join_relative(frames_[parent].source_relative, name);
  if (!source_.admits(source_relative, is_dir)) return sdk::Status::ok();
  std::string pattern_path = join_relative(frames_[parent].pattern_path, name);
  auto decided = decide(frames_[parent].state, pattern_path, is_dir);
  if (!decided) return decided.status();
  Decision& decision = *decided;
  std::string target_relative = join_relative(frames_[parent].target_relative, name);
  if (!is_dir) {
    if (!decision.included) return sdk::Status::ok();
    auto target_dir = materialize(parent);
    if (!target_dir) return target_dir.status();
    return copy_leaf(source_dir, source_relative, info, *target_dir, target_relative);
  }
  if (!decision.included && !decision.descend) return sdk::Status::ok();
  if (made_directories_.count({info.st_dev, info.st_ino}) != 0) return sdk::Status::ok();  // our own output
  Frame frame;
  frame.source = os::UniqueFd(::openat(source_dir, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!frame.source.valid()) return errno_status(errno, "open", "/" + source_relative);
  frame.source_relative = std::move(source_relative);
  frame.pattern_path = std::move(pattern_path);
  frame.target_relative = std::move(target_relative);
  frame.info = info;
  frame.state = std::move(decision.state);
  frame.included = decision.included;
  frames_.push_back(std::move(frame));
  const std::size_t index = frames_.size() - 1;
  sdk::Status status;
  if (decision.included) {
    if (auto target = materialize(index); !target) status = target.status();
  }
  if (status) status = walk(index);
  if (status) status = finish_directory(index);
  frames_.pop_back();
  return status;
}

sdk::Status Copier::finish_directory(std::size_t index) {
  Frame& frame = frames_[index];
  if (!frame.target.valid()) return sdk::Status::ok();  // nothing below was copied
  const std::string display = "/" + frame.target_relative;
  const int fd = frame.target.get();
  if (frame.top && !frame.created) {
    // The destination directory existed: it keeps its owner and mode, and its times follow the
    // source's, since writing into it changed them.
    const auto times = times_for(frame.info);
    if (::futimens(fd, times.data()) != 0) return errno_status(errno, "utime", display);
    return sdk::Status::ok();
  }
  if (frame.included || frame.created)
    return set_metadata_fd(fd, frame.info, read_xattrs(frame.source.get(), -1, {}), display);
  // An existing directory on the way to an included path: fsutil only gives it the source's mode.
  if (::fchmod(fd, frame.info.st_mode & 07777) != 0) return errno_status(errno, "chmod", display);
  return sdk::Status::ok();
}

sdk::Status Copier::check_stop() const {
  if (context_.stop.stop_requested()) return sdk::Status::cancelled("copy cancelled");
  return sdk::Status::ok();
}

}  // namespace dbuild::fileop::detail
