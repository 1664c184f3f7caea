// definition.hpp: the Definition, dbuild's build IR: a DAG of ops (source, exec, file, merge,
// diff) that a frontend produces and the solver runs. The solver knows nothing of Dockerfiles;
// this is all it sees. An op's identity is the digest of its canonical JSON (definition_json.hpp).
//
//   sdk::Definition definition;
//   auto base = definition.add(sdk::SourceOp{.kind = sdk::SourceKind::Image, .identifier = "docker.io/library/alpine:3.20"},
//                              {.description = "[1/2] FROM alpine"});
//   definition.output = definition.add(sdk::ExecOp{.root = base, .args = {"/bin/sh", "-c", "make"}},
//                                      {.description = "[2/2] RUN make"});
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <dbuild/sdk/options.hpp>
#include <dbuild/sdk/platform.hpp>
#include <dbuild/sdk/status.hpp>

namespace dbuild::sdk {

/// The position of an op in its Definition. Inputs always have a smaller index than their users.
using OpIndex = std::uint32_t;

enum class SourceKind : std::uint8_t {
  Image,      // identifier: an image reference, "docker.io/library/alpine:3.20[@sha256:...]"
  Local,      // identifier: the name of a directory the client sent ("context", "dockerfile")
  OciLayout,  // identifier: "PATH[:TAG]" or "PATH@sha256:..." of an OCI image layout (dir or tar)
  Git,        // identifier: "URL[#REF[:SUBDIR]]"
  Http,       // identifier: an http(s) URL
};

struct SourceOp {
  SourceKind kind = SourceKind::Image;
  std::string identifier{};
  std::optional<Platform> platform{};           // Image, OciLayout: which manifest of an index
  std::vector<std::string> include_patterns{};  // Local: only these paths (.dockerignore syntax)
  std::vector<std::string> exclude_patterns{};  // Local: never these
  Attributes attributes{};                      // kind-specific: Http "checksum", "filename", "chmod"; Git "keep-git-dir"

  friend bool operator==(const SourceOp&, const SourceOp&) = default;
};

enum class MountType : std::uint8_t { Bind, Cache, Tmpfs, Secret, Ssh };
enum class CacheSharing : std::uint8_t { Shared, Private, Locked };

struct Mount {
  MountType type = MountType::Bind;
  std::string target{};             // absolute path in the container
  std::optional<OpIndex> source{};  // Bind, Cache: the op whose result is mounted (none: empty)
  std::string selector = "/";     // Bind: the path inside `source` to mount
  bool readonly = true;           // Bind: writes go nowhere unless false (then they are discarded)
  std::string cache_id{};           // Cache: mounts with the same id share contents across builds
  CacheSharing sharing = CacheSharing::Shared;
  std::string secret_id{};          // Secret, Ssh: which secret the client provides
  bool required = false;          // Secret: fail when the client has none
  std::uint32_t uid = 0;          // Secret, Cache: owner
  std::uint32_t gid = 0;
  std::uint32_t mode = 0;         // Secret (default 0400), Cache (default 0755) when 0
  std::int64_t size = 0;          // Tmpfs: bytes, 0 for the kernel's default

  friend bool operator==(const Mount&, const Mount&) = default;
};

enum class NetworkMode : std::uint8_t { Default, None, Host };
enum class SecurityMode : std::uint8_t { Sandbox, Insecure };

struct ExecOp {
  std::optional<OpIndex> root{};     // the root file system; none: an empty one
  std::vector<std::string> args{};   // argv; args[0] is looked up in PATH when not absolute
  std::vector<std::string> env{};    // "KEY=value"; PATH gets BuildKit's default when unset
  std::string cwd = "/";           // created when missing
  std::string user{};                // "", "name", "uid", "name:group", "uid:gid"; "" is root
  std::vector<Mount> mounts{};
  NetworkMode network = NetworkMode::Default;
  SecurityMode security = SecurityMode::Sandbox;
  bool readonly_rootfs = false;
  std::string hostname{};            // empty: the engine's default
  std::vector<std::string> extra_hosts{};  // "name=ip"

