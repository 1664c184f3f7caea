// copy.cpp: the copy action from BuildKit's docopy and fsutil's Copy: resolving sources
// (wildcards, --parents), deciding where each lands (trailing slashes, existing directories),
// creating destination parents, and handing each source to the Copier or the unpacker.
#include "fileop/copy.hpp"

#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>

#include <fmt/format.h>

#include "fileop/copier.hpp"
#include "fileop/fs_util.hpp"
#include "fileop/owner.hpp"
#include "fileop/paths.hpp"
#include "fileop/tree.hpp"
#include "fileop/unpack.hpp"
#include "patterns/pattern_matcher.hpp"

namespace dbuild::fileop {
namespace {

using namespace detail;

// Everything the action's fields turn into before any file is touched.
struct Plan {
  CopyRules rules;
  std::string src;   // cleaned, absolute; the copy root with --parents
  std::string dest;  // cleaned, absolute, keeping a trailing slash
  bool copy_dir_contents = true;
  std::optional<std::string> required;  // --parents without wildcards: this path must exist
  std::optional<timespec> parent_time;  // for destination parents the copy creates
};

sdk::Result<Plan> make_plan(const std::filesystem::path& dest_root, const sdk::CopyAction& action,
                            const CopyContext& context) {
  Plan plan;
  auto owner = resolve_owner(dest_root, action.chown);
  if (!owner) return owner.status();
  plan.rules.chown = *owner;
  if (!action.chmod.empty()) {
    auto mode = ModeChange::parse(action.chmod);
    if (!mode) return mode.status();
    plan.rules.chmod = *mode;
  }
  if (action.timestamp) plan.rules.time = seconds_to_timespec(*action.timestamp);
  if (action.timestamp || context.source_date_epoch)
    plan.parent_time = seconds_to_timespec(action.timestamp ? *action.timestamp : *context.source_date_epoch);
  if (!action.include_patterns.empty()) {
    auto includes = patterns::PatternMatcher::compile(action.include_patterns);
    if (!includes) return includes.status().with_context("include patterns");
    plan.rules.includes.push_back(std::move(*includes));
  }
  if (!action.exclude_patterns.empty()) {
    auto excludes = patterns::PatternMatcher::compile(action.exclude_patterns);
    if (!excludes) return excludes.status().with_context("exclude patterns");
    plan.rules.excludes = std::move(*excludes);
  }
  plan.src = clean_action_path(action.src);
  plan.dest = clean_action_path(action.dest);
  plan.copy_dir_contents = action.copy_dir_contents;
  if (!action.parents) return plan;
  // COPY --parents (BuildKit does this in its Dockerfile frontend): copy the contents of the
  // part before a "/./" pivot (or of "/") keeping only the paths the rest matches.
  auto pivot = action.src.find("/./");
  std::string root = pivot == std::string::npos ? "/" : action.src.substr(0, pivot);
  std::string pattern = go_clean("/" + (pivot == std::string::npos ? action.src : action.src.substr(pivot + 3)));
  pattern.erase(0, 1);
  plan.src = go_clean("/" + root);
  plan.copy_dir_contents = true;
  if (!contains_wildcards(plan.src) && !contains_wildcards(pattern)) plan.required = go_clean(plan.src + "/" + pattern);
  if (pattern.empty()) return plan;
  auto includes = patterns::PatternMatcher::compile({pattern});
  if (!includes) return includes.status();
  plan.rules.includes.push_back(std::move(*includes));
  return plan;
}

// BuildKit: without create_dest_path, the destination's parent must already exist.
sdk::Status check_dest_parent(const std::filesystem::path& dest_root, int dest_fd, const std::string& dest) {
  auto resolved = resolve_in(dest_root, dest, os::FollowFinal::Yes);
  if (!resolved) return resolved.status();
  const std::string parent = parent_of(resolved->relative);
  struct stat info;
  if (::fstatat(dest_fd, parent.empty() ? "." : parent.c_str(), &info, AT_SYMLINK_NOFOLLOW) == 0)
    return sdk::Status::ok();
  return errno_status(errno, "lstat", "/" + parent).with_context(fmt::format("failed to stat {}", dest));
}

class CopyRun {
 public:
  CopyRun(Tree& source, const std::filesystem::path& dest_root, int dest_fd, const Plan& plan,
          const sdk::CopyAction& action, const CopyContext& context)
      : source_(source), dest_root_(dest_root), dest_fd_(dest_fd), plan_(plan), action_(action), context_(context) {}

  sdk::Status run();

 private:
  sdk::Result<std::vector<std::string>> matches();
  sdk::Status copy_match(const std::string& match, const std::string& dest);
  sdk::Status copy_one(const std::string& match, const std::string& source_relative, const struct stat& info,
                       const std::string& dest);

