// regex_program.cpp: runs a compiled RegexProgram as a Pike VM over thread sets kept as bitsets,
// so a match costs one pass over the text whatever the pattern, and small programs (the usual
// case, a few dozen instructions) need no heap allocation at all.
#include "patterns/regex_program.hpp"

#include <algorithm>
#include <array>
#include <bit>

#include "patterns/go_text.hpp"

namespace dbuild::patterns {
namespace {

constexpr bool is_word_rune(char32_t rune) noexcept {
  return (rune >= '0' && rune <= '9') || (rune >= 'a' && rune <= 'z') || (rune >= 'A' && rune <= 'Z') || rune == '_';
}

constexpr std::size_t kInlineWords = 4;  // programs of up to 256 instructions run on the stack

}  // namespace

// What the zero-width assertions need to know about a place in the text.
struct RegexProgram::Position {
  bool at_begin = false;
  bool at_end = false;
  bool word_before = false;
  bool word_after = false;
};

bool RegexProgram::CharClass::contains(char32_t rune) const noexcept {
  const bool inside = std::any_of(ranges.begin(), ranges.end(),
                                  [rune](const auto& range) { return range.first <= rune && rune <= range.second; });
  return inside != negated;
}

// Adds `pc` and everything reachable from it without reading a rune. Every visited instruction is
// marked in `set`, which both stops loops of empty matches and leaves the rune-reading threads
// in the set for the next step. Returns true when Match is reachable.
bool RegexProgram::add_thread(std::span<std::uint64_t> set, std::span<int> stack, int pc, const Position& at) const {
  std::size_t depth = 0;
  stack[depth++] = pc;
  bool matched = false;
  while (depth > 0) {
    const int current = stack[--depth];
    std::uint64_t& word = set[static_cast<std::size_t>(current) / 64];
    const std::uint64_t bit = std::uint64_t{1} << (current % 64);
    if (word & bit) continue;
    word |= bit;
    const Instruction& instruction = program_[static_cast<std::size_t>(current)];
    switch (instruction.op) {
      case Op::Match: matched = true; break;
      case Op::Jump: stack[depth++] = instruction.next; break;
      case Op::Split:
        stack[depth++] = instruction.alternative;
        stack[depth++] = instruction.next;
        break;
      case Op::Assert: {
        bool holds = false;
        switch (instruction.assertion) {
          case Assertion::BeginText: holds = at.at_begin; break;
          case Assertion::EndText: holds = at.at_end; break;
          case Assertion::WordBoundary: holds = at.word_before != at.word_after; break;
          case Assertion::NotWordBoundary: holds = at.word_before == at.word_after; break;
        }
        if (holds) stack[depth++] = instruction.next;
        break;
      }
      case Op::Rune:
      case Op::AnyButNewline: break;
    }
  }
  return matched;
}

bool RegexProgram::run(std::span<std::uint64_t> current, std::span<std::uint64_t> next, std::span<int> stack,
                       std::string_view text) const {
  std::size_t offset = 0;
  DecodedRune here = decode_rune(text);
  Position at{.at_begin = true,
              .at_end = text.empty(),
              .word_before = false,
              .word_after = uses_word_boundary_ && here.width > 0 && is_word_rune(here.rune)};
  while (true) {
    // Without a leading `^`, a thread starts at every position: MatchString searches.
    if ((offset == 0 || !anchored_) && add_thread(current, stack, 0, at)) return true;
    if (offset == text.size()) return false;

    const std::size_t after = offset + here.width;
    const DecodedRune following = decode_rune(text.substr(after));
    const Position next_at{.at_begin = false,
                           .at_end = after == text.size(),
                           .word_before = uses_word_boundary_ && is_word_rune(here.rune),
                           .word_after = uses_word_boundary_ && following.width > 0 && is_word_rune(following.rune)};
    std::fill(next.begin(), next.end(), 0);
    bool alive = false;
    for (std::size_t w = 0; w < current.size(); ++w) {
      for (std::uint64_t bits = current[w]; bits != 0; bits &= bits - 1) {
        const std::size_t pc = w * 64 + static_cast<std::size_t>(std::countr_zero(bits));
        const Instruction& instruction = program_[pc];
        bool reads = false;
        if (instruction.op == Op::Rune) {
          reads = classes_[static_cast<std::size_t>(instruction.char_class)].contains(here.rune);
        } else if (instruction.op == Op::AnyButNewline) {
          reads = here.rune != '\n';
        }
        if (!reads) continue;
        alive = true;
        if (add_thread(next, stack, instruction.next, next_at)) return true;
      }
    }
    if (!alive && anchored_) return false;  // no thread left, and none will start
    std::swap(current, next);
    offset = after;
    here = following;
    at = next_at;
  }
}

// Context bits: 1 at the beginning, 2 at the end, 4 after a word rune, 8 before one.
constexpr unsigned kContexts = 16;

unsigned context_of(bool at_begin, bool at_end, bool word_before, bool word_after) {
  return (at_begin ? 1U : 0U) | (at_end ? 2U : 0U) | (word_before ? 4U : 0U) | (word_after ? 8U : 0U);
}

void RegexProgram::precompute_closures() {
  if (program_.size() > 64) return;
  closures_.assign(program_.size() * kContexts, 0);
  std::array<int, 64 * 2 + 1> stack{};
  for (std::size_t pc = 0; pc < program_.size(); ++pc) {
    const Op op = program_[pc].op;
    if (op == Op::Rune || op == Op::AnyButNewline) reading_mask_ |= std::uint64_t{1} << pc;
    if (op == Op::Match) match_mask_ |= std::uint64_t{1} << pc;
    for (unsigned context = 0; context < kContexts; ++context) {
      const Position at{.at_begin = (context & 1U) != 0,
                        .at_end = (context & 2U) != 0,
                        .word_before = (context & 4U) != 0,
                        .word_after = (context & 8U) != 0};
      std::uint64_t set = 0;
      (void)add_thread(std::span(&set, 1), std::span(stack), static_cast<int>(pc), at);
      closures_[pc * kContexts + context] = set;
    }
  }
}

std::uint64_t RegexProgram::closure(int pc, unsigned context) const noexcept {
  return closures_[static_cast<std::size_t>(pc) * kContexts + context];
}

bool RegexProgram::run_small(std::string_view text) const {
  DecodedRune here = decode_rune(text);
  unsigned context =
      context_of(true, text.empty(), false, uses_word_boundary_ && here.width > 0 && is_word_rune(here.rune));
  std::uint64_t current = closure(0, context);
  std::size_t offset = 0;
  while (true) {
    if (current & match_mask_) return true;
    if (offset == text.size()) return false;
    const std::size_t after = offset + here.width;
    const DecodedRune following = decode_rune(text.substr(after));
    context = context_of(false, after == text.size(), uses_word_boundary_ && is_word_rune(here.rune),
                         uses_word_boundary_ && following.width > 0 && is_word_rune(following.rune));
    std::uint64_t next = 0;
    for (std::uint64_t bits = current & reading_mask_; bits != 0; bits &= bits - 1) {
      const Instruction& instruction = program_[static_cast<std::size_t>(std::countr_zero(bits))];
      const bool reads = instruction.op == Op::Rune
                             ? classes_[static_cast<std::size_t>(instruction.char_class)].contains(here.rune)
                             : here.rune != '\n';
      if (reads) next |= closure(instruction.next, context);
    }
    if (!anchored_) next |= closure(0, context);  // MatchString searches
    if (next == 0) return false;
    current = next;
    offset = after;
    here = following;
  }
}

bool RegexProgram::matches(std::string_view text) const {
  if (!text.starts_with(required_prefix_) || !text.ends_with(required_suffix_)) return false;
  if (!closures_.empty()) return run_small(text);
  const std::size_t words = (program_.size() + 63) / 64;
  // The closure stack holds at most two entries per instruction (a Split pushes two).
  const std::size_t stack_size = program_.size() * 2 + 1;
  if (words <= kInlineWords) {
    std::array<std::uint64_t, kInlineWords> current{};
    std::array<std::uint64_t, kInlineWords> next{};
    std::array<int, kInlineWords * 64 * 2 + 1> stack{};
    return run(std::span(current).first(words), std::span(next).first(words), std::span(stack), text);
  }
  std::vector<std::uint64_t> current(words);
  std::vector<std::uint64_t> next(words);
  std::vector<int> stack(stack_size);
  return run(current, next, stack, text);
}

}  // namespace dbuild::patterns
