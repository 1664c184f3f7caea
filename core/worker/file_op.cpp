// file_op.cpp: running a FileOp: prepare the base snapshot, apply each action with BuildKit's
// rules (core/fileop), reading copies from snapshot views or the client's context, commit.
#include <variant>

#include "fileop/actions.hpp"
#include "fileop/copy.hpp"
#include "patterns/context_filter.hpp"
#include "snapshot/snapshotter.hpp"
#include "worker/local_worker.hpp"

namespace dbuild::worker {
namespace {

template <class... F>
struct Overloaded : F... {
  using F::operator()...;
};
template <class... F>
Overloaded(F...) -> Overloaded<F...>;

// A local source read in place: only what its include/exclude patterns admit is part of it.
sdk::Result<fileop::CopySource> local_source(const solver::VertexResult& input) {
  fileop::CopySource source{input.local_dir, {}, true};
  if (input.include_patterns.empty() && input.exclude_patterns.empty()) return source;
  auto filter = patterns::ContextFilter::compile(input.include_patterns, input.exclude_patterns);
  if (!filter) return filter.status();
  auto shared = std::make_shared<patterns::ContextFilter>(std::move(*filter));
  source.filter = [shared](std::string_view path, bool is_dir) {
    patterns::ContextFilter::DirState unused;
    auto verdict = shared->classify(path, is_dir, {}, unused);
    if (!verdict) return false;
    // An excluded directory may still lead to re-included paths ("!dir/keep"): pass through it.
    return *verdict == patterns::ContextFilter::Verdict::Include ||
           (is_dir && *verdict == patterns::ContextFilter::Verdict::PassThrough);
  };
  return source;
}

}  // namespace

sdk::Result<solver::VertexResult> LocalWorker::file(const sdk::FileOp& op, const std::vector<solver::VertexResult>& inputs,
                                                    const solver::VertexContext& context) {
  std::size_t next_input = 0;
  std::optional<snapshot::SnapshotId> base;
  if (op.base) {
    const auto& input = inputs[next_input++];
    if (input.is_local()) return sdk::Status::invalid_argument("a local directory cannot be changed by file ops");
    base = input.snapshot;
  }
  auto active = services_.snapshots.prepare(base);
  if (!active) return active.status();
  const auto root = (*active)->root();

  std::uint64_t copied = 0;
  fileop::CopyContext copy_context;
  copy_context.stop = context.stop;
  copy_context.on_bytes = [&](std::uint64_t bytes) {
    copied += bytes;
    if ((copied & ((64 << 20) - 1)) < bytes) context.status("copying files", static_cast<std::int64_t>(copied), 0);
  };
  std::vector<std::unique_ptr<snapshot::View>> views;
  for (const auto& action : op.actions) {
    sdk::Status status = std::visit(
        Overloaded{
            [&](const sdk::CopyAction& copy) -> sdk::Status {
              fileop::CopySource source{root, {}, false};
              if (!copy.source) {  // from the base as it was before this op, as BuildKit reads it
                auto view = services_.snapshots.view(base);
                if (!view) return view.status();
                source.root = (*view)->root();
                views.push_back(std::move(*view));
              } else {
                const auto& input = inputs[next_input++];
                if (input.is_local()) {
                  auto local = local_source(input);
                  if (!local) return local.status();
                  source = std::move(*local);
                } else {
                  auto view = services_.snapshots.view(input.snapshot);
                  if (!view) return view.status();
                  source.root = (*view)->root();
                  views.push_back(std::move(*view));
                }
              }
              return fileop::copy(source, root, copy, copy_context);
            },
            [&](const sdk::MkdirAction& mkdir) { return fileop::mkdir(root, mkdir, copy_context); },
            [&](const sdk::MkfileAction& mkfile) { return fileop::mkfile(root, mkfile, copy_context); },
            [&](const sdk::RmAction& rm) { return fileop::rm(root, rm, copy_context); },
            [&](const sdk::SymlinkAction& symlink) { return fileop::symlink(root, symlink, copy_context); },
        },
        action);
    if (!status) return status;
  }
  views.clear();
  auto committed = services_.snapshots.commit(std::move(*active));
  if (!committed) return committed.status();
  return solver::VertexResult{*committed, {}, {}, {}};
}

}  // namespace dbuild::worker
