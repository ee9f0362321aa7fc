#!/usr/bin/env bash
# bench_allocs.sh: heap allocations per point of `tariffsim run` (issue: "no allocation per point
# on the hot path"). Counts malloc calls with a small LD_PRELOAD shim, compiled here with the
# system's cc, on two grids of one model that differ only in size, and prints
# (mallocs of the large run - mallocs of the small run) / (the points between them): what each
# further point costs, start-up and per-file work cancelled. Per-batch allocations (the writer's
# HDF5 calls, a batch's vectors) still show, as about 350 / 4,096 points.
#
# usage: tools/bench/bench_allocs.sh [--tariffsim PATH] [--threads N]
#   models: deremer (gM x gE, its 68 point-level outputs), customs_union (point-level outputs
#   only: no replication run), bagwell_staiger (every output: one replication of a one-period
#   path per point); 10^5 and 10^6 points each.
# Lines starting with "RESULT " are for scripts.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
build="${BUILD_DIR:-build}"
[[ "$build" = /* ]] || build="$root/$build"
tariffsim="$build/tools/tariffsim"
threads=2
while [[ $# -gt 0 ]]; do
  case "$1" in
    --tariffsim) tariffsim="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "bench_allocs.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
[[ -x "$tariffsim" ]] || { echo "bench_allocs.sh: no tariffsim at $tariffsim (build it, or pass --tariffsim)" >&2; exit 1; }
tmp="$(mktemp -d "${TMPDIR:-/tmp}/tariffsim_bench_allocs.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT

# The shim: counts every malloc (relaxed atomic: threads call it at once) and prints the count
# when the process exits.
cat > "$tmp/count.c" <<'EOF'
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
static atomic_ulong calls;
static void* (*real_malloc)(size_t);
void* malloc(size_t size) {
  if (!real_malloc) real_malloc = (void* (*)(size_t))dlsym(RTLD_NEXT, "malloc");
  atomic_fetch_add_explicit(&calls, 1, memory_order_relaxed);
  return real_malloc(size);
}
__attribute__((destructor)) static void report(void) {
  fprintf(stderr, "MALLOC_CALLS %lu\n", (unsigned long)atomic_load(&calls));
}
EOF
cc -O2 -shared -fPIC -o "$tmp/count.so" "$tmp/count.c" -ldl

# write_toml FILE MODEL N: the model's grid of 1000 x N points.
write_toml() {
  local params axes metrics=""
  case "$2" in
    deremer)
      params=$'n_curve = 2\nn_path = 2'
      axes="gM = { linspace = [1.0, 1.6, 1000] }"$'\n'"gE = { linspace = [1.0, 1.4, $3] }" ;;
    customs_union)
      params="L = 1"
      axes="alpha_i = { linspace = [0.0, 0.5, 1000] }"$'\n'"alpha_j = { linspace = [0.0, 0.5, $3] }"
      metrics="metrics = [$("$tariffsim" describe customs_union | awk '$2 == "point" {printf "%s\"%s\"", sep, $1; sep = ", "}')]" ;;
    bagwell_staiger)
      params=$'dist = "lognormal"\nmean = 1.0\nperiods = 1'
      axes="delta = { linspace = [0.01, 0.98, 1000] }"$'\n'"sd = { linspace = [0.05, 1.0, $3] }" ;;
  esac
  printf '[experiment]\nname = "bench_allocs"\nmodel = "%s"\nseed = 1\nreplications = 1\n\n[parameters]\n%s\n\n[grid]\n%s\n\n[output]\nfile = "unused.h5"\n%s\n' \
    "$2" "$params" "$axes" "$metrics" > "$1"
}

# mallocs MODEL N: malloc calls of a run of 1000 x N points.
mallocs() {
  write_toml "$tmp/$1_$2.toml" "$1" "$2"
  LD_PRELOAD="$tmp/count.so" "$tariffsim" run "$tmp/$1_$2.toml" -o "$tmp/$1_$2.h5" \
    --threads "$threads" --no-progress 2>&1 | awk '/^MALLOC_CALLS/ {print $2}'
  rm -f "$tmp/$1_$2.h5"
}

echo "bench_allocs: malloc calls per point of tariffsim run, $threads threads (10^6 - 10^5 points)"
for model in deremer customs_union bagwell_staiger; do
  small=$(mallocs "$model" 100)
  large=$(mallocs "$model" 1000)
  per_point=$(awk -v s="$small" -v l="$large" 'BEGIN {printf "%.3f", (l - s) / 900000}')
  printf '  %-16s %9s calls at 10^5 points, %9s at 10^6: %s per point\n' "$model" "$small" "$large" "$per_point"
  echo "RESULT allocs.$model.per_point $per_point"
done
