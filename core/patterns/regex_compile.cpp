// regex_compile.cpp: parses the supported RE2 subset (see regex_program.hpp) into a small syntax
// tree and emits the NFA program. Error wording follows Go's regexp/syntax.
#include <algorithm>
#include <optional>
#include <string>

#include "patterns/go_text.hpp"
#include "patterns/regex_program.hpp"
#include "patterns/regex_syntax.hpp"

namespace dbuild::patterns {

using Instruction = RegexProgram::Instruction;
using CharClass = RegexProgram::CharClass;
using Op = RegexProgram::Op;
using Assertion = RegexProgram::Assertion;

namespace {

struct Node {
  enum class Kind : std::uint8_t { Class, AnyButNewline, Assert, Group, Alternate, Star, Plus, Quest, Repeat };
  Kind kind = Kind::Group;
  int char_class = -1;
  Assertion assertion = Assertion::BeginText;
  int min = 0;   // Repeat: at least this many
  int max = -1;  // Repeat: at most this many; -1 for no limit
  // Group: the sequence; Alternate: one Group per branch; Star, Plus, Quest, Repeat: the operand.
  std::vector<Node> children;
};

bool is_quantifier(const Node& node) {
  return node.kind == Node::Kind::Star || node.kind == Node::Kind::Plus || node.kind == Node::Kind::Quest ||
         node.kind == Node::Kind::Repeat;
}

}  // namespace

class RegexCompiler {
 public:
  explicit RegexCompiler(std::string_view regex) : regex_(regex), rest_(regex) {}

  sdk::Result<RegexProgram> compile() {
    auto top = parse_alternation(false);
    if (!top) return top.status();
    emit(*top);
    program_.program_.push_back(Instruction{.op = Op::Match});
    if (top->kind == Node::Kind::Group) find_required_literals(top->children);
    program_.anchored_ = top->kind == Node::Kind::Group && !top->children.empty() &&
                         is_assertion(top->children.front(), Assertion::BeginText);
    program_.uses_word_boundary_ =
        std::any_of(program_.program_.begin(), program_.program_.end(), [](const Instruction& instruction) {
          return instruction.op == Op::Assert && (instruction.assertion == Assertion::WordBoundary ||
                                                  instruction.assertion == Assertion::NotWordBoundary);
        });
    program_.precompute_closures();
    return std::move(program_);
  }

 private:
  sdk::Status error(std::string_view what, std::string_view text) const {
    return sdk::Status::invalid_argument("error parsing regexp: " + std::string(what) + ": `" + std::string(text) +
                                         "`");
  }

  char32_t next_rune() {
    const DecodedRune decoded = decode_rune(rest_);
    rest_.remove_prefix(decoded.width);
    return decoded.rune;
  }

  bool peek_is(char c, std::size_t offset = 0) const { return rest_.size() > offset && rest_[offset] == c; }

  int add_class(Ranges ranges, bool negated) {
    program_.classes_.push_back(CharClass{.ranges = std::move(ranges), .negated = negated});
    return static_cast<int>(program_.classes_.size()) - 1;
  }

  // Branches separated by '|', up to the end or (in a group) the closing ')', left in rest_.
  sdk::Result<Node> parse_alternation(bool in_group) {
    Node alternate{.kind = Node::Kind::Alternate};
    while (true) {
      auto sequence = parse_sequence();
      if (!sequence) return sequence.status();
      alternate.children.push_back(Node{.kind = Node::Kind::Group, .children = std::move(*sequence)});
      if (peek_is('|')) {
        rest_.remove_prefix(1);
        continue;
      }
      if (rest_.empty() && in_group) return error("missing closing )", regex_);
      if (!rest_.empty() && !in_group) return error("unexpected )", regex_);
      break;
    }
    if (alternate.children.size() == 1) return std::move(alternate.children.front());
    return alternate;
  }

