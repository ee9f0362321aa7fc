#!/usr/bin/env bash
# run_all.sh: builds (Release) and runs every benchmark in tools/bench, then prints one table of the
# headline figures beside their targets. Figures only: nothing here fails on a slow result.
#
# usage: tools/bench/run_all.sh [--quick] [--no-build] [--threads N]
#   BUILD_DIR   build directory (default: build, relative to the repository root)
#   PYTHON      interpreter with numpy for numpy_paths.py (default: /usr/bin/python3)
#   --quick     small sizes (bench_paths/numpy --quick, a 10^5-point RSS grid): ~20 s, for checking
#               that everything runs, not for figures
#   --no-build  use the binaries already in BUILD_DIR
#   --threads N the thread count compared with 1 in bench_paths and used by bench_rss (default 2)
# Full run: about a minute on 2 cores after the build, half of it the 10^6-point tariffsim run.
# Logs go to $BUILD_DIR/bench/.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
build="${BUILD_DIR:-build}"
[[ "$build" = /* ]] || build="$root/$build"
python="${PYTHON:-/usr/bin/python3}"
quick=0 do_build=1 threads=2
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) quick=1; shift ;;
    --no-build) do_build=0; shift ;;
    --threads) threads="$2"; shift 2 ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "run_all.sh: unknown option $1" >&2; exit 2 ;;
  esac
done

if [[ $do_build -eq 1 ]]; then
  echo "== build (Release) in $build"
  cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DTARIFFSIM_BUILD_BENCH=ON >/dev/null
  cmake --build "$build" -j "$(nproc)" --target tariffsim bench_paths bench_rng
fi
logs="$build/bench"
mkdir -p "$logs"
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"

if [[ $quick -eq 1 ]]; then
  size_args=(--quick) rss_args=(--n-delta 1000 --n-sd 100)
else
  size_args=() rss_args=()
fi

echo
echo "== bench_paths"
"$build/tools/bench/bench_paths" "${size_args[@]}" --threads "$threads" | tee "$logs/bench_paths.txt" \
  | grep -v '^RESULT '
vbar="$(awk '$2 == "lognormal.vbar" {print $3}' "$logs/bench_paths.txt")"

echo
echo "== bench_rng"
"$build/tools/bench/bench_rng" | tee "$logs/bench_rng.txt" | grep -v '^RESULT '

echo
echo "== numpy_paths.py (OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset for this run only)"
env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 \
  "$python" "$here/numpy_paths.py" --vbar "$vbar" "${size_args[@]}" --cpp-output "$logs/bench_paths.txt" \
  | tee "$logs/numpy_paths.txt" | grep -v '^RESULT '

echo
echo "== bench_rss.sh"
BUILD_DIR="$build" bash "$here/bench_rss.sh" --threads "$threads" "${rss_args[@]}" | tee "$logs/bench_rss.txt" \
  | grep -v '^RESULT '

# ---- the table
get() { awk -v k="$2" '$1 == "RESULT" && $2 == k {print $3}' "$logs/$1.txt"; }
cpp=$(get bench_paths lognormal.single_msps)
cpp_cpu=$(get bench_paths lognormal.single_msps_cpu)
busy=$(get bench_paths lognormal.tbbN_cores_busy)
efficiency=$(get bench_paths lognormal.cpu_efficiency)
np=$(get numpy_paths numpy.msps)
np_cpu=$(get numpy_paths numpy.msps_cpu)
speedup=$(get bench_paths lognormal.speedup)
rss=$(get bench_rss rss.mb)
points=$(get bench_rss rss.points)
base_rss=$(get bench_rss rss.base_mb)
base_points=$(get bench_rss rss.base_points)
ratio=$(awk -v a="$cpp" -v b="$np" 'BEGIN {printf "%.2f", a / b}')
ratio_cpu=$(awk -v a="$cpp_cpu" -v b="$np_cpu" 'BEGIN {printf "%.2f", a / b}')
verdict() { awk -v x="$1" -v t="$3" -v op="$2" 'BEGIN {
  ok = (op == ">=") ? (x >= t) : (x < t); print ok ? "met" : "NOT met" }'; }

echo
echo "== summary ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) hardware threads, load average before/after:" \
  "$load_before / $(cut -d' ' -f1-3 /proc/loadavg))"
[[ $quick -eq 1 ]] && echo "   (--quick sizes: for checking the scripts, not for figures)"
printf '  %-44s %12s   %-10s %s\n' "figure" "measured" "target" ""
printf '  %-44s %12.1f   %-10s %s\n' "C++ simulate_path, 1 core (M sector-periods/s)" "$cpp" ">= 150" "$(verdict "$cpp" ">=" 150)"
printf '  %-44s %12.1f   %-10s\n' "  same, per CPU-second (info)" "$cpp_cpu" ""
printf '  %-44s %12.1f   %-10s\n' "NumPy, 1 core (M sector-periods/s)" "$np" ""
printf '  %-44s %12.1f   %-10s\n' "  same, per CPU-second (info)" "$np_cpu" ""
printf '  %-44s %11.2fx   %-10s %s\n' "C++ / NumPy" "$ratio" ">= 2.5x" "$(verdict "$ratio" ">=" 2.5)"
printf '  %-44s %11.2fx   %-10s\n' "  same, per CPU-second (info)" "$ratio_cpu" ""
printf '  %-44s %11.2fx   %-10s %s\n' "speedup, $threads threads vs 1 (tbb::parallel_for)" "$speedup" ">= 1.8x" "$(verdict "$speedup" ">=" 1.8)"
printf '  %-44s %12.2f   %-10s\n' "  cores busy during the $threads-thread run (info)" "$busy" "$threads"
printf '  %-44s %12.2f   %-10s\n' "  per CPU-second, $threads threads / 1 (info)" "$efficiency" "~1"
printf '  %-44s %12.2f   %-10s\n' "Philox uniform, engine (ns; info)" "$(get bench_rng rng.engine_ns)" ""
printf '  %-44s %11.2fx   %-10s\n' "  Random123 scalar / engine (info)" "$(get bench_rng rng.ratio)" ""
printf '  %-44s %12.1f   %-10s %s\n' "peak RSS, $points points (MB)" "$rss" "< 300" "$(verdict "$rss" "<" 300)"
printf '  %-44s %12.1f   %-10s\n' "peak RSS, $base_points points (MB, baseline)" "$base_rss" ""
echo "  (figures are best of 3 for throughput; logs with every run and statistic: $logs/)"
