// chmod.hpp: COPY --chmod values, octal ("0755", "755", "4755") or symbolic ("u+x,g-w,o=r",
// "a+X", "g=u"), as BuildKit accepts them (symbolic since Dockerfile 1.14; BSD chmod rules).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string_view>
#include <vector>

#include <dbuild/sdk/status.hpp>

namespace dbuild::fileop {

class ModeChange {
 public:
  /// Parses `text`. Errors: invalid_argument naming the value ("invalid chmod \"u+q\": ...").
  static sdk::Result<ModeChange> parse(std::string_view text);

  /// The permission bits (07777) an entry gets, given its current `mode` (type bits included:
  /// "X" adds execute to directories, and to files that have an execute bit already).
  [[nodiscard]] mode_t apply(mode_t mode) const;

 private:
  enum class Op : std::uint8_t { Add, Remove, Set };
  // One operation of a clause: "u+x" is {who=u, op=Add, bits=x}; "g=u" copies u's bits.
  struct Step {
    mode_t who = 0;  // the bits the clause's users own (04700 for u, ...); 07777 for "a" or none
    Op op = Op::Add;
    mode_t bits = 0;             // r/w/x/s/t bits, already masked by `who`
    bool conditional_x = false;  // "X"
    char copy_from = 0;          // 'u', 'g' or 'o' for "g=u"; 0 otherwise
  };
  bool octal_ = false;
  mode_t octal_mode_ = 0;
  std::vector<Step> steps_;
};

}  // namespace dbuild::fileop
