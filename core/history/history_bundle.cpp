// history_bundle.cpp: writing and reading history bundles (see history_bundle.hpp). The tar is
// read as a stream, one build at a time, inside the import's one transaction; the manifest's list
// of refs and each record's list of logs tell a complete bundle from one cut short at an entry
// boundary, which tar and zstd alone may not.
#include "history/history_bundle.hpp"

#include <archive.h>
#include <archive_entry.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <set>

#include <nlohmann/json.hpp>

#include "db/query.hpp"
#include "db/transaction.hpp"
#include "history/recorder.hpp"

namespace dbuild::history {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

constexpr const char* kFormat = "dbuild-history-bundle";
// The most bytes the manifest or one build.json may hold; a log may hold the recorder's ceiling.
constexpr std::int64_t kMaxRecordBytes = 64LL << 20;
constexpr std::array<const char*, 4> kFinished = {"completed", "failed", "cancelled", "interrupted"};
constexpr std::array<const char*, 5> kStepStates = {"done", "cached", "failed", "cancelled", "skipped"};

// Never throws: text the history holds (error messages) may not be UTF-8.
std::string dump(const json& doc) { return doc.dump(-1, ' ', false, json::error_handler_t::replace); }

std::string build_dir(const std::string& ref) { return "builds/" + ref + "/"; }
std::string log_path(const std::string& ref, int step) {
  return build_dir(ref) + "logs/" + std::to_string(step) + ".log";
}

json step_json(const std::string& ref, const StepRecord& step) {
  json doc = {{"number", step.number},
              {"digest", step.digest},
              {"name", step.name},
              {"stage", step.stage},
              {"position", step.position},
              {"started", step.started},
              {"completed", step.completed},
              {"state", step.state},
              {"error", step.error},
              {"source_file", step.source_file},
              {"source_line", step.source_line},
              {"cache_key", step.cache_key},
              {"key_inputs", step.key_inputs},
              {"log_bytes", step.log_bytes},
              {"log_dropped", step.log_dropped}};
  doc["exit_code"] = step.exit_code ? json(*step.exit_code) : json(nullptr);
  if (!step.log.empty()) doc["log"] = log_path(ref, step.number);
  return doc;
}

json output_json(const OutputRecord& output) {
  return {{"type", output.type},     {"attributes", output.attributes},
          {"digest", output.digest}, {"config_digest", output.config_digest},
          {"names", output.names},   {"pushed", output.pushed}};
}

json build_json(const BuildRecord& build, const std::vector<StepRecord>& steps,
                const std::vector<OutputRecord>& outputs) {
  json doc = {{"ref", build.ref},
              {"name", build.name},
              {"builder", build.builder},
              {"node", build.node},
              {"driver", build.driver},
              {"session", build.session},
              {"frontend", build.frontend},
              {"context", build.context},
              {"git_url", build.git_url},
              {"git_commit", build.git_commit},
              {"dockerfile", build.dockerfile},
              {"dockerfile_digest", build.dockerfile_digest},
              {"dockerfile_text", build.dockerfile_text},
              {"target", build.target},
              {"platforms", build.platforms},
              {"build_args", build.build_args},
              {"labels", build.labels},
              {"outputs_requested", build.outputs_requested},
              {"started", build.started},
              {"completed", build.completed},
              {"status", build.status},
              {"error", build.error},
              {"error_file", build.error_file},
              {"error_line", build.error_line},
              {"total_steps", build.total_steps},
              {"cached_steps", build.cached_steps},
              {"bytes_exported", build.bytes_exported},
              {"warnings", build.warnings},
              {"steps", json::array()},
              {"outputs", json::array()}};
  for (const auto& step : steps) doc["steps"].push_back(step_json(build.ref, step));
  for (const auto& output : outputs) doc["outputs"].push_back(output_json(output));
  return doc;
}

// Refs name directories in the bundle: buildx's alphabet only, so that no entry escapes.
bool valid_ref(const std::string& ref) {
  return !ref.empty() && ref.size() <= 64 &&
         std::all_of(ref.begin(), ref.end(), [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); });
}

template <std::size_t N>
bool one_of(const std::string& value, const std::array<const char*, N>& allowed) {
  return std::any_of(allowed.begin(), allowed.end(), [&](const char* item) { return value == item; });
}

