// migrations.hpp: the numbered schema migrations (share/migrations/NNNN_name.sql, embedded into
// the binary at build time) and applying them to a database, once each, in order.
#pragma once

#include <span>
#include <string_view>

#include <dbuild/sdk/status.hpp>

namespace dbuild::db {

class Database;

/// One migration. `version` is its number (NNNN), 1-based and without gaps; PRAGMA user_version
/// records the last one applied. `sql` is a script without BEGIN/COMMIT (migrate() supplies the
/// transaction), so it cannot change PRAGMAs that are no-ops inside one (foreign_keys).
struct Migration {
  int version = 0;
  std::string_view name;  // "0001_content"
  std::string_view sql;
};

/// Every share/migrations/*.sql known when this binary was built, in version order.
[[nodiscard]] std::span<const Migration> embedded_migrations();
/// The build history's series, share/migrations/history/*.sql (history.db).
[[nodiscard]] std::span<const Migration> embedded_history_migrations();

/// Applies the migrations newer than the database's version, each in its own BEGIN IMMEDIATE
/// transaction that re-reads the version first, so that two processes migrating the same file at
/// once never apply one twice. Errors: failed_precondition (the database is newer than
/// `migrations`: "... was written by a newer dbuild (schema N, this one knows M)"), internal
/// (`migrations` are not numbered 1..N), and the migration's own SQL errors, naming it.
[[nodiscard]] sdk::Status migrate(Database& database, std::span<const Migration> migrations = embedded_migrations());

/// Checks, without writing, that the database's schema is exactly the one `migrations` make:
/// for read-only connections, which cannot migrate. Errors: failed_precondition (newer, or older
/// and needing a read-write open first).
[[nodiscard]] sdk::Status check_schema(Database& database,
                                       std::span<const Migration> migrations = embedded_migrations());

}  // namespace dbuild::db