  sdk::Result<std::vector<Node>> parse_sequence() {
    std::vector<Node> sequence;
    while (!rest_.empty() && rest_[0] != ')' && rest_[0] != '|') {
      const char c = rest_[0];
      if (c == '*' || c == '+' || c == '?') {
        auto status = apply_quantifier(sequence,
                                       Node{.kind = c == '*'   ? Node::Kind::Star
                                                    : c == '+' ? Node::Kind::Plus
                                                               : Node::Kind::Quest},
                                       1);
        if (!status) return status;
        continue;
      }
      if (c == '{') {
        std::string_view after = rest_;
        if (auto spec = read_repeat(after)) {
          const std::size_t length = rest_.size() - after.size();
          if (spec->min < 0 || spec->min > kMaxRepeat || spec->max > kMaxRepeat ||
              (spec->max >= 0 && spec->min > spec->max)) {
            return error("invalid repeat count", rest_.substr(0, length));
          }
          auto status =
              apply_quantifier(sequence, Node{.kind = Node::Kind::Repeat, .min = spec->min, .max = spec->max}, length);
          if (!status) return status;
          continue;
        }
      }
      auto atom = parse_atom();
      if (!atom) return atom.status();
      sequence.push_back(std::move(*atom));
    }
    return sequence;
  }

  // Wraps the last atom in `quantifier`, whose text is the next `length` bytes.
  sdk::Status apply_quantifier(std::vector<Node>& sequence, Node quantifier, std::size_t length) {
    if (peek_is('?', length)) ++length;  // non-greedy: the same language
    const std::string_view op = rest_.substr(0, length);
    if (sequence.empty()) return error("missing argument to repetition operator", op);
    if (is_quantifier(sequence.back())) return error("invalid nested repetition operator", op);
    quantifier.children.push_back(std::move(sequence.back()));
    sequence.back() = std::move(quantifier);
    rest_.remove_prefix(length);
    return sdk::Status::ok();
  }

  sdk::Result<Node> parse_atom() {
    const char c = rest_[0];
    if (c == '(') return parse_group();
    if (c == '[') return parse_class();
    if (c == '\\') return parse_escape_atom();
    if (c == '.' || c == '^' || c == '$') {
      rest_.remove_prefix(1);
      if (c == '.') return Node{.kind = Node::Kind::AnyButNewline};
      return Node{.kind = Node::Kind::Assert, .assertion = c == '^' ? Assertion::BeginText : Assertion::EndText};
    }
    return literal(next_rune());
  }

  Node literal(char32_t rune) {
    return Node{.kind = Node::Kind::Class, .char_class = add_class({{rune, rune}}, false)};
  }

  sdk::Result<Node> parse_group() {
    rest_.remove_prefix(1);
    if (peek_is('?')) return error("flags and non-capturing groups are not supported", regex_);
    auto inner = parse_alternation(true);
    if (!inner) return inner.status();
    rest_.remove_prefix(1);  // ')'
    return Node{.kind = Node::Kind::Group, .children = {std::move(*inner)}};
  }

  sdk::Result<Node> parse_escape_atom() {
    if (rest_.size() < 2) return error("trailing backslash at end of expression", "");
    const char letter = rest_[1];
    if (letter == 'A' || letter == 'z' || letter == 'b' || letter == 'B') {
      rest_.remove_prefix(2);
      const Assertion assertion = letter == 'A'   ? Assertion::BeginText
                                  : letter == 'z' ? Assertion::EndText
                                  : letter == 'b' ? Assertion::WordBoundary
                                                  : Assertion::NotWordBoundary;
      return Node{.kind = Node::Kind::Assert, .assertion = assertion};
    }
    if (auto perl = perl_class(letter)) {
      rest_.remove_prefix(2);
      const bool negated = letter >= 'A' && letter <= 'Z';
      return Node{.kind = Node::Kind::Class, .char_class = add_class(std::move(*perl), negated)};
    }
    auto rune = parse_escape();
    if (!rune) return rune.status();
    return literal(*rune);
  }

  // Go's parseEscape: `rest_` starts at the backslash.
  sdk::Result<char32_t> parse_escape() {
    const std::string_view start = rest_;
    rest_.remove_prefix(1);
    if (rest_.empty()) return error("trailing backslash at end of expression", "");
    const char32_t c = next_rune();
    if (c < 0x80 && !is_ascii_alnum(c)) return c;
    auto invalid = [&] { return error("invalid escape sequence", start.substr(0, start.size() - rest_.size())); };
    auto is_octal = [&] { return !rest_.empty() && rest_[0] >= '0' && rest_[0] <= '7'; };
    switch (c) {
      case '1':
      case '2':
      case '3':
      case '4':
      case '5':
      case '6':
      case '7':
        if (!is_octal()) return invalid();  // a backreference, which RE2 does not have
        [[fallthrough]];
      case '0': {
        char32_t value = c - '0';
        for (int i = 1; i < 3 && is_octal(); ++i) value = value * 8 + static_cast<char32_t>(next_rune() - '0');
        return value;
      }
      case 'x': return parse_hex_escape(start);
      case 'a': return char32_t{7};
      case 'f': return char32_t{12};
      case 'n': return char32_t{10};
      case 'r': return char32_t{13};
      case 't': return char32_t{9};
      case 'v': return char32_t{11};
      default: return invalid();
    }
  }