// The steps as read, with the bundle path of each one's log (to be filled in as entries come).
struct PendingBuild {
  BuildRecord build;
  std::vector<StepRecord> steps;
  std::vector<OutputRecord> outputs;
  std::map<std::string, std::size_t> logs_expected;  // entry path -> index in steps
};

// Throws json exceptions on a wrong shape; the caller turns them into a Status.
PendingBuild read_build(const json& doc) {
  PendingBuild pending;
  auto& build = pending.build;
  build.ref = doc.at("ref").get<std::string>();
  if (!valid_ref(build.ref)) throw std::invalid_argument("\"" + build.ref + "\" is not a build ref");
  for (auto [field, key] : {std::pair{&build.name, "name"},
                            {&build.builder, "builder"},
                            {&build.node, "node"},
                            {&build.driver, "driver"},
                            {&build.session, "session"},
                            {&build.frontend, "frontend"},
                            {&build.context, "context"},
                            {&build.git_url, "git_url"},
                            {&build.git_commit, "git_commit"},
                            {&build.dockerfile, "dockerfile"},
                            {&build.dockerfile_digest, "dockerfile_digest"},
                            {&build.dockerfile_text, "dockerfile_text"},
                            {&build.target, "target"},
                            {&build.outputs_requested, "outputs_requested"},
                            {&build.status, "status"},
                            {&build.error, "error"},
                            {&build.error_file, "error_file"}})
    *field = doc.at(key).get<std::string>();
  if (!one_of(build.status, kFinished))
    throw std::invalid_argument("build " + build.ref + " has status \"" + build.status + "\"");
  build.platforms = doc.at("platforms").get<std::vector<std::string>>();
  build.build_args = doc.at("build_args").get<std::map<std::string, std::string>>();
  build.labels = doc.at("labels").get<std::map<std::string, std::string>>();
  build.warnings = doc.at("warnings").get<std::vector<std::string>>();
  build.started = doc.at("started").get<std::int64_t>();
  build.completed = doc.at("completed").get<std::int64_t>();
  build.error_line = doc.at("error_line").get<int>();
  build.total_steps = doc.at("total_steps").get<int>();
  build.cached_steps = doc.at("cached_steps").get<int>();
  build.bytes_exported = doc.at("bytes_exported").get<std::int64_t>();
  for (const auto& item : doc.at("steps")) {
    StepRecord step;
    step.number = item.at("number").get<int>();
    for (auto [field, key] : {std::pair{&step.digest, "digest"},
                              {&step.name, "name"},
                              {&step.stage, "stage"},
                              {&step.state, "state"},
                              {&step.error, "error"},
                              {&step.source_file, "source_file"},
                              {&step.cache_key, "cache_key"},
                              {&step.key_inputs, "key_inputs"}})
      *field = item.at(key).get<std::string>();
    if (!one_of(step.state, kStepStates))
      throw std::invalid_argument("a step of build " + build.ref + " has state \"" + step.state + "\"");
    step.position = item.at("position").get<int>();
    step.started = item.at("started").get<std::int64_t>();
    step.completed = item.at("completed").get<std::int64_t>();
    step.source_line = item.at("source_line").get<int>();
    step.log_bytes = item.at("log_bytes").get<std::int64_t>();
    step.log_dropped = item.at("log_dropped").get<std::int64_t>();
    if (!item.at("exit_code").is_null()) step.exit_code = item.at("exit_code").get<int>();
    if (item.contains("log")) {
      auto path = item.at("log").get<std::string>();
      if (path != log_path(build.ref, step.number)) throw std::invalid_argument("a step's log is misnamed: " + path);
      pending.logs_expected[path] = pending.steps.size();
    }
    pending.steps.push_back(std::move(step));
  }
  for (const auto& item : doc.at("outputs"))
    pending.outputs.push_back({item.at("type").get<std::string>(), item.at("attributes").get<std::string>(),
                               item.at("digest").get<std::string>(), item.at("config_digest").get<std::string>(),
                               item.at("names").get<std::string>(), item.at("pushed").get<bool>()});
  return pending;
}

