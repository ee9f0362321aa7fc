#!/usr/bin/env bash
# Runs every experiment in experiments/ (each paper's figures, tables and propositions), writes a
# report of each (`tariffsim report`) and one index page linking them, with each run's wall time.
#
#   tools/reproduce.sh [OUT_DIR]        # default results/reproduce; open OUT_DIR/index.html
#
# TARIFFSIM=path picks the binary (default build/tools/tariffsim, built first if missing; from a
# clean clone run tools/setup.sh once). An experiment that fails is marked so in the index and
# the script exits with 1 after the others ran.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-results/reproduce}
BIN=${TARIFFSIM:-build/tools/tariffsim}
[ -x "$BIN" ] || BUILD_TARGETS=tariffsim bash tools/build.sh
mkdir -p "$OUT"
TIMES="$OUT/times.tsv"
: > "$TIMES"
failed=0

# Seconds since a `date +%s%N` stamp, to 0.1 s (integer arithmetic: no bc on a minimal Debian).
elapsed() {
  local tenths=$((($(date +%s%N) - $1) / 100000000))
  echo "$((tenths / 10)).$((tenths % 10))"
}

start=$(date +%s%N)
for toml in experiments/*.toml; do
  name=$(basename "$toml" .toml)
  t0=$(date +%s%N)
  status=ok
  # --force: a rerun replaces its own earlier results.
  if ! "$BIN" run "$toml" -o "$OUT/$name.h5" --force --no-progress -q; then
    status="run failed"
  elif ! "$BIN" report "$OUT/$name.h5" -o "$OUT/$name.html" > /dev/null; then
    status="report failed"
  fi
  seconds=$(elapsed "$t0")
  printf '%s\t%s\t%s\n' "$name" "$seconds" "$status" >> "$TIMES"
  printf '%-28s %8s s  %s\n' "$name" "$seconds" "$status"
  [ "$status" = ok ] || failed=1
done
total=$(elapsed "$start")
PYTHONPATH="$PWD/tools/python${PYTHONPATH:+:$PYTHONPATH}" \
  /usr/bin/python3 -m tariffsim.index "$OUT" --total "$total"
echo "all experiments in $total s; open $OUT/index.html"
exit $failed
