// build_results.cpp: --metadata-file, --iidfile and the image ID (see build_results.hpp).
#include "cli/build_results.hpp"

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

namespace dbuild::cli {

namespace fs = std::filesystem;

sdk::Status check_result_file(const std::string& path, const char* flag) {
  if (path.empty()) return sdk::Status::invalid_argument(std::string(flag) + ": the file name is empty");
  const fs::path file = fs::absolute(path);
  std::error_code error;
  if (fs::is_directory(file, error))
    return sdk::Status::invalid_argument(std::string(flag) + " " + path + ": is a directory");
  if (!fs::is_directory(file.parent_path(), error))
    return sdk::Status::invalid_argument(std::string(flag) + " " + path + ": directory " +
                                         file.parent_path().string() + " does not exist");
  if (::access(file.parent_path().c_str(), W_OK) != 0)
    return sdk::Status::invalid_argument(std::string(flag) + " " + path + ": " + file.parent_path().string() +
                                         " is not writable");
  return sdk::Status::ok();
}

std::string image_id(const sdk::SolveResponse& response) {
  for (const char* key : {"containerimage.config.digest", "containerimage.digest"})
    if (auto found = response.metadata.find(key); found != response.metadata.end()) return found->second;
  return "";
}

std::string metadata_json(const sdk::SolveResponse& response) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [key, value] : response.metadata) {
    auto document = nlohmann::json::parse(value, nullptr, false);
    out[key] = document.is_object() || document.is_array() ? document : nlohmann::json(value);
  }
  if (!response.build_ref.empty()) out["dbuild.build.ref"] = response.build_ref;
  return out.dump(2) + "\n";
}

sdk::Status write_result_file(const std::string& path, const std::string& text) {
  const std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out.flush()) return sdk::Status::unavailable("writing " + temporary);
  }
  std::error_code error;
  fs::rename(temporary, path, error);
  if (error) return sdk::Status::unavailable("writing " + path + ": " + error.message());
  return sdk::Status::ok();
}

}  // namespace dbuild::cli
