#!/usr/bin/env bash
# Builds the fuzz target with clang under ASan + UBSan into BUILD_DIR, replays the regression
# inputs, fuzzes the experiment loader for SECONDS from a seed corpus of experiments/*.toml, then
# checks that `tariffsim validate` (the CLI binary TARIFFSIM) exits 0 or 2 on every input the
# fuzzer kept. Usage: tests/fuzz/run.sh BUILD_DIR SECONDS TARIFFSIM
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD_DIR=$1 SECONDS_TO_FUZZ=$2 TARIFFSIM=$(realpath "$3")

BUILD_DIR=$BUILD_DIR BUILD_TYPE=RelWithDebInfo BUILD_TARGETS=fuzz_experiment bash tools/build.sh \
  -DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14 -DTARIFFSIM_FUZZ=ON \
  -DTARIFFSIM_SANITIZE=address,undefined -DTARIFFSIM_BUILD_TESTS=OFF -DTARIFFSIM_BUILD_BENCH=OFF \
  -DTARIFFSIM_MPI=OFF "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g -DNDEBUG" \
  "-DCMAKE_C_FLAGS_RELWITHDEBINFO=-O1 -g -DNDEBUG"
FUZZER=$BUILD_DIR/tests/fuzz/fuzz_experiment

# Inputs that once failed: each must now pass (run once each, no mutation).
shopt -s nullglob
regressions=(tests/fuzz/regressions/*.toml)
if [ ${#regressions[@]} -gt 0 ]; then "$FUZZER" "${regressions[@]}"; fi

# A fresh corpus each run, seeded from the shipped experiments, so nothing generated is kept in
# the tree and every run starts from the same place. A hang is an input that takes over 10 s.
rm -rf "$BUILD_DIR/fuzz-corpus" "$BUILD_DIR/fuzz-findings"
mkdir -p "$BUILD_DIR/fuzz-corpus" "$BUILD_DIR/fuzz-findings"
cp experiments/*.toml "$BUILD_DIR/fuzz-corpus/"
"$FUZZER" -max_total_time="$SECONDS_TO_FUZZ" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
  -dict=tests/fuzz/toml.dict -artifact_prefix="$BUILD_DIR/fuzz-findings/" "$BUILD_DIR/fuzz-corpus"

# The fuzzer calls the loader in-process; the CLI must agree: exit 0 (valid) or 2 (bad input),
# within the fuzzer's 10 s. One process per input, as many at once as there are cores.
validate_exits_0_or_2() {
  local status=0
  timeout 10 "$TARIFFSIM" validate "$1" >/dev/null 2>&1 || status=$?
  if [ "$status" != 0 ] && [ "$status" != 2 ]; then
    echo "fuzz: tariffsim validate $1 exited $status (expected 0 or 2)" >&2
    return 1
  fi
}
export -f validate_exits_0_or_2
export TARIFFSIM
find "$BUILD_DIR/fuzz-corpus" -type f -print0 |
  xargs -0 -n 1 -P "$(nproc)" bash -c 'validate_exits_0_or_2 "$1"' _
echo "fuzz: tariffsim validate exited 0 or 2 on all $(find "$BUILD_DIR/fuzz-corpus" -type f | wc -l) corpus inputs"
