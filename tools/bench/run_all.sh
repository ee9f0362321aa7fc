#!/usr/bin/env bash
# run_all.sh: builds (Release) and runs every benchmark in tools/bench, then prints one table of the
# headline figures beside their targets. Figures only: nothing here fails on a slow result.
#
# usage: tools/bench/run_all.sh [--quick] [--no-build] [--threads N]
#   BUILD_DIR   build directory (default: build, relative to the repository root)
#   PYTHON      interpreter with numpy for numpy_paths.py (default: /usr/bin/python3)
#   --quick     small sizes (bench_paths/numpy --quick, 10^5-point engine and RSS grids): about a
#               minute, for checking that everything runs, not for figures
#   --no-build  use the binaries already in BUILD_DIR
#   --threads N the thread count compared with 1 in bench_paths and used by bench_engine and
#               bench_rss (default 2)
# Full run: about 10 minutes on 2 cores after the build, most of it the 10^7-point bagwell_staiger
# and 10^6-point deremer `tariffsim run`s of bench_rss.sh (their files, ~7 GB and ~0.7 GB in
# format v2, go to $TMPDIR and are removed at once) and bench_engine's three deremer runs.
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
  cmake --build "$build" -j "$(nproc)" --target tariffsim bench_paths bench_rng bench_engine bench_search bench_sensitivity
fi
logs="$build/bench"
mkdir -p "$logs"
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"

if [[ $quick -eq 1 ]]; then
  size_args=(--quick) rss_args=(--n-delta 1000 --n-sd 100) rss_big_args=(--n-delta 1000 --n-sd 100)
  rss_deremer_args=(--n-delta 300 --n-sd 100) engine_args=(--n1 100) engine_small_args=(--n1 100)
  vbar_args=(--quick)
else
  size_args=() rss_args=() rss_big_args=(--n-delta 10000 --n-sd 1000)
  rss_deremer_args=(--n-delta 1000 --n-sd 1000) engine_args=() engine_small_args=(--n2 200)
  vbar_args=()
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
echo "== bench_search"
"$build/tools/bench/bench_search" | tee "$logs/bench_search.txt" | grep -v '^RESULT '

echo
echo "== numpy_paths.py (OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset for this run only)"
env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 \
  "$python" "$here/numpy_paths.py" --vbar "$vbar" "${size_args[@]}" --cpp-output "$logs/bench_paths.txt" \
  | tee "$logs/numpy_paths.txt" | grep -v '^RESULT '

echo
echo "== bench_rss.sh"
BUILD_DIR="$build" bash "$here/bench_rss.sh" --threads "$threads" "${rss_args[@]}" | tee "$logs/bench_rss.txt" \
  | grep -v '^RESULT '
echo
echo "== bench_rss.sh, bagwell_staiger, the large grid"
BUILD_DIR="$build" bash "$here/bench_rss.sh" --threads "$threads" "${rss_big_args[@]}" \
  | tee "$logs/bench_rss_big.txt" | grep -v '^RESULT '
echo
echo "== bench_rss.sh --model deremer"
BUILD_DIR="$build" bash "$here/bench_rss.sh" --model deremer --threads "$threads" "${rss_deremer_args[@]}" \
  | tee "$logs/bench_rss_deremer.txt" | grep -v '^RESULT '

echo
echo "== bench_allocs.sh"
BUILD_DIR="$build" bash "$here/bench_allocs.sh" --threads "$threads" | tee "$logs/bench_allocs.txt" \
  | grep -v '^RESULT '

# The engine's overhead and throughput: deremer on the full 10^6-point grid (the overhead
# figure), customs_union and bagwell_staiger on 2 x 10^5 points (throughputs), and the NumPy V-bar
# baseline on the same 2 x 10^5 bagwell_staiger points.
for model in deremer customs_union bagwell_staiger; do
  echo
  echo "== bench_engine --model $model"
  if [[ $model == deremer ]]; then args=("${engine_args[@]}"); else args=("${engine_small_args[@]}"); fi
  "$build/tools/bench/bench_engine" --model "$model" --threads "$threads" "${args[@]}" \
    | tee "$logs/bench_engine_$model.txt" | grep -v '^RESULT '
done
echo
echo "== numpy_vbar.py"
env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$python" "$here/numpy_vbar.py" "${vbar_args[@]}" \
  | tee "$logs/numpy_vbar.txt" | grep -v '^RESULT '

