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

sdk::Status extract_archive(const std::string& data, const fs::path& dir) {
  std::unique_ptr<archive, decltype(&archive_read_free)> reader(archive_read_new(), archive_read_free);
  archive_read_support_filter_all(reader.get());
  archive_read_support_format_tar(reader.get());
  if (archive_read_open_memory(reader.get(), data.data(), data.size()) != ARCHIVE_OK)
    return sdk::Status::invalid_argument(std::string("reading the context tarball: ") + archive_error_string(reader.get()));
  const int flags = ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_SECURE_NODOTDOT |
                    ARCHIVE_EXTRACT_SECURE_SYMLINKS | ARCHIVE_EXTRACT_SECURE_NOABSOLUTEPATHS;
  archive_entry* entry = nullptr;
  while (true) {
    int result = archive_read_next_header(reader.get(), &entry);
    if (result == ARCHIVE_EOF) break;
    if (result != ARCHIVE_OK && result != ARCHIVE_WARN)
      return sdk::Status::invalid_argument(std::string("reading the context tarball: ") + archive_error_string(reader.get()));
    const std::string path = (dir / archive_entry_pathname(entry)).string();
    archive_entry_set_pathname(entry, path.c_str());
    if (const char* link = archive_entry_hardlink(entry)) {
      const std::string target = (dir / link).string();
      archive_entry_set_hardlink(entry, target.c_str());
    }
    if (archive_read_extract(reader.get(), entry, flags) != ARCHIVE_OK)
      return sdk::Status::invalid_argument(std::string("extracting the context tarball: ") + archive_error_string(reader.get()));
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
  return pattern;
}

sdk::Status BuildInputs::prepare(const BuildInputSpec& spec, sdk::SolveRequest& request) {
  std::error_code error;
  fs::path context;
  std::string stdin_dockerfile;
  if (spec.context == "-") {
    if (spec.file == "-") return sdk::Status::invalid_argument("stdin cannot be both the context and the Dockerfile");
    auto data = read_stdin();
    context = make_temp_dir("context");
    if (looks_like_archive(data)) {
      if (auto status = extract_archive(data, context); !status) return status;
    } else {
      stdin_dockerfile = std::move(data);  // `dbuild build - < Dockerfile`: no context at all
    }
  } else {
    context = spec.context;
    if (!fs::is_directory(context, error))
      return sdk::Status::not_found("unable to prepare context: path \"" + spec.context + "\" not found");
  }
  context = fs::absolute(context).lexically_normal();
  request.local_dirs["context"] = context.string();

  fs::path file;
  if (spec.file == "-" || !stdin_dockerfile.empty()) {
    auto dir = make_temp_dir("dockerfile");
    file = dir / spec.default_file;
    std::ofstream(file, std::ios::binary) << (stdin_dockerfile.empty() ? read_stdin() : stdin_dockerfile);
  } else {
    file = spec.file.empty() ? context / spec.default_file : fs::path(spec.file);
    if (!fs::is_regular_file(file, error))
      return sdk::Status::not_found("unable to prepare context: " + file.string() + ": no such file");
  }
  file = fs::absolute(file).lexically_normal();
  dockerfile_path_ = file;
  request.local_dirs["dockerfile"] = file.parent_path().string();
  request.frontend_options["filename"] = file.filename().string();

  for (const auto& candidate : {fs::path(file.string() + ".dockerignore"), context / ".dockerignore"}) {
    if (!fs::is_regular_file(candidate, error)) continue;
    auto patterns = read_dockerignore(candidate);
    if (!patterns) return patterns.status();
    request.local_excludes["context"] = std::move(*patterns);
    break;
  }

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
