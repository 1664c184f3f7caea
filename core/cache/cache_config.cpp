// cache_config.cpp: the records document as JSON (share/doc/cache.md).
#include "cache/cache_config.hpp"

#include <nlohmann/json.hpp>

#include "oci/image_format.hpp"

namespace dbuild::cache {
namespace {

using json = nlohmann::json;

constexpr int kVersion = 1;

struct Invalid {
  std::string message;
};

std::string digest_of(const json& value, const std::string& where) {
  if (!value.is_string()) throw Invalid{where + ": expected a digest string"};
  auto digest = sdk::Digest::parse(value.get<std::string>());
  if (!digest) throw Invalid{where + ": " + digest.status().message()};
  return digest->str();
}

CacheLayer layer_of(const json& value, const std::string& where) {
  if (!value.is_object()) throw Invalid{where + ": expected an object"};
  CacheLayer layer;
  if (auto empty = value.find("empty"); empty != value.end()) {
    if (!empty->is_boolean()) throw Invalid{where + ".empty: expected true or false"};
    layer.empty = empty->get<bool>();
  }
  if (layer.empty) {
    if (value.contains("diffID") || value.contains("blob")) throw Invalid{where + ": an empty layer has no diffID or blob"};
    return layer;
  }
  if (!value.contains("diffID")) throw Invalid{where + ": missing \"diffID\""};
  layer.diff_id = digest_of(value["diffID"], where + ".diffID");
  if (auto blob = value.find("blob"); blob != value.end()) {
    auto descriptor = oci::parse_descriptor(blob->dump());
    if (!descriptor) throw Invalid{where + ".blob: " + descriptor.status().message()};
    layer.blob = std::move(*descriptor);
  }
  return layer;
}

CacheRecord record_of(const json& value, std::size_t layer_count, const std::string& where) {
  if (!value.is_object()) throw Invalid{where + ": expected an object"};
  CacheRecord record;
  if (!value.contains("key")) throw Invalid{where + ": missing \"key\""};
  record.key = digest_of(value["key"], where + ".key");
  if (auto inputs = value.find("inputs"); inputs != value.end()) {
    if (!inputs->is_array()) throw Invalid{where + ".inputs: expected an array"};
    for (std::size_t i = 0; i < inputs->size(); ++i)
      record.inputs.push_back(digest_of((*inputs)[i], where + ".inputs[" + std::to_string(i) + "]"));
  }
  if (auto result = value.find("result"); result != value.end()) {
    if (!result->is_array()) throw Invalid{where + ".result: expected an array"};
    record.result.emplace();
    for (std::size_t i = 0; i < result->size(); ++i) {
      const auto& index = (*result)[i];
      if (!index.is_number_unsigned() || index.get<std::size_t>() >= layer_count)
        throw Invalid{where + ".result[" + std::to_string(i) + "]: expected an index into layers (0-" +
                      std::to_string(layer_count) + ")"};
      record.result->push_back(index.get<std::size_t>());
    }
  }
  return record;
}

}  // namespace

sdk::Result<CacheConfig> parse_cache_config(std::string_view text) {
  auto doc = json::parse(text, nullptr, false);
  if (!doc.is_object()) return sdk::Status::invalid_argument("cache records: not a JSON object");
  try {
    auto version = doc.find("version");
    if (version == doc.end() || !version->is_number_integer() || version->get<int>() != kVersion)
      throw Invalid{"cache records: version is not " + std::to_string(kVersion)};
    CacheConfig config;
    const auto& layers = doc.value("layers", json::array());
    const auto& records = doc.value("records", json::array());
    if (!layers.is_array()) throw Invalid{"cache records.layers: expected an array"};
    if (!records.is_array()) throw Invalid{"cache records.records: expected an array"};
    for (std::size_t i = 0; i < layers.size(); ++i)
      config.layers.push_back(layer_of(layers[i], "cache records.layers[" + std::to_string(i) + "]"));
    for (std::size_t i = 0; i < records.size(); ++i)
      config.records.push_back(record_of(records[i], layers.size(), "cache records.records[" + std::to_string(i) + "]"));
    return config;
  } catch (const Invalid& error) {
    return sdk::Status::invalid_argument(error.message);
  }
}

std::string to_json(const CacheConfig& config) {
  json layers = json::array();
  for (const auto& layer : config.layers) {
    if (layer.empty) {
      layers.push_back({{"empty", true}});
      continue;
    }
    json entry = {{"diffID", layer.diff_id}};
    if (layer.blob)
      entry["blob"] = {{"mediaType", layer.blob->media_type}, {"digest", layer.blob->digest.str()}, {"size", layer.blob->size}};
    layers.push_back(std::move(entry));
  }
  json records = json::array();
  for (const auto& record : config.records) {
    json entry = {{"key", record.key}};
    if (!record.inputs.empty()) entry["inputs"] = record.inputs;
    if (record.result) entry["result"] = *record.result;
    records.push_back(std::move(entry));
  }
  return json{{"version", kVersion}, {"layers", std::move(layers)}, {"records", std::move(records)}}.dump();
}

}  // namespace dbuild::cache
