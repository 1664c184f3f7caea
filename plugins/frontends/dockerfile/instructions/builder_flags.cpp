// builder_flags.cpp: BuildKit's BFlags.Parse rules and messages.
#include "instructions/builder_flags.hpp"

#include "instructions/suggest.hpp"
#include "parser/text.hpp"

namespace dbuild::dockerfile {

Flag& BuilderFlags::add(const std::string& name, FlagType type) {
  auto [it, inserted] = flags_.try_emplace(name, Flag{name, type, "", {}});
  if (!inserted) setup_error_ = "Duplicate flag defined: " + name;
  return it->second;
}

Flag& BuilderFlags::add_bool(const std::string& name, bool default_value) {
  Flag& flag = add(name, FlagType::Bool);
  flag.value = default_value ? "true" : "false";
  return flag;
}

Flag& BuilderFlags::add_string(const std::string& name, std::string default_value) {
  Flag& flag = add(name, FlagType::String);
  flag.value = std::move(default_value);
  return flag;
}

Flag& BuilderFlags::add_strings(const std::string& name) { return add(name, FlagType::Strings); }

sdk::Status BuilderFlags::parse() {
  if (!setup_error_.empty()) return sdk::Status::invalid_argument("error setting up flags: " + setup_error_);
  for (const auto& arg : args_) {
    if (arg == "--") return sdk::Status::ok();  // POSIX: the end of the options
    if (arg.rfind("--", 0) != 0) return sdk::Status::invalid_argument("arg should start with -- : " + arg);
    const auto equals = arg.find('=');
    const bool has_value = equals != std::string::npos;
    const std::string flag_name = arg.substr(0, equals);
    const std::string name = flag_name.substr(2);
    const std::string value = has_value ? arg.substr(equals + 1) : "";
    auto found = flags_.find(name);
    if (found == flags_.end()) {
      std::vector<std::string> names;
      for (const auto& [known, flag] : flags_) names.push_back(known);
      return sdk::Status::invalid_argument(with_suggestion("unknown flag: " + flag_name, name, names, true));
    }
    if (used_.count(name) > 0 && found->second.type != FlagType::Strings)
      return sdk::Status::invalid_argument("duplicate flag specified: " + flag_name);
    used_.insert(name);
    if (auto status = set(found->second, flag_name, has_value, value); !status) return status;
  }
  return sdk::Status::ok();
}

sdk::Status BuilderFlags::set(Flag& flag, const std::string& flag_name, bool has_value, const std::string& value) {
  switch (flag.type) {
    case FlagType::Bool: {
      if (has_value && value.empty()) return sdk::Status::invalid_argument("missing a value on flag: " + flag_name);
      const std::string lower = parser_text::to_lower(value);
      if (lower.empty() || lower == "true") {
        flag.value = "true";
      } else if (lower == "false") {
        flag.value = "false";
      } else {
        return sdk::Status::invalid_argument("expecting boolean value for flag " + flag_name + ", not: " + value);
      }
      return sdk::Status::ok();
    }
    case FlagType::String:
      if (!has_value) return sdk::Status::invalid_argument("missing a value on flag: " + flag_name);
      flag.value = value;
      return sdk::Status::ok();
    case FlagType::Strings:
      if (!has_value) return sdk::Status::invalid_argument("missing a value on flag: " + flag_name);
      flag.string_values.push_back(value);
      return sdk::Status::ok();
  }
  return sdk::Status::internal("unknown flag type");
}

}  // namespace dbuild::dockerfile
