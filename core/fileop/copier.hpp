// copier.hpp: the recursive part of a copy (fsutil's copier): one walk of the source entry,
// creating, replacing or merging entries in the destination with their owner, mode, times,
// xattrs and hardlinks, filtered by include/exclude patterns. Internal to core/fileop.
#pragma once

#include <sys/stat.h>
#include <time.h>

#include <array>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <dbuild/sdk/status.hpp>

#include "fileop/chmod.hpp"
#include "fileop/context.hpp"
#include "fileop/fs_util.hpp"
#include "fileop/tree.hpp"
#include "os/unique_fd.hpp"
#include "patterns/pattern_matcher.hpp"

namespace dbuild::fileop::detail {

/// What an action asks of every copied entry.
struct CopyRules {
  std::optional<Owner> chown{};  // none: the source's owner, or root's with reset_ownership
  bool reset_ownership = false;
  std::optional<ModeChange> chmod{};
  std::optional<timespec> time{};                    // none: the source's atime and mtime
  std::vector<patterns::PatternMatcher> includes{};  // a path must match each (the action's, --parents')
  std::optional<patterns::PatternMatcher> excludes{};
};

class Copier {
 public:
  Copier(const Tree& source, int dest_root_fd, const CopyRules& rules, const CopyContext& context);

  /// Copies the source entry at `source_relative` (lstat'ed as `info`) to `target_relative`
  /// beneath the destination root; the target's parent exists. A directory merges into an
  /// existing one, which then keeps its owner and mode (only its times follow the source).
  /// The entry itself is not filtered by patterns; what is below it is, relative to it.
  sdk::Status copy(const std::string& source_relative, const struct stat& info, const std::string& target_relative);

 private:
  struct MatchState {
    std::vector<patterns::MatchInfo> includes;
    patterns::MatchInfo excludes;
  };
  struct Decision {
    bool included = true;  // copied with its own metadata
    bool descend = true;   // (directories) something below may be included
    MatchState state;
  };
  // A directory being walked. Its target is opened (or made) eagerly when it is included, and
  // only when a descendant needs it otherwise, so that "a/*/c" does not create every a/b.
  struct Frame {
    os::UniqueFd source;
    os::UniqueFd target;          // invalid while pending
    std::string source_relative;  // relative to the source root: for the filter
    std::string pattern_path;     // relative to the copied entry: for patterns
    std::string target_relative;  // relative to the destination root
    struct stat info {};
    MatchState state;
    bool included = true;
    bool created = false;
    bool top = false;
  };

  sdk::Status walk(std::size_t index);
  sdk::Status copy_child(std::size_t parent, const std::string& name);
  sdk::Status finish_directory(std::size_t index);
  sdk::Result<int> materialize(std::size_t index);
  sdk::Result<Decision> decide(const MatchState& parent, const std::string& path, bool is_dir) const;

  // `source_relative` names the entry in `source_dir` (its last component) and in errors.
  sdk::Status copy_leaf(int source_dir, const std::string& source_relative, const struct stat& info, int target_dir,
                        const std::string& target_relative);
  sdk::Status copy_regular(int source_dir, const std::string& source_relative, const struct stat& info, int target_dir,
                           const std::string& target_relative);
  sdk::Status copy_data(int in, int out, const struct stat& info, const std::string& display);
  sdk::Status copy_data_by_reading(int in, int out, const std::string& display);
  sdk::Status set_metadata_fd(int fd, const struct stat& info, const std::vector<Xattr>& xattrs,
                              const std::string& display);
  sdk::Status set_metadata_at(int dir, const std::string& name, const struct stat& info,
                              const std::vector<Xattr>& xattrs, const std::string& display);
  [[nodiscard]] Owner owner_for(const struct stat& info) const;
  [[nodiscard]] mode_t mode_for(const struct stat& info) const;
  [[nodiscard]] std::array<timespec, 2> times_for(const struct stat& info) const;
  sdk::Status check_stop() const;
  void report(std::uint64_t bytes) const {
    if (context_.on_bytes && bytes > 0) context_.on_bytes(bytes);
  }

  const Tree& source_;
  int dest_root_fd_;
  const CopyRules& rules_;
  const CopyContext& context_;
  std::vector<Frame> frames_;
  // Regular files with more than one link: the target (relative) of the first copy, by inode.
  std::map<std::pair<dev_t, ino_t>, std::string> links_;
  // When both trees share a file system (a FileOp copying within its own base), the directories
  // this copy made, so that the walk never descends into its own output ("COPY /a /a/b/").
  bool same_device_ = false;
  std::set<std::pair<dev_t, ino_t>> made_directories_;
  bool try_reflink_ = true;  // cleared once the destination file system refuses FICLONE
  bool try_copy_range_ = true;
  std::vector<char> buffer_;
};

}  // namespace dbuild::fileop::detail
