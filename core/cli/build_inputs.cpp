// build_inputs.cpp: stdin (a context tarball, or a Dockerfile), the .dockerignore lookup
// (<Dockerfile>.dockerignore first, then the context's .dockerignore), --build-context.
#include "cli/build_inputs.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include "cli/vcs_info.hpp"
#include "patterns/dockerignore.hpp"

namespace dbuild::cli {
namespace {

namespace fs = std::filesystem;

std::string read_stdin() {
  std::ostringstream data;
  data << std::cin.rdbuf();
  return data.str();
}

// A tarball (plain or compressed) rather than a Dockerfile: what `docker build -` tells apart.
bool looks_like_archive(const std::string& data) {
  auto starts = [&](std::string_view magic) { return data.compare(0, magic.size(), magic) == 0; };
  if (starts("\x1f\x8b") || starts("BZh") || starts("\xfd" "7zXZ") || starts("\x28\xb5\x2f\xfd")) return true;
  return data.size() > 262 && data.compare(257, 5, "ustar") == 0;
}

// An entry's name inside the context: GNU tar's leading "/" and "./" dropped; ".." refused.
sdk::Result<std::string> entry_name(const char* raw) {
  std::string name = raw ? raw : "";
  while (!name.empty() && name.front() == '/') name.erase(0, 1);
  for (const auto& part : fs::path(name))
    if (part == "..") return sdk::Status::failed_precondition("the context tarball names a path outside it: " + std::string(raw));
  return name;
}

sdk::Status tarball_error(archive* reader, const char* doing) {
  return sdk::Status::failed_precondition(std::string("unable to prepare context: ") + doing + " the context tarball: " +
                                          (archive_error_string(reader) ? archive_error_string(reader) : "unknown error"));
}

// Entries are renamed into `dir` (an absolute path), so libarchive's own refusal of absolute
// paths cannot be used; entry_name() does that check on the names as they are in the tarball.
sdk::Status extract_archive(const std::string& data, const fs::path& dir) {
  std::unique_ptr<archive, decltype(&archive_read_free)> reader(archive_read_new(), archive_read_free);
  archive_read_support_filter_all(reader.get());
  archive_read_support_format_tar(reader.get());
  if (archive_read_open_memory(reader.get(), data.data(), data.size()) != ARCHIVE_OK) return tarball_error(reader.get(), "reading");
  const int flags = ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_SECURE_NODOTDOT | ARCHIVE_EXTRACT_SECURE_SYMLINKS;
  archive_entry* entry = nullptr;
  while (true) {
    int result = archive_read_next_header(reader.get(), &entry);
    if (result == ARCHIVE_EOF) break;
    if (result != ARCHIVE_OK && result != ARCHIVE_WARN) return tarball_error(reader.get(), "reading");
    auto name = entry_name(archive_entry_pathname(entry));
    if (!name) return name.status();
    const std::string path = (dir / *name).string();
    archive_entry_set_pathname(entry, path.c_str());
    if (const char* link = archive_entry_hardlink(entry)) {
      auto target_name = entry_name(link);
      if (!target_name) return target_name.status();
      const std::string target = (dir / *target_name).string();
      archive_entry_set_hardlink(entry, target.c_str());
    }
    if (archive_read_extract(reader.get(), entry, flags) != ARCHIVE_OK) return tarball_error(reader.get(), "extracting");
  }
  return sdk::Status::ok();
}

sdk::Result<std::vector<std::string>> read_dockerignore(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), {});
  auto patterns = patterns::parse_dockerignore(text);
  if (!patterns) return patterns.status().with_context(file.string());
  return patterns;
}

}  // namespace

BuildInputs::~BuildInputs() {
  std::error_code ignored;
  for (const auto& dir : temp_dirs_) fs::remove_all(dir, ignored);
}

fs::path BuildInputs::make_temp_dir(const char* what) {
  std::string pattern = (fs::temp_directory_path() / (std::string("dbuild-") + what + "-XXXXXX")).string();
  if (!::mkdtemp(pattern.data())) return {};
  temp_dirs_.emplace_back(pattern);
  // Canonical, so that extraction's refusal to write through symlinks never trips on TMPDIR.
  std::error_code error;
  auto canonical = fs::canonical(pattern, error);
  return error ? fs::path(pattern) : canonical;
}

