// parse_run.cpp: RUN: its command line and heredoc files, and the flags BuildKit's RUN hooks
// declare and check in this order: --device, --mount, --network, --security.
#include "instructions/csv_fields.hpp"
#include "instructions/parse_request.hpp"
#include "instructions/suggest.hpp"
#include "parser/text.hpp"

namespace dbuild::dockerfile {
namespace {

namespace text = parser_text;

// The mounts as written, for the converter. A spec whose literal form fails only because of a
// variable (`type=$T`) keeps BuildKit's first-pass result until expand_run_mounts runs.
sdk::Result<std::vector<RunMount>> literal_mounts(const std::vector<std::string>& specs) {
  const WordExpander identity = [](std::string_view word) -> sdk::Result<std::string> { return std::string(word); };
  std::vector<RunMount> mounts;
  for (const auto& spec : specs) {
    auto first_pass = parse_run_mount(spec, nullptr);
    if (!first_pass) return first_pass.status();
    auto literal = parse_run_mount(spec, &identity);
    if (!literal && spec.find('$') == std::string::npos) return literal.status();
    mounts.push_back(literal ? std::move(*literal) : std::move(*first_pass));
  }
  if (auto status = apply_ssh_targets(mounts); !status) return status;
  return mounts;
}

sdk::Status check_choice(bool given, const std::string& value, std::initializer_list<const char*> allowed,
                         std::string message) {
  if (!given) return sdk::Status::ok();
  for (const char* choice : allowed)
    if (value == choice) return sdk::Status::ok();
  return sdk::Status::invalid_argument(std::move(message));
}

}  // namespace

sdk::Result<RunDevice> parse_run_device(std::string_view spec) {
  auto fields = csv_fields(spec);
  if (!fields) return sdk::Status::invalid_argument("failed to parse csv devices: " + fields.status().message());
  RunDevice device;
  for (const auto& field : *fields) {
    const auto equals = field.find('=');
    const std::string key = text::to_lower(field.substr(0, equals));
    const std::string value = equals == std::string::npos ? "" : field.substr(equals + 1);
    if (equals == std::string::npos && key == "required") {
      device.required = true;
    } else if (equals != std::string::npos && key == "name") {
      if (!device.name.empty()) return sdk::Status::invalid_argument("device name already set to " + device.name);
      device.name = value;
    } else if (equals != std::string::npos && key == "required") {
      auto required = text::parse_bool(value);
      if (!required) return sdk::Status::invalid_argument("invalid value for " + key + ": " + value);
      device.required = *required;
    } else if (device.name.empty()) {
      device.name = field;  // the first other field is the name, "=" and all
    } else if (equals == std::string::npos) {
      return sdk::Status::invalid_argument("invalid field '" + field + "' must be a key=value pair");
    } else {
      return sdk::Status::invalid_argument(
          with_suggestion("unexpected key '" + key + "' in '" + field + "'", key, {"name", "required"}, true));
    }
  }
  return device;
}

sdk::Result<Command> parse_run(ParseRequest& request) {
  Flag& devices = request.flags.add_strings("device");
  Flag& mounts = request.flags.add_strings("mount");
  Flag& network = request.flags.add_string("network", "");
  Flag& security = request.flags.add_string("security", "");
  if (auto status = request.flags.parse(); !status) return status;
  RunCommand command{request.base(), command_line(request)};
  command.flags_used = request.flags.used();
  for (const auto& spec : devices.string_values) {
    auto device = parse_run_device(spec);
    if (!device) return device.status();
    command.devices.push_back(device->name);
    command.device_requests.push_back(std::move(*device));
  }
  command.mount_specs = mounts.string_values;
  auto parsed = literal_mounts(command.mount_specs);
  if (!parsed) return parsed.status();
  command.mounts = std::move(*parsed);
  // BuildKit's defaults ("default", "sandbox") are left out: "" means the flag was not given.
  if (auto status = check_choice(request.flags.is_used("network"), network.value, {"default", "none", "host"},
                                 "invalid network mode " + text::quote(network.value));
      !status)
    return status;
  if (auto status = check_choice(request.flags.is_used("security"), security.value, {"sandbox", "insecure"},
                                 "security " + text::quote(security.value) + " is not valid");
      !status)
    return status;
  command.network = network.value;
  command.security = security.value;
  return Command{std::move(command)};
}

}  // namespace dbuild::dockerfile
