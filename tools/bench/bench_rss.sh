#!/usr/bin/env bash
# bench_rss.sh: peak resident memory and wall time of `tariffsim run` on a large deterministic grid
# of the bagwell_staiger model (replications = 1, periods = 1, lognormal Vf), compared with the same
# experiment on a small grid run just before it. DESIGN.md §5 promises memory bounded by in-flight
# work, not by the grid size, so the ratio should stay near 1 however large the grid.
#
# usage: tools/bench/bench_rss.sh [--n-delta N] [--n-sd N] [--base-n-delta N] [--base-n-sd N]
#                                 [--threads N] [--tariffsim PATH] [--keep]
#   defaults: 1000 x 1000 = 10^6 points against a 1000 x 1 = 10^3-point baseline, 2 threads,
#             tariffsim from ${BUILD_DIR:-build}/tools/tariffsim.
# Peak RSS comes from /usr/bin/time -v when it exists, else from Python's
# resource.getrusage(RUSAGE_CHILDREN).ru_maxrss; wall time from the clock around the run.
# Lines starting with "RESULT " are for scripts (run_all.sh).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
build="${BUILD_DIR:-build}"
[[ "$build" = /* ]] || build="$root/$build"
tariffsim="$build/tools/tariffsim"
n_delta=1000 n_sd=1000 base_n_delta=1000 base_n_sd=1 threads=2 keep=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --n-delta) n_delta="$2"; shift 2 ;;
    --n-sd) n_sd="$2"; shift 2 ;;
    --base-n-delta) base_n_delta="$2"; shift 2 ;;
    --base-n-sd) base_n_sd="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    --tariffsim) tariffsim="$2"; shift 2 ;;
    --keep) keep=1; shift ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "bench_rss.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
[[ -x "$tariffsim" ]] || { echo "bench_rss.sh: no tariffsim at $tariffsim (build it, or pass --tariffsim)" >&2; exit 1; }

tmp="$(mktemp -d "${TMPDIR:-/tmp}/tariffsim_bench_rss.XXXXXX")"
if [[ $keep -eq 0 ]]; then trap 'rm -rf "$tmp"' EXIT; else echo "keeping $tmp"; fi

# write_toml FILE N_DELTA N_SD: the experiment, a cartesian grid of delta x sd.
write_toml() {
  local sd_axis
  if [[ "$3" -eq 1 ]]; then sd_axis="[0.5]"; else sd_axis="{ linspace = [0.05, 1.0, $3] }"; fi
  cat > "$1" <<EOF
[experiment]
name = "bench_rss"
model = "bagwell_staiger"
seed = 20261123
replications = 1
description = "bench_rss: memory of a large deterministic grid"

[parameters]
dist = "lognormal"
mean = 1.0
a = 1.0
periods = 1

[grid]
delta = { linspace = [0.01, 0.98, $2] }
sd = $sd_axis

[output]
file = "unused.h5"
EOF
}

have_time_v=0  # BENCH_RSS_NO_TIME=1 forces the getrusage fallback (to check it)
if [[ -z "${BENCH_RSS_NO_TIME:-}" && -x /usr/bin/time ]] && /usr/bin/time -v true >/dev/null 2>&1; then have_time_v=1; fi

# measure LABEL TOML: runs tariffsim, sets rss_kb and wall_s.
measure() {
  local label="$1" toml="$2" out="$tmp/$1.h5" log="$tmp/$1.log" t0 t1
  t0=$(date +%s.%N)
  if [[ $have_time_v -eq 1 ]]; then
    /usr/bin/time -v -o "$tmp/$label.time" "$tariffsim" run "$toml" -o "$out" --threads "$threads" \
      >"$log" 2>&1 || { echo "tariffsim failed ($label):"; tail -20 "$log"; exit 1; }
    rss_kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$tmp/$label.time")
    method="/usr/bin/time -v"
  else
    rss_kb=$(python3 - "$tariffsim" run "$toml" -o "$out" --threads "$threads" 3>"$log" <<'EOF'
import os, resource, subprocess, sys
with os.fdopen(3, "w") as log:
    rc = subprocess.run(sys.argv[1:], stdout=log, stderr=subprocess.STDOUT).returncode
if rc != 0:
    sys.exit(rc)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)  # kB on Linux
EOF
    ) || { echo "tariffsim failed ($label):"; tail -20 "$log"; exit 1; }
    method="getrusage(RUSAGE_CHILDREN)"
  fi
  t1=$(date +%s.%N)
  wall_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.2f", b - a}')
  out_mb=$(du -m "$out" | cut -f1)
}

big=$((n_delta * n_sd)) base=$((base_n_delta * base_n_sd))
write_toml "$tmp/base.toml" "$base_n_delta" "$base_n_sd"
write_toml "$tmp/big.toml" "$n_delta" "$n_sd"
echo "bench_rss: tariffsim run, bagwell_staiger lognormal, replications = 1, periods = 1, --threads $threads"
measure base "$tmp/base.toml"
base_rss=$rss_kb base_wall=$wall_s
printf '  %9d points: peak RSS %8.1f MB, wall %7.2f s, output %5d MB\n' "$base" "$(awk -v k="$rss_kb" 'BEGIN{print k/1024}')" "$wall_s" "$out_mb"
measure big "$tmp/big.toml"
printf '  %9d points: peak RSS %8.1f MB, wall %7.2f s, output %5d MB  (%.0f points/s)\n' "$big" \
  "$(awk -v k="$rss_kb" 'BEGIN{print k/1024}')" "$wall_s" "$out_mb" "$(awk -v n="$big" -v t="$wall_s" 'BEGIN{print n/t}')"
ratio=$(awk -v a="$rss_kb" -v b="$base_rss" 'BEGIN{printf "%.2f", a/b}')
echo "  RSS ratio ${big} / ${base} points: ${ratio}x   (peak RSS measured with $method)"
echo
echo "RESULT rss.base_points $base"
echo "RESULT rss.base_mb $(awk -v k="$base_rss" 'BEGIN{printf "%.1f", k/1024}')"
echo "RESULT rss.base_wall_s $base_wall"
echo "RESULT rss.points $big"
echo "RESULT rss.mb $(awk -v k="$rss_kb" 'BEGIN{printf "%.1f", k/1024}')"
echo "RESULT rss.wall_s $wall_s"
echo "RESULT rss.ratio $ratio"
