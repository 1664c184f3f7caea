// snapshotter.cpp: snapshot rows, directories and mounts for both drivers.
#include "snapshot/snapshotter.hpp"

#include <ftw.h>

#include <chrono>
#include <cstdlib>
#include <set>

#include "db/database.hpp"
#include "db/statement.hpp"
#include "db/transaction.hpp"
#include "os/subprocess.hpp"
#include "snapshot/overlay_mount.hpp"

namespace dbuild::snapshot {
namespace {

namespace fs = std::filesystem;

std::int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

sdk::Status make_dirs(const fs::path& path) {
  std::error_code error;
  fs::create_directories(path, error);
  if (error) return sdk::Status::unavailable("creating " + path.string() + ": " + error.message());
  return sdk::Status::ok();
}

void remove_tree(const fs::path& path) {
  std::error_code ignored;
  fs::remove_all(path, ignored);
}

// The copy driver's full copies: GNU cp keeps owners, modes, times, xattrs, hardlinks and
// special files, and shares blocks where the file system can (reflink).
sdk::Status copy_tree(const fs::path& from, const fs::path& to) {
  auto result = os::run_subprocess({"cp", "-a", "--reflink=auto", from.string() + "/.", to.string()});
  if (!result) return result.status();
  if (result->exit_code != 0)
    return sdk::Status::unavailable("copying " + from.string() + " to " + to.string() + ": " + result->err);
  return sdk::Status::ok();
}

// Disk space a snapshot's own directory takes (its diff for overlay), hardlinks counted once.
std::int64_t dir_size(const fs::path& dir) {
  static thread_local std::int64_t total;
  static thread_local std::set<std::pair<dev_t, ino_t>>* seen;
  std::set<std::pair<dev_t, ino_t>> inodes;
  total = 0;
  seen = &inodes;
  ::nftw(dir.c_str(), [](const char*, const struct stat* info, int, struct FTW*) {
    if (info->st_nlink > 1 && !seen->insert({info->st_dev, info->st_ino}).second) return 0;
    total += static_cast<std::int64_t>(info->st_blocks) * 512;
    return 0;
  }, 64, FTW_PHYS);
  return total;
}

sdk::Status exec_sql(db::Database& database, std::string_view purpose, std::string_view sql,
                     const std::function<sdk::Status(db::Statement&)>& bind) {
  auto statement = database.prepare(purpose, sql);
  if (!statement) return statement.status();
  if (auto status = bind(*statement); !status) return status;
  auto ran = statement->run();
  return ran ? sdk::Status::ok() : ran.status();
}

}  // namespace

const char* driver_name(Driver driver) noexcept { return driver == Driver::Overlay ? "overlay" : "copy"; }

Active::~Active() {
  if (!done_) owner_.abort(*this);
}

View::~View() {
  if (!mounted_) return;
  (void)unmount(root_);
  std::error_code ignored;
  fs::remove(root_, ignored);
}

Snapshotter::Snapshotter(db::Database& database, fs::path state_root, fs::path mounts_dir, std::string session,
                         Driver driver)
    : database_(database), state_root_(std::move(state_root)), mounts_dir_(std::move(mounts_dir)),
      session_(std::move(session)), driver_(driver) {}

Driver Snapshotter::choose_driver(const fs::path& state_root) {
  if (const char* forced = std::getenv("DBUILD_SNAPSHOTTER")) {
    if (std::string_view(forced) == "copy") return Driver::Copy;
    if (std::string_view(forced) == "overlay") return Driver::Overlay;
  }
  std::error_code error;
  fs::create_directories(state_root / "tmp", error);
  return overlay_supported(state_root / "tmp") ? Driver::Overlay : Driver::Copy;
}

fs::path Snapshotter::dir_of(SnapshotId snapshot) const {
  return state_root_ / "snapshots" / std::to_string(snapshot) / "fs";
}

fs::path Snapshotter::next_mount_point() { return mounts_dir_ / std::to_string(next_mount_++); }

sdk::Result<SnapshotId> Snapshotter::insert_active(std::optional<SnapshotId> parent) {
  // The id must be read in the same transaction as the INSERT: another thread's INSERT on this
  // connection would change last_insert_rowid.
  auto transaction = db::Transaction::begin(database_, "creating a snapshot");
  if (!transaction) return transaction.status();
  auto status = exec_sql(database_, "creating a snapshot",
                         "INSERT INTO snapshots (parent, state, session, created, last_used) "
                         "VALUES (?1, 'active', ?2, ?3, ?3)",
                         [&](db::Statement& statement) {
                           auto bound = parent ? statement.bind_int64(1, *parent) : statement.bind_null(1);
                           if (!bound) return bound;
                           if (auto session = statement.bind_text(2, session_); !session) return session;
                           return statement.bind_int64(3, now_seconds());
                         });
  if (!status) return status;
  SnapshotId id = database_.last_insert_rowid();
  if (auto committed = transaction->commit(); !committed) return committed;
  return id;
}

sdk::Result<std::unique_ptr<Active>> Snapshotter::prepare(std::optional<SnapshotId> parent) {
  std::vector<SnapshotId> lowers;
  if (parent) {
    auto parent_chain = chain(*parent);
    if (!parent_chain) return parent_chain.status().with_context("preparing a snapshot");
    lowers = std::move(*parent_chain);
  }
  auto id = insert_active(parent);
  if (!id) return id.status();
  const fs::path fs_dir = dir_of(*id);
  if (auto status = make_dirs(fs_dir); !status) return status;
  std::unique_ptr<Active> active(new Active(*this, *id, parent, fs_dir, false));

  if (driver_ == Driver::Copy) {
    if (parent)
      if (auto status = copy_tree(dir_of(*parent), fs_dir); !status) return status;
    return active;
  }
  if (!parent) return active;  // no lower layers: the upper dir is the whole tree
  const fs::path work = fs_dir.parent_path() / "work";
  const fs::path target = next_mount_point();
  if (auto status = make_dirs(work); !status) return status;
  if (auto status = make_dirs(target); !status) return status;
  OverlaySpec spec;
  for (auto lower : lowers) spec.lowers.push_back(dir_of(lower));
  spec.upper = fs_dir;
  spec.work = work;
  if (auto status = mount_overlay(spec, target); !status) return status.with_context("preparing a snapshot");
  active->root_ = target;
  active->mounted_ = true;
  return active;
}

void Snapshotter::abort(Active& active) {
  active.done_ = true;
  if (active.mounted_) {
    (void)unmount(active.root_);
    std::error_code ignored;
    fs::remove(active.root_, ignored);
  }
  remove_tree(dir_of(active.id_).parent_path());
  (void)exec_sql(database_, "dropping an unfinished snapshot", "DELETE FROM snapshots WHERE id = ?1",
                 [&](db::Statement& statement) { return statement.bind_int64(1, active.id_); });
}

sdk::Result<SnapshotId> Snapshotter::commit(std::unique_ptr<Active> active) {
  if (active->mounted_) {
    if (auto status = unmount(active->root_); !status) return status.with_context("committing a snapshot");
    std::error_code ignored;
    fs::remove(active->root_, ignored);
    active->mounted_ = false;
    remove_tree(dir_of(active->id_).parent_path() / "work");
  }
  const auto size = dir_size(dir_of(active->id_));
  auto status = exec_sql(database_, "committing a snapshot",
                         "UPDATE snapshots SET state = 'committed', session = NULL, size = ?2 WHERE id = ?1",
                         [&](db::Statement& statement) { return statement.bind_all(active->id_, size); });
  if (!status) return status;
  active->done_ = true;
  return active->id_;
}

sdk::Result<std::vector<SnapshotId>> Snapshotter::chain(SnapshotId snapshot) {
  {
    std::lock_guard lock(chains_mutex_);
    if (auto found = chains_.find(snapshot); found != chains_.end()) return found->second;
  }
  auto statement = database_.prepare("reading a snapshot chain",
                                     "WITH RECURSIVE up(id, parent, depth) AS ("
                                     "  SELECT id, parent, 0 FROM snapshots WHERE id = ?1 AND state = 'committed'"
                                     "  UNION ALL SELECT s.id, s.parent, up.depth + 1 FROM snapshots s"
                                     "  JOIN up ON s.id = up.parent)"
                                     " SELECT id FROM up ORDER BY depth");
  if (!statement) return statement.status();
  if (auto bound = statement->bind_int64(1, snapshot); !bound) return bound;
  std::vector<SnapshotId> ids;
  while (true) {
    auto step = statement->step();
    if (!step) return step.status();
    if (*step == db::Statement::Step::Done) break;
    ids.push_back(statement->column_int64(0));
  }
  if (ids.empty()) return sdk::Status::not_found("snapshot " + std::to_string(snapshot) + " does not exist");
  std::lock_guard lock(chains_mutex_);
  chains_[snapshot] = ids;
  return ids;
}

bool Snapshotter::exists(SnapshotId snapshot) {
  std::error_code error;
  return chain(snapshot).has_value() && fs::is_directory(dir_of(snapshot), error);
}

sdk::Result<std::unique_ptr<View>> Snapshotter::mount_view(const std::vector<SnapshotId>& lowers) {
  const fs::path target = next_mount_point();
  if (auto status = make_dirs(target); !status) return status;
  OverlaySpec spec;
  for (auto lower : lowers) spec.lowers.push_back(dir_of(lower));
  if (auto status = mount_overlay(spec, target); !status) {
    std::error_code ignored;
    fs::remove(target, ignored);
    return status;
  }
  return std::unique_ptr<View>(new View(target, true));
}

sdk::Result<std::unique_ptr<View>> Snapshotter::view(std::optional<SnapshotId> snapshot) {
  if (!snapshot) {
    const fs::path empty = state_root_ / "snapshots" / "empty";
    if (auto status = make_dirs(empty); !status) return status;
    return std::unique_ptr<View>(new View(empty, false));
  }
  auto lowers = chain(*snapshot);
  if (!lowers) return lowers.status();
  // One layer, or full trees (copy driver): the directory itself is the tree.
  if (driver_ == Driver::Copy || lowers->size() == 1) return std::unique_ptr<View>(new View(dir_of(*snapshot), false));
  return mount_view(*lowers);
}

std::optional<SnapshotId> Snapshotter::find_chain(const std::string& chain_id) {
  auto statement = database_.prepare("finding an unpacked layer",
                                     "SELECT id FROM snapshots WHERE chain_id = ?1 AND state = 'committed'");
  if (!statement || !statement->bind_text(1, chain_id)) return std::nullopt;
  auto step = statement->step();
  if (!step || *step != db::Statement::Step::Row) return std::nullopt;
  SnapshotId id = statement->column_int64(0);
  std::error_code error;
  if (!fs::is_directory(dir_of(id), error)) return std::nullopt;
  return id;
}

sdk::Result<SnapshotId> Snapshotter::unpack(std::optional<SnapshotId> parent, const std::string& chain_id,
                                            const ByteSource& source, const std::function<sdk::Status()>& verify) {
  auto id = insert_active(parent);
  if (!id) return id.status();
  const fs::path fs_dir = dir_of(*id);
  std::unique_ptr<Active> active(new Active(*this, *id, parent, fs_dir, false));
  if (auto status = make_dirs(fs_dir); !status) return status;
  if (driver_ == Driver::Copy && parent)
    if (auto status = copy_tree(dir_of(*parent), fs_dir); !status) return status;
  auto format = driver_ == Driver::Overlay ? WhiteoutFormat::Overlay : WhiteoutFormat::Delete;
  auto applied = apply_layer(source, fs_dir, format);
  if (!applied) return applied.status();
  if (verify)
    if (auto verified = verify(); !verified) return verified;

  const auto size = dir_size(fs_dir);
  auto transaction = db::Transaction::begin(database_, "recording an unpacked layer");
  if (!transaction) return transaction.status();
  if (auto existing = find_chain(chain_id)) return *existing;  // another build won the race
  auto status = exec_sql(database_, "recording an unpacked layer",
                         "UPDATE snapshots SET state = 'committed', session = NULL, chain_id = ?2, size = ?3"
                         " WHERE id = ?1",
                         [&](db::Statement& statement) { return statement.bind_all(*id, chain_id, size); });
  if (!status) return status;
  if (auto committed = transaction->commit(); !committed) return committed;
  active->done_ = true;
  return *id;
}

sdk::Result<LayerStats> Snapshotter::write_layer(SnapshotId snapshot, const ByteSink& out,
                                                 const LayerWriteOptions& options) {
  auto lowers = chain(snapshot);
  if (!lowers) return lowers.status();
  if (driver_ == Driver::Overlay) return write_layer_from_upper(dir_of(snapshot), out, options);
  const fs::path parent = lowers->size() > 1 ? dir_of((*lowers)[1]) : fs::path();
  return write_layer_from_diff(parent, dir_of(snapshot), out, options);
}

sdk::Status Snapshotter::set_diff_id(SnapshotId snapshot, const std::string& diff_id) {
  return exec_sql(database_, "recording a layer digest", "UPDATE snapshots SET diff_id = ?2 WHERE id = ?1",
                  [&](db::Statement& statement) { return statement.bind_all(snapshot, diff_id); });
}

std::optional<std::string> Snapshotter::diff_id(SnapshotId snapshot) {
  auto statement = database_.prepare("reading a layer digest", "SELECT diff_id FROM snapshots WHERE id = ?1");
  if (!statement || !statement->bind_int64(1, snapshot)) return std::nullopt;
  auto step = statement->step();
  if (!step || *step != db::Statement::Step::Row || statement->column_is_null(0)) return std::nullopt;
  return statement->column_text(0);
}

sdk::Status Snapshotter::remove(SnapshotId snapshot) {
  auto statement = database_.prepare("checking snapshot children", "SELECT count(*) FROM snapshots WHERE parent = ?1");
  if (!statement) return statement.status();
  if (auto bound = statement->bind_int64(1, snapshot); !bound) return bound;
  auto step = statement->step();
  if (!step) return step.status();
  if (statement->column_int64(0) > 0)
    return sdk::Status::failed_precondition("snapshot " + std::to_string(snapshot) + " has children");
  statement->reset();
  auto status = exec_sql(database_, "removing a snapshot", "DELETE FROM snapshots WHERE id = ?1",
                         [&](db::Statement& del) { return del.bind_int64(1, snapshot); });
  if (!status) return status;
  {
    std::lock_guard lock(chains_mutex_);
    chains_.erase(snapshot);
  }
  remove_tree(dir_of(snapshot).parent_path());
  return sdk::Status::ok();
}

sdk::Status Snapshotter::cleanup_session(const std::string& session) {
  auto statement = database_.prepare("finding a dead session's snapshots",
                                     "SELECT id FROM snapshots WHERE state = 'active' AND session = ?1 ORDER BY id DESC");
  if (!statement) return statement.status();
  if (auto bound = statement->bind_text(1, session); !bound) return bound;
  std::vector<SnapshotId> ids;
  while (true) {
    auto step = statement->step();
    if (!step) return step.status();
    if (*step == db::Statement::Step::Done) break;
    ids.push_back(statement->column_int64(0));
  }
  for (auto id : ids) {
    remove_tree(dir_of(id).parent_path());
    auto status = exec_sql(database_, "removing a dead session's snapshot", "DELETE FROM snapshots WHERE id = ?1",
                           [&](db::Statement& del) { return del.bind_int64(1, id); });
    if (!status) return status;
  }
  return sdk::Status::ok();
}

}  // namespace dbuild::snapshot