// Why a build's times cannot be real ("" when they can): it ended before it started, or it
// started or ended more than a day from now.
std::string implausible_times(const BuildRecord& build) {
  const auto latest = std::chrono::duration_cast<std::chrono::nanoseconds>(
                          (std::chrono::system_clock::now() + std::chrono::hours(24)).time_since_epoch())
                          .count();
  if (build.started < 0 || build.started > latest) return "build " + build.ref + " has an impossible start time";
  if (build.completed != 0 && (build.completed < build.started || build.completed > latest))
    return "build " + build.ref + " has an impossible end time";
  return "";
}

using ArchivePtr = std::unique_ptr<archive, int (*)(archive*)>;

class BundleWriter {
 public:
  explicit BundleWriter(const fs::path& file) : archive_(archive_write_new(), archive_write_free), file_(file) {
    archive_write_add_filter_zstd(archive_.get());
    archive_write_set_format_pax_restricted(archive_.get());
  }

  sdk::Status open() {
    if (archive_write_open_filename(archive_.get(), file_.c_str()) != ARCHIVE_OK) return failure("creating");
    return sdk::Status::ok();
  }

  sdk::Status add(const std::string& path, const std::string& data, std::int64_t mtime_ns) {
    std::unique_ptr<archive_entry, void (*)(archive_entry*)> entry(archive_entry_new(), archive_entry_free);
    archive_entry_set_pathname(entry.get(), path.c_str());
    archive_entry_set_filetype(entry.get(), AE_IFREG);
    archive_entry_set_perm(entry.get(), 0644);
    archive_entry_set_size(entry.get(), static_cast<la_int64_t>(data.size()));
    archive_entry_set_mtime(entry.get(), mtime_ns / 1000000000LL, 0);
    if (archive_write_header(archive_.get(), entry.get()) != ARCHIVE_OK) return failure("writing " + path + " to");
    if (!data.empty() && archive_write_data(archive_.get(), data.data(), data.size()) < 0)
      return failure("writing " + path + " to");
    return sdk::Status::ok();
  }

  sdk::Status close() {
    if (archive_write_close(archive_.get()) != ARCHIVE_OK) return failure("finishing");
    return sdk::Status::ok();
  }

 private:
  sdk::Status failure(const std::string& doing) {
    const char* why = archive_error_string(archive_.get());
    return sdk::Status::unavailable(doing + " " + file_.string() + ": " + (why ? why : "unknown error"));
  }

  ArchivePtr archive_;
  fs::path file_;
};

sdk::Status write_bundle(HistoryStore& store, const std::vector<BuildRecord>& builds, const fs::path& file) {
  BundleWriter writer(file);
  if (auto status = writer.open(); !status) return status;
  json refs = json::array();
  for (const auto& build : builds) refs.push_back(build.ref);
  const json manifest = {{"format", kFormat}, {"version", kBundleVersion}, {"builds", refs}};
  const std::int64_t newest = builds.empty() ? 0 : builds.front().started;
  if (auto status = writer.add(kBundleManifest, dump(manifest) + "\n", newest); !status) return status;
  for (const auto& build : builds) {
    auto steps = store.steps(build.id, true);
    if (!steps) return steps.status();
    auto outputs = store.outputs(build.id);
    if (!outputs) return outputs.status();
    const auto record = dump(build_json(build, *steps, *outputs)) + "\n";
    if (auto status = writer.add(build_dir(build.ref) + "build.json", record, build.started); !status) return status;
    for (const auto& step : *steps)
      if (!step.log.empty())
        if (auto status = writer.add(log_path(build.ref, step.number), step.log, build.started); !status) return status;
  }
  return writer.close();
}

// Reads a bundle entry by entry, for one import attempt.
class BundleReader {
 public:
  explicit BundleReader(const fs::path& file) : archive_(archive_read_new(), archive_read_free), file_(file) {
    // zstd only: "all" would also run external decompressors for other formats.
    archive_read_support_filter_zstd(archive_.get());
    archive_read_support_format_tar(archive_.get());
  }

  sdk::Status open() {
    if (archive_read_open_filename(archive_.get(), file_.c_str(), 1 << 16) != ARCHIVE_OK) return damaged("opening it");
    return sdk::Status::ok();
  }

