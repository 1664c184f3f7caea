// dump.cpp: BuildKit's Node.Dump() format, which its parser tests compare byte for byte.
#include "parser/parser.hpp"
#include "parser/text.hpp"

namespace dbuild::dockerfile {

std::string dump_instruction(const Node& instruction) {
  std::string out = parser_text::to_lower(instruction.value);
  if (!instruction.flags.empty()) out += " " + parser_text::quote_list(instruction.flags);
  for (const auto& trigger : instruction.children) out += " (" + dump_instruction(trigger) + ")";
  for (const auto& argument : instruction.next) out += " " + parser_text::quote(argument.value);
  return std::string(parser_text::trim_space(out));
}

std::string dump(const Node& root) {
  std::string out;
  for (const auto& instruction : root.next) out += "(" + dump_instruction(instruction) + ")\n";
  return std::string(parser_text::trim_space(out));
}

}  // namespace dbuild::dockerfile
