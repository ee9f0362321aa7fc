#!/usr/bin/env bash
# Installs what is missing, builds, runs the default experiment and prints what it shows.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh
bash tools/build.sh
OUT=results/quickstart.h5
# --force: the demo may be run again, and replaces its own earlier result.
./build/tools/tariffsim run experiments/quickstart.toml -o "$OUT" --force
echo
/usr/bin/python3 tools/python/summarize.py "$OUT"
echo
echo "result file: $(pwd)/$OUT"
echo "open it in Python: import tariffsim; df = tariffsim.open('$OUT').results()   (tools/python; R: tools/R/tariffsim)"
