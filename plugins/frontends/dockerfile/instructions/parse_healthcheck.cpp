// parse_healthcheck.cpp: HEALTHCHECK NONE | [--interval --timeout --start-period
// --start-interval --retries] CMD command, as BuildKit parses it (durations at least 1ms, 0 and
// unset meaning "the default"; the shell form stored as CMD-SHELL).
#include "instructions/go_duration.hpp"
#include "instructions/parse_request.hpp"
#include "parser/text.hpp"

namespace dbuild::dockerfile {
namespace {

namespace text = parser_text;

constexpr std::int64_t kMinimumDuration = 1000000;  // 1ms, Docker's container.MinimumDuration

sdk::Status set_duration(const Flag& flag, std::int64_t& out) {
  auto value = parse_health_duration(flag.name, flag.value);
  if (!value) return value.status();
  out = *value;
  return sdk::Status::ok();
}

sdk::Result<int> retries_of(const std::string& value) {
  if (value.empty()) return 0;
  auto retries = text::parse_int(value, 10, 32);
  if (!retries) return retries.status();
  if (*retries < 0)
    return sdk::Status::invalid_argument("--retries cannot be negative (" + std::to_string(*retries) + ")");
  return static_cast<int>(*retries);
}

}  // namespace

sdk::Result<std::int64_t> parse_health_duration(std::string_view flag_name, std::string_view value) {
  if (value.empty()) return std::int64_t{0};
  auto duration = parse_go_duration(value);
  if (!duration) return duration.status();
  if (*duration == 0) return std::int64_t{0};
  if (*duration < kMinimumDuration)
    return sdk::Status::invalid_argument("Interval " + text::quote(flag_name) + " cannot be less than 1ms");
  return *duration;
}

sdk::Result<Command> parse_healthcheck(ParseRequest& request) {
  if (request.args.empty()) return error_at_least_one_argument("HEALTHCHECK");
  HealthcheckCommand command{request.base()};
  std::string type = text::to_upper(request.args[0]);
  const std::vector<std::string> args(request.args.begin() + 1, request.args.end());
  if (type == "NONE") {
    // BuildKit checks no flags for NONE.
    if (!args.empty()) return sdk::Status::invalid_argument("HEALTHCHECK NONE takes no arguments");
    command.health.test = {type};
    return Command{std::move(command)};
  }
  const Flag& interval = request.flags.add_string("interval", "");
  const Flag& timeout = request.flags.add_string("timeout", "");
  const Flag& start_period = request.flags.add_string("start-period", "");
  const Flag& start_interval = request.flags.add_string("start-interval", "");
  const Flag& retries = request.flags.add_string("retries", "");
  if (auto status = request.flags.parse(); !status) return status;
  if (type != "CMD")
    return sdk::Status::invalid_argument("Unknown type " + text::quote(type) + " in HEALTHCHECK (try CMD)");
  auto test = handle_json_args(args, request.json);
  if (test.empty()) return sdk::Status::invalid_argument("Missing command after HEALTHCHECK CMD");
  test.insert(test.begin(), request.json ? type : "CMD-SHELL");
  HealthConfig& health = command.health;
  health.test = std::move(test);
  for (auto [flag, out] : {std::pair{&interval, &health.interval_ns}, std::pair{&timeout, &health.timeout_ns},
                           std::pair{&start_period, &health.start_period_ns},
                           std::pair{&start_interval, &health.start_interval_ns}}) {
    if (auto status = set_duration(*flag, *out); !status) return status;
  }
  auto count = retries_of(retries.value);
  if (!count) return count.status();
  health.retries = *count;
  return Command{std::move(command)};
}

}  // namespace dbuild::dockerfile
