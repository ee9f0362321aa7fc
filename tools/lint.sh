#!/usr/bin/env bash
# The tree's C++ style checks. `tools/lint.sh` checks that every tracked C++ file is as
# clang-format 14 writes it (.clang-format; fix with `tools/lint.sh --fix`); `tools/lint.sh --tidy`
# also runs clang-tidy 14 (.clang-tidy: bugs, needless copies, functions over 60 lines) over the
# engine, models and tools, using the compile commands of $BUILD_DIR (default build/).
# tools/test.sh runs the format check; clang-tidy takes minutes on 2 cores, so it is run by hand.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t sources < <(git ls-files '*.cpp' '*.hpp')

if [ "${1:-}" = "--fix" ]; then
  clang-format-14 -i "${sources[@]}"
  exit 0
fi
if ! clang-format-14 --dry-run --Werror "${sources[@]}"; then
  echo "lint: the files above are not clang-formatted; run tools/lint.sh --fix" >&2
  exit 1
fi
echo "lint: ${#sources[@]} files clang-formatted"

if [ "${1:-}" = "--tidy" ]; then
  build=${BUILD_DIR:-build}
  [ -f "$build/compile_commands.json" ] || { echo "lint: run tools/build.sh first" >&2; exit 2; }
  git ls-files 'engine/src/*.cpp' 'models/*.cpp' 'tools/*.cpp' |
    xargs -P "$(nproc)" -n 1 clang-tidy-14 -p "$build" --quiet
  echo "lint: clang-tidy found nothing"
fi
