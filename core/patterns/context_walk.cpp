// context_walk.cpp: the filtered depth-first walk. Directories are read through file descriptors
// (openat/fdopendir/fstatat relative to the parent), so no path is resolved twice, no symlink is
// followed, and excluded files cost no stat at all (the directory entry type says what they are).
#include "patterns/context_walk.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>
#include <memory>

namespace dbuild::patterns {
namespace {

struct DirCloser {
  void operator()(DIR* dir) const noexcept { ::closedir(dir); }
};
using DirHandle = std::unique_ptr<DIR, DirCloser>;

struct Entry {
  std::string name;
  unsigned char type = DT_UNKNOWN;
};

sdk::Status errno_status(int error, std::string_view what, std::string_view path) {
  std::string message =
      std::string(what) + " \"" + std::string(path.empty() ? "." : path) + "\": " + std::strerror(error);
  switch (error) {
    case ENOENT: return sdk::Status::not_found(std::move(message));
    case ENOTDIR: return sdk::Status::failed_precondition(std::move(message));
    case EACCES:
    case EPERM: return sdk::Status::permission_denied(std::move(message));
    default: return sdk::Status::unavailable(std::move(message));
  }
}

// Entries that vanished or changed type since the directory was listed are skipped, like
// BuildKit's walk does with not-exist errors.
bool vanished(int error) { return error == ENOENT || error == ENOTDIR || error == ELOOP; }

sdk::Result<std::vector<Entry>> read_entries(DIR* dir, std::string_view path) {
  std::vector<Entry> entries;
  while (true) {
    errno = 0;
    const dirent* entry = ::readdir(dir);
    if (entry == nullptr) {
      if (errno != 0) return errno_status(errno, "reading directory", path);
      break;
    }
    const std::string_view name = entry->d_name;
    if (name == "." || name == "..") continue;
    entries.push_back(Entry{.name = std::string(name), .type = entry->d_type});
  }
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) { return a.name < b.name; });
  return entries;
}

class Walker {
 public:
  Walker(const ContextFilter& filter, const WalkCallback& callback) : filter_(filter), callback_(callback) {}

  sdk::Status run(const std::string& root) {
    const int fd = ::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return errno_status(errno, "opening build context", root);
    frames_.push_back(Frame{.reported = true});
    return walk_dir(fd, 0);
  }

 private:
  // A directory on the current path from the root; frames_[0] is the root.
  struct Frame {
    std::string path;
    struct stat info {};
    ContextFilter::DirState state;
    bool reported = false;
  };

  enum class Flow : std::uint8_t { Next, SkipSiblings };

  static constexpr std::size_t kNone = std::numeric_limits<std::size_t>::max();

  // True when the walk must unwind out of the directory frames_[depth].
  bool unwinding(std::size_t depth) const { return stopped_ || abandoned_ <= depth; }

  // Lists and visits the directory open as `fd` (owned here), which is frames_[depth].
  sdk::Status walk_dir(int fd, std::size_t depth) {
    DirHandle dir(::fdopendir(fd));
    if (!dir) {
      const int error = errno;
      ::close(fd);
      return errno_status(error, "reading directory", frames_[depth].path);
    }
    auto entries = read_entries(dir.get(), frames_[depth].path);
    if (!entries) return entries.status();
    for (const Entry& entry : *entries) {
      auto flow = visit(::dirfd(dir.get()), entry, depth);
      if (!flow) return flow.status();
      if (*flow == Flow::SkipSiblings || unwinding(depth)) break;
    }
    return sdk::Status::ok();
  }

  sdk::Result<Flow> visit(int dir_fd, const Entry& entry, std::size_t depth) {
    const std::string& parent_path = frames_[depth].path;
    std::string path = parent_path.empty() ? entry.name : parent_path + "/" + entry.name;
    struct stat info {};
    bool have_info = false;
    bool is_dir = entry.type == DT_DIR;
    if (entry.type == DT_UNKNOWN) {  // some file systems do not say; ask
      if (::fstatat(dir_fd, entry.name.c_str(), &info, AT_SYMLINK_NOFOLLOW) != 0) return stat_failed(path);
      have_info = true;
      is_dir = S_ISDIR(info.st_mode);
    }
    ContextFilter::DirState state;
    auto verdict = filter_.classify(path, is_dir, frames_[depth].state, state);
    if (!verdict) return verdict.status();
    if (*verdict == ContextFilter::Verdict::Prune) return Flow::Next;
    if (!have_info) {
      if (::fstatat(dir_fd, entry.name.c_str(), &info, AT_SYMLINK_NOFOLLOW) != 0) return stat_failed(path);
      is_dir = S_ISDIR(info.st_mode);
    }
    const bool include = *verdict == ContextFilter::Verdict::Include;
    if (include) {
      sdk::Status reported = report_parents(depth);
      if (!reported) return reported;
      if (unwinding(depth)) return Flow::Next;
      auto action = callback_(path, info);
      if (!action) return action.status();
      if (*action == WalkAction::Stop) stopped_ = true;
      if (*action != WalkAction::Continue) return is_dir || stopped_ ? Flow::Next : Flow::SkipSiblings;
    }
    if (!is_dir) return Flow::Next;
    return enter(dir_fd, entry.name, Frame{std::move(path), info, std::move(state), include}, depth);
  }

  sdk::Result<Flow> stat_failed(std::string_view path) const {
    const int error = errno;
    if (vanished(error)) return Flow::Next;
    return errno_status(error, "reading", path);
  }

  sdk::Result<Flow> enter(int dir_fd, const std::string& name, Frame frame, std::size_t depth) {
    const int fd = ::openat(dir_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
      const int error = errno;
      // BuildKit ignores an unreadable directory it is only passing through.
      if (vanished(error) || (!frame.reported && (error == EACCES || error == EPERM))) return Flow::Next;
      return errno_status(error, "opening directory", frame.path);
    }
    frames_.push_back(std::move(frame));
    sdk::Status status = walk_dir(fd, depth + 1);
    frames_.pop_back();
    if (abandoned_ == depth + 1) abandoned_ = kNone;
    if (!status) return status;
    return Flow::Next;
  }

  // Reports the directories above the current entry that were passed through unreported.
  sdk::Status report_parents(std::size_t depth) {
    for (std::size_t i = 1; i <= depth; ++i) {
      Frame& frame = frames_[i];
      if (frame.reported) continue;
      frame.reported = true;
      auto action = callback_(frame.path, frame.info);
      if (!action) return action.status();
      if (*action == WalkAction::Stop) stopped_ = true;
      if (*action == WalkAction::SkipDir) abandoned_ = i;
      if (*action != WalkAction::Continue) return sdk::Status::ok();
    }
    return sdk::Status::ok();
  }

  const ContextFilter& filter_;
  const WalkCallback& callback_;
  std::vector<Frame> frames_;
  bool stopped_ = false;
  std::size_t abandoned_ = kNone;  // frames_ index whose remaining entries are skipped
};

}  // namespace

sdk::Status walk_context(const std::string& root, const ContextFilter& filter, const WalkCallback& callback) {
  return Walker(filter, callback).run(root);
}

sdk::Status walk_context(const std::string& root, std::vector<std::string> include, std::vector<std::string> exclude,
                         const WalkCallback& callback) {
  auto filter = ContextFilter::compile(std::move(include), std::move(exclude));
  if (!filter) return filter.status();
  return walk_context(root, *filter, callback);
}

}  // namespace dbuild::patterns
