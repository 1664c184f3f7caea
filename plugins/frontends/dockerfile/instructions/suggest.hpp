// suggest.hpp: BuildKit's "(did you mean X?)" suffix for unknown names (util/suggest): the
// closest candidate within Levenshtein distance 2 is proposed.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace dbuild::dockerfile {

/// `message` + " (did you mean <match>?)" when a candidate is within distance 2 of `value`, else
/// `message`. An exact match means the error is not about the name: no suggestion. Without
/// `case_sensitive`, names compare lower-cased and the match takes `value`'s case (FROM, from).
[[nodiscard]] std::string with_suggestion(std::string message, std::string_view value,
                                          std::vector<std::string> candidates, bool case_sensitive);

}  // namespace dbuild::dockerfile
