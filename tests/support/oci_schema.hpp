// oci_schema.hpp: judging documents against the OCI image-spec JSON schemas with a validator
// nobody here wrote: Debian's python3-jsonschema, driven by tests/conformance/validate_oci_schema.py.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace dbuild::test {

struct SchemaCheck {
  std::string media_type;  // picks the schema; Docker's schema 2 types use the OCI schema of their kind
  std::string document;    // the exact bytes
};

struct SchemaVerdict {
  bool valid = false;
  std::string error;  // the validator's first complaints when not valid
};

/// One verdict per check, in order, from one run of the validator over `schema_dir` (the
/// corpus's oci-image-spec/schema). Skips the test (skip.hpp) when python3-jsonschema or
/// python3-rfc3987 is missing; fails it when the validator itself breaks.
[[nodiscard]] std::vector<SchemaVerdict> validate_with_oci_schemas(const std::filesystem::path& schema_dir,
                                                                   const std::vector<SchemaCheck>& checks);

}  // namespace dbuild::test