  /// The next entry's path, or nullopt at the end.
  sdk::Result<std::optional<std::string>> next() {
    archive_entry* entry = nullptr;
    const int code = archive_read_next_header(archive_.get(), &entry);
    if (code == ARCHIVE_EOF) return std::optional<std::string>();
    if (code != ARCHIVE_OK) return damaged("reading an entry");
    const char* path = archive_entry_pathname(entry);
    size_ = archive_entry_size_is_set(entry) ? archive_entry_size(entry) : -1;
    return std::optional<std::string>(path ? path : "");
  }

  /// The current entry's data, refused (before reading it, when its header says so) past `limit`.
  sdk::Result<std::string> data(const std::string& path, std::int64_t limit) {
    const auto too_big = [&] {
      return bad(path + " is larger than " + std::to_string(limit >> 20) + " MiB, the most a bundle may hold there");
    };
    if (size_ > limit) return too_big();
    std::string data;
    char buffer[1 << 16];
    while (true) {
      const auto got = archive_read_data(archive_.get(), buffer, sizeof buffer);
      if (got < 0) return damaged("reading " + path);
      if (got == 0) return data;
      if (static_cast<std::int64_t>(data.size()) + got > limit) return too_big();
      data.append(buffer, static_cast<std::size_t>(got));
    }
  }

  [[nodiscard]] const fs::path& file() const { return file_; }

  sdk::Status bad(const std::string& why) const {
    return sdk::Status::invalid_argument(file_.string() + ": not a dbuild history bundle, or a damaged one: " + why);
  }

 private:
  sdk::Status damaged(const std::string& doing) {
    const char* why = archive_error_string(archive_.get());
    return bad(doing + ": " + (why ? why : "unknown error"));
  }

  ArchivePtr archive_;
  fs::path file_;
  std::int64_t size_ = -1;  // the current entry's size as its header declares it; -1: none
};

// The manifest's refs. Errors: as import_bundle.
sdk::Result<std::vector<std::string>> read_manifest(BundleReader& reader) {
  auto first = reader.next();
  if (!first) return first.status();
  if (!*first || **first != kBundleManifest)
    return reader.bad(std::string("its first entry is not ") + kBundleManifest);
  auto text = reader.data(kBundleManifest, kMaxRecordBytes);
  if (!text) return text.status();
  const auto manifest = json::parse(*text, nullptr, false);
  if (manifest.is_discarded() || !manifest.is_object() || manifest.value("format", json()) != kFormat)
    return reader.bad(std::string(kBundleManifest) + " does not say \"format\": \"" + kFormat + "\"");
  const auto version = manifest.value("version", json());
  if (!version.is_number_integer() || version.get<int>() != kBundleVersion)
    return sdk::Status::failed_precondition(reader.file().string() + ": a history bundle of format version " +
                                            version.dump() + "; this dbuild reads version " +
                                            std::to_string(kBundleVersion))
        .with_hint("import it with the dbuild that exported it, or a newer one");
  const auto refs = manifest.value("builds", json());
  if (!refs.is_array() || !std::all_of(refs.begin(), refs.end(), [](const json& ref) { return ref.is_string(); }))
    return reader.bad(std::string(kBundleManifest) + ": \"builds\" is not a list of refs");
  return refs.get<std::vector<std::string>>();
}

// Reads a whole bundle, checking it; with a store, adds each build to it as it comes.
class Importer {
 public:
  Importer(HistoryStore* store, BundleReader& reader, ImportResult& result)
      : store_(store), reader_(reader), result_(result) {}

  sdk::Status run() {
    auto refs = read_manifest(reader_);
    if (!refs) return refs.status();
    while (true) {
      auto path = reader_.next();
      if (!path) return path.status();
      if (!*path) break;
      if (auto status = entry(**path); !status) return status;
    }
    if (auto status = flush(); !status) return status;
    if (seen_ != *refs)
      return reader_.bad("it lists " + std::to_string(refs->size()) + " builds and holds " +
                         std::to_string(seen_.size()) + " (truncated?)");
    return sdk::Status::ok();
  }

