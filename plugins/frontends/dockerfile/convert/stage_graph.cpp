// stage_graph.cpp: which stages each stage reads (COPY --from, RUN --mount from=), found before
// anything converts, and BuildKit's check that no stage ends up reading itself.
#include <functional>

#include "convert/converter_impl.hpp"
#include "parser/text.hpp"

namespace dbuild::dockerfile {

std::string Converter::stage_name_of(std::size_t index) const {
  const auto& name = dockerfile_.stages[index].name;
  return name.empty() ? "stage-" + std::to_string(index) : name;
}

// COPY --from names a stage by index or by name (any stage, even a later one: dispatching then
// refuses it), or else an image. Its word is never expanded.
sdk::Result<std::optional<std::size_t>> Converter::copy_from_stage(const std::string& from,
                                                                   const Location& location) const {
  auto unexpanded = lexer_.process_word(from, [](std::string_view) -> std::optional<std::string> { return std::nullopt; });
  if (!unexpanded) return error_at(location, unexpanded.status());
  if (unexpanded->word != from)
    return error_at(location, sdk::Status::invalid_argument(
                                  "variable expansion is not supported for --from, define a new stage with FROM using "
                                  "ARG from global scope as a workaround"));
  if (auto index = parser_text::parse_int(from, 10, 64)) {
    if (*index < 0 || *index >= static_cast<std::int64_t>(dockerfile_.stages.size()))
      return error_at(location, sdk::Status::invalid_argument("invalid stage index " + std::to_string(*index)));
    return std::optional<std::size_t>{static_cast<std::size_t>(*index)};
  }
  return find_stage_by_name(from, dockerfile_.stages.size());
}

sdk::Status Converter::collect_dependencies(StageState& stage) const {
  for (const auto& command : stage.stage->commands) {
    if (const auto* copy = std::get_if<CopyCommand>(&command); copy && !copy->from.empty()) {
      if (options_.named_contexts.count(copy->from)) continue;
      auto index = copy_from_stage(copy->from, copy->location);
      if (!index) return index.status();
      if (*index) stage.deps.emplace_back(**index, copy->location);
    }
    if (const auto* run = std::get_if<RunCommand>(&command)) {
      for (const auto& mount : run->mounts) {
        if (mount.from.empty() || options_.named_contexts.count(mount.from)) continue;
        if (auto index = find_stage_by_name(mount.from, dockerfile_.stages.size()))
          stage.deps.emplace_back(*index, run->location);
      }
    }
  }
  return sdk::Status::ok();
}

// A depth-first walk from each stage in order: the first stage from which a cycle can be reached
// is the one named, and the error points at its instruction that starts the cycle.
sdk::Status Converter::check_circular_dependencies() const {
  std::vector<bool> visited(stages_.size()), on_path(stages_.size());
  std::vector<Location> path;
  std::function<bool(std::size_t)> visit = [&](std::size_t index) {
    if (visited[index]) return false;
    visited[index] = on_path[index] = true;
    for (const auto& [dep, location] : stages_[index].deps) {
      path.push_back(location);
      if (on_path[dep] || visit(dep)) return true;
      path.pop_back();
    }
    on_path[index] = false;
    return false;
  };
  for (std::size_t index = 0; index < stages_.size(); ++index) {
    if (!visit(index)) continue;
    return error_at(path.front(),
                    sdk::Status::invalid_argument("circular dependency detected on stage: " + stage_name_of(index)));
  }
  return sdk::Status::ok();
}

}  // namespace dbuild::dockerfile
