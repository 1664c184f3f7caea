// parse_dockerfile.cpp: a whole syntax tree -> global ARGs and build stages (BuildKit's
// instructions.Parse), with its "dockerfile parse error on line N" wrapping.
#include "instructions/instructions.hpp"

namespace dbuild::dockerfile {
namespace {

sdk::Status at_line(const Node& node, sdk::Status status) {
  auto location = status.location().value_or(sdk::SourceLocation{"Dockerfile", node.start_line, node.end_line});
  return sdk::Status(status.code(), "dockerfile parse error on line " + std::to_string(node.start_line) + ": " +
                                        status.message())
      .with_location(std::move(location));
}

}  // namespace

sdk::Result<Dockerfile> parse_dockerfile(const Node& root) {
  Dockerfile dockerfile;
  for (const auto& node : root.next) {
    auto instruction = parse_instruction(node);
    if (!instruction) return at_line(node, instruction.status());
    if (auto* stage = std::get_if<Stage>(&*instruction)) {
      dockerfile.stages.push_back(std::move(*stage));
      continue;
    }
    auto& command = std::get<Command>(*instruction);
    if (dockerfile.stages.empty()) {
      if (auto* arg = std::get_if<ArgCommand>(&command)) {
        dockerfile.meta_args.push_back(std::move(*arg));
        continue;
      }
      return sdk::Status::invalid_argument("no build stage in current context")
          .with_location({"Dockerfile", node.start_line, node.end_line});
    }
    dockerfile.stages.back().commands.push_back(std::move(command));
  }
  return dockerfile;
}

}  // namespace dbuild::dockerfile
