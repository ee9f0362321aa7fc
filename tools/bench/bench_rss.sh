#!/usr/bin/env bash
# bench_rss.sh: peak resident memory and wall time of `tariffsim run` on a large deterministic grid
# of the bagwell_staiger model (replications = 1, periods = 1, lognormal Vf; axes delta x sd) or of
# the deremer model (--model deremer: 70 point-level outputs; axes gM x gE), compared with the same
# experiment on a small grid run just before it, and the output file's bytes per point.
# DESIGN.md §5 promises memory bounded by in-flight work, not by the grid size, so the ratio should
# stay near 1 however large the grid.
#
# usage: tools/bench/bench_rss.sh [--model bagwell_staiger|deremer] [--n-delta N] [--n-sd N]
#                                 [--base-n-delta N] [--base-n-sd N] [--threads N]
#                                 [--tariffsim PATH] [--keep]
#   defaults: bagwell_staiger, 1000 x 1000 = 10^6 points against a 1000 x 1 = 10^3-point
#             baseline, 2 threads, tariffsim from ${BUILD_DIR:-build}/tools/tariffsim.
#   (--n-delta and --n-sd size the first and second axis whatever the model.)
# Peak RSS comes from /usr/bin/time -v when it exists, else from Python's
# resource.getrusage(RUSAGE_CHILDREN).ru_maxrss; wall time from the clock around the run.
# Lines starting with "RESULT " are for scripts (run_all.sh).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
build="${BUILD_DIR:-build}"
[[ "$build" = /* ]] || build="$root/$build"
tariffsim="$build/tools/tariffsim"
n_delta=1000 n_sd=1000 base_n_delta=1000 base_n_sd=1 threads=2 keep=0 model=bagwell_staiger
while [[ $# -gt 0 ]]; do
  case "$1" in
    --model) model="$2"; shift 2 ;;
    --n-delta) n_delta="$2"; shift 2 ;;
    --n-sd) n_sd="$2"; shift 2 ;;
    --base-n-delta) base_n_delta="$2"; shift 2 ;;
    --base-n-sd) base_n_sd="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    --tariffsim) tariffsim="$2"; shift 2 ;;
    --keep) keep=1; shift ;;
    -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
    *) echo "bench_rss.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
[[ -x "$tariffsim" ]] || { echo "bench_rss.sh: no tariffsim at $tariffsim (build it, or pass --tariffsim)" >&2; exit 1; }

tmp="$(mktemp -d "${TMPDIR:-/tmp}/tariffsim_bench_rss.XXXXXX")"
if [[ $keep -eq 0 ]]; then trap 'rm -rf "$tmp"' EXIT; else echo "keeping $tmp"; fi

# The model's fixed parameters and its two grid axes (name, range, the baseline's single value).
# deremer: every output point-level, no series kept (n_curve, n_path at their minimum).
# bagwell_staiger: one replication per point, so its replication-level outputs keep their mean
# alone ([output] statistics = []): sd and se would be NaN, n 1 and min = max = the mean.
if [[ "$model" == deremer ]]; then
  params=$'n_curve = 2\nn_path = 2' axis1="gM" range1="1.0, 1.6" axis2="gE" range2="1.0, 1.4" one2="1.1"
  kept=""
else
  params=$'dist = "lognormal"\nmean = 1.0\na = 1.0\nperiods = 1'
  axis1="delta" range1="0.01, 0.98" axis2="sd" range2="0.05, 1.0" one2="0.5"
  kept="statistics = []"
fi

# write_toml FILE N1 N2: the experiment, a cartesian grid of the model's two axes.
write_toml() {
  local second
  if [[ "$3" -eq 1 ]]; then second="[$one2]"; else second="{ linspace = [$range2, $3] }"; fi
  cat > "$1" <<EOF
[experiment]
name = "bench_rss"
model = "$model"
seed = 20261123
replications = 1
description = "bench_rss: memory of a large deterministic grid"

[parameters]
$params

[grid]
$axis1 = { linspace = [$range1, $2] }
$axis2 = $second

[output]
file = "unused.h5"
$kept
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
  out_bytes=$(stat -c %s "$out")
  [[ $keep -eq 1 ]] || rm -f "$out"  # a 10^7-point file is gigabytes: free the disk at once
}

big=$((n_delta * n_sd)) base=$((base_n_delta * base_n_sd))
write_toml "$tmp/base.toml" "$base_n_delta" "$base_n_sd"
write_toml "$tmp/big.toml" "$n_delta" "$n_sd"
if [[ "$model" == deremer ]]; then
  echo "bench_rss: tariffsim run, deremer (70 point-level outputs), --threads $threads"
else
  echo "bench_rss: tariffsim run, bagwell_staiger lognormal, replications = 1, periods = 1, --threads $threads"
fi
measure base "$tmp/base.toml"
base_rss=$rss_kb base_wall=$wall_s
printf '  %9d points: peak RSS %8.1f MB, wall %7.2f s, output %5d MB\n' "$base" "$(awk -v k="$rss_kb" 'BEGIN{print k/1024}')" "$wall_s" "$out_mb"
measure big "$tmp/big.toml"
printf '  %9d points: peak RSS %8.1f MB, wall %7.2f s, output %5d MB  (%.0f points/s)\n' "$big" \
  "$(awk -v k="$rss_kb" 'BEGIN{print k/1024}')" "$wall_s" "$out_mb" "$(awk -v n="$big" -v t="$wall_s" 'BEGIN{print n/t}')"
ratio=$(awk -v a="$rss_kb" -v b="$base_rss" 'BEGIN{printf "%.2f", a/b}')
echo "  RSS ratio ${big} / ${base} points: ${ratio}x   (peak RSS measured with $method)"
bytes_per_point=$(awk -v b="$out_bytes" -v n="$big" 'BEGIN{printf "%.0f", b/n}')
echo "  output file: ${bytes_per_point} bytes per point"
echo
echo "RESULT rss.base_points $base"
echo "RESULT rss.base_mb $(awk -v k="$base_rss" 'BEGIN{printf "%.1f", k/1024}')"
echo "RESULT rss.base_wall_s $base_wall"
echo "RESULT rss.points $big"
echo "RESULT rss.mb $(awk -v k="$rss_kb" 'BEGIN{printf "%.1f", k/1024}')"
echo "RESULT rss.wall_s $wall_s"
echo "RESULT rss.ratio $ratio"
echo "RESULT rss.bytes_per_point $bytes_per_point"
echo "RESULT rss.pps $(awk -v n="$big" -v t="$wall_s" 'BEGIN{printf "%.0f", n/t}')"