  Tree& source_;
  const std::filesystem::path& dest_root_;
  int dest_fd_;
  const Plan& plan_;
  const sdk::CopyAction& action_;
  const CopyContext& context_;
  std::vector<std::string> created_;  // destination parents made on the way
};

sdk::Result<std::vector<std::string>> CopyRun::matches() {
  if (plan_.required) {
    auto found = resolve_in(source_.root, *plan_.required, os::FollowFinal::No);
    if (!found) return found.status();
    struct stat info;
    const std::string& path = found->relative;
    if (::fstatat(source_.fd.get(), path.empty() ? "." : path.c_str(), &info, AT_SYMLINK_NOFOLLOW) != 0 ||
        !source_.admits_path(path, S_ISDIR(info.st_mode)))
      return sdk::Status::not_found(fmt::format("\"{}\": not found", *plan_.required));
  }
  if (!action_.allow_wildcard) return std::vector<std::string>{plan_.src};
  auto found = resolve_wildcards(source_, plan_.src, action_.follow_symlinks);
  if (!found) return found.status();
  if (found->empty() && !action_.allow_empty_wildcard)
    return sdk::Status::not_found(fmt::format("\"{}\": not found", plan_.src));
  for (auto& match : *found) match = "/" + match;
  return found;
}

sdk::Status CopyRun::run() {
  if (!action_.create_dest_path) {
    if (auto status = check_dest_parent(dest_root_, dest_fd_, action_.dest); !status) return status;
  }
  auto sources = matches();
  if (!sources) return sources.status();
  std::string dest = plan_.dest;
  // Several sources can only go into a directory: BuildKit's frontend demands a trailing slash.
  if (sources->size() > 1 && dest.back() != '/') dest += '/';
  for (const auto& match : *sources) {
    if (context_.stop.stop_requested()) return sdk::Status::cancelled("copy cancelled");
    if (auto status = copy_match(match, dest); !status) return status;
  }
  if (plan_.parent_time) return set_times(dest_fd_, created_, *plan_.parent_time);
  return sdk::Status::ok();
}

sdk::Status CopyRun::copy_match(const std::string& match, const std::string& dest) {
  auto resolved = resolve_in(source_.root, match, action_.follow_symlinks ? os::FollowFinal::Yes : os::FollowFinal::No);
  if (!resolved) return resolved.status();
  const std::string& relative = resolved->relative;
  struct stat info;
  if (::fstatat(source_.fd.get(), relative.empty() ? "." : relative.c_str(), &info, AT_SYMLINK_NOFOLLOW) != 0) {
    if (errno == ENOENT || errno == ENOTDIR)
      return sdk::Status::not_found(fmt::format("\"{}\": not found", go_clean(match)));
    return errno_status(errno, "lstat", go_clean(match));
  }
  if (!source_.admits_path(relative, S_ISDIR(info.st_mode)))
    return sdk::Status::not_found(fmt::format("\"{}\": not found", go_clean(match)));
  if (action_.unpack_archives && S_ISREG(info.st_mode)) {
    auto target = resolve_in(dest_root_, dest, os::FollowFinal::Yes);
    if (!target) return target.status();
    UnpackTarget unpack{dest_root_, dest_fd_, target->relative, plan_.rules.chown, &created_};
    auto unpacked = unpack_if_archive(source_, relative, unpack, context_);
    if (!unpacked) return unpacked.status();
    if (*unpacked) return sdk::Status::ok();
  }
  return copy_one(match, relative, info, dest);
}

// fsutil's Copy for one source: create the destination's parents, then prepareTargetDir's rules.
sdk::Status CopyRun::copy_one(const std::string& match, const std::string& source_relative, const struct stat& info,
                              const std::string& dest) {
  auto [dest_dir, dest_file] = go_split(dest);
  auto ensure =
      resolve_in(dest_root_, (!dest_file.empty() && dest_file != ".") ? dest_dir : dest, os::FollowFinal::Yes);
  if (!ensure) return ensure.status();
  if (auto made = mkdir_all(dest_fd_, ensure->relative, 0755, plan_.rules.chown, &created_); !made)
    return made.status();
  auto resolved = resolve_in(dest_root_, dest, os::FollowFinal::Yes);
  if (!resolved) return resolved.status();
  struct stat dest_info;
  const bool exists = ::fstatat(dest_fd_, resolved->relative.empty() ? "." : resolved->relative.c_str(), &dest_info,
                                AT_SYMLINK_NOFOLLOW) == 0;
  const bool source_is_dir = S_ISDIR(info.st_mode);
  std::string target = resolved->relative;
  if ((!plan_.copy_dir_contents && source_is_dir && exists) ||
      (!source_is_dir && exists && S_ISDIR(dest_info.st_mode))) {
    const std::string base = go_base(match);
    if (base != "/" && base != ".") target = join_relative(target, base);
  }
  const std::string parent = (plan_.copy_dir_contents && source_is_dir && !exists) ? target : parent_of(target);
  if (auto made = mkdir_all(dest_fd_, parent, 0755, plan_.rules.chown, &created_); !made) return made.status();
  Copier copier(source_, dest_fd_, plan_.rules, context_);
  return copier.copy(source_relative, info, target);
}

}  // namespace

sdk::Status copy(const CopySource& source, const std::filesystem::path& dest_root, const sdk::CopyAction& action,
                 const CopyContext& context) {
  auto plan = make_plan(dest_root, action, context);
  if (!plan) return plan.status();
  plan->rules.reset_ownership = source.reset_ownership;
  auto source_fd = open_root(source.root.string());
  if (!source_fd) return source_fd.status().with_context("opening the copy source");
  auto dest_fd = open_root(dest_root.string());
  if (!dest_fd) return dest_fd.status().with_context("opening the copy destination");
  Tree tree{source.root, std::move(*source_fd), &source.filter};
  CopyRun run(tree, dest_root, dest_fd->get(), *plan, action, context);
  return run.run();
}

}  // namespace dbuild::fileop
