// builder_flags.hpp: an instruction's `--name[=value]` flags, checked against the flags that
// instruction accepts, as BuildKit's BFlags does: bool flags (bare, =true, =false), string flags
// (=value required), string-list flags (repeatable), "--" ending the flags, and its error texts.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include <dbuild/sdk/status.hpp>

namespace dbuild::dockerfile {

enum class FlagType { Bool, String, Strings };

struct Flag {
  std::string name;
  FlagType type = FlagType::String;
  std::string value;                       // Bool: "true" or "false"; String: the value or default
  std::vector<std::string> string_values;  // Strings: every value given, in order

  [[nodiscard]] bool is_true() const noexcept { return value == "true"; }
};

class BuilderFlags {
 public:
  /// `args` are the flags as the parser kept them ("--from=build", "--link").
  explicit BuilderFlags(std::vector<std::string> args = {}) : args_(std::move(args)) {}

  /// Declares a flag. The reference stays valid for the object's lifetime. Declaring a name twice
  /// is a programming error that parse() reports.
  Flag& add_bool(const std::string& name, bool default_value);
  Flag& add_string(const std::string& name, std::string default_value);
  Flag& add_strings(const std::string& name);

  /// Checks the arguments against the declared flags and sets their values. Errors:
  /// invalid_argument "unknown flag: --x" (with a suggestion), "duplicate flag specified: --x",
  /// "missing a value on flag: --x", "expecting boolean value for flag --x, not: y".
  [[nodiscard]] sdk::Status parse();

  [[nodiscard]] bool is_used(const std::string& name) const { return used_.count(name) > 0; }
  /// The names of the flags that appeared (even with their default value), sorted.
  [[nodiscard]] std::vector<std::string> used() const { return {used_.begin(), used_.end()}; }
  [[nodiscard]] const std::vector<std::string>& args() const noexcept { return args_; }

 private:
  Flag& add(const std::string& name, FlagType type);
  sdk::Status set(Flag& flag, const std::string& flag_name, bool has_value, const std::string& value);

  std::vector<std::string> args_;
  std::map<std::string, Flag> flags_;
  std::set<std::string> used_;
  std::string setup_error_;
};

}  // namespace dbuild::dockerfile
