// image_reference_test.cpp: runs every case of conformance/image-reference/reference.json
// (distribution/reference's test tables) against core/oci's reference parsers, and prints how
// many passed.
#include <filesystem>
#include <string>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "oci/reference.hpp"
#include "support/conformance.hpp"
#include "support/conformance_report.hpp"

namespace {

namespace oci = dbuild::oci;
using dbuild::test::Report;
using dbuild::test::Tally;
using nlohmann::json;

// "" when `got` equals `expected`, else what differs.
std::string compare(const char* what, const std::string& got, const std::string& expected) {
  return got == expected ? "" : std::string(what) + " is \"" + got + "\", not \"" + expected + "\"";
}

std::string first_of(std::initializer_list<std::string> differences) {
  for (const auto& difference : differences)
    if (!difference.empty()) return difference;
  return "";
}

// An expected failure with distribution's exact message, or what happened instead.
std::string expect_error(const dbuild::sdk::Result<oci::Reference>& got, const json& c) {
  if (got) return "parsed as \"" + got->str() + "\", expected the error \"" + c["error_text"].get<std::string>() + "\"";
  return compare("the error", got.status().message(), c["error_text"]);
}

void run_parse(const json& cases, Tally& tally) {
  for (const auto& c : cases) {
    const std::string input = c["input"];
    auto got = oci::parse_unnormalized(input);
    if (c.contains("error")) {
      tally.record(input, expect_error(got, c));
      continue;
    }
    if (!got) {
      tally.record(input, "failed: " + got.status().message());
      continue;
    }
    tally.record(input, first_of({compare("str()", got->str(), input), compare("name", got->name(), c["repository"]),
                                  compare("domain", got->domain, c["domain"]), compare("tag", got->tag, c["tag"]),
                                  compare("digest", got->digest, c["digest"])}));
  }
}

void run_with_name_failures(const json& cases, Tally& tally) {
  for (const auto& c : cases)
    tally.record(c["input"], expect_error(oci::parse_repository_name(c["input"].get<std::string>()), c));
}

void run_domain_and_path(const json& cases, Tally& tally, bool normalized) {
  for (const auto& c : cases) {
    const std::string input = c["input"];
    auto got = normalized ? oci::parse_normalized_named(input) : oci::parse_repository_name(input);
    if (!got) {
      tally.record(input, "failed: " + got.status().message());
      continue;
    }
    tally.record(input, first_of({compare("domain", got->domain, c["domain"]), compare("path", got->path, c["path"])}));
  }
}

void run_normalized_names(const json& data, Tally& valid, Tally& invalid) {
  for (const auto& name : data["valid"]) {
    auto got = oci::parse_normalized_named(name.get<std::string>());
    valid.record(name, got ? "" : "refused: " + got.status().message());
  }
  for (const auto& name : data["invalid"]) {
    auto got = oci::parse_normalized_named(name.get<std::string>());
    invalid.record(name, got ? "accepted as \"" + got->str() + "\"" : "");
  }
}

// Each spelling of the repository must give the same familiar name, full name, domain and path.
void run_repository_info(const json& cases, Tally& tally) {
  for (const auto& c : cases) {
    std::string why;
    for (const char* key : {"FamiliarName", "FullName", "AmbiguousName"}) {
      const std::string input = c[key];
      if (input.empty() || !why.empty()) continue;
      auto got = oci::parse_normalized_named(input);
      why = !got ? "failed: " + got.status().message()
                 : first_of({compare("familiar name", got->familiar_name(), c["FamiliarName"]),
                             compare("full name", got->str(), c["FullName"]),
                             compare("domain", got->domain, c["Domain"]), compare("path", got->path, c["RemoteName"])});
      if (!why.empty()) why = input + ": " + why;
    }
    tally.record(c["FullName"], why);
  }
}

void run_parse_any_reference(const json& cases, Tally& tally) {
  for (const auto& c : cases) {
    const std::string input = c["input"];
    auto got = oci::parse_any_reference(input);
    if (!got) {
      tally.record(input, "failed: " + got.status().message());
      continue;
    }
    const bool digest_only = c["kind"] == "digest-only";
    tally.record(input, first_of({compare("str()", got->str(), c["expected_string"]),
                                  got->digest_only() == digest_only ? "" : "the kind is wrong"}));
  }
}

void run_parse_docker_ref(const json& cases, Tally& tally) {
  for (const auto& c : cases) {
    auto got = oci::parse_docker_ref(c["input"].get<std::string>());
    tally.record(c["name"], got ? compare("str()", got->str(), c["expected"]) : "failed: " + got.status().message());
  }
}

void run_tag_and_digest(const json& c, Tally& tally) {
  auto got = oci::parse_normalized_named(c["input"].get<std::string>());
  tally.record(c["input"], !got ? "failed: " + got.status().message()
                                : first_of({compare("str()", got->str(), c["expected_string"]),
                                            compare("familiar()", got->familiar(), c["expected_familiar"])}));
}

}  // namespace

TEST_CASE("image references parse as distribution/reference's test tables say", "[conformance][oci][reference]") {
  const auto dir = dbuild::test::conformance_corpus(DBUILD_CONFORMANCE_DIR, "image-reference");
  const auto data = json::parse(dbuild::test::read_bytes(dir / "reference.json"));
  Report report;
  run_parse(data["parse"]["cases"], report.group("parse"));
  run_with_name_failures(data["with_name_failure"]["cases"], report.group("with_name_failure"));
  run_domain_and_path(data["domain_and_path"]["cases"], report.group("domain_and_path"), false);
  Tally& valid_names = report.group("normalized names: valid");
  run_normalized_names(data["normalized_valid_names"], valid_names, report.group("normalized names: invalid"));
  run_repository_info(data["repository_info"]["cases"], report.group("repository_info"));
  run_domain_and_path(data["normalized_split"]["cases"], report.group("normalized_split"), true);
  run_parse_any_reference(data["parse_any_reference"]["cases"], report.group("parse_any_reference"));
  run_parse_docker_ref(data["parse_docker_ref"]["cases"], report.group("parse_docker_ref"));
  run_tag_and_digest(data["tag_and_digest"], report.group("tag_and_digest"));
  report.print("image-reference/reference.json");
}
