#!/usr/bin/env bash
# bench_panels.sh: the Bown–Crowley pipeline on the paper-sized panel (13,900 sectors x 10 periods,
# simulate + probit with clustered errors), C++ (bench_panels) against NumPy + statsmodels
# (numpy_panels.py, one core) in the same run, in alternating rounds, with the median ratio; then
# the peak memory of `tariffsim run` on such panels with 1 and 2 threads. Figures only.
#
# usage: tools/bench/bench_panels.sh [--rounds 3] [--seconds 5] [--no-build]
#   BUILD_DIR  build directory (default: build)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
build="${BUILD_DIR:-build}"
[[ "$build" = /* ]] || build="$root/$build"
rounds=3 seconds=5 do_build=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rounds) rounds="$2"; shift 2 ;;
    --seconds) seconds="$2"; shift 2 ;;
    --no-build) do_build=0; shift ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) echo "bench_panels.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
if [[ $do_build -eq 1 ]]; then
  cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DTARIFFSIM_BUILD_BENCH=ON >/dev/null
  cmake --build "$build" -j "$(nproc)" --target tariffsim bench_panels >/dev/null
fi
logs="$build/bench"
mkdir -p "$logs"
: > "$logs/panels_rounds.txt"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for ((r = 1; r <= rounds; ++r)); do
  py_fixed=$(/usr/bin/python3 "$here/numpy_panels.py" --seconds "$seconds" --json | tail -1)
  cpp=$("$build/tools/bench/bench_panels" --seconds "$seconds")
  py_resample=$(/usr/bin/python3 "$here/numpy_panels.py" --seconds "$seconds" --resample --json | tail -1)
  echo "$cpp" | grep -v '^RESULT '
  /usr/bin/python3 - "$py_fixed" "$py_resample" "$cpp" <<'PY' | tee -a "$logs/panels_rounds.txt"
import json, sys
fixed, resample = json.loads(sys.argv[1]), json.loads(sys.argv[2])
cpp = {l.split()[1]: float(l.split()[2]) for l in sys.argv[3].splitlines() if l.startswith("RESULT ")}
print(f"round: numpy {fixed['panels_per_s']:.2f} / {resample['panels_per_s']:.2f} panels/s "
      f"(fixed / resample); C++ {cpp['fixed_panels_per_s']:.1f} / {cpp['resample_panels_per_s']:.1f}; "
      f"ratio {cpp['fixed_panels_per_s'] / fixed['panels_per_s']:.1f} / "
      f"{cpp['resample_panels_per_s'] / resample['panels_per_s']:.1f}; speedup {cpp['speedup']:.2f}; "
      f"probit share {cpp['fixed_probit_share']:.2f} / {cpp['resample_probit_share']:.2f}")
PY
done
# Peak memory: one replication in flight per thread, whatever the replication count.
exp="$logs/panels_rss.toml"
cat > "$exp" <<'TOML'
[experiment]
name = "panels_rss"
model = "bown_crowley"
seed = 1
replications = 32
block_size = 4
[parameters]
sectors = 13900
TOML
for t in 1 2; do
  rm -f "$logs/panels_rss.h5"
  /usr/bin/time -f "%M" -o "$logs/rss_$t.txt" "$build/tools/tariffsim" run "$exp" \
    -o "$logs/panels_rss.h5" --threads "$t" --no-progress >/dev/null 2>&1
  echo "peak RSS, tariffsim run, 13,900 x 10 panels on $t thread(s): $(( $(cat "$logs/rss_$t.txt") / 1024 )) MB"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
/usr/bin/python3 - "$logs/panels_rounds.txt" <<'PY'
import re, statistics, sys
rows = [list(map(float, re.findall(r"ratio ([\d.]+) / ([\d.]+)", l)[0])) +
        [float(re.findall(r"speedup ([\d.]+)", l)[0])] for l in open(sys.argv[1])]
med = [statistics.median(c) for c in zip(*rows)]
print(f"median over {len(rows)} rounds: C++/NumPy {med[0]:.1f}x (sectors fixed, target >= 25), "
      f"{med[1]:.1f}x (resampled, target >= 5); 2-thread speedup {med[2]:.2f} (target >= 1.8)")
PY
