// session.cpp: session directories, their locks, and cleaning up after dead ones.
#include "engine/session.hpp"

#include <sys/mount.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <random>
#include <sstream>
#include <vector>

namespace dbuild::engine {
namespace {

namespace fs = std::filesystem;

std::string random_suffix() {
  std::random_device device;
  std::uniform_int_distribution<unsigned> hex(0, 15);
  std::string out;
  for (int i = 0; i < 8; ++i) out += "0123456789abcdef"[hex(device)];
  return out;
}

// /proc/self/mountinfo escapes spaces and the like as \ooo.
std::string unescape_mount_path(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 3 < text.size()) {
      out += static_cast<char>(std::stoi(text.substr(i + 1, 3), nullptr, 8));
      i += 3;
    } else {
      out += text[i];
    }
  }
  return out;
}

}  // namespace

sdk::Result<Session> Session::create(const fs::path& state_root) {
  const std::string name = "s" + std::to_string(::getpid()) + "-" + random_suffix();
  const fs::path dir = state_root / "sessions" / name;
  // Locked under a hidden name first and renamed: another process's clean_dead_sessions must
  // never see this directory unlocked.
  const fs::path staging = state_root / "sessions" / ("." + name);
  std::error_code error;
  for (const char* sub : {"mounts", "bundles", "scratch"}) fs::create_directories(staging / sub, error);
  if (error) return sdk::Status::unavailable("creating session directory " + dir.string() + ": " + error.message());
  auto lock = os::FileLock::acquire(staging / "lock", os::LockMode::Exclusive, os::LockWait::Try);
  if (!lock) return lock.status();
  fs::rename(staging, dir, error);
  if (error) return sdk::Status::unavailable("creating session directory " + dir.string() + ": " + error.message());
  return Session(name, dir, std::move(*lock));
}

void Session::close() {
  if (dir_.empty()) return;
  unmount_below(dir_);
  std::error_code ignored;
  fs::remove_all(dir_, ignored);
  lock_.release();
  dir_.clear();
}

void unmount_below(const fs::path& dir) {
  std::ifstream mountinfo("/proc/self/mountinfo");
  std::vector<std::string> targets;
  const std::string prefix = dir.string();
  for (std::string line; std::getline(mountinfo, line);) {
    std::istringstream fields(line);
    std::string id, parent, device, root, mount_point;
    fields >> id >> parent >> device >> root >> mount_point;
    auto path = unescape_mount_path(mount_point);
    if (path == prefix || path.rfind(prefix + "/", 0) == 0) targets.push_back(path);
  }
  std::sort(targets.begin(), targets.end(), [](const auto& a, const auto& b) { return a.size() > b.size(); });
  for (const auto& target : targets)
    if (::umount2(target.c_str(), 0) != 0) ::umount2(target.c_str(), MNT_DETACH);
}

bool session_alive(const fs::path& state_root, const std::string& name) {
  const fs::path lock_file = state_root / "sessions" / name / "lock";
  std::error_code error;
  if (name.empty() || !fs::exists(lock_file, error)) return false;
  // Shared, so that a live session's exclusive lock makes this fail without taking anything.
  auto lock = os::FileLock::acquire(lock_file, os::LockMode::Shared, os::LockWait::Try);
  return !lock;
}

std::size_t clean_dead_sessions(const fs::path& state_root, const DeadSessionCleanup& cleanup) {
  std::error_code error;
  std::size_t cleaned = 0;
  for (const auto& entry : fs::directory_iterator(state_root / "sessions", error)) {
    if (!entry.is_directory(error) || entry.path().filename().string().front() == '.') continue;
    auto lock = os::FileLock::acquire(entry.path() / "lock", os::LockMode::Exclusive, os::LockWait::Try);
    if (!lock) continue;  // held: its process is alive
    unmount_below(entry.path());
    if (cleanup) cleanup(entry.path().filename().string());
    fs::remove_all(entry.path(), error);
    ++cleaned;
  }
  return cleaned;
}

}  // namespace dbuild::engine
