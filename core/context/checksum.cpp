// checksum.cpp: the file checksum cache and selection checksums over a local context.
#include "context/checksum.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <set>
#include <vector>

#include "db/database.hpp"
#include "db/statement.hpp"
#include "db/transaction.hpp"
#include "context/file_hashing.hpp"
#include "oci/sha256.hpp"
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
// `digest` is the content's for a regular file, else unused.
void add_entry(const fs::path& root, const std::string& relative, const std::string& name, const struct stat& info,
               const std::string& digest, oci::Sha256& hasher, solver::LocalChecksum& record) {
  std::string line = name;
  line += '\0';
  line += std::to_string(info.st_mode);
  line += '\0';
  if (S_ISREG(info.st_mode)) {
    line += digest;
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
}

// What a selection's checksum is made of, in order: a marker per selected path, then one entry
// per path under it. Collected first, so that all regular files are hashed in one batch.
struct Piece {
  bool selected = false;  // a "selected:" marker for `relative`, not an entry
  std::string relative;   // in the context
  std::string name;       // relative to the selected path; empty for the selected path itself
  struct stat info {};
  std::size_t file = 0;   // a regular file's index among those to hash
};

void add_piece(std::vector<Piece>& pieces, std::vector<ContextFile>& files, std::string relative, std::string name,
               const struct stat& info) {
  Piece piece{.relative = std::move(relative), .name = std::move(name), .info = info};
  if (S_ISREG(info.st_mode)) {
    piece.file = files.size();
    files.push_back({piece.relative, info});
  }
  pieces.push_back(std::move(piece));
}

}  // namespace

ChecksumCache::ChecksumCache(db::Database& database, unsigned hash_threads)
    : database_(database), hash_threads_(std::max(hash_threads, 1u)) {}
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
  auto digests = file_digests(root, {ContextFile{relative, info}});
  if (!digests) return digests.status();
  return std::move(digests->front());
}

std::optional<std::string> ChecksumCache::cached_digest(const fs::path& root, const std::string& relative,
                                                        const struct stat& info) {
  std::lock_guard lock(mutex_);
  auto& entries = root_for(root).entries;
  auto found = entries.find(relative);
  if (found == entries.end() || found->second.size != info.st_size || found->second.mtime_ns != ns_of(info.st_mtim) ||
      found->second.ctime_ns != ns_of(info.st_ctim) || found->second.inode != static_cast<std::int64_t>(info.st_ino))
    return std::nullopt;
  return found->second.digest;
}

sdk::Result<std::vector<std::string>> ChecksumCache::file_digests(const fs::path& root,
                                                                  const std::vector<ContextFile>& files) {
  std::vector<std::string> digests(files.size());
  std::vector<std::size_t> missing;
  std::vector<FileToHash> to_hash;
  {
    std::lock_guard lock(mutex_);
    auto& entries = root_for(root).entries;
    for (std::size_t i = 0; i < files.size(); ++i) {
      const auto& info = files[i].info;
      auto found = entries.find(files[i].relative);
      if (found != entries.end() && found->second.size == info.st_size && found->second.mtime_ns == ns_of(info.st_mtim) &&
          found->second.ctime_ns == ns_of(info.st_ctim) && found->second.inode == static_cast<std::int64_t>(info.st_ino)) {
        digests[i] = found->second.digest;
        continue;
      }
      missing.push_back(i);
      to_hash.push_back({root / files[i].relative, info.st_size});
    }
  }
  if (missing.empty()) return digests;
  // Hashed without the lock: other steps' lookups go on meanwhile.
  auto hashed = hash_files(to_hash, hash_threads_);
  if (!hashed) return hashed.status();
  files_hashed_ += missing.size();
  std::lock_guard lock(mutex_);
  auto& cached = root_for(root);
  for (std::size_t k = 0; k < missing.size(); ++k) {
    const auto& file = files[missing[k]];
    digests[missing[k]] = std::move((*hashed)[k]);
    cached.entries[file.relative] = {file.info.st_size, ns_of(file.info.st_mtim), ns_of(file.info.st_ctim),
                                     static_cast<std::int64_t>(file.info.st_ino), digests[missing[k]]};
    cached.dirty.insert(file.relative);
  }
  return digests;
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
  // Entries go into the hasher as they are walked while the cache knows every file's digest (a
  // no-op rebuild: a stat walk); from the first file it does not know, they are collected, and
  // the files to read are hashed in one parallel batch at the end.
  oci::Sha256 hasher;
  solver::LocalChecksum record;
  std::vector<Piece> pieces;
  std::vector<ContextFile> files;
  auto add = [&](std::string relative, std::string name, const struct stat& info) {
    if (pieces.empty()) {
      if (!S_ISREG(info.st_mode)) {
        add_entry(root, relative, name, info, {}, hasher, record);
        return;
      }
      if (auto digest = cache.cached_digest(root, relative, info)) {
        add_entry(root, relative, name, info, *digest, hasher, record);
        return;
      }
    }
    add_piece(pieces, files, std::move(relative), std::move(name), info);
  };
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
    if (pieces.empty()) hasher.update("selected:" + item + "\n");
    else pieces.push_back({.selected = true, .relative = item});
    if (!S_ISDIR(info.st_mode)) {
      add(item, "", info);
      continue;
    }
    const std::string prefix = item.empty() ? "" : item + "/";
    auto walked = patterns::walk_context(
        full.string(), selection.include_patterns, selection.exclude_patterns,
        [&](std::string_view relative, const struct stat& entry) -> sdk::Result<patterns::WalkAction> {
          std::string in_context = prefix + std::string(relative);
          auto included = source_filter->includes(in_context);
          if (!included) return included.status();
          if (*included) add(std::move(in_context), std::string(relative), entry);
          return patterns::WalkAction::Continue;
        });
    if (!walked) return walked;
  }
  auto digests = cache.file_digests(root, files);
  if (!digests) return digests.status();
  for (const auto& piece : pieces) {
    if (piece.selected) {
      hasher.update("selected:" + piece.relative + "\n");
      continue;
    }
    static const std::string kNoDigest;
    const std::string& digest = S_ISREG(piece.info.st_mode) ? (*digests)[piece.file] : kNoDigest;
    add_entry(root, piece.relative, piece.name, piece.info, digest, hasher, record);
  }
  if (found == 0) return sdk::Status::not_found("\"" + selection.path + "\": not found");
  record.digest = hasher.finish().str();
  return record;
}

}  // namespace dbuild::context
