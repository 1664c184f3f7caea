// migrations.cpp: applying the numbered migrations, one transaction each, safe against another
// process doing the same at the same time.
#include "db/migrations.hpp"

#include <fmt/format.h>

#include "db/database.hpp"
#include "db/transaction.hpp"

namespace dbuild::db {
namespace {

using sdk::Status;

Status check_numbering(std::span<const Migration> migrations) {
  for (std::size_t i = 0; i < migrations.size(); ++i) {
    if (migrations[i].version != static_cast<int>(i) + 1)
      return Status::internal(fmt::format("migration {} has number {}, expected {}: migrations must be numbered 1..N",
                                          migrations[i].name, migrations[i].version, i + 1));
  }
  return Status::ok();
}

Status newer_schema(const Database& database, int version, int known) {
  return Status::failed_precondition(fmt::format("{} was written by a newer dbuild (schema {}, this one knows {})",
                                                 database.path().string(), version, known))
      .with_hint("upgrade dbuild, or use another state root (--root)");
}

// Applies the migration after the current version, or nothing when the database is up to date.
// Returns the version the database has afterwards. The version is read again inside the
// transaction: another process may have migrated since we last looked.
sdk::Result<int> apply_next(Database& database, std::span<const Migration> migrations) {
  const int known = static_cast<int>(migrations.size());
  int version = 0;
  auto status = run_in_transaction(database, "migrating the database schema", [&]() -> Status {
    auto current = database.user_version();
    if (!current) return current.status();
    version = *current;
    if (version > known) return newer_schema(database, version, known);
    if (version == known) return Status::ok();
    const Migration& next = migrations[static_cast<std::size_t>(version)];
    const std::string purpose = fmt::format("applying migration {}", next.name);
    if (auto applied = database.execute(purpose, next.sql); !applied) return applied;
    if (auto recorded = database.execute(purpose, fmt::format("PRAGMA user_version = {}", next.version)); !recorded)
      return recorded;
    version = next.version;
    return Status::ok();
  });
  if (!status) return status;
  return version;
}

}  // namespace

Status migrate(Database& database, std::span<const Migration> migrations) {
  if (auto status = check_numbering(migrations); !status) return status;
  const int known = static_cast<int>(migrations.size());
  // The common case, an up-to-date database, needs no write lock.
  auto version = database.user_version();
  if (!version) return version.status();
  if (*version > known) return newer_schema(database, *version, known);
  while (*version < known) {
    version = apply_next(database, migrations);
    if (!version) return version.status();
  }
  return Status::ok();
}

Status check_schema(Database& database, std::span<const Migration> migrations) {
  const int known = static_cast<int>(migrations.size());
  auto version = database.user_version();
  if (!version) return version.status();
  if (*version > known) return newer_schema(database, *version, known);
  if (*version < known)
    return Status::failed_precondition(
               fmt::format("{} has schema {}, this dbuild needs {}", database.path().string(), *version, known))
        .with_hint("run any read-write dbuild command once to upgrade it");
  return Status::ok();
}

}  // namespace dbuild::db
