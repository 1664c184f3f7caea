// definition.cpp: building a Definition and walking an op's inputs.
#include <dbuild/sdk/definition.hpp>

#include <cstdio>
#include <cstdlib>

namespace dbuild::sdk {
namespace {

template <class... F>
struct Overloaded : F... {
  using F::operator()...;
};
template <class... F>
Overloaded(F...) -> Overloaded<F...>;

}  // namespace

std::vector<OpIndex> op_inputs(const Op& op) {
  std::vector<OpIndex> inputs;
  auto add = [&](const std::optional<OpIndex>& index) {
    if (index) inputs.push_back(*index);
  };
  std::visit(Overloaded{
                 [](const SourceOp&) {},
                 [&](const ExecOp& exec) {
                   add(exec.root);
                   for (const auto& mount : exec.mounts) add(mount.source);
                 },
                 [&](const FileOp& file) {
                   add(file.base);
                   for (const auto& action : file.actions)
                     if (const auto* copy = std::get_if<CopyAction>(&action)) add(copy->source);
                 },
                 [&](const MergeOp& merge) { inputs = merge.inputs; },
                 [&](const DiffOp& diff) {
                   add(diff.lower);
                   inputs.push_back(diff.upper);
                 },
             },
             op);
  return inputs;
}

const char* op_kind_name(const Op& op) noexcept {
  static constexpr const char* kNames[] = {"source", "exec", "file", "merge", "diff"};
  return kNames[op.index()];
}

Result<OpIndex> Definition::try_add(Op op, OpMetadata metadata) {
  const auto next = static_cast<OpIndex>(nodes_.size());
  for (OpIndex input : op_inputs(op))
    if (input >= next)
      return Status::invalid_argument("op " + std::to_string(next) + " names input " + std::to_string(input) +
                                      ", which is not in the definition yet");
  nodes_.push_back({std::move(op), std::move(metadata)});
  return next;
}

OpIndex Definition::add(Op op, OpMetadata metadata) {
  auto index = try_add(std::move(op), std::move(metadata));
  if (!index) {
    std::fprintf(stderr, "dbuild: bug: %s\n", index.status().message().c_str());
    std::abort();
  }
  return *index;
}

}  // namespace dbuild::sdk
