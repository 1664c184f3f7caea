// history_store.cpp: reading and writing history.db (see history_store.hpp).
#include "history/history_store.hpp"

#include <zstd.h>

#include <algorithm>
#include <random>
#include <regex>
#include <sstream>

#include <nlohmann/json.hpp>

#include "db/database.hpp"
#include "db/migrations.hpp"
#include "db/query.hpp"
#include "db/statement.hpp"
#include "db/transaction.hpp"

namespace dbuild::history {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

constexpr const char* kBuildColumns =
    "id, ref, name, builder, node, driver, session, frontend, context, git_url, git_commit, dockerfile, "
    "dockerfile_digest, target, platforms, build_args, labels, outputs_requested, started, completed, status, "
    "error, error_file, error_line, total_steps, cached_steps, bytes_exported, warnings, dockerfile_text";

std::string text_or_empty(const db::Statement& statement, int column) {
  return statement.column_is_null(column) ? std::string() : statement.column_text(column);
}

// A step's stored (zstd) log, decompressed.
sdk::Result<std::string> stored_log(const db::Statement& statement, int column) {
  auto blob = statement.column_blob(column);
  return decompress_log(std::string(reinterpret_cast<const char*>(blob.data()), blob.size()));
}

json parse_or(const std::string& text, json fallback) {
  auto parsed = json::parse(text, nullptr, false);
  return parsed.is_discarded() ? fallback : parsed;
}

BuildRecord read_build(const db::Statement& row) {
  BuildRecord build;
  int c = 0;
  build.id = row.column_int64(c++);
  build.ref = row.column_text(c++);
  build.name = row.column_text(c++);
  build.builder = row.column_text(c++);
  build.node = row.column_text(c++);
  build.driver = row.column_text(c++);
  build.session = row.column_text(c++);
  build.frontend = row.column_text(c++);
  build.context = text_or_empty(row, c++);
  build.git_url = text_or_empty(row, c++);
  build.git_commit = text_or_empty(row, c++);
  build.dockerfile = text_or_empty(row, c++);
  build.dockerfile_digest = text_or_empty(row, c++);
  build.target = text_or_empty(row, c++);
  // Each document is kept in a variable: items() of a temporary would outlive it.
  const json platforms = parse_or(row.column_text(c++), json::array());
  for (const auto& platform : platforms)
    if (platform.is_string()) build.platforms.push_back(platform.get<std::string>());
  const json build_args = parse_or(row.column_text(c++), json::object());
  for (const auto& [key, value] : build_args.items())
    if (value.is_string()) build.build_args[key] = value.get<std::string>();
  const json labels = parse_or(row.column_text(c++), json::object());
  for (const auto& [key, value] : labels.items())
    if (value.is_string()) build.labels[key] = value.get<std::string>();
  build.outputs_requested = row.column_text(c++);
  build.started = row.column_int64(c++);
  build.completed = row.column_is_null(c) ? 0 : row.column_int64(c);
  ++c;
  build.status = row.column_text(c++);
  build.error = text_or_empty(row, c++);
  build.error_file = text_or_empty(row, c++);
  build.error_line = row.column_is_null(c) ? 0 : static_cast<int>(row.column_int64(c));
  ++c;
  build.total_steps = static_cast<int>(row.column_int64(c++));
  build.cached_steps = static_cast<int>(row.column_int64(c++));
  build.bytes_exported = row.column_int64(c++);
  const json warnings = parse_or(row.column_text(c++), json::array());
  for (const auto& warning : warnings)
    if (warning.is_string()) build.warnings.push_back(warning.get<std::string>());
  build.dockerfile_text = text_or_empty(row, c++);
  return build;
}

std::string json_of(const std::map<std::string, std::string>& values) { return json(values).dump(); }

// NULL for an empty string, so that the views show NULL rather than "".
sdk::Status bind_nullable(db::Statement& statement, int index, const std::string& text) {
  return text.empty() ? statement.bind_null(index) : statement.bind_text(index, text);
}

sdk::Result<std::vector<BuildRecord>> read_builds(db::Statement& statement) {
  std::vector<BuildRecord> builds;
  while (true) {
    auto step = statement.step();
    if (!step) return step.status();
    if (*step != db::Statement::Step::Row) break;
    builds.push_back(read_build(statement));
  }
  return builds;
}

// The lines of `log` holding every word of `pattern` (case-insensitive): what FTS5 matched.
std::vector<std::string> matching_lines(const std::string& log, const std::string& pattern) {
  std::vector<std::string> words;
  std::string word;
  for (char c : pattern + " ") {
    if (std::isalnum(static_cast<unsigned char>(c)) || (c & 0x80)) {
      word += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else if (!word.empty()) {
      if (word != "and" && word != "or" && word != "not" && word != "near") words.push_back(word);
      word.clear();
    }
  }
  std::vector<std::string> lines;
  std::istringstream in(log);
  std::string line;
  while (std::getline(in, line)) {
    std::string lower = line;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    if (!words.empty() && std::all_of(words.begin(), words.end(),
                                      [&](const std::string& w) { return lower.find(w) != std::string::npos; }))
      lines.push_back(line);
  }
  return lines;
}

sdk::Status remove_in_transaction(db::Database& database, std::int64_t build) {
  // The full-text rows go first: a contentless FTS5 table deletes a row only given its text.
  auto logs = database.prepare("reading logs to unindex", "SELECT id, log FROM history_steps WHERE build = ?1 AND log IS NOT NULL");
  if (!logs) return logs.status();
  if (auto status = logs->bind_all(build); !status) return status;
  auto unindex = database.prepare("unindexing a log",
                                  "INSERT INTO history_log_search (history_log_search, rowid, text) VALUES ('delete', ?1, ?2)");
  if (!unindex) return unindex.status();
  while (true) {
    auto step = logs->step();
    if (!step) return step.status();
    if (*step != db::Statement::Step::Row) break;
    auto text = stored_log(*logs, 1);
    if (!text) continue;  // a damaged log cannot be unindexed; its index row stays harmless
    if (auto status = unindex->bind_all(logs->column_int64(0), *text); !status) return status;
    if (auto ran = unindex->run(); !ran) return ran.status();
    unindex->reset();
  }
  auto removed = database.prepare("removing a build", "DELETE FROM history_builds WHERE id = ?1");
  if (!removed) return removed.status();
  if (auto status = removed->bind_all(build); !status) return status;
  auto ran = removed->run();
  return ran ? sdk::Status::ok() : ran.status();
}

}  // namespace

std::pair<std::string, int> stage_and_position(const std::string& step_name) {
  static const std::regex pattern(R"(^\[(?:(.+) )?(\d+)/\d+\])");
  std::smatch match;
  if (!std::regex_search(step_name, match, pattern)) return {"", 0};
  return {match[1].str(), std::stoi(match[2].str())};
}

std::string new_ref() {
  static const char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::random_device device;
  std::mt19937_64 generator((static_cast<std::uint64_t>(device()) << 32) ^ device());
  std::uniform_int_distribution<int> pick(0, 35);
  std::string ref(25, 'a');
  for (auto& c : ref) c = kAlphabet[pick(generator)];
  return ref;
}

sdk::Result<std::string> compress_log(const std::string& text) {
  std::string out(ZSTD_compressBound(text.size()), '\0');
  const auto size = ZSTD_compress(out.data(), out.size(), text.data(), text.size(), 3);
  if (ZSTD_isError(size)) return sdk::Status::internal(std::string("compressing a log: ") + ZSTD_getErrorName(size));
  out.resize(size);
  return out;
}

sdk::Result<std::string> decompress_log(const std::string& compressed) {
  const auto size = ZSTD_getFrameContentSize(compressed.data(), compressed.size());
  if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN)
    return sdk::Status::internal("a stored log is damaged");
  std::string out(size, '\0');
  const auto written = ZSTD_decompress(out.data(), out.size(), compressed.data(), compressed.size());
  if (ZSTD_isError(written)) return sdk::Status::internal(std::string("a stored log is damaged: ") + ZSTD_getErrorName(written));
  out.resize(written);
  return out;
}

