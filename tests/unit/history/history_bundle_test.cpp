// history_bundle_test.cpp: export and import of build records through bundle files: a round trip
// keeps every field, logs and their full-text index under new ids; refs already present are
// skipped; damaged, truncated, foreign or newer bundles import nothing.
#include <catch2/catch.hpp>

#include <archive.h>
#include <archive_entry.h>

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "history/history_bundle.hpp"
#include "history_fixture.hpp"

namespace {

namespace fs = std::filesystem;
using dbuild::history::BuildRecord;
using dbuild::history::HistoryStore;
using dbuild::sdk::Code;
using dbuild::test::HistoryFixture;
using Entries = std::vector<std::pair<std::string, std::string>>;

std::unique_ptr<HistoryStore> open_store(const HistoryFixture& fixture) {
  auto store = HistoryStore::open(fixture.root());
  REQUIRE(store);
  return std::move(*store);
}

std::vector<BuildRecord> all_builds(HistoryStore& store) {
  auto builds = store.list({});
  REQUIRE(builds);
  return *builds;
}

fs::path export_all(const HistoryFixture& fixture, const fs::path& file) {
  auto store = open_store(fixture);
  auto status = dbuild::history::export_bundle(*store, all_builds(*store), file);
  INFO(status.to_string());
  REQUIRE(status);
  return file;
}

Entries read_entries(const fs::path& file) {
  std::unique_ptr<archive, int (*)(archive*)> reader(archive_read_new(), archive_read_free);
  archive_read_support_filter_all(reader.get());
  archive_read_support_format_tar(reader.get());
  REQUIRE(archive_read_open_filename(reader.get(), file.c_str(), 1 << 16) == ARCHIVE_OK);
  Entries entries;
  archive_entry* entry = nullptr;
  while (archive_read_next_header(reader.get(), &entry) == ARCHIVE_OK) {
    std::string data;
    char buffer[4096];
    for (la_ssize_t got; (got = archive_read_data(reader.get(), buffer, sizeof buffer)) > 0;) data.append(buffer, got);
    entries.emplace_back(archive_entry_pathname(entry), data);
  }
  return entries;
}

// A zstd tar of `entries`, then (unless `path` is empty) one more entry of `size` zero bytes,
// written in pieces: a bundle that inflates far beyond its own size.
void write_entries_and_zeros(const fs::path& file, const Entries& entries, const std::string& path, std::int64_t size) {
  std::unique_ptr<archive, int (*)(archive*)> writer(archive_write_new(), archive_write_free);
  archive_write_add_filter_zstd(writer.get());
  archive_write_set_format_pax_restricted(writer.get());
  REQUIRE(archive_write_open_filename(writer.get(), file.c_str()) == ARCHIVE_OK);
  auto add = [&](const std::string& name, std::int64_t length, const std::string& data) {
    std::unique_ptr<archive_entry, void (*)(archive_entry*)> entry(archive_entry_new(), archive_entry_free);
    archive_entry_set_pathname(entry.get(), name.c_str());
    archive_entry_set_filetype(entry.get(), AE_IFREG);
    archive_entry_set_perm(entry.get(), 0644);
    archive_entry_set_size(entry.get(), static_cast<la_int64_t>(length));
    REQUIRE(archive_write_header(writer.get(), entry.get()) == ARCHIVE_OK);
    if (!data.empty()) archive_write_data(writer.get(), data.data(), data.size());
  };
  for (const auto& [name, data] : entries) add(name, static_cast<std::int64_t>(data.size()), data);
  if (!path.empty()) {
    add(path, size, "");
    const std::string zeros(1 << 20, '\0');  // libarchive drops what goes past the entry's size
    for (std::int64_t written = 0; written < size; written += static_cast<std::int64_t>(zeros.size()))
      archive_write_data(writer.get(), zeros.data(), zeros.size());
  }
  REQUIRE(archive_write_close(writer.get()) == ARCHIVE_OK);
}

void write_entries(const fs::path& file, const Entries& entries) { write_entries_and_zeros(file, entries, "", 0); }

std::string file_bytes(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void write_bytes(const fs::path& file, const std::string& bytes) { std::ofstream(file, std::ios::binary) << bytes; }

// Importing `bundle` into a history that holds one build fails with `code` and changes nothing;
// checking it, without a history, fails the same way.
void require_import_refused(const fs::path& bundle, Code code, const std::string& message_part) {
  const auto checked = dbuild::history::check_bundle(bundle);
  CHECK_FALSE(checked);
  CHECK(checked.code() == code);
  CHECK(checked.to_string().find(message_part) != std::string::npos);
  HistoryFixture target;
  target.add({"zzzzzzzzzzzzzzzzzzzzzzzz9", "completed", dbuild::test::now_ns_for_test(), 1, {}, ""});
  const auto bytes = target.bytes();
  const auto rows = target.row_counts();
  {
    auto store = open_store(target);
    auto result = dbuild::history::import_bundle(*store, bundle);
    REQUIRE_FALSE(result);
    INFO(result.status().to_string());
    CHECK(result.status().code() == code);
    CHECK(result.status().to_string().find(message_part) != std::string::npos);
    CHECK(result.status().to_string().find(bundle.string()) != std::string::npos);
  }
  CHECK(target.row_counts() == rows);
  CHECK(target.bytes() == bytes);
}

}  // namespace

TEST_CASE("history export and import keep every field, logs and outputs, under new local ids", "[history][bundle]") {
  HistoryFixture source;
  source.add_sample_builds();
  dbuild::test::TempDir files;
  const auto bundle = export_all(source, files.path() / "builds.dbuild-history");
  CHECK_FALSE(fs::exists(files.path() / "builds.dbuild-history.partial"));
  CHECK(dbuild::history::check_bundle(bundle));

  HistoryFixture target;
  target.add({"zzzzzzzzzzzzzzzzzzzzzzzz9", "completed", dbuild::test::now_ns_for_test(), 1, {}, ""});
  auto into = open_store(target);
  auto result = dbuild::history::import_bundle(*into, bundle);
  INFO(result.status().to_string());
  REQUIRE(result);
  CHECK(result->imported.size() == 3);
  CHECK(result->skipped.empty());

  auto from = open_store(source);
  for (const auto& original : all_builds(*from)) {
    auto copy = into->find(original.ref);
    REQUIRE(copy);
    CHECK(copy->id != original.id);
    for (auto* build : {&*copy}) {
      CHECK(build->name == original.name);
      CHECK(build->status == original.status);
      CHECK(build->started == original.started);
      CHECK(build->completed == original.completed);
      CHECK(build->error == original.error);
      CHECK(build->build_args == original.build_args);
      CHECK(build->dockerfile == original.dockerfile);
      CHECK(build->dockerfile_text == original.dockerfile_text);
      CHECK(build->total_steps == original.total_steps);
      CHECK(build->cached_steps == original.cached_steps);
    }
    auto original_steps = from->steps(original.id, true);
    auto copied_steps = into->steps(copy->id, true);
    REQUIRE(original_steps);
    REQUIRE(copied_steps);
    REQUIRE(copied_steps->size() == original_steps->size());
    for (std::size_t i = 0; i < copied_steps->size(); ++i) {
      const auto& a = (*original_steps)[i];
      const auto& b = (*copied_steps)[i];
      CHECK(b.name == a.name);
      CHECK(b.state == a.state);
      CHECK(b.started == a.started);
      CHECK(b.completed == a.completed);
      CHECK(b.exit_code == a.exit_code);
      CHECK(b.cache_key == a.cache_key);
      CHECK(b.key_inputs == a.key_inputs);
      CHECK(b.log == a.log);
      CHECK(b.log_bytes == a.log_bytes);
      CHECK(b.stage == a.stage);
      CHECK(b.position == a.position);
    }
    auto original_outputs = from->outputs(original.id);
    auto copied_outputs = into->outputs(copy->id);
    REQUIRE(copied_outputs->size() == original_outputs->size());
    for (std::size_t i = 0; i < copied_outputs->size(); ++i) {
      CHECK((*copied_outputs)[i].digest == (*original_outputs)[i].digest);
      CHECK((*copied_outputs)[i].names == (*original_outputs)[i].names);
    }
  }
  // The logs are indexed again: full-text search finds them in the target.
  auto matches = into->search("expected", 0, 0);
  REQUIRE(matches);
  REQUIRE(matches->size() == 1);
  CHECK(matches->front().ref == "cccccccccccccccccccccccc3");
}

TEST_CASE("history bundles are a zstd tar with the manifest first, a record per build and raw logs",
          "[history][bundle]") {
  HistoryFixture source;
  source.add_sample_builds();
  dbuild::test::TempDir files;
  const auto bundle = export_all(source, files.path() / "b");
  CHECK(file_bytes(bundle).substr(0, 4) == "\x28\xb5\x2f\xfd");  // the zstd frame magic
  const auto entries = read_entries(bundle);
  REQUIRE(entries.size() == 1 + 3 + 2);  // manifest, three records, two logs
  CHECK(entries[0].first == "dbuild-history.json");
  const auto manifest = nlohmann::json::parse(entries[0].second);
  CHECK(manifest["format"] == "dbuild-history-bundle");
  CHECK(manifest["version"] == 1);
  CHECK(manifest["builds"].size() == 3);
  const auto newest = manifest["builds"][0].get<std::string>();
  CHECK(entries[1].first == "builds/" + newest + "/build.json");
  bool found_log = false;
  for (const auto& [path, data] : entries)
    if (path.ends_with("/logs/4.log") && data == "compiling main.c\nmain.c:3: error: expected ';'\n") found_log = true;
  CHECK(found_log);
}

TEST_CASE("history import skips refs already recorded and imports the others", "[history][bundle]") {
  HistoryFixture source;
  source.add_sample_builds();
  dbuild::test::TempDir files;
  const auto bundle = export_all(source, files.path() / "b");
  HistoryFixture target;
  target.add({"bbbbbbbbbbbbbbbbbbbbbbbb2", "failed", 1, 1, {}, ""});
  auto store = open_store(target);
  auto result = dbuild::history::import_bundle(*store, bundle);
  REQUIRE(result);
  CHECK(result->imported == std::vector<std::string>{"cccccccccccccccccccccccc3", "aaaaaaaaaaaaaaaaaaaaaaaa1"});
  CHECK(result->skipped == std::vector<std::string>{"bbbbbbbbbbbbbbbbbbbbbbbb2"});
  auto kept = store->find("bbbbbbbbbbbbbbbbbbbbbbbb2");
  REQUIRE(kept);
  CHECK(kept->status == "failed");  // the local record, untouched

  auto again = dbuild::history::import_bundle(*store, bundle);
  REQUIRE(again);
  CHECK(again->imported.empty());
  CHECK(again->skipped.size() == 3);
  CHECK(all_builds(*store).size() == 3);
}

TEST_CASE("history export refuses a running build and leaves no file", "[history][bundle]") {
  HistoryFixture source;
  auto store = open_store(source);
  BuildRecord running;
  running.name = "app";
  running.session = "s";
  running.frontend = "dockerfile";
  running.started = 1;
  REQUIRE(store->begin(running));
  dbuild::test::TempDir files;
  auto status = dbuild::history::export_bundle(*store, all_builds(*store), files.path() / "b");
  REQUIRE_FALSE(status);
  CHECK(status.code() == Code::FailedPrecondition);
  CHECK(fs::is_empty(files.path()));
}

TEST_CASE("history import of a truncated bundle imports nothing", "[history][bundle]") {
  HistoryFixture source;
  source.add_sample_builds();
  dbuild::test::TempDir files;
  const auto whole = file_bytes(export_all(source, files.path() / "whole"));
  for (std::size_t keep : {whole.size() - 1, whole.size() - 20, whole.size() / 2, std::size_t{30}, std::size_t{4}}) {
    const auto cut = files.path() / ("cut-" + std::to_string(keep));
    write_bytes(cut, whole.substr(0, keep));
    INFO("kept " << keep << " of " << whole.size() << " bytes");
    require_import_refused(cut, Code::InvalidArgument, "not a dbuild history bundle, or a damaged one");
  }
}

TEST_CASE("history import of a bundle cut at an entry boundary imports nothing", "[history][bundle]") {
  HistoryFixture source;
  source.add_sample_builds();
  dbuild::test::TempDir files;
  auto entries = read_entries(export_all(source, files.path() / "whole"));
  auto without_last_log = entries;
  without_last_log.pop_back();
  write_entries(files.path() / "no-log", without_last_log);
  require_import_refused(files.path() / "no-log", Code::InvalidArgument, "is missing");
  Entries first_build_only(entries.begin(), entries.begin() + 3);  // manifest, a record, its log
  write_entries(files.path() / "one-build", first_build_only);
  require_import_refused(files.path() / "one-build", Code::InvalidArgument, "lists 3 builds and holds 1");
}

TEST_CASE("history import of a bundle with a broken later record imports not even the earlier ones",
          "[history][bundle]") {
  HistoryFixture source;
  source.add_sample_builds();
  dbuild::test::TempDir files;
  auto entries = read_entries(export_all(source, files.path() / "whole"));
  auto& last_record = *std::find_if(entries.rbegin(), entries.rend(),
                                    [](const auto& entry) { return entry.first.ends_with("/build.json"); });
  auto doc = nlohmann::json::parse(last_record.second);
  doc.erase("started");
  last_record.second = doc.dump();
  write_entries(files.path() / "broken", entries);
  require_import_refused(files.path() / "broken", Code::InvalidArgument, "started");

  doc["started"] = 1;
  doc["status"] = "exploded";
  last_record.second = doc.dump();
  write_entries(files.path() / "bad-status", entries);
  require_import_refused(files.path() / "bad-status", Code::InvalidArgument, "exploded");
}

TEST_CASE("history import refuses another bundle version, naming both", "[history][bundle]") {
  HistoryFixture source;
  source.add_sample_builds();
  dbuild::test::TempDir files;
  auto entries = read_entries(export_all(source, files.path() / "whole"));
  auto manifest = nlohmann::json::parse(entries[0].second);
  manifest["version"] = 2;
  entries[0].second = manifest.dump();
  write_entries(files.path() / "v2", entries);
  require_import_refused(files.path() / "v2", Code::FailedPrecondition,
                         "format version 2; this dbuild reads version 1");
}

TEST_CASE("history import refuses files that are not bundles", "[history][bundle]") {
  dbuild::test::TempDir files;
  write_bytes(files.path() / "text", "hello, this is not a bundle\n");
  require_import_refused(files.path() / "text", Code::InvalidArgument, "not a dbuild history bundle");
  write_bytes(files.path() / "empty", "");
  require_import_refused(files.path() / "empty", Code::InvalidArgument, "not a dbuild history bundle");
  write_entries(files.path() / "other-tar", {{"etc/passwd", "root:x:0:0::/root:/bin/sh\n"}});
  require_import_refused(files.path() / "other-tar", Code::InvalidArgument, "first entry is not dbuild-history.json");
  write_entries(files.path() / "other-format",
                {{"dbuild-history.json", R"({"format": "something-else", "version": 1})"}});
  require_import_refused(files.path() / "other-format", Code::InvalidArgument, "does not say");
  write_entries(files.path() / "escape",
                {{"dbuild-history.json", R"({"format": "dbuild-history-bundle", "version": 1, "builds": ["x"]})"},
                 {"builds/../../x/build.json", "{}"}});
  require_import_refused(files.path() / "escape", Code::InvalidArgument, "not a dbuild history bundle");
}

TEST_CASE("history import of a missing file is not_found", "[history][bundle]") {
  HistoryFixture target;
  auto store = open_store(target);
  auto result = dbuild::history::import_bundle(*store, target.root() / "nothing-here");
  REQUIRE_FALSE(result);
  CHECK(result.status().code() == Code::NotFound);
}

TEST_CASE("history import refuses a zstd bomb by its declared sizes, before reading it", "[history][bundle]") {
  HistoryFixture source;
  source.add_sample_builds();
  dbuild::test::TempDir files;
  auto entries = read_entries(export_all(source, files.path() / "whole"));
  // An entry no bundle holds, of 200 MiB of zeros: refused by its path, its data never read.
  Entries first_record(entries.begin(), entries.begin() + 2);
  write_entries_and_zeros(files.path() / "unexpected", first_record, "builds/zzz/padding", 200LL << 20);
  CHECK(fs::file_size(files.path() / "unexpected") < (1 << 20));
  require_import_refused(files.path() / "unexpected", Code::InvalidArgument, "unexpected entry builds/zzz/padding");
  // A log the record expects, over the recorder's 64 MiB ceiling: refused by its size.
  const auto log =
      std::find_if(entries.begin(), entries.end(), [](const auto& entry) { return entry.first.ends_with(".log"); });
  REQUIRE(log != entries.end());
  Entries before_log(entries.begin(), log);
  write_entries_and_zeros(files.path() / "big-log", before_log, log->first, (64LL << 20) + 1);
  require_import_refused(files.path() / "big-log", Code::InvalidArgument, log->first + " is larger than 64 MiB");
  // A manifest over 64 MiB.
  write_entries_and_zeros(files.path() / "big-manifest", {}, "dbuild-history.json", (64LL << 20) + 1);
  require_import_refused(files.path() / "big-manifest", Code::InvalidArgument,
                         "dbuild-history.json is larger than 64 MiB");
}

TEST_CASE("history import refuses a build that starts in the future or ends before it starts", "[history][bundle]") {
  HistoryFixture source;
  source.add_sample_builds();
  dbuild::test::TempDir files;
  auto entries = read_entries(export_all(source, files.path() / "whole"));
  auto& record = *std::find_if(entries.begin(), entries.end(),
                               [](const auto& entry) { return entry.first.ends_with("/build.json"); });
  const auto original = nlohmann::json::parse(record.second);
  auto doc = original;
  const std::int64_t two_days = 2LL * 24 * 3600 * 1000000000LL;
  doc["started"] = dbuild::test::now_ns_for_test() + two_days;
  doc["completed"] = dbuild::test::now_ns_for_test() + two_days + 1;
  record.second = doc.dump();
  write_entries(files.path() / "future", entries);
  require_import_refused(files.path() / "future", Code::InvalidArgument, "impossible start time");
  doc = original;
  doc["completed"] = original["started"].get<std::int64_t>() - 1;
  record.second = doc.dump();
  write_entries(files.path() / "backwards", entries);
  require_import_refused(files.path() / "backwards", Code::InvalidArgument, "impossible end time");
}