sdk::Status BuildInputs::prepare(const BuildInputSpec& spec, sdk::SolveRequest& request) {
  if (spec.context == "-" && spec.file == "-")
    return sdk::Status::invalid_argument("stdin cannot be both the context and the Dockerfile");
  if (auto status = prepare_context(spec); !status) return status;
  request.local_dirs["context"] = context_.string();
  // buildx's git information about the context, for the build's history record.
  if (spec.context != "-") {
    const auto vcs = read_vcs_info(context_);
    if (!vcs.revision.empty()) request.frontend_options["vcs:revision"] = vcs.revision;
    if (!vcs.source.empty()) request.frontend_options["vcs:source"] = vcs.source;
  }
  if (auto status = prepare_dockerfile(spec); !status) return status;
  request.local_dirs["dockerfile"] = dockerfile_path_.parent_path().string();
  request.frontend_options["filename"] = dockerfile_path_.filename().string();
  if (auto status = apply_dockerignore(request); !status) return status;
  return add_build_contexts(spec, request);
}

// PATH, or "-": a tarball (plain or compressed) to extract, or a Dockerfile with no context.
sdk::Status BuildInputs::prepare_context(const BuildInputSpec& spec) {
  std::error_code error;
  if (spec.context != "-") {
    if (!fs::is_directory(spec.context, error))
      return sdk::Status::not_found("unable to prepare context: path \"" + spec.context + "\" not found");
    context_ = fs::absolute(spec.context).lexically_normal();
    return sdk::Status::ok();
  }
  auto data = read_stdin();
  context_ = make_temp_dir("context");
  if (context_.empty()) return sdk::Status::unavailable("unable to prepare context: cannot create a temporary directory");
  if (!looks_like_archive(data)) {
    stdin_dockerfile_ = std::move(data);  // `dbuild build - < Dockerfile`: no context at all
    if (stdin_dockerfile_.empty()) return sdk::Status::failed_precondition("the Dockerfile cannot be empty");
    return sdk::Status::ok();
  }
  from_tarball_ = true;
  return extract_archive(data, context_);
}

// -f FILE (relative to here, or inside the tarball when the context came as one), -f - (stdin),
// the Dockerfile that came on stdin, or CONTEXT/Dockerfile.
sdk::Status BuildInputs::prepare_dockerfile(const BuildInputSpec& spec) {
  std::error_code error;
  fs::path file;
  if (spec.file == "-" || !stdin_dockerfile_.empty()) {
    auto dir = make_temp_dir("dockerfile");
    if (dir.empty()) return sdk::Status::unavailable("unable to prepare context: cannot create a temporary directory");
    file = dir / spec.default_file;
    std::ofstream(file, std::ios::binary) << (stdin_dockerfile_.empty() ? read_stdin() : stdin_dockerfile_);
  } else if (spec.file.empty()) {
    file = context_ / spec.default_file;
  } else {
    file = from_tarball_ && fs::path(spec.file).is_relative() ? context_ / spec.file : fs::path(spec.file);
  }
  if (!fs::is_regular_file(file, error))
    return sdk::Status::not_found("unable to prepare context: " + (spec.file.empty() || from_tarball_ ? file.string() : spec.file) +
                                  ": no such file");
  dockerfile_path_ = fs::absolute(file).lexically_normal();
  return sdk::Status::ok();
}

// <Dockerfile>.dockerignore next to the Dockerfile wins over the context's .dockerignore.
sdk::Status BuildInputs::apply_dockerignore(sdk::SolveRequest& request) const {
  std::error_code error;
  for (const auto& candidate : {fs::path(dockerfile_path_.string() + ".dockerignore"), context_ / ".dockerignore"}) {
    if (!fs::is_regular_file(candidate, error)) continue;
    auto patterns = read_dockerignore(candidate);
    if (!patterns) return patterns.status();
    request.local_excludes["context"] = std::move(*patterns);
    break;
  }
  return sdk::Status::ok();
}

sdk::Status BuildInputs::add_build_contexts(const BuildInputSpec& spec, sdk::SolveRequest& request) const {
  std::error_code error;
  for (const auto& item : spec.build_contexts) {
    auto equals = item.find('=');
    if (equals == std::string::npos || equals == 0)
      return sdk::Status::invalid_argument("--build-context " + item + ": expected NAME=VALUE");
    const std::string name = item.substr(0, equals), value = item.substr(equals + 1);
    if (value.rfind("docker-image://", 0) == 0 || value.rfind("oci-layout://", 0) == 0 || value.rfind("target:", 0) == 0) {
      request.frontend_options["context:" + name] = value;
      continue;
    }
    if (value.find("://") != std::string::npos)
      return sdk::Status::unimplemented("--build-context " + item + ": only local directories, docker-image:// and "
                                        "oci-layout:// are supported");
    if (!fs::is_directory(value, error))
      return sdk::Status::not_found("--build-context " + item + ": no directory " + value);
    request.local_dirs[name] = fs::absolute(value).lexically_normal().string();
    request.frontend_options["context:" + name] = "local:" + name;
  }
  return sdk::Status::ok();
}

}  // namespace dbuild::cli
