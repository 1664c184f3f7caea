// context.hpp: what every file action receives besides its own fields: cancellation, progress,
// and the build's SOURCE_DATE_EPOCH.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <stop_token>

namespace dbuild::fileop {

struct CopyContext {
  /// Seconds since the epoch for what an action creates without a time of its own: parent
  /// directories made on the way to a destination, and mkdir/mkfile/symlink without a timestamp.
  /// None: those keep the current time, as in BuildKit. An action's own timestamp always wins.
  std::optional<std::int64_t> source_date_epoch{};
  /// Called, from the calling thread, with the bytes of file data written each time some are
  /// (copied files, extracted archive entries, mkfile data). May be empty.
  std::function<void(std::uint64_t bytes)> on_bytes{};
  /// Checked between entries and between chunks of a large file; a stop request ends the action
  /// with `cancelled`, leaving what was already written.
  std::stop_token stop{};
};

}  // namespace dbuild::fileop
