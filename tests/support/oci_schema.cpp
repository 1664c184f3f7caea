// oci_schema.cpp: runs the schema validator script once over all checks, a JSON line each way.
#include "support/oci_schema.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "support/process.hpp"
#include "support/skip.hpp"

namespace dbuild::test {

std::vector<SchemaVerdict> validate_with_oci_schemas(const std::filesystem::path& schema_dir,
                                                     const std::vector<SchemaCheck>& checks) {
  if (!std::filesystem::exists(DBUILD_TEST_PYTHON))
    skip_test(std::string("the OCI schema checks need ") + DBUILD_TEST_PYTHON + " with python3-jsonschema");
  std::string requests;
  for (const auto& check : checks)
    requests += nlohmann::json{{"media_type", check.media_type}, {"document", check.document}}.dump() + "\n";
  ProcessOptions options;
  options.input = requests;
  auto run = run_process({DBUILD_TEST_PYTHON, DBUILD_OCI_SCHEMA_VALIDATOR, schema_dir.string()}, options);
  if (run.exit_code == 3) skip_test("the OCI schema validator cannot run here: " + run.err);
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  std::vector<SchemaVerdict> verdicts;
  for (const auto& line : lines_of(run.out)) {
    auto answer = nlohmann::json::parse(line);
    verdicts.push_back({answer.at("valid").get<bool>(), answer.at("error").get<std::string>()});
  }
  REQUIRE(verdicts.size() == checks.size());
  return verdicts;
}

}  // namespace dbuild::test
