#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test (C++ unit tests, CLI and reader tests).
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh
bash tools/build.sh
cd "${BUILD_DIR:-build}"
ctest --output-on-failure -j "$(nproc)"
