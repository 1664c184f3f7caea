// lint.hpp: BuildKit's cheap Dockerfile checks (build checks), reported as warnings on every
// build and as the result of `--call=check`: StageNameCasing, FromAsCasing,
// JSONArgsRecommended, UndefinedArgInFrom, DuplicateStageName, LegacyKeyValueFormat,
// WorkdirRelativePath, MaintainerDeprecated. `# check=skip=A,B` and `# check=error=true` apply.
#pragma once

#include <string>
#include <vector>

#include "instructions/instructions.hpp"

namespace dbuild::dockerfile {

struct LintFinding {
  std::string rule;     // "FromAsCasing"
  std::string message;  // BuildKit's wording
  Location location;
};

struct LintConfig {
  std::vector<std::string> skip;  // rule names, or "all"
  bool error = false;             // findings fail the build
};

/// Parses a `# check=` directive value ("skip=A,B;error=true").
[[nodiscard]] LintConfig parse_check_directive(const std::string& value);

/// The findings for `dockerfile`, in line order, without the skipped rules. `escape` is the
/// file's escape token (for reading variable names in FROM).
[[nodiscard]] std::vector<LintFinding> lint(const Dockerfile& dockerfile, const LintConfig& config, char escape);

}  // namespace dbuild::dockerfile
