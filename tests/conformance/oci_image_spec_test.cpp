// oci_image_spec_test.cpp: runs conformance/oci-image-spec (the image spec's schema tests, the
// examples from its documents, Docker Hub documents with their digests, and chain ids) and prints
// how many passed. "Valid" is what the spec's own tests mean: dbuild's strict readers
// (oci::parse_descriptor, parse_manifest, parse_index, parse_config: typed fields, digests, Env
// entries) and the JSON schemas, judged by python3-jsonschema (support/oci_schema.hpp).
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "oci/image_format.hpp"
#include "oci/sha256.hpp"
#include "support/conformance.hpp"
#include "support/conformance_report.hpp"
#include "support/oci_reader_check.hpp"
#include "support/oci_schema.hpp"

namespace {

namespace fs = std::filesystem;
namespace oci = dbuild::oci;
using dbuild::test::Report;
using dbuild::test::SchemaCheck;
using dbuild::test::SchemaVerdict;
using dbuild::test::Tally;
using nlohmann::json;

json load_json(const fs::path& path) { return json::parse(dbuild::test::read_bytes(path)); }

// A document to judge, what the corpus expects, and (after the validator ran) its verdict.
struct Judged {
  std::string name;
  std::string media_type;
  std::string document;
  bool must_pass = false;
  Tally* tally = nullptr;
  std::function<std::string()> extra_check;  // more to check besides validity ("" when fine)
};

// Records each document: valid means dbuild's reader and the schema both accept it. A document
// the schema accepts and the corpus fails is one only the strict rules refuse: dbuild must refuse it.
void judge_all(const fs::path& schema_dir, const std::vector<Judged>& documents) {
  std::vector<SchemaCheck> checks;
  for (const auto& document : documents) checks.push_back({document.media_type, document.document});
  const std::vector<SchemaVerdict> verdicts = dbuild::test::validate_with_oci_schemas(schema_dir, checks);
  for (std::size_t i = 0; i < documents.size(); ++i) {
    const Judged& judged = documents[i];
    const std::string refusal = dbuild::test::refusal_by_dbuild_reader(judged.media_type, judged.document);
    const bool valid = verdicts[i].valid && refusal.empty();
    std::string why;
    if (judged.must_pass && !valid)
      why = "refused: " + (refusal.empty() ? "" : "dbuild: " + refusal + "; ") +
            (verdicts[i].valid ? "" : "schema: " + verdicts[i].error);
    if (!judged.must_pass && valid) why = "accepted, but the spec's tests refuse it";
    if (why.empty() && judged.extra_check) why = judged.extra_check();
    judged.tally->record(judged.name, why);
  }
}

void add_schema_tests(const fs::path& dir, Report& report, std::vector<Judged>& documents) {
  for (const char* file : {"descriptor", "manifest", "image-index", "image-layout", "config"}) {
    const auto data = load_json(dir / "schema-tests" / (std::string(file) + ".json"));
    Tally& tally = report.group(std::string("schema-tests/") + file + ".json");
    for (const auto& c : data["cases"])
      documents.push_back({std::string(file) + " #" + std::to_string(c["index"].get<int>()) + " (" +
                               c.value("upstream_comment", "") + ")",
                           data["media_type"],
                           c["document"],
                           !c["fail"].get<bool>(),
                           &tally,
                           {}});
  }
}

void add_examples(const fs::path& dir, Report& report, std::vector<Judged>& documents) {
  const auto index = load_json(dir / "examples" / "index.json");
  Tally& tally = report.group("examples/");
  for (const auto& example : index["examples"])
    documents.push_back({example["file"],
                         example["media_type"],
                         dbuild::test::read_bytes(dir / "examples" / example["file"].get<std::string>()),
                         example["expected_valid"].get<bool>(),
                         &tally,
                         {}});
}

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
  return text;
}

// Docker Hub documents: the digest is over the exact bytes; after the media-type rewrite each must be valid.
void add_backwards_compatibility(const fs::path& dir, Report& report, std::vector<Judged>& documents) {
  const auto data = load_json(dir / "schema-tests" / "backwards-compatibility.json");
  Tally& tally = report.group("schema-tests/backwards-compatibility.json");
  for (const auto& [group, content] : data["groups"].items()) {
    for (const auto& c : content["cases"]) {
      const std::string original = c["document"];
      std::string converted = original;
      for (const auto& [docker, oci_type] : data["docker_to_oci_media_types"].items())
        converted = replace_all(converted, docker, oci_type.get<std::string>());
      const std::string digest = c["digest"];
      documents.push_back({group + " #" + std::to_string(c["index"].get<int>()), content["media_type_after_conversion"],
                           converted, !c["fail"].get<bool>(), &tally, [original, digest] {
                             const std::string got = oci::sha256_of(original).str();
                             return got == digest ? "" : "the digest is " + got + ", not " + digest;
                           }});
    }
  }
}

void run_chain_ids(const fs::path& dir, Tally& tally) {
  const auto data = load_json(dir / "chainid.json");
  for (const auto& c : data["cases"]) {
    std::vector<std::string> diff_ids, expected;
    if (!c["diff_ids"].is_null()) diff_ids = c["diff_ids"].get<std::vector<std::string>>();
    if (!c["expected"].is_null()) expected = c["expected"].get<std::vector<std::string>>();
    const auto got = oci::chain_ids(diff_ids);
    tally.record(c["name"], got == expected ? "" : "got " + json(got).dump());
  }
}

}  // namespace

TEST_CASE("OCI documents are valid or not as the image spec's own tests say, and chain ids add up",
          "[conformance][oci][image-spec]") {
  const fs::path dir = dbuild::test::conformance_corpus(DBUILD_CONFORMANCE_DIR, "oci-image-spec");
  Report report;
  std::vector<Judged> documents;
  add_schema_tests(dir, report, documents);
  add_examples(dir, report, documents);
  add_backwards_compatibility(dir, report, documents);
  judge_all(dir / "schema", documents);
  run_chain_ids(dir, report.group("chainid.json"));
  report.print("oci-image-spec");
}
