#!/usr/bin/env bash
# vendor_sdk_test.sh: a vendor's view of the SDK. Installs dbuild into a temporary prefix,
# builds sdk/examples/vendor-driver from a copy, with a fresh CMake that sees only that prefix,
# then checks that the installed dbuild loads the plugin and its own built-ins.
# Usage: vendor_sdk_test.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build_dir=$1
source_dir=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }

cmake --install "$build_dir" --prefix "$work/prefix" >"$work/install.log" || { cat "$work/install.log"; fail "install"; }
[ -f "$work/prefix/include/dbuild/sdk/plugin.hpp" ] || fail "SDK headers not installed"
[ -f "$work/prefix/lib/dbuild/plugins/driver-local.so" ] || fail "built-in plugins not installed"

# A copy, so that nothing can reach the source tree by a relative path.
cp -r "$source_dir/sdk/examples/vendor-driver" "$work/example"
cmake -S "$work/example" -B "$work/example-build" -G Ninja \
  -DCMAKE_PREFIX_PATH="$work/prefix" -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF >"$work/configure.log" 2>&1 \
  || { cat "$work/configure.log"; fail "configuring the example against the installed SDK"; }
grep -q "$source_dir" "$work/example-build/CMakeCache.txt" && fail "the example's build reached the source tree"
cmake --build "$work/example-build" >"$work/build.log" 2>&1 || { cat "$work/build.log"; fail "building the example"; }

export XDG_DATA_HOME="$work/data"
out=$(DBUILD_PLUGIN_PATH="$work/example-build" "$work/prefix/bin/dbuild" plugin inspect example-isolated)
echo "$out"
grep -q "^Status: *loaded$" <<<"$out" || fail "example plugin did not load"
grep -q "^Kind: *driver$" <<<"$out" || fail "example plugin is not a driver"
grep -q "^Version: *1.0.0$" <<<"$out" || fail "example plugin version is not its project's"
grep -q "base" <<<"$out" || fail "example plugin options missing"

ls_out=$("$work/prefix/bin/dbuild" plugin ls)
echo "$ls_out"
grep -q "$work/prefix/lib/dbuild/plugins/driver-local.so *loaded" <<<"$ls_out" \
  || fail "the installed dbuild did not load its built-in plugins from ../lib/dbuild/plugins"
echo "vendor plugin built against the installed SDK alone and loaded"
