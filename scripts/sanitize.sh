#!/usr/bin/env bash
# Builds the addon with AddressSanitizer + UndefinedBehaviorSanitizer into build-asan/build/ and
# runs the test suite against it (TENSORRT_NODE_PREBUILD points node-gyp-build at build-asan/,
# where it looks for build/Release).
# Usage: bash scripts/sanitize.sh [vitest args...]
set -euo pipefail
cd "$(dirname "$0")/.."
node node_modules/cmake-js/bin/cmake-js compile --directory . --out build-asan/build --parallel 2 --CDTRTN_SANITIZE=ON
ASAN_LIB=$(g++ -print-file-name=libasan.so)
UBSAN_LIB=$(g++ -print-file-name=libubsan.so)
export TENSORRT_NODE_PREBUILD="$PWD/build-asan"
export TRTN_SANITIZER=1
# Node itself is not instrumented: leak checking would report V8's intentional at-exit leaks.
export ASAN_OPTIONS=detect_leaks=0:abort_on_error=1:halt_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
LD_PRELOAD="$ASAN_LIB $UBSAN_LIB" npx vitest run --pool=forks "$@"