  sdk::Result<char32_t> parse_hex_escape(std::string_view start) {
    auto invalid = [&] { return error("invalid escape sequence", start.substr(0, start.size() - rest_.size())); };
    if (rest_.empty()) return invalid();
    char32_t c = next_rune();
    if (c != '{') {
      const int high = hex_value(c);
      if (rest_.empty()) return invalid();
      const int low = hex_value(next_rune());
      if (high < 0 || low < 0) return invalid();
      return static_cast<char32_t>(high * 16 + low);
    }
    char32_t value = 0;
    int digits = 0;
    while (true) {
      if (rest_.empty()) return invalid();
      c = next_rune();
      if (c == '}') break;
      const int digit = hex_value(c);
      if (digit < 0) return invalid();
      value = value * 16 + static_cast<char32_t>(digit);
      if (value > kMaxRune) return invalid();
      ++digits;
    }
    if (digits == 0) return invalid();
    return value;
  }

  sdk::Result<Node> parse_class() {
    const std::string_view start = rest_;
    rest_.remove_prefix(1);
    bool negated = false;
    if (peek_is('^')) {
      negated = true;
      rest_.remove_prefix(1);
    }
    Ranges ranges;
    for (bool first = true; first || !peek_is(']'); first = false) {
      if (rest_.empty()) return error("missing closing ]", start);
      auto status = parse_class_item(ranges);
      if (!status) return status;
    }
    rest_.remove_prefix(1);
    return Node{.kind = Node::Kind::Class, .char_class = add_class(std::move(ranges), negated)};
  }

  sdk::Status parse_class_item(Ranges& ranges) {
    if (rest_.size() > 2 && rest_[0] == '[' && rest_[1] == ':') {
      const std::size_t close = rest_.find(":]", 2);
      if (close != std::string_view::npos) {
        const std::string_view name = rest_.substr(0, close + 2);
        auto named = posix_class(name.substr(2, name.size() - 4));
        if (!named) return error("invalid character class range", name);
        ranges.insert(ranges.end(), named->begin(), named->end());
        rest_.remove_prefix(name.size());
        return sdk::Status::ok();
      }
    }
    if (rest_.size() >= 2 && rest_[0] == '\\') {
      if (auto perl = perl_class(rest_[1])) {
        const bool negated = rest_[1] >= 'A' && rest_[1] <= 'Z';
        const Ranges add = negated ? complement(*perl) : *perl;
        ranges.insert(ranges.end(), add.begin(), add.end());
        rest_.remove_prefix(2);
        return sdk::Status::ok();
      }
    }
    const std::string_view range_start = rest_;
    auto lo = parse_class_char(range_start);
    if (!lo) return lo.status();
    char32_t hi = *lo;
    if (rest_.size() >= 2 && rest_[0] == '-' && rest_[1] != ']') {
      rest_.remove_prefix(1);
      auto parsed_hi = parse_class_char(range_start);
      if (!parsed_hi) return parsed_hi.status();
      hi = *parsed_hi;
      if (hi < *lo) {
        return error("invalid character class range", range_start.substr(0, range_start.size() - rest_.size()));
      }
    }
    ranges.emplace_back(*lo, hi);
    return sdk::Status::ok();
  }

  sdk::Result<char32_t> parse_class_char(std::string_view class_start) {
    if (rest_.empty()) return error("missing closing ]", class_start);
    if (rest_[0] == '\\') return parse_escape();
    return next_rune();
  }

