// lease.hpp: a lease protects blobs a running build has written or is using from GC until the
// build references them or ends. It lives as long as this object and its process.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include <dbuild/sdk/status.hpp>

#include "content/posix_file.hpp"

namespace dbuild::content {

class LocalContentStore;

struct LeaseOptions {
  /// A backstop for owners that live on but forget their lease: after this long GC ignores it.
  /// nullopt: only release() or the owner's death ends it.
  std::optional<std::chrono::seconds> expires_after;
};

/// Made by LocalContentStore::create_lease. The owner holds an flock on
/// `<root>/content/leases/<id>.lock` for the lease's lifetime, so a lease whose process died
/// (even by SIGKILL) stops protecting at once, whatever its pid has become since. Move-only;
/// the store must outlive it.
class Lease {
 public:
  Lease(Lease&& other) noexcept;
  Lease& operator=(Lease&& other) noexcept;
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;
  /// Releases the lease, ignoring errors (a failed release is cleaned up by GC anyway).
  ~Lease();

  [[nodiscard]] const std::string& id() const noexcept { return id_; }

  /// Ends the lease now: blobs only it protected become garbage. Idempotent.
  sdk::Status release();

 private:
  friend class LocalContentStore;
  Lease(LocalContentStore& store, std::string id, UniqueFd lock);

  LocalContentStore* store_ = nullptr;
  std::string id_;
  UniqueFd lock_;
};

}  // namespace dbuild::content
