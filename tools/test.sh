#!/usr/bin/env bash
# Installs what is missing, checks the C++ formatting (tools/lint.sh), builds, and runs every test:
# the Release suite (build/), then the whole suite under ASan + UBSan (build-asan/), the engine and
# runner tests under TSan (build-tsan/, clang) and the experiment-loader fuzzer under ASan + UBSan
# (build-fuzz/, clang). TARIFFSIM_TEST_SANITIZERS=0 skips the sanitizer and fuzzing stages for a
# quick local run; TARIFFSIM_FUZZ_SECONDS sets the fuzzing time. Prints the wall time of each stage.
set -euo pipefail
cd "$(dirname "$0")/.."
SOURCE_DIR=$PWD
JOBS=$(nproc)

stage() {
  local name=$1 started=$SECONDS
  shift
  echo "test.sh: $name"
  "$@"
  echo "test.sh: $name passed in $((SECONDS - started)) s"
}

release_suite() {
  bash tools/build.sh
  (cd "${BUILD_DIR:-build}" && ctest --output-on-failure -j "$JOBS")
}

# Reports also go to files in $1, so one from a process whose failure a test expected (a run given
# bad input) still fails the stage; every process of the stage inherits these options.
export_sanitizer_options() {
  local logs=$1
  rm -rf "$logs" && mkdir -p "$logs"
  export ASAN_OPTIONS="halt_on_error=1:detect_leaks=1:log_path=$logs/asan"
  export LSAN_OPTIONS="suppressions=$SOURCE_DIR/tests/sanitizers/lsan.supp:print_suppressions=0"
  export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:log_path=$logs/ubsan"
}

no_sanitizer_reports() {
  local logs=$1
  if compgen -G "$logs/*" >/dev/null; then
    cat "$logs"/*
    echo "test.sh: sanitizer reports above (files in $logs)" >&2
    return 1
  fi
}

# -O1 -g keeps the build quick to run and its reports readable; NDEBUG as in Release, so it checks
# the code that ships. A subshell: the options it exports end with the stage, so no later stage's
# reports go to this stage's folder (clang's TSan runtime read UBSAN_OPTIONS' log_path; libFuzzer's
# findings would be written there instead of printed).
asan_suite() (
  local reports=$SOURCE_DIR/build-asan/sanitizer-reports status=0
  BUILD_DIR=build-asan BUILD_TYPE=RelWithDebInfo bash tools/build.sh \
    -DTARIFFSIM_SANITIZE=address,undefined -DTARIFFSIM_BUILD_BENCH=OFF \
    "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g -DNDEBUG" "-DCMAKE_C_FLAGS_RELWITHDEBINFO=-O1 -g -DNDEBUG"
  export_sanitizer_options "$reports"
  (cd build-asan && ctest --output-on-failure -j "$JOBS") || status=$?
  no_sanitizer_reports "$reports" && return "$status"
)

# The engine and runner tests (test_engine) under ThreadSanitizer, built with clang for its ignore
# list of oneTBB's templates; the runner states TBB's hand-offs to TSan (engine/src/parallel.hpp).
# First a planted race (tests/sanitizers/tsan_canary.cpp) must be reported, so that "no reports"
# means TSan saw the project's code.
tsan_engine_tests() {
  local reports=$SOURCE_DIR/build-tsan/sanitizer-reports
  local options="suppressions=$SOURCE_DIR/tests/sanitizers/tsan.supp"
  CC=clang-14 CXX=clang++-14 BUILD_DIR=build-tsan BUILD_TYPE=RelWithDebInfo \
    BUILD_TARGETS="test_engine tsan_canary" bash tools/build.sh -DTARIFFSIM_SANITIZE=thread \
    -DTARIFFSIM_BUILD_BENCH=OFF -DTARIFFSIM_MPI=OFF \
    "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g -DNDEBUG" "-DCMAKE_C_FLAGS_RELWITHDEBINFO=-O1 -g -DNDEBUG"
  # clang's TSan runtime holds UBSan and reads UBSAN_OPTIONS' common flags after TSAN_OPTIONS: a
  # log_path there sends every TSan report elsewhere, unchecked (the canary once stayed silent in
  # CI so, when the ASan stage's options outlived it). The TSan processes get none of those
  # options, whoever exported them.
  local -a tsan_env=(env -u ASAN_OPTIONS -u LSAN_OPTIONS -u UBSAN_OPTIONS)
  # Up to three tries, in case no second TBB thread came within the canary's 30 s. No
  # suppressions here: the report must name the canary's own line, whatever TBB does.
  local try planted="SUMMARY: ThreadSanitizer: data race .*tsan_canary.cpp"
  for try in 1 2 3; do
    "${tsan_env[@]}" build-tsan/tests/tsan_canary >/dev/null 2>build-tsan/canary.log || true
    grep -q "$planted" build-tsan/canary.log && break
  done
  if ! grep -q "$planted" build-tsan/canary.log; then
    cat build-tsan/canary.log
    echo "test.sh: TSan did not report the planted race in tests/sanitizers/tsan_canary.cpp" >&2
    return 1
  fi
  rm -rf "$reports" && mkdir -p "$reports"
  # halt_on_error makes test_engine exit 66 at the first report; the report is in $reports, so
  # print it before giving the exit code back (set -e would stop here, the report unseen).
  local status=0
  "${tsan_env[@]}" TSAN_OPTIONS="$options:halt_on_error=1:log_path=$reports/tsan" \
    build-tsan/tests/test_engine || status=$?
  no_sanitizer_reports "$reports" && return "$status"
}

# The fuzzer prints its findings itself (and saves the input); see tests/fuzz/README.md.
fuzz_experiment_loader() {
  bash tests/fuzz/run.sh build-fuzz "${TARIFFSIM_FUZZ_SECONDS:-60}" "${BUILD_DIR:-build}/tools/tariffsim"
}

bash tools/setup.sh
stage "format check (clang-format 14)" bash tools/lint.sh
stage "Release build and suite" release_suite
if [ "${TARIFFSIM_TEST_SANITIZERS:-1}" = 0 ]; then
  echo "test.sh: TARIFFSIM_TEST_SANITIZERS=0: sanitizer and fuzzing stages skipped"
  exit 0
fi
stage "ASan + UBSan build and suite" asan_suite
stage "TSan engine and runner tests" tsan_engine_tests
stage "fuzzing the experiment loader (ASan + UBSan)" fuzz_experiment_loader
