#!/usr/bin/env bash
# A Slurm job array for one tariffsim experiment: every task computes one shard (tariffsim reads
# SLURM_ARRAY_TASK_ID/COUNT), and a dependent job merges the shards into the file a single run
# would have written. A task that was killed or timed out is simply resubmitted: --resume
# continues its shard file.
#
#   tools/slurm/array.sh experiments/bs_variance.toml 32       # 32 shards
set -euo pipefail
EXP=${1:?usage: array.sh EXPERIMENT.toml N_SHARDS [extra sbatch options]}
N=${2:?usage: array.sh EXPERIMENT.toml N_SHARDS}
shift 2
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${TARIFFSIM:-$ROOT/build/tools/tariffsim}
OUT=$("$BIN" validate "$EXP" | sed -n 's/^  output //p')
STEM=${OUT%.h5}
CPUS=${CPUS_PER_TASK:-4}

# Slurm does not create the directory of --output, and results/ is not in a fresh clone.
mkdir -p "$(dirname "$OUT")"
# A task resumes its shard file if it has one; any other failure of --resume stops the task
# instead of silently starting the shard over.
TASK_FILE="${STEM}.shard-\${SLURM_ARRAY_TASK_ID}-of-$N.h5"
array=$(sbatch --parsable --array=0-$((N - 1)) --cpus-per-task="$CPUS" "$@" \
  --job-name=tariffsim --output="${STEM}.shard-%a.log" \
  --wrap "if [ -f $TASK_FILE ]; then '$BIN' run '$EXP' --threads $CPUS --no-progress --resume; else '$BIN' run '$EXP' --threads $CPUS --no-progress; fi")
sbatch --dependency=afterok:"$array" --job-name=tariffsim-merge --output="${STEM}.merge.log" \
  --wrap "'$BIN' merge '$OUT' ${STEM}.shard-*-of-$N.h5"
echo "submitted array $array ($N shards) and its merge -> $OUT"
