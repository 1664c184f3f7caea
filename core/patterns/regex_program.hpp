// regex_program.hpp: the subset of Go's regexp (RE2) syntax that moby/patternmatcher's
// pattern-to-regexp translation can produce, compiled to a small NFA and run without backtracking.
// Docker matches .dockerignore patterns through that translation, so odd patterns (a '*' inside a
// class, '^' outside one) only behave like Docker's if the regexp is read the way Go reads it.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <dbuild/sdk/status.hpp>

namespace dbuild::patterns {

/// A compiled regular expression. Supported, with Go's meaning: literals, `.` (any rune but
/// newline), `[...]` classes with `^`, ranges, `[:name:]` POSIX classes and escapes, `\d \s \w`
/// and their negations, `\a \f \n \r \t \v`, octal and `\x` escapes, escaped punctuation,
/// `^ $ \A \z \b \B`, groups `(...)`, alternation `|`, the `* + ?` quantifiers and counted
/// repetition `{n}`, `{n,}`, `{n,m}` (n, m <= 1000; a `{` that starts none of these is a
/// literal), each optionally non-greedy.
/// Not supported, and reported as errors (Go accepts them): flags and non-capturing groups `(?`,
/// `\p{...}` Unicode classes, `\Q...\E`. A pattern can only produce them through an escape
/// (`\p`, `\Q`), which no real .dockerignore uses; Go's limits on the total size of nested
/// repetitions are not enforced either.
/// Immutable once compiled, so safe to share between threads.
class RegexProgram {
 public:
  /// Errors: invalid_argument with Go's wording ("missing closing ]", "invalid escape sequence",
  /// "invalid character class range", ...) and the offending text.
  [[nodiscard]] static sdk::Result<RegexProgram> compile(std::string_view regex);

  /// Whether the regexp matches somewhere in `text` (Go's MatchString: a search, not anchored
  /// unless the regexp says so). Bytes that are not UTF-8 read as U+FFFD, one per byte.
  [[nodiscard]] bool matches(std::string_view text) const;

  enum class Op : std::uint8_t { Rune, AnyButNewline, Split, Jump, Assert, Match };
  enum class Assertion : std::uint8_t { BeginText, EndText, WordBoundary, NotWordBoundary };

  struct CharClass {
    std::vector<std::pair<char32_t, char32_t>> ranges;  // inclusive
    bool negated = false;
    [[nodiscard]] bool contains(char32_t rune) const noexcept;
  };

  struct Instruction {
    Op op = Op::Match;
    Assertion assertion = Assertion::BeginText;
    int next = 0;         // Rune, AnyButNewline, Jump, Assert: where to go; Split: first branch
    int alternative = 0;  // Split: second branch
    int char_class = -1;  // Rune: index into classes
  };

 private:
  struct Position;
  bool run(std::span<std::uint64_t> current, std::span<std::uint64_t> next, std::span<int> stack,
           std::string_view text) const;
  bool add_thread(std::span<std::uint64_t> set, std::span<int> stack, int pc, const Position& at) const;
  bool run_small(std::string_view text) const;
  void precompute_closures();
  [[nodiscard]] std::uint64_t closure(int pc, unsigned context) const noexcept;

  std::vector<Instruction> program_;
  std::vector<CharClass> classes_;
  // Literal text every match must start or end with (from `^abc...` and `...xyz$`), checked
  // before running the program: most paths a walk meets fail these cheaply.
  std::string required_prefix_;
  std::string required_suffix_;
  bool anchored_ = false;            // starts with `^`: threads start at offset 0 only
  bool uses_word_boundary_ = false;  // only then does a step need to look at the next rune
  // Programs of at most 64 instructions keep, for each instruction and each combination of the
  // facts assertions test (begin, end, word before, word after), the set of instructions
  // reachable without reading: a step is then a few ORs of 64-bit sets.
  std::vector<std::uint64_t> closures_;
  std::uint64_t reading_mask_ = 0;  // instructions that read a rune
  std::uint64_t match_mask_ = 0;
  friend class RegexCompiler;
};

}  // namespace dbuild::patterns
