// run_mount.cpp: RUN --mount values (BuildKit's instructions/commands_runmount.go): CSV
// key=value fields, the checks per mount type, and the defaults BuildKit's converter applies to
// secret and ssh mounts (their id and target).
#include <charconv>
#include <cmath>

#include "instructions/csv_fields.hpp"
#include "instructions/instructions.hpp"
#include "instructions/suggest.hpp"
#include "parser/text.hpp"

namespace dbuild::dockerfile {
namespace {

namespace text = parser_text;
using Type = RunMount::Type;

const char* type_name(Type type) {
  switch (type) {
    case Type::Bind: return "bind";
    case Type::Cache: return "cache";
    case Type::Tmpfs: return "tmpfs";
    case Type::Secret: return "secret";
    case Type::Ssh: return "ssh";
  }
  return "bind";
}

std::optional<Type> type_of(const std::string& name) {
  for (Type type : {Type::Bind, Type::Cache, Type::Tmpfs, Type::Secret, Type::Ssh})
    if (name == type_name(type)) return type;
  return std::nullopt;
}

sdk::Status invalid(std::string message) { return sdk::Status::invalid_argument(std::move(message)); }

sdk::Status unexpected_key_for_type(const std::string& key, Type type) {
  return invalid("unexpected key '" + key + "' for mount type '" + type_name(type) + "'");
}

// docker/go-units RAMInBytes: a number with an optional k/m/g/t/p (binary) suffix, then b or ib.
std::optional<std::int64_t> ram_in_bytes(std::string_view size) {
  const auto sep = size.find_last_of("01234567890. ");
  if (sep == std::string_view::npos) return std::nullopt;
  const std::string_view number = size[sep] == ' ' ? size.substr(0, sep) : size.substr(0, sep + 1);
  std::string suffix = text::to_lower(size.substr(sep + 1));
  double value = 0;
  const auto [end, error] = std::from_chars(number.data(), number.data() + number.size(), value);
  if (error != std::errc() || end != number.data() + number.size() || value < 0 || std::isnan(value)) return std::nullopt;
  if (suffix.empty()) return static_cast<std::int64_t>(value);
  if (suffix.size() > 3) return std::nullopt;
  if (suffix[0] == 'b') return suffix.size() == 1 ? std::optional(static_cast<std::int64_t>(value)) : std::nullopt;
  const std::string units = "kmgtp";
  const auto unit = units.find(suffix[0]);
  if (unit == std::string::npos) return std::nullopt;
  if ((suffix.size() == 2 && suffix[1] != 'b') || (suffix.size() == 3 && suffix.substr(1) != "ib")) return std::nullopt;
  return static_cast<std::int64_t>(value * std::pow(1024.0, static_cast<double>(unit + 1)));
}

sdk::Status set_bool(const std::string& key, const std::string& value, bool& out) {
  auto parsed = text::parse_bool(value);
  if (!parsed) return invalid("invalid value for " + key + ": " + value);
  out = *parsed;
  return sdk::Status::ok();
}

sdk::Status set_number(const std::string& key, const std::string& value, int base, std::optional<std::uint32_t>& out) {
  auto parsed = text::parse_uint(value, base, 32);
  if (!parsed) return invalid("invalid value " + value + " for " + key);
  out = static_cast<std::uint32_t>(*parsed);
  return sdk::Status::ok();
}

// A key written without "=value".
sdk::Status bare_key(RunMount& mount, const std::string& key, const std::string& field, bool& ro_auto) {
  if (key == "readonly" || key == "ro" || key == "readwrite" || key == "rw") {
    mount.readonly = key == "readonly" || key == "ro";
    ro_auto = false;
    return sdk::Status::ok();
  }
  if (key == "required") {
    if (mount.type != Type::Secret && mount.type != Type::Ssh) return unexpected_key_for_type(key, mount.type);
    mount.required = true;
    return sdk::Status::ok();
  }
  return invalid("invalid field '" + field + "' must be a key=value pair");
}

sdk::Status set_type_or_sharing(RunMount& mount, const std::string& key, const std::string& value) {
  const std::string lower = text::to_lower(value);
  if (key == "type") {
    auto type = type_of(lower);
    if (!type)
      return invalid(with_suggestion("unsupported mount type " + text::quote(value), value,
                                     {"bind", "cache", "tmpfs", "secret", "ssh"}, true));
    mount.type = *type;
    return sdk::Status::ok();
  }
  if (lower != "shared" && lower != "private" && lower != "locked")
    return invalid(with_suggestion("unsupported sharing value " + text::quote(value), value,
                                   {"shared", "private", "locked"}, true));
  mount.sharing = lower;
  return sdk::Status::ok();
}

// The keys whose value is kept as it is.
std::string* text_field(RunMount& mount, const std::string& key) {
  if (key == "from") return &mount.from;
  if (key == "source" || key == "src") return &mount.source;
  if (key == "target" || key == "dst" || key == "destination") return &mount.target;
  if (key == "id") return &mount.cache_id;
  if (key == "env") return &mount.env;
  return nullptr;
}

sdk::Status set_key(RunMount& mount, const std::string& key, const std::string& value, const std::string& field,
                    bool& ro_auto) {
  if (key == "type" || key == "sharing") return set_type_or_sharing(mount, key, value);
  if (std::string* slot = text_field(mount, key)) {
    *slot = value;
    mount.env_given = mount.env_given || key == "env";
    return sdk::Status::ok();
  }
  if (key == "mode") return set_number(key, value, 8, mount.mode);
  if (key == "uid" || key == "gid") return set_number(key, value, 10, key == "uid" ? mount.uid : mount.gid);
  if (key == "readonly" || key == "ro" || key == "readwrite" || key == "rw") {
    ro_auto = false;
    auto status = set_bool(key, value, mount.readonly);
    if (key == "readwrite" || key == "rw") mount.readonly = !mount.readonly;
    return status;
  }
  if (key == "required") {
    if (mount.type != Type::Secret && mount.type != Type::Ssh) return unexpected_key_for_type(key, mount.type);
    return set_bool(key, value, mount.required);
  }
  if (key == "size") {
    if (mount.type != Type::Tmpfs) return unexpected_key_for_type(key, mount.type);
    auto size = ram_in_bytes(value);
    if (!size) return invalid("invalid value for " + key + ": " + value);
    mount.size = *size;
    return sdk::Status::ok();
  }
  return invalid(with_suggestion("unexpected key '" + key + "' in '" + field + "'", key,
                                 {"type", "from", "source", "target", "readonly", "id", "sharing", "required", "size",
                                  "mode", "uid", "gid", "src", "dst", "destination", "ro", "rw", "readwrite", "env"},
                                 true));
}

sdk::Status check_mount(RunMount& mount, bool ro_auto) {
  const bool file_info_allowed = mount.type == Type::Secret || mount.type == Type::Ssh || mount.type == Type::Cache;
  const std::string quoted = text::quote(type_name(mount.type));
  if (!file_info_allowed && mount.mode) return invalid("mode not allowed for " + quoted + " type mounts");
  if (!file_info_allowed && mount.uid) return invalid("uid not allowed for " + quoted + " type mounts");
  if (!file_info_allowed && mount.gid) return invalid("gid not allowed for " + quoted + " type mounts");
  if (ro_auto) mount.readonly = mount.type != Type::Cache && mount.type != Type::Tmpfs;
  mount.readonly_given = !ro_auto;
  if (mount.type == Type::Secret) {
    if (!mount.from.empty()) return invalid("secret mount should not have a from");
    if (!mount.sharing.empty()) return invalid("secret mount should not define sharing");
    if (mount.source.empty() && mount.target.empty() && mount.cache_id.empty())
      return invalid("invalid secret mount. one of source, target required");
    if (!mount.source.empty() && !mount.cache_id.empty()) return invalid("both source and id can't be set");
  }
  if (!mount.sharing.empty() && mount.type != Type::Cache)
    return invalid(std::string("invalid cache sharing set for ") + type_name(mount.type) + " mount");
  return sdk::Status::ok();
}

// Go's path.Base.
std::string base_name(std::string path) {
  if (path.empty()) return ".";
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  if (path == "/") return path;
  const auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// What BuildKit's converter does to secret and ssh mounts before it builds the exec.
sdk::Status apply_defaults(RunMount& mount) {
  if (mount.type == Type::Secret) {
    std::string id = mount.source.empty() ? mount.cache_id : mount.source;
    if (id.empty()) id = base_name(mount.target);
    mount.cache_id = id;
    if (!mount.env_given && mount.target.empty()) mount.target = "/run/secrets/" + base_name(id);
  }
  if (mount.type == Type::Ssh) {
    if (!mount.source.empty()) return invalid("ssh does not support source");
    if (mount.cache_id.empty()) mount.cache_id = "default";
  }
  return sdk::Status::ok();
}

}  // namespace

sdk::Result<RunMount> parse_run_mount(std::string_view spec, const WordExpander* expander) {
  auto fields = csv_fields(spec);
  if (!fields) return invalid("failed to parse csv mounts: " + fields.status().message());
  RunMount mount;
  bool ro_auto = true;
  for (const auto& field : *fields) {
    const auto equals = field.find('=');
    const std::string key = text::to_lower(field.substr(0, equals));
    if (equals == std::string::npos) {
      if (expander == nullptr) continue;  // checked when expanded
      if (auto status = bare_key(mount, key, field, ro_auto); !status) return status;
      continue;
    }
    std::string value = field.substr(equals + 1);
    if (expander != nullptr) {
      auto expanded = (*expander)(value);
      if (!expanded) return expanded.status();
      value = std::move(*expanded);
    } else if (key == "from") {
      // The stage graph is built before any expansion: `from` must be literal.
      const auto dollar = value.find('$');
      if (dollar != std::string::npos && dollar + 1 != value.size())
        return invalid("'from' doesn't support variable expansion, define alias stage instead");
    } else {
      continue;
    }
    if (auto status = set_key(mount, key, value, field, ro_auto); !status) return status;
  }
  if (auto status = check_mount(mount, ro_auto); !status) return status;
  if (expander == nullptr) return mount;
  if (auto status = apply_defaults(mount); !status) return status;
  return mount;
}

sdk::Status apply_ssh_targets(std::vector<RunMount>& mounts) {
  int ssh_mounts = 0;
  for (auto& mount : mounts) {
    if (mount.type != Type::Ssh) continue;
    if (mount.target.empty()) mount.target = "/run/buildkit/ssh_agent." + std::to_string(ssh_mounts);
    ++ssh_mounts;
  }
  return sdk::Status::ok();
}

sdk::Status expand_run_mounts(RunCommand& run, const WordExpander& expander) {
  std::vector<RunMount> mounts;
  for (const auto& spec : run.mount_specs) {
    auto mount = parse_run_mount(spec, &expander);
    if (!mount) return mount.status();
    mounts.push_back(std::move(*mount));
  }
  run.mounts = std::move(mounts);
  return apply_ssh_targets(run.mounts);
}

}  // namespace dbuild::dockerfile