echo
echo "== bench_sensitivity"
"$build/tools/bench/bench_sensitivity" --threads "$threads" \
  | tee "$logs/bench_sensitivity.txt" | grep -v '^RESULT '

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
engine() { get "bench_engine_$1" "$1.$2"; }
# The rows of bench_engine, bench_rss's large grids and numpy_vbar.
engine_rows() {
  local over bs_core np_vbar ratio_vbar rss_big rss_d
  over=$(engine deremer command_over_bare)
  printf '  %-44s %11.2fx   %-10s %s\n' "deremer, tariffsim run / bare loop" "$over" "<= 2x" "$(verdict "$over" "<=" 2)"
  printf '  %-44s %11.2fx   %-10s\n' "  the same in-process, warm (info)" "$(engine deremer run_over_bare)" ""
  printf '  %-44s %11.2fx   %-10s\n' "  engine without writer / bare loop (info)" "$(engine deremer compute_over_bare)" ""
  for m in deremer customs_union bagwell_staiger; do
    local target=1000000; [[ $m == bagwell_staiger ]] && target=600000
    local pps; pps=$(engine "$m" run_pps)
    printf '  %-44s %12.0f   %-10s %s\n' "$m, run, $threads threads (points/s)" "$pps" ">= $target" "$(verdict "$pps" ">=" "$target")"
    printf '  %-44s %12.0f   %-10s\n' "  engine without writer (info)" "$(engine "$m" compute_pps)" ""
    printf '  %-44s %12.2f   %-10s\n' "  writer's share of the run (info)" "$(engine "$m" writer_share)" ""
  done
  np_vbar=$(get numpy_vbar numpy_vbar.pps)
  bs_core=$(awk -v a="$(engine bagwell_staiger run_pps)" -v t="$threads" 'BEGIN {printf "%.0f", a / t}')
  ratio_vbar=$(awk -v a="$bs_core" -v b="$np_vbar" 'BEGIN {printf "%.2f", a / b}')
  printf '  %-44s %12.0f   %-10s\n' "NumPy V-bar bisection, 1 core (points/s)" "$np_vbar" ""
  printf '  %-44s %11.2fx   %-10s %s\n' "bagwell_staiger run per core / NumPy" "$ratio_vbar" ">= 1.3x" "$(verdict "$ratio_vbar" ">=" 1.3)"
  printf '  %-44s %11.2fx   %-10s\n' "  same, per CPU-second (info)" \
    "$(awk -v a="$(engine bagwell_staiger run_pps_cpu)" -v b="$(get numpy_vbar numpy_vbar.pps_cpu)" 'BEGIN {printf "%.2f", a / b}')" ""
  printf '  %-44s %11.2fx   %-10s\n' "  engine without writer, per CPU-second (info)" \
    "$(awk -v a="$(engine bagwell_staiger compute_pps_cpu)" -v b="$(get numpy_vbar numpy_vbar.pps_cpu)" 'BEGIN {printf "%.2f", a / b}')" ""
  rss_big=$(get bench_rss_big rss.mb) rss_d=$(get bench_rss_deremer rss.mb)
  printf '  %-44s %12.1f   %-10s %s\n' "peak RSS, bagwell $(get bench_rss_big rss.points) points (MB)" "$rss_big" "< 300" "$(verdict "$rss_big" "<" 300)"
  printf '  %-44s %12.0f   %-10s\n' "  file bytes per point (info)" "$(get bench_rss_big rss.bytes_per_point)" ""
  printf '  %-44s %12.1f   %-10s %s\n' "peak RSS, deremer $(get bench_rss_deremer rss.points) points (MB)" "$rss_d" "< 300" "$(verdict "$rss_d" "<" 300)"
  printf '  %-44s %12.0f   %-10s\n' "  file bytes per point (info)" "$(get bench_rss_deremer rss.bytes_per_point)" ""
}
verdict() { awk -v x="$1" -v t="$3" -v op="$2" 'BEGIN {
  ok = (op == ">=") ? (x >= t) : (op == "<=") ? (x <= t) : (x < t); print ok ? "met" : "NOT met" }'; }

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
for c in vbar_over_delta free_trade_over_delta p_protect_over_sd; do
  r=$(get bench_search "search.$c.evaluation_ratio")
  printf '  %-44s %11.2fx   %-10s %s\n' "[search] evaluations / Boost TOMS 748, $c" "$r" "<= 1.5x" "$(verdict "$r" "<=" 1.5)"
done
printf '  %-44s %11.2fx   %-10s\n' "  Random123 scalar / engine (info)" "$(get bench_rng rng.ratio)" ""
printf '  %-44s %12.1f   %-10s %s\n' "peak RSS, $points points (MB)" "$rss" "< 300" "$(verdict "$rss" "<" 300)"
printf '  %-44s %12.1f   %-10s\n' "peak RSS, $base_points points (MB, baseline)" "$base_rss" ""
engine_rows
sobol=$(get bench_sensitivity sensitivity.run_s)
printf '  %-44s %12.2f   %-10s %s\n' "Sobol, 4 inputs, n = 4096, $threads threads (s)" "$sobol" "< 5" "$(verdict "$sobol" "<" 5)"
printf '  %-44s %11.2fx   %-10s\n' "  / plain run of the same points (info)" "$(get bench_sensitivity sensitivity.ratio)" ""
echo "  (figures are best of 3 for throughput; logs with every run and statistic: $logs/)"