  friend bool operator==(const ExecOp&, const ExecOp&) = default;
};

/// An owner for created or copied files: names or numeric ids, resolved against the /etc/passwd
/// and /etc/group of the tree being changed. An empty group means the user's primary group.
struct Ownership {
  std::string user{};
  std::string group{};
  friend bool operator==(const Ownership&, const Ownership&) = default;
};

struct CopyAction {
  std::optional<OpIndex> source{};  // the tree copied from; none: the FileOp's own base
  std::string src{};                // a path in `source`; may hold wildcards when allow_wildcard
  std::string dest{};               // a path in the base; ending in '/' means "into this directory"
  std::optional<Ownership> chown{};
  std::string chmod{};              // "" keep; octal "0755"; or symbolic "u+x,go-w"
  bool follow_symlinks = true;    // a src that is a symlink copies what it points to
  bool copy_dir_contents = true;  // a src that is a directory copies its contents, not itself
  bool create_dest_path = true;   // create missing parent directories of dest
  bool allow_wildcard = true;
  bool allow_empty_wildcard = false;
  bool unpack_archives = false;   // ADD: a tar archive (optionally compressed) is extracted at dest
  bool parents = false;           // COPY --parents: keep src's directories under dest
  std::vector<std::string> include_patterns{};
  std::vector<std::string> exclude_patterns{};
  std::optional<std::int64_t> timestamp{};  // set mtimes to this (Unix seconds)

  friend bool operator==(const CopyAction&, const CopyAction&) = default;
};

struct MkdirAction {
  std::string path{};
  std::uint32_t mode = 0755;
  bool make_parents = false;
  std::optional<Ownership> chown{};
  std::optional<std::int64_t> timestamp{};

  friend bool operator==(const MkdirAction&, const MkdirAction&) = default;
};

struct MkfileAction {
  std::string path{};
  std::uint32_t mode = 0644;
  std::string data{};
  std::optional<Ownership> chown{};
  std::optional<std::int64_t> timestamp{};

  friend bool operator==(const MkfileAction&, const MkfileAction&) = default;
};

struct RmAction {
  std::string path{};
  bool allow_not_found = false;
  bool allow_wildcard = false;

  friend bool operator==(const RmAction&, const RmAction&) = default;
};

struct SymlinkAction {
  std::string target{};  // what the link points to, verbatim
  std::string path{};    // where the link is created
  std::optional<Ownership> chown{};
  std::optional<std::int64_t> timestamp{};

  friend bool operator==(const SymlinkAction&, const SymlinkAction&) = default;
};

using FileAction = std::variant<CopyAction, MkdirAction, MkfileAction, RmAction, SymlinkAction>;

struct FileOp {
  std::optional<OpIndex> base{};      // the tree the actions change; none: an empty one
  std::vector<FileAction> actions{};  // applied in order

  friend bool operator==(const FileOp&, const FileOp&) = default;
};

/// The layers of each input stacked in order, as one result (COPY --link).
struct MergeOp {
  std::vector<OpIndex> inputs{};

  friend bool operator==(const MergeOp&, const MergeOp&) = default;
};

/// What `upper` changed relative to `lower` (none: everything in upper), as a result of its own.
struct DiffOp {
  std::optional<OpIndex> lower{};
  OpIndex upper = 0;

  friend bool operator==(const DiffOp&, const DiffOp&) = default;
};

using Op = std::variant<SourceOp, ExecOp, FileOp, MergeOp, DiffOp>;

/// What users see of an op; none of it is part of the op's identity.
struct OpMetadata {
  std::string description{};                 // the step name: "[build 2/4] RUN make"
  std::optional<SourceLocation> location{};  // where the op comes from
  bool ignore_cache = false;               // always run it (--no-cache, --no-cache-filter)
};

struct DefinitionNode {
  Op op{};
  OpMetadata metadata{};
};

/// Every op another op reads from, in a fixed order: root/base first, then mounts or copy
/// sources, then merge/diff inputs. A Local source's consumers find it here too.
[[nodiscard]] std::vector<OpIndex> op_inputs(const Op& op);

/// "source", "exec", "file", "merge", "diff".
[[nodiscard]] const char* op_kind_name(const Op& op) noexcept;

class Definition {
 public:
  /// Appends an op. Every input it names must already be in the Definition, so a Definition
  /// built this way has no cycles. Errors: invalid_argument (an input out of range).
  Result<OpIndex> try_add(Op op, OpMetadata metadata = {});
  /// As try_add, for frontends that build from their own indices: an out-of-range input is a
  /// bug in the caller and aborts.
  OpIndex add(Op op, OpMetadata metadata = {});

  [[nodiscard]] const std::vector<DefinitionNode>& nodes() const noexcept { return nodes_; }
  [[nodiscard]] std::size_t size() const noexcept { return nodes_.size(); }
  [[nodiscard]] const DefinitionNode& node(OpIndex index) const { return nodes_.at(index); }

  /// The op whose result the build produces; none for a Definition that builds nothing.
  std::optional<OpIndex> output;

 private:
  std::vector<DefinitionNode> nodes_;
};

}  // namespace dbuild::sdk