HistoryStore::HistoryStore(std::unique_ptr<db::Database> database) : database_(std::move(database)) {}
HistoryStore::~HistoryStore() = default;

const fs::path& HistoryStore::path() const { return database_->path(); }

void HistoryStore::set_lock_wait(std::chrono::milliseconds wait) {
  database_->set_busy_timeout(wait);
  write_attempts_ = 1;
}

sdk::Status HistoryStore::write(std::string_view purpose, const std::function<sdk::Status()>& work) {
  db::RetryPolicy policy;
  if (write_attempts_ > 0) policy.attempts = write_attempts_;
  return db::run_in_transaction(*database_, purpose, work, policy);
}

sdk::Result<std::unique_ptr<HistoryStore>> HistoryStore::open(const fs::path& state_root, bool read_only) {
  const fs::path file = state_root / "history.db";
  auto database = db::Database::open(file, read_only ? db::Mode::ReadOnly : db::Mode::ReadWrite);
  if (!database) {
    if (database.status().code() == sdk::Code::FailedPrecondition)
      return sdk::Status::failed_precondition("the build history " + file.string() + " cannot be read: " +
                                              database.status().message())
          .with_hint("move it aside (mv " + file.string() + " " + file.string() +
                     ".broken) and dbuild starts a new history; builds run either way");
    return database.status();
  }
  auto status = read_only ? db::check_schema(**database, db::embedded_history_migrations())
                          : db::migrate(**database, db::embedded_history_migrations());
  if (!status) return status.with_context("the build history " + file.string());
  return std::unique_ptr<HistoryStore>(new HistoryStore(std::move(*database)));
}