 private:
  // Each entry's path is checked before its data is read, and its size is bounded.
  sdk::Status entry(const std::string& path) {
    if (path.starts_with("builds/") && path.ends_with("/build.json")) {
      if (auto status = flush(); !status) return status;
      auto data = reader_.data(path, kMaxRecordBytes);
      if (!data) return data.status();
      const auto doc = json::parse(*data, nullptr, false);
      if (doc.is_discarded()) return reader_.bad(path + " is not JSON");
      try {
        pending_ = read_build(doc);
      } catch (const std::exception& error) {
        return reader_.bad(path + ": " + error.what());
      }
      if (path != build_dir(pending_->build.ref) + "build.json") return reader_.bad(path + " holds another build");
      if (auto why = implausible_times(pending_->build); !why.empty()) return reader_.bad(path + ": " + why);
      seen_.push_back(pending_->build.ref);
      return sdk::Status::ok();
    }
    if (!pending_) return reader_.bad("unexpected entry " + path);
    auto expected = pending_->logs_expected.find(path);
    if (expected == pending_->logs_expected.end()) return reader_.bad("unexpected entry " + path);
    auto data = reader_.data(path, kDefaultLogCeiling);
    if (!data) return data.status();
    pending_->steps[expected->second].log = std::move(*data);
    pending_->logs_expected.erase(expected);
    return sdk::Status::ok();
  }

  // Stores the build read last, now that its logs are in.
  sdk::Status flush() {
    if (!pending_) return sdk::Status::ok();
    PendingBuild pending = std::move(*pending_);
    pending_.reset();
    if (!pending.logs_expected.empty())
      return reader_.bad(pending.logs_expected.begin()->first + " is missing (truncated?)");
    if (!store_) return sdk::Status::ok();
    auto present = db::query_int64(store_->database(), "looking for a build",
                                   "SELECT count(*) FROM history_builds WHERE ref = ?1", pending.build.ref);
    if (!present) return present.status();
    if (present->value_or(0) > 0) {
      result_.skipped.push_back(pending.build.ref);
      return sdk::Status::ok();
    }
    pending.build.id = 0;
    if (auto status = store_->begin(pending.build); !status) return status;
    if (auto status = store_->finish(pending.build, pending.steps, pending.outputs); !status) return status;
    result_.imported.push_back(pending.build.ref);
    return sdk::Status::ok();
  }

  HistoryStore* store_;  // null: only check
  BundleReader& reader_;
  ImportResult& result_;
  std::optional<PendingBuild> pending_;
  std::vector<std::string> seen_;
};

}  // namespace

sdk::Status export_bundle(HistoryStore& store, const std::vector<BuildRecord>& builds, const fs::path& file) {
  for (const auto& build : builds)
    if (build.status == "running")
      return sdk::Status::failed_precondition("build " + build.ref + " is still running: export it when it has ended");
  const fs::path temporary = file.string() + ".partial";
  auto status = write_bundle(store, builds, temporary);
  std::error_code error;
  if (status) {
    fs::rename(temporary, file, error);
    if (!error) return sdk::Status::ok();
    status =
        sdk::Status::unavailable("renaming " + temporary.string() + " to " + file.string() + ": " + error.message());
  }
  fs::remove(temporary, error);
  return status.with_context("exporting build records");
}

sdk::Status check_bundle(const fs::path& file) {
  std::error_code error;
  if (!fs::is_regular_file(file, error)) return sdk::Status::not_found("no bundle file " + file.string());
  ImportResult unused;
  BundleReader reader(file);
  if (auto opened = reader.open(); !opened) return opened;
  Importer importer(nullptr, reader, unused);
  return importer.run();
}

sdk::Result<ImportResult> import_bundle(HistoryStore& store, const fs::path& file) {
  std::error_code error;
  if (!fs::is_regular_file(file, error)) return sdk::Status::not_found("no bundle file " + file.string());
  ImportResult result;
  // The whole bundle is read again on a retry: run_in_transaction repeats the work after contention.
  auto status = db::run_in_transaction(store.database(), "importing build records", [&]() -> sdk::Status {
    result = {};
    BundleReader reader(file);
    if (auto opened = reader.open(); !opened) return opened;
    Importer importer(&store, reader, result);
    return importer.run();
  });
  if (!status) return status;
  return result;
}

}  // namespace dbuild::history
