// parallel.hpp: running a list of transfers on a bounded number of threads, stopping the rest
// at the first failure (in-flight transfers see their stop token and end early).
#pragma once

#include <cstddef>
#include <functional>
#include <stop_token>

#include <dbuild/sdk/status.hpp>

namespace dbuild::registry {

/// Calls task(i, stop) for i in [0, count) on up to `limit` threads. After a failure no new task
/// starts and `stop` is requested; the first failure is returned (not the cancellations it
/// caused). `outer` (the caller's stop token) also stops them.
[[nodiscard]] sdk::Status run_bounded(std::size_t count, int limit, std::stop_token outer,
                                      const std::function<sdk::Status(std::size_t index, std::stop_token stop)>& task);

}  // namespace dbuild::registry