sdk::Status HistoryStore::begin(BuildRecord& build) {
  if (build.ref.empty()) build.ref = new_ref();
  return write("recording a build's start", [&]() -> sdk::Status {
    auto insert = database_->prepare(
        "recording a build's start",
        "INSERT INTO history_builds (ref, name, builder, node, driver, session, frontend, context, git_url, "
        "git_commit, dockerfile, dockerfile_digest, target, platforms, build_args, labels, outputs_requested, "
        "started, status, dockerfile_text) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, "
        "?16, ?17, ?18, 'running', ?19)");
    if (!insert) return insert.status();
    auto status = insert->bind_all(build.ref, build.name, build.builder, build.node, build.driver, build.session,
                                   build.frontend);
    for (auto [index, text] : {std::pair{8, &build.context}, std::pair{9, &build.git_url},
                               std::pair{10, &build.git_commit}, std::pair{11, &build.dockerfile},
                               std::pair{12, &build.dockerfile_digest}, std::pair{13, &build.target}})
      if (status) status = bind_nullable(*insert, index, *text);
    if (status) status = insert->bind_text(14, json(build.platforms).dump());
    if (status) status = insert->bind_text(15, json_of(build.build_args));
    if (status) status = insert->bind_text(16, json_of(build.labels));
    if (status) status = insert->bind_text(17, build.outputs_requested);
    if (status) status = insert->bind_int64(18, build.started);
    if (status) status = bind_nullable(*insert, 19, build.dockerfile_text);
    if (!status) return status;
    auto ran = insert->run();
    if (!ran) return ran.status();
    build.id = database_->last_insert_rowid();
    return sdk::Status::ok();
  });
}

