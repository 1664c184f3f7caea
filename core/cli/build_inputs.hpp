// build_inputs.hpp: what `dbuild build` sends as its inputs: the context directory (a path, or
// a tarball or Dockerfile on stdin), the Dockerfile (a path, or `-f -` from stdin), the
// .dockerignore that applies, and --build-context directories. Temporary copies live as long
// as this object.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <dbuild/sdk/engine.hpp>
#include <dbuild/sdk/status.hpp>

namespace dbuild::cli {

struct BuildInputSpec {
  std::string context;                       // PATH or "-"
  std::string file;                          // -f value, empty for the default
  std::string default_file = "Dockerfile";   // for the definition frontend, "build.json"
  std::vector<std::string> build_contexts;   // NAME=VALUE
};

class BuildInputs {
 public:
  BuildInputs() = default;
  ~BuildInputs();
  BuildInputs(const BuildInputs&) = delete;
  BuildInputs& operator=(const BuildInputs&) = delete;

  /// Prepares the inputs, reading stdin when asked, and fills `request`'s local dirs, excludes
  /// and the frontend's filename and context options. Errors: not_found (no such context or
  /// Dockerfile), invalid_argument (bad --build-context, a bad .dockerignore, stdin used twice),
  /// failed_precondition (a tarball that cannot be extracted, an empty Dockerfile on stdin).
  sdk::Status prepare(const BuildInputSpec& spec, sdk::SolveRequest& request);

  /// The Dockerfile as a path on this machine, to show lines of it in error messages.
  [[nodiscard]] const std::filesystem::path& dockerfile_path() const { return dockerfile_path_; }

 private:
  std::filesystem::path make_temp_dir(const char* what);
  sdk::Status prepare_context(const BuildInputSpec& spec);
  sdk::Status prepare_dockerfile(const BuildInputSpec& spec);
  sdk::Status apply_dockerignore(sdk::SolveRequest& request) const;
  sdk::Status add_build_contexts(const BuildInputSpec& spec, sdk::SolveRequest& request) const;

  std::filesystem::path context_;
  std::string stdin_dockerfile_;  // a Dockerfile that came on stdin in place of a context
  bool from_tarball_ = false;     // the context is an extracted tarball from stdin
  std::filesystem::path dockerfile_path_;
  std::vector<std::filesystem::path> temp_dirs_;
};

}  // namespace dbuild::cli
