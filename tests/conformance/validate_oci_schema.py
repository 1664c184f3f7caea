#!/usr/bin/python3
# validate_oci_schema.py: validates documents against the OCI image-spec JSON schemas (draft-04)
# with Debian's python3-jsonschema and its format checker ("uri" needs python3-rfc3987), so that
# dbuild's tests judge OCI documents with a validator nobody here wrote.
#
# Usage: validate_oci_schema.py SCHEMA_DIR < requests
#   request, one JSON object a line:  {"media_type": "...", "document": "<the exact text>"}
#   answer, one JSON object a line:   {"valid": true|false, "error": "..."}, in request order
# Exit status: 0 when every request was answered (whatever the verdicts), 3 when the validator or
# a format checker it needs is not installed (the message says which), 2 on a usage error.
import json
import os
import sys

# Media type -> schema file. Docker's schema 2 types map to the OCI schema of the same document
# kind, as the image spec's backwards-compatibility test does.
SCHEMAS = {
    "application/vnd.oci.descriptor.v1+json": "content-descriptor.json",
    "application/vnd.oci.image.manifest.v1+json": "image-manifest-schema.json",
    "application/vnd.oci.image.index.v1+json": "image-index-schema.json",
    "application/vnd.oci.image.config.v1+json": "config-schema.json",
    "application/vnd.oci.layout.header.v1+json": "image-layout-schema.json",
    "application/vnd.docker.distribution.manifest.v2+json": "image-manifest-schema.json",
    "application/vnd.docker.distribution.manifest.list.v2+json": "image-index-schema.json",
    "application/vnd.docker.container.image.v1+json": "config-schema.json",
}


def load_schemas(schema_dir):
    by_name = {}
    for name in sorted(os.listdir(schema_dir)):
        if name.endswith(".json"):
            with open(os.path.join(schema_dir, name), encoding="utf-8") as f:
                by_name[name] = json.load(f)
    return by_name


def make_validator_factory(jsonschema, by_name):
    # Every schema is known by its file name and by its "id". The schemas refer to each other by
    # file name, which resolves against whatever "id" is in scope (a file's, or a nested
    # property's): any URL whose last segment is a schema's file name means that file.
    by_id = {schema["id"]: schema for schema in by_name.values() if "id" in schema}
    store = dict(by_name)
    store.update(by_id)

    def fetch(uri):
        if uri in by_id:
            return by_id[uri]
        name = uri.rstrip("/").rsplit("/", 1)[-1]
        if name in by_name:
            return by_name[name]
        raise LookupError("no schema for " + uri)

    handlers = {"https": fetch, "http": fetch, "": fetch}
    checker = jsonschema.draft4_format_checker

    def validator_for(schema_file):
        schema = by_name[schema_file]
        resolver = jsonschema.RefResolver(schema.get("id", schema_file), schema, store=store, handlers=handlers)
        return jsonschema.Draft4Validator(schema, resolver=resolver, format_checker=checker)

    return validator_for


def describe(error):
    where = "/".join(str(part) for part in error.absolute_path) or "(document)"
    return where + ": " + error.message


def answer(request, validator_for):
    schema_file = SCHEMAS.get(request["media_type"])
    if schema_file is None:
        return {"valid": False, "error": "no schema for media type " + request["media_type"]}
    try:
        document = json.loads(request["document"])
    except ValueError as error:
        return {"valid": False, "error": "not JSON: " + str(error)}
    errors = sorted(validator_for(schema_file).iter_errors(document), key=lambda e: list(map(str, e.absolute_path)))
    return {"valid": not errors, "error": "; ".join(describe(e) for e in errors[:5])}


def main(argv):
    if len(argv) != 2 or not os.path.isdir(argv[1]):
        print("usage: validate_oci_schema.py SCHEMA_DIR < requests", file=sys.stderr)
        return 2
    try:
        import jsonschema
    except ImportError:
        print("python3-jsonschema is not installed (apt-get install python3-jsonschema)", file=sys.stderr)
        return 3
    if "uri" not in jsonschema.draft4_format_checker.checkers:
        print("jsonschema cannot check the \"uri\" format: python3-rfc3987 is not installed "
              "(apt-get install python3-rfc3987)", file=sys.stderr)
        return 3
    validator_for = make_validator_factory(jsonschema, load_schemas(argv[1]))
    for line in sys.stdin:
        if line.strip():
            print(json.dumps(answer(json.loads(line), validator_for)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