sdk::Status HistoryStore::finish(const BuildRecord& build, const std::vector<StepRecord>& steps,
                                 const std::vector<OutputRecord>& outputs) {
  return write("recording a build", [&]() -> sdk::Status {
    auto update = database_->prepare(
        "recording a build's end",
        "UPDATE history_builds SET completed = ?2, status = ?3, error = ?4, error_file = ?5, error_line = ?6, "
        "total_steps = ?7, cached_steps = ?8, bytes_exported = ?9, warnings = ?10, name = ?11 WHERE id = ?1");
    if (!update) return update.status();
    auto status = update->bind_all(build.id, build.completed, build.status);
    if (status) status = bind_nullable(*update, 4, build.error);
    if (status) status = bind_nullable(*update, 5, build.error_file);
    if (status) status = build.error_line ? update->bind_int64(6, build.error_line) : update->bind_null(6);
    if (status) status = update->bind_int64(7, build.total_steps);
    if (status) status = update->bind_int64(8, build.cached_steps);
    if (status) status = update->bind_int64(9, build.bytes_exported);
    if (status) status = update->bind_text(10, json(build.warnings).dump());
    if (status) status = update->bind_text(11, build.name);
    if (!status) return status;
    if (auto ran = update->run(); !ran) return ran.status();

    auto insert_step = database_->prepare(
        "recording a step",
        "INSERT INTO history_steps (build, number, digest, name, stage, position, started, completed, state, "
        "exit_code, error, source_file, source_line, cache_key, key_inputs, log, log_bytes, log_dropped) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)");
    if (!insert_step) return insert_step.status();
    auto index_log = database_->prepare("indexing a step's log",
                                        "INSERT INTO history_log_search (rowid, text) VALUES (?1, ?2)");
    if (!index_log) return index_log.status();
    for (const auto& step : steps) {
      auto& s = *insert_step;
      auto bound = s.bind_all(build.id, step.number, step.digest, step.name);
      if (bound) bound = bind_nullable(s, 5, step.stage);
      if (bound) bound = step.position ? s.bind_int64(6, step.position) : s.bind_null(6);
      if (bound) bound = step.started ? s.bind_int64(7, step.started) : s.bind_null(7);
      if (bound) bound = step.completed ? s.bind_int64(8, step.completed) : s.bind_null(8);
      if (bound) bound = s.bind_text(9, step.state);
      if (bound) bound = step.exit_code ? s.bind_int64(10, *step.exit_code) : s.bind_null(10);
      if (bound) bound = bind_nullable(s, 11, step.error);
      if (bound) bound = bind_nullable(s, 12, step.source_file);
      if (bound) bound = step.source_line ? s.bind_int64(13, step.source_line) : s.bind_null(13);
      if (bound) bound = bind_nullable(s, 14, step.cache_key);
      if (bound) bound = bind_nullable(s, 15, step.key_inputs);
      if (bound && !step.log.empty()) {
        auto compressed = compress_log(step.log);
        if (!compressed) return compressed.status();
        bound = s.bind_blob(16, std::as_bytes(std::span(compressed->data(), compressed->size())));
      } else if (bound) {
        bound = s.bind_null(16);
      }
      if (bound) bound = s.bind_int64(17, step.log_bytes);
      if (bound) bound = s.bind_int64(18, step.log_dropped);
      if (!bound) return bound;
      if (auto ran = s.run(); !ran) return ran.status();
      s.reset();
      if (step.log.empty()) continue;
      const auto row = database_->last_insert_rowid();
      if (auto indexed = index_log->bind_all(row, step.log); !indexed) return indexed;
      if (auto ran = index_log->run(); !ran) return ran.status();
      index_log->reset();
    }

    auto insert_output = database_->prepare(
        "recording an output",
        "INSERT INTO history_outputs (build, type, attributes, digest, config_digest, names, pushed) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    if (!insert_output) return insert_output.status();
    for (const auto& output : outputs) {
      auto& s = *insert_output;
      auto bound = s.bind_all(build.id, output.type, output.attributes);
      if (bound) bound = bind_nullable(s, 4, output.digest);
      if (bound) bound = bind_nullable(s, 5, output.config_digest);
      if (bound) bound = bind_nullable(s, 6, output.names);
      if (bound) bound = s.bind_int64(7, output.pushed ? 1 : 0);
      if (!bound) return bound;
      if (auto ran = s.run(); !ran) return ran.status();
      s.reset();
    }
    return sdk::Status::ok();
  });
}

sdk::Result<int> HistoryStore::mark_interrupted(const std::string& session) {
  auto update = database_->prepare(
      "marking a dead process's builds interrupted",
      "UPDATE history_builds SET status = 'interrupted', "
      "error = 'the dbuild process running this build ended before it did (killed or crashed)' "
      "WHERE status = 'running' AND session = ?1");
  if (!update) return update.status();
  if (auto status = update->bind_all(session); !status) return status;
  auto ran = update->run();
  if (!ran) return ran.status();
  return static_cast<int>(*ran);
}

sdk::Result<std::vector<BuildRecord>> HistoryStore::list(const BuildFilter& filter) {
  std::string sql = std::string("SELECT ") + kBuildColumns + " FROM history_builds WHERE started >= ?1";
  if (!filter.statuses.empty()) {
    sql += " AND status IN (";
    for (std::size_t i = 0; i < filter.statuses.size(); ++i) sql += (i ? ", ?" : "?") + std::to_string(5 + i);
    sql += ")";
  }
  sql += " AND (?2 = '' OR instr(name, ?2) > 0) AND (?3 = '' OR target = ?3) ORDER BY started DESC, id DESC LIMIT ?4";
  auto statement = database_->prepare("listing builds", sql);
  if (!statement) return statement.status();
  auto status = statement->bind_all(filter.since, filter.name, filter.target,
                                     filter.limit ? static_cast<std::int64_t>(filter.limit) : std::int64_t{-1});
  for (std::size_t i = 0; status && i < filter.statuses.size(); ++i)
    status = statement->bind_text(static_cast<int>(5 + i), filter.statuses[i]);
  if (!status) return status;
  return read_builds(*statement);
}

sdk::Result<BuildRecord> HistoryStore::find(const std::string& ref) {
  std::int64_t back = -1;
  if (ref.empty()) back = 0;
  if (!ref.empty() && ref.front() == '^') {
    try {
      std::size_t used = 0;
      back = std::stoll(ref.substr(1), &used);
      if (used != ref.size() - 1 || back < 0) throw std::invalid_argument(ref);
    } catch (...) {
      return sdk::Status::invalid_argument("\"" + ref + "\": want ^N, N counting back from the latest build (^0)");
    }
  }
  if (back >= 0) {
    auto statement = database_->prepare(
        "finding a build", std::string("SELECT ") + kBuildColumns +
                               " FROM history_builds ORDER BY started DESC, id DESC LIMIT 1 OFFSET ?1");
    if (!statement) return statement.status();
    if (auto status = statement->bind_all(back); !status) return status;
    auto builds = read_builds(*statement);
    if (!builds) return builds.status();
    if (builds->empty())
      return sdk::Status::not_found(back == 0 ? "no builds recorded yet" : "there are not " + std::to_string(back + 1) + " builds recorded");
    return builds->front();
  }
  auto statement = database_->prepare(
      "finding a build",
      std::string("SELECT ") + kBuildColumns + " FROM history_builds WHERE substr(ref, 1, length(?1)) = ?1 LIMIT 2");
  if (!statement) return statement.status();
  if (auto status = statement->bind_all(ref); !status) return status;
  auto builds = read_builds(*statement);
  if (!builds) return builds.status();
  if (builds->empty()) return sdk::Status::not_found("no build " + ref + " in the history");
  if (builds->size() > 1) return sdk::Status::invalid_argument("\"" + ref + "\" is the start of several builds' refs");
  return builds->front();
}

sdk::Result<std::vector<StepRecord>> HistoryStore::steps(std::int64_t build, bool with_logs) {
  const std::string sql =
      std::string("SELECT id, number, digest, name, stage, position, started, completed, state, exit_code, error, "
                  "source_file, source_line, cache_key, key_inputs, log_bytes, log_dropped, ") +
      (with_logs ? "log" : "NULL") + " FROM history_steps WHERE build = ?1 ORDER BY number";
  std::vector<StepRecord> steps;
  auto status = db::for_each_row(*database_, "reading a build's steps", sql, [&](const db::Statement& s) {
    StepRecord step;
    step.id = s.column_int64(0);
    step.number = static_cast<int>(s.column_int64(1));
    step.digest = s.column_text(2);
    step.name = s.column_text(3);
    step.stage = text_or_empty(s, 4);
    step.position = s.column_is_null(5) ? 0 : static_cast<int>(s.column_int64(5));
    step.started = s.column_is_null(6) ? 0 : s.column_int64(6);
    step.completed = s.column_is_null(7) ? 0 : s.column_int64(7);
    step.state = s.column_text(8);
    if (!s.column_is_null(9)) step.exit_code = static_cast<int>(s.column_int64(9));
    step.error = text_or_empty(s, 10);
    step.source_file = text_or_empty(s, 11);
    step.source_line = s.column_is_null(12) ? 0 : static_cast<int>(s.column_int64(12));
    step.cache_key = text_or_empty(s, 13);
    step.key_inputs = text_or_empty(s, 14);
    step.log_bytes = s.column_int64(15);
    step.log_dropped = s.column_int64(16);
    if (with_logs && !s.column_is_null(17)) {
      auto text = stored_log(s, 17);
      step.log = text ? *text : "[the stored log is damaged: " + text.status().message() + "]\n";
    }
    steps.push_back(std::move(step));
    return sdk::Status::ok();
  }, build);
  if (!status) return status;
  return steps;
}

sdk::Result<std::vector<OutputRecord>> HistoryStore::outputs(std::int64_t build) {
  std::vector<OutputRecord> outputs;
  auto status = db::for_each_row(
      *database_, "reading a build's outputs",
      "SELECT type, attributes, digest, config_digest, names, pushed FROM history_outputs WHERE build = ?1 ORDER BY id",
      [&](const db::Statement& row) {
        outputs.push_back({row.column_text(0), row.column_text(1), text_or_empty(row, 2), text_or_empty(row, 3),
                           text_or_empty(row, 4), row.column_int64(5) != 0});
        return sdk::Status::ok();
      },
      build);
  if (!status) return status;
  return outputs;
}

sdk::Result<std::optional<std::pair<BuildRecord, StepRecord>>> HistoryStore::previous_step(const BuildRecord& before,
                                                                                             const StepRecord& step) {
  auto statement = database_->prepare(
      "finding the same step in an earlier build",
      "SELECT s.build FROM history_steps s JOIN history_builds b ON b.id = s.build "
      "WHERE (b.started < ?1 OR (b.started = ?1 AND b.id < ?2)) AND s.state IN ('done', 'cached', 'failed') "
      "AND ((?3 <> 0 AND s.position = ?3 AND coalesce(s.stage, '') = ?4) OR (?3 = 0 AND s.name = ?5)) "
      "ORDER BY b.started DESC, b.id DESC LIMIT 1");
  if (!statement) return statement.status();
  if (auto status = statement->bind_all(before.started, before.id, step.position, step.stage, step.name); !status)
    return status;
  auto row = statement->step();
  if (!row) return row.status();
  if (*row != db::Statement::Step::Row) return std::optional<std::pair<BuildRecord, StepRecord>>();
  const auto build_id = statement->column_int64(0);
  statement->reset();
  auto builds = database_->prepare("reading a build",
                                   std::string("SELECT ") + kBuildColumns + " FROM history_builds WHERE id = ?1");
  if (!builds) return builds.status();
  if (auto status = builds->bind_all(build_id); !status) return status;
  auto found = read_builds(*builds);
  if (!found) return found.status();
  if (found->empty()) return std::optional<std::pair<BuildRecord, StepRecord>>();
  auto steps_of = steps(build_id, false);
  if (!steps_of) return steps_of.status();
  for (auto& candidate : *steps_of)
    if (candidate.state != "skipped" && candidate.state != "cancelled" &&
        ((step.position && candidate.position == step.position && candidate.stage == step.stage) ||
         (!step.position && candidate.name == step.name)))
      return std::optional<std::pair<BuildRecord, StepRecord>>(std::pair{found->front(), std::move(candidate)});
  return std::optional<std::pair<BuildRecord, StepRecord>>();
}

sdk::Status HistoryStore::remove(const std::vector<std::int64_t>& builds) {
  return write("removing builds", [&]() -> sdk::Status {
    for (auto build : builds)
      if (auto status = remove_in_transaction(*database_, build); !status) return status;
    return sdk::Status::ok();
  });
}

sdk::Result<int> HistoryStore::apply_retention(const RetentionPolicy& policy, std::int64_t now_ns) {
  if (!policy.max_entries && !policy.max_age_ns) return 0;
  std::vector<std::int64_t> doomed;
  auto listed = db::for_each_row(
      *database_, "choosing builds to forget",
      "SELECT id FROM history_builds WHERE status <> 'running' AND "
      "((?1 > 0 AND started < ?2) OR (?3 > 0 AND id NOT IN "
      "(SELECT id FROM history_builds ORDER BY started DESC, id DESC LIMIT ?3)))",
      [&](const db::Statement& row) {
        doomed.push_back(row.column_int64(0));
        return sdk::Status::ok();
      },
      policy.max_age_ns, now_ns - policy.max_age_ns, static_cast<std::int64_t>(policy.max_entries));
  if (!listed) return listed;
  if (doomed.empty()) return 0;
  if (auto status = remove(doomed); !status) return status;
  return static_cast<int>(doomed.size());
}

sdk::Result<std::vector<LogMatch>> HistoryStore::search(const std::string& pattern, std::int64_t since_ns,
                                                        std::size_t limit) {
  auto statement = database_->prepare(
      "searching logs",
      "SELECT b.ref, s.number, s.name, s.log FROM history_log_search f "
      "JOIN history_steps s ON s.id = f.rowid JOIN history_builds b ON b.id = s.build "
      "WHERE history_log_search MATCH ?1 AND b.started >= ?2 ORDER BY b.started DESC, s.number");
  if (!statement) return statement.status();
  if (auto status = statement->bind_all(pattern, since_ns); !status) return status;
  std::vector<LogMatch> matches;
  while (limit == 0 || matches.size() < limit) {
    auto row = statement->step();
    if (!row) {
      if (row.status().message().find("fts5") != std::string::npos ||
          row.status().message().find("syntax error") != std::string::npos)
        return sdk::Status::invalid_argument("\"" + pattern + "\": not a full-text query (" + row.status().message() + ")")
            .with_hint("quote phrases with double quotes; words are matched whole, prefixes with word*");
      return row.status();
    }
    if (*row != db::Statement::Step::Row) break;
    auto log = stored_log(*statement, 3);
    if (!log) continue;
    for (auto& line : matching_lines(*log, pattern)) {
      matches.push_back({statement->column_text(0), static_cast<int>(statement->column_int64(1)),
                         statement->column_text(2), std::move(line)});
      if (limit && matches.size() >= limit) break;
    }
  }
  return matches;
}

}  // namespace dbuild::history
