// rawjson_renderer.cpp: events as JSON lines, with output bytes that are not UTF-8 sent as base64
// rather than mangled, so that a program reading the stream gets exactly what the step printed.
#include "cli/progress/rawjson_renderer.hpp"

#include <ctime>
#include <iterator>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/progress/format.hpp"
#include "cli/progress/terminal.hpp"

namespace dbuild::progress {
namespace {

constexpr std::size_t kWakeWriterBytes = 256 * 1024;

std::string base64(std::string_view bytes) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    auto chunk = static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i])) << 16 |
                 static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i + 1])) << 8 |
                 static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i + 2]));
    for (int shift = 18; shift >= 0; shift -= 6) out += kAlphabet[(chunk >> shift) & 0x3F];
  }
  std::size_t rest = bytes.size() - i;
  if (rest == 0) return out;
  auto chunk = static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i])) << 16;
  if (rest == 2) chunk |= static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i + 1])) << 8;
  out += kAlphabet[(chunk >> 18) & 0x3F];
  out += kAlphabet[(chunk >> 12) & 0x3F];
  out += rest == 2 ? kAlphabet[(chunk >> 6) & 0x3F] : '=';
  out += '=';
  return out;
}

void add_data(nlohmann::ordered_json& object, std::string_view data) {
  if (is_valid_utf8(data)) {
    object["data"] = data;
    return;
  }
  object["data"] = base64(data);
  object["data_encoding"] = "base64";
}

}  // namespace

std::string rfc3339_nanos(std::int64_t ns_since_epoch) {
  constexpr std::int64_t kNanos = 1'000'000'000;
  std::int64_t seconds = ns_since_epoch / kNanos;
  std::int64_t nanos = ns_since_epoch % kNanos;
  if (nanos < 0) {  // before 1970: floor, so that the fraction stays positive
    nanos += kNanos;
    seconds -= 1;
  }
  auto as_time_t = static_cast<std::time_t>(seconds);
  std::tm utc{};
  if (::gmtime_r(&as_time_t, &utc) == nullptr) return "1970-01-01T00:00:00.000000000Z";
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:09}Z", utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday,
                     utc.tm_hour, utc.tm_min, utc.tm_sec, nanos);
}

std::string event_json_line(const sdk::ProgressEvent& event, std::int64_t now_ns) {
  nlohmann::ordered_json object;
  object["type"] = sdk::progress_type_name(event.type);
  object["vertex"] = event.vertex;
  object["name"] = event.name;
  object["timestamp"] = rfc3339_nanos(event.timestamp_ns != 0 ? event.timestamp_ns : now_ns);
  if (event.type == sdk::ProgressType::Log) object["stream"] = event.stream;
  if (!event.data.empty()) add_data(object, event.data);
  if (!event.id.empty()) object["id"] = event.id;
  if (event.type == sdk::ProgressType::Status) {
    object["current"] = event.current;
    object["total"] = event.total;
  }
  if (!event.inputs.empty()) object["inputs"] = event.inputs;
  if (event.location) {
    object["location"] = {{"file", event.location->file}, {"line", event.location->line}};
    if (event.location->end_line > event.location->line) object["location"]["end_line"] = event.location->end_line;
  }
  // `replace` keeps a name or id with stray bytes from making the whole line fail.
  return object.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

RawJsonRenderer::RawJsonRenderer(std::ostream& out, Clock& clock, RawJsonOptions options) : out_(out), clock_(clock) {
  if (options.write_interval.count() > 0) {
    threaded_ = ticker_.start(options.write_interval, [this] { tick(); });
  }
}

RawJsonRenderer::~RawJsonRenderer() { finish(); }

void RawJsonRenderer::emit(const sdk::ProgressEvent& event) noexcept {
  try {
    std::int64_t now = clock_.now_ns();
    std::string line = event_json_line(event, now);  // formatted outside the lock
    std::lock_guard lock(mutex_);
    tail_.track(event, now, [](std::int64_t, std::string_view) {});
    if (finished_) return;
    text_ += line;
    text_ += '\n';
    if (!threaded_) {
      write_text(out_, text_);
      text_.clear();
    } else if (text_.size() > kWakeWriterBytes) {
      ticker_.wake();
    }
  } catch (...) {
    // Out of memory, or a value JSON cannot hold: this event is not shown.
  }
}

void RawJsonRenderer::finish() noexcept {
  {
    std::lock_guard lock(mutex_);
    if (finished_) return;
    finished_ = true;
  }
  ticker_.stop();
  {
    std::lock_guard lock(mutex_);
    writing_.swap(text_);
  }
  write_text(out_, writing_);
  writing_.clear();
}

void RawJsonRenderer::tick() noexcept {
  {
    std::lock_guard lock(mutex_);
    writing_.swap(text_);
  }
  write_text(out_, writing_);
  writing_.clear();
}

}  // namespace dbuild::progress
