#!/usr/bin/env bash
# One MPI job for one tariffsim experiment: rank 0 hands out batches of points and writes the one
# result file; every other rank computes with its own cores. The file equals a single-process run's
# to the bit. Rank 0 sleeps while it waits, so it is started beside the workers as one extra rank.
# A job that was killed or timed out is simply resubmitted: --resume continues its file.
#
#   sbatch --nodes=4 --ntasks-per-node=1 --cpus-per-task=32 tools/slurm/mpi.sh experiments/bs_variance.toml
#SBATCH --job-name=tariffsim-mpi
#SBATCH --signal=B:USR1@120
set -euo pipefail
EXP=${1:?usage: sbatch [options] mpi.sh EXPERIMENT.toml}
ROOT=${SLURM_SUBMIT_DIR:-$(pwd)}
BIN=${TARIFFSIM:-$ROOT/build/tools/tariffsim}
RANKS=$((${SLURM_NTASKS:-1} + 1))
THREADS=${SLURM_CPUS_PER_TASK:-1}
# --bind-to none: Open MPI would otherwise pin each rank, and all its threads, to one core.
OUT=$("$BIN" validate "$EXP" | sed -n 's/^  output //p')
mkdir -p "$(dirname "$OUT")"
# Resubmitted, it continues the file; the first time, --resume starts the run.
# exec: a signal to the batch shell (#SBATCH --signal=B:USR1@120) reaches mpirun, which passes
# SIGUSR1 on to the ranks; rank 0 then writes what is in flight and the job can be resubmitted.
exec mpirun -n "$RANKS" --oversubscribe --bind-to none "$BIN" run "$EXP" --threads "$THREADS" \
  --no-progress --resume
