#!/usr/bin/env bash
# difftest.sh: runs the shared difftest harness (BuildKit inside Debian's dockerd vs dbuild, on
# the same Dockerfiles) over the shared cases and this project's own (tests/difftest/).
# Exits 77 (skipped) when it cannot run, unless DBUILD_REQUIRE_INTEGRATION=1.
# Usage: difftest.sh DBUILD_BINARY SHARED_DIR PROJECT_DIR
set -uo pipefail
dbuild=$1 shared=$2 project=$3

skip() {
  echo "SKIPPED: $*"
  if [ "${DBUILD_REQUIRE_INTEGRATION:-}" = 1 ]; then echo "DBUILD_REQUIRE_INTEGRATION=1: failing instead"; exit 1; fi
  exit 77
}
[ "$(id -u)" = 0 ] || skip "needs root"
[ -x "$shared/difftest/difftest" ] || skip "no difftest harness at $shared/difftest"
command -v dockerd >/dev/null || skip "needs dockerd (apt-get install docker.io)"
[ -x /usr/bin/docker ] || skip "needs Debian's /usr/bin/docker"
[ -x /bin/busybox ] || skip "needs busybox-static"

# dbuild keeps its own state for this run only.
state=$(mktemp -d /tmp/dbuild-difftest-XXXXXX)
trap 'rm -rf "$state"' EXIT
export DBUILD_ROOT=$state/root
# git keeps no empty directory, so a fresh clone lacks those the cases copy: the project's cases
# run from a copy in which they are made.
cases=$state/cases
cp -a "$project/tests/difftest" "$cases"
mkdir -p "$cases/23-copy-destinations/context/empty-dir"
"$shared/difftest/difftest" --dbuild "$dbuild" "$shared/difftest/cases" "$cases"