  // The rune of a node that matches exactly one rune; nullopt otherwise. U+FFFD does not count:
  // it also matches each invalid byte, so it is not a byte string to compare with.
  std::optional<char32_t> literal_rune(const Node& node) const {
    if (node.kind != Node::Kind::Class) return std::nullopt;
    const CharClass& char_class = program_.classes_[static_cast<std::size_t>(node.char_class)];
    if (char_class.negated || char_class.ranges.size() != 1) return std::nullopt;
    const auto [lo, hi] = char_class.ranges.front();
    if (lo != hi || lo == kRuneError) return std::nullopt;
    return lo;
  }

  static bool is_assertion(const Node& node, Assertion assertion) {
    return node.kind == Node::Kind::Assert && node.assertion == assertion;
  }

  void find_required_literals(const std::vector<Node>& sequence) {
    if (sequence.empty()) return;
    if (is_assertion(sequence.front(), Assertion::BeginText)) {
      for (std::size_t i = 1; i < sequence.size(); ++i) {
        const auto rune = literal_rune(sequence[i]);
        if (!rune) break;
        append_utf8(program_.required_prefix_, *rune);
      }
    }
    if (is_assertion(sequence.back(), Assertion::EndText)) {
      std::u32string reversed;
      for (std::size_t i = sequence.size() - 1; i-- > 0;) {
        const auto rune = literal_rune(sequence[i]);
        if (!rune) break;
        reversed.push_back(*rune);
      }
      for (auto it = reversed.rbegin(); it != reversed.rend(); ++it) append_utf8(program_.required_suffix_, *it);
    }
  }

  int pc() const { return static_cast<int>(program_.program_.size()); }

  int push(Instruction instruction) {
    program_.program_.push_back(instruction);
    return pc() - 1;
  }

  void emit(const Node& node) {
    switch (node.kind) {
      case Node::Kind::Class: push({.op = Op::Rune, .next = pc() + 1, .char_class = node.char_class}); return;
      case Node::Kind::AnyButNewline: push({.op = Op::AnyButNewline, .next = pc() + 1}); return;
      case Node::Kind::Assert: push({.op = Op::Assert, .assertion = node.assertion, .next = pc() + 1}); return;
      case Node::Kind::Group:
        for (const Node& child : node.children) emit(child);
        return;
      case Node::Kind::Alternate: emit_alternate(node.children); return;
      case Node::Kind::Star: emit_star(node.children.front()); return;
      case Node::Kind::Plus: emit_plus(node.children.front()); return;
      case Node::Kind::Quest: emit_quest(node.children.front()); return;
      case Node::Kind::Repeat: emit_repeat(node); return;
    }
  }

  void emit_alternate(const std::vector<Node>& branches) {
    std::vector<int> jumps;
    for (std::size_t i = 0; i + 1 < branches.size(); ++i) {
      const int split = push({.op = Op::Split});
      emit(branches[i]);
      jumps.push_back(push({.op = Op::Jump}));
      program_.program_[split].next = split + 1;
      program_.program_[split].alternative = pc();
    }
    emit(branches.back());
    for (const int jump : jumps) program_.program_[jump].next = pc();
  }

  // x{n,m} as n copies of x and m-n optional ones; x{n,} as n copies and a star: the same
  // language as Go's expansion.
  void emit_repeat(const Node& node) {
    const Node& operand = node.children.front();
    for (int i = 0; i < node.min; ++i) emit(operand);
    if (node.max < 0) {
      emit_star(operand);
      return;
    }
    for (int i = node.min; i < node.max; ++i) emit_quest(operand);
  }

  void emit_star(const Node& operand) {
    const int split = push({.op = Op::Split});
    emit(operand);
    push({.op = Op::Jump, .next = split});
    program_.program_[split].next = split + 1;
    program_.program_[split].alternative = pc();
  }

  void emit_plus(const Node& operand) {
    const int body = pc();
    emit(operand);
    push({.op = Op::Split, .next = body, .alternative = pc() + 1});
  }

  void emit_quest(const Node& operand) {
    const int split = push({.op = Op::Split});
    emit(operand);
    program_.program_[split].next = split + 1;
    program_.program_[split].alternative = pc();
  }

  std::string_view regex_;
  std::string_view rest_;
  RegexProgram program_;
};

sdk::Result<RegexProgram> RegexProgram::compile(std::string_view regex) { return RegexCompiler(regex).compile(); }

}  // namespace dbuild::patterns
