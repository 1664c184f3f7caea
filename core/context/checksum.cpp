// checksum.cpp: the file checksum cache and selection checksums over a local context.
#include "context/checksum.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <set>
#include <vector>

#include "db/database.hpp"
#include "db/statement.hpp"
#include "db/transaction.hpp"
#include "oci/sha256.hpp"
#include "os/unique_fd.hpp"
#include "patterns/context_filter.hpp"
#include "patterns/context_walk.hpp"
#include "patterns/glob.hpp"
#include "patterns/go_text.hpp"

namespace dbuild::context {

namespace fs = std::filesystem;

struct ChecksumCache::Entry {
  std::int64_t size = 0;
  std::int64_t mtime_ns = 0;
  std::int64_t ctime_ns = 0;
  std::int64_t inode = 0;
  std::string digest;
};

struct ChecksumCache::Root {
  std::map<std::string, Entry, std::less<>> entries;
  std::set<std::string> dirty;
};

namespace {

std::int64_t ns_of(const struct timespec& time) { return time.tv_sec * 1000000000LL + time.tv_nsec; }

sdk::Result<std::string> hash_file(const fs::path& path) {
  os::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (!fd.valid()) return sdk::Status::unavailable("reading " + path.string() + ": " + std::strerror(errno));
  ::posix_fadvise(fd.get(), 0, 0, POSIX_FADV_SEQUENTIAL);
  oci::Sha256 hasher;
  std::vector<char> buffer(1 << 20);
  while (true) {
    ssize_t n = ::read(fd.get(), buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return sdk::Status::unavailable("reading " + path.string() + ": " + std::strerror(errno));
    if (n == 0) break;
    hasher.update(buffer.data(), static_cast<std::size_t>(n));
  }
  return hasher.finish().str();
}

bool has_glob(std::string_view path) { return path.find_first_of("*?[\\") != std::string_view::npos; }

// The paths (relative to root) a possibly wildcarded selection names. Wildcards match one
// component each, as COPY's filepath.Match does; symlinks on the way are not followed out.
sdk::Status expand(const fs::path& root, const std::string& prefix, std::vector<std::string> components,
                   std::vector<std::string>& out) {
  if (components.empty()) {
    out.push_back(prefix);
    return sdk::Status::ok();
  }
  const std::string component = components.front();
  components.erase(components.begin());
  if (!has_glob(component)) {
    const std::string next = prefix.empty() ? component : prefix + "/" + component;
    struct stat info;
    if (::lstat((root / next).c_str(), &info) != 0) return sdk::Status::ok();
    return expand(root, next, std::move(components), out);
  }
  std::error_code error;
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(root / prefix, error)) names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  for (const auto& name : names) {
    auto matched = patterns::match_glob(component, name);
    if (!matched) return matched.status();
    if (!*matched) continue;
    if (auto status = expand(root, prefix.empty() ? name : prefix + "/" + name, components, out); !status) return status;
  }
  return sdk::Status::ok();
}

std::vector<std::string> split_components(const std::string& path) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (start < path.size()) {
    auto slash = path.find('/', start);
    if (slash == std::string::npos) slash = path.size();
    if (slash > start) parts.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return parts;
}

// One line per entry: what a copy of it would carry (name, type, permission bits, content or
// link target), nothing a copy from the context resets (owners) or that does not matter (mtime).
sdk::Status add_entry(ChecksumCache& cache, const fs::path& root, const std::string& relative, const std::string& name,
                      const struct stat& info, oci::Sha256& hasher, solver::LocalChecksum& record) {
  std::string line = name;
  line += '\0';
  line += std::to_string(info.st_mode);
  line += '\0';
  if (S_ISREG(info.st_mode)) {
    auto digest = cache.file_digest(root, relative, info);
    if (!digest) return digest.status();
    line += *digest;
  } else if (S_ISLNK(info.st_mode)) {
    std::string target(static_cast<std::size_t>(info.st_size) + 1, '\0');
    auto length = ::readlink((root / relative).c_str(), target.data(), target.size());
    if (length >= 0) line.append(target.data(), static_cast<std::size_t>(length));
  } else if (S_ISCHR(info.st_mode) || S_ISBLK(info.st_mode)) {
    line += std::to_string(info.st_rdev);
  }
  if (record.files.size() < solver::LocalChecksum::kMaxListedFiles) {
    std::string summary = line.substr(name.size() + 1);
    std::replace(summary.begin(), summary.end(), '\0', ' ');
    record.files.emplace_back(relative, std::move(summary));
  }
  ++record.file_count;
  line += '\n';
  hasher.update(line);
  return sdk::Status::ok();
}

}  // namespace

ChecksumCache::ChecksumCache(db::Database& database) : database_(database) {}
ChecksumCache::~ChecksumCache() = default;

ChecksumCache::Root& ChecksumCache::root_for(const fs::path& root) {
  auto& slot = roots_[root.string()];
  if (slot) return *slot;
  slot = std::make_unique<Root>();
  auto statement = database_.prepare("reading the file checksum cache",
                                     "SELECT path, size, mtime_ns, ctime_ns, inode, digest FROM file_checksums WHERE root = ?1");
  if (!statement || !statement->bind_text(1, root.string())) return *slot;
  while (true) {
    auto step = statement->step();
    if (!step || *step == db::Statement::Step::Done) break;
    slot->entries[statement->column_text(0)] = {statement->column_int64(1), statement->column_int64(2),
                                                statement->column_int64(3), statement->column_int64(4),
                                                statement->column_text(5)};
  }
  return *slot;
}

sdk::Result<std::string> ChecksumCache::file_digest(const fs::path& root, const std::string& relative,
                                                    const struct stat& info) {
  {
    std::lock_guard lock(mutex_);
    auto& entries = root_for(root).entries;
    if (auto found = entries.find(relative); found != entries.end()) {
      const auto& entry = found->second;
      if (entry.size == info.st_size && entry.mtime_ns == ns_of(info.st_mtim) && entry.ctime_ns == ns_of(info.st_ctim) &&
          entry.inode == static_cast<std::int64_t>(info.st_ino))
        return entry.digest;
    }
  }
  auto digest = hash_file(root / relative);
  if (!digest) return digest.status();
  ++files_hashed_;
  std::lock_guard lock(mutex_);
  auto& cached = root_for(root);
  cached.entries[relative] = {info.st_size, ns_of(info.st_mtim), ns_of(info.st_ctim),
                              static_cast<std::int64_t>(info.st_ino), *digest};
  cached.dirty.insert(relative);
  return digest;
}

sdk::Status ChecksumCache::flush() {
  std::lock_guard lock(mutex_);
  return db::run_in_transaction(database_, "saving the file checksum cache", [&]() -> sdk::Status {
    auto statement = database_.prepare("saving the file checksum cache",
                                       "INSERT OR REPLACE INTO file_checksums (root, path, size, mtime_ns, ctime_ns,"
                                       " inode, digest) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    if (!statement) return statement.status();
    for (auto& [root, cached] : roots_) {
      for (const auto& path : cached->dirty) {
        const auto& entry = cached->entries[path];
        statement->reset();
        auto bound = statement->bind_all(root, path, entry.size, entry.mtime_ns, entry.ctime_ns, entry.inode, entry.digest);
        if (!bound) return bound;
        auto ran = statement->run();
        if (!ran) return ran.status();
      }
    }
    for (auto& [root, cached] : roots_) cached->dirty.clear();
    return sdk::Status::ok();
  });
}

sdk::Result<solver::LocalChecksum> checksum_selection(ChecksumCache& cache, const fs::path& root,
                                            const std::vector<std::string>& include_patterns,
                                            const std::vector<std::string>& exclude_patterns,
                                            const solver::LocalSelection& selection) {
  auto source_filter = patterns::ContextFilter::compile(include_patterns, exclude_patterns);
  if (!source_filter) return source_filter.status();
  std::string path = patterns::clean_path(selection.path);
  while (!path.empty() && path.front() == '/') path.erase(0, 1);
  if (path == ".") path.clear();

  std::vector<std::string> selected;
  if (selection.wildcard && has_glob(path)) {
    if (auto status = expand(root, "", split_components(path), selected); !status) return status;
  } else {
    selected.push_back(path);
  }
  oci::Sha256 hasher;
  solver::LocalChecksum record;
  std::size_t found = 0;
  for (const auto& item : selected) {
    if (!item.empty()) {
      auto included = source_filter->includes(item);
      if (!included) return included.status();
      if (!*included) continue;
    }
    struct stat info;
    const fs::path full = item.empty() ? root : root / item;
    if ((selection.follow_symlinks ? ::stat(full.c_str(), &info) : ::lstat(full.c_str(), &info)) != 0) continue;
    ++found;
    hasher.update("selected:" + item + "\n");
    if (!S_ISDIR(info.st_mode)) {
      if (auto status = add_entry(cache, root, item, "", info, hasher, record); !status) return status;
      continue;
    }
    const std::string prefix = item.empty() ? "" : item + "/";
    auto walked = patterns::walk_context(
        full.string(), selection.include_patterns, selection.exclude_patterns,
        [&](std::string_view relative, const struct stat& entry) -> sdk::Result<patterns::WalkAction> {
          const std::string in_context = prefix + std::string(relative);
          auto included = source_filter->includes(in_context);
          if (!included) return included.status();
          if (*included)
            if (auto status = add_entry(cache, root, in_context, std::string(relative), entry, hasher, record); !status)
              return status;
          return patterns::WalkAction::Continue;
        });
    if (!walked) return walked;
  }
  if (found == 0) return sdk::Status::not_found("\"" + selection.path + "\": not found");
  record.digest = hasher.finish().str();
  return record;
}

}  // namespace dbuild::context
