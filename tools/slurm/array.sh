#!/usr/bin/env bash
# A Slurm job array for one tariffsim experiment and the merge that follows it. Run it where you
# would run sbatch; it submits itself twice: as an array whose task ID computes shard ID of N
# (`tariffsim run EXP --shard ID/N --resume`: continue or start the shard), and as a merge job
# that starts when every task has ended, however it ended (afterany).
#
#   tools/slurm/array.sh EXPERIMENT.toml N [--array=IDS] [--throttle=K] [sbatch options...]
#   tools/slurm/array.sh experiments/bs_variance.toml 32 --account=econ --time=12:00:00
#
# --array=IDS   the tasks (= shard indices) to submit, as sbatch writes them: 1,3 or 0-7,12
#               (default 0-(N-1)); a failed, killed or timed-out task is resubmitted by its id
# --throttle=K  at most K tasks run at once (sbatch's --array=IDS%K; default 32)
# Every other option goes to sbatch for the array and the merge alike (--account, --partition,
# --time, --mem, ...); --cpus-per-task sets each task's threads (default 4; the merge takes 1).
#
# The merge job checks every shard file first. If any is missing or incomplete it merges nothing,
# lists them, prints the exact command that resubmits those tasks and a new merge, and exits 1.
# Paths (the experiment, its output, the logs beside the output) are relative to the directory
# you submit from. TARIFFSIM overrides the binary (default build/tools/tariffsim of this tree).
#
#SBATCH --job-name=tariffsim
#SBATCH --cpus-per-task=4
# Slurm sends SIGUSR1 two minutes before the wall time: tariffsim then stops at a batch boundary
# with every finished point written, and the resubmitted task continues from there.
#SBATCH --signal=B:USR1@120
set -euo pipefail

DEFAULT_THROTTLE=32

fail() {
  echo "array.sh: $*" >&2
  exit 2
}

# The experiment's output file, as tariffsim resolves it (validate also rejects a bad experiment
# here, with exit 2, before anything is submitted).
output_of() {  # BIN EXP
  "$1" validate "$2" | sed -n 's/^  output //p'
}

# Checks IDS in sbatch's list syntax, each id a shard index below N.
check_ids() {  # IDS N
  [[ $1 =~ ^[0-9]+(-[0-9]+)?(,[0-9]+(-[0-9]+)?)*$ ]] ||
    fail "--array=$1: expected task ids such as 0-31, 1,3 or 0-7,12"
  local id
  for id in ${1//[,-]/ }; do
    ((10#$id < $2)) || fail "--array=$1: task $id is not a shard of $2 (shards 0 to $(($2 - 1)))"
  done
}

submit() {  # EXP N [OPTIONS...]
  [ $# -ge 2 ] ||
    fail "usage: array.sh EXPERIMENT.toml N [--array=IDS] [--throttle=K] [sbatch options...]"
  local exp=$1 n=$2
  shift 2
  [[ $n =~ ^[1-9][0-9]*$ ]] ||
    fail "N: expected the number of shards (a whole number >= 1), got '$n'"
  local ids="0-$((n - 1))" throttle=$DEFAULT_THROTTLE arg
  local -a sbatch_opts=() repeat=()  # repeat: what a resubmission passes again (all but --array)
  for arg in "$@"; do
    case $arg in
      --array=*) ids=${arg#--array=} ;;
      --throttle=*) throttle=${arg#--throttle=} repeat+=("$arg") ;;
      -a* | --array) fail "write the tasks as --array=IDS (got '$arg')" ;;
      *) sbatch_opts+=("$arg") repeat+=("$arg") ;;
    esac
  done
  check_ids "$ids" "$n"
  [[ $throttle =~ ^[1-9][0-9]*$ ]] || fail "--throttle=$throttle: expected a whole number >= 1"

  local root bin out stem array merge
  root=$(cd "$(dirname "$0")/../.." && pwd)
  bin=${TARIFFSIM:-$root/build/tools/tariffsim}
  out=$(output_of "$bin" "$exp")
  stem=${out%.h5}
  # Slurm does not create the directory of --output, and results/ is not in a fresh clone.
  mkdir -p "$(dirname "$out")"
  # The resubmission command the merge job prints, as typed here (TARIFFSIM only if it was set).
  local -a again=("$0" "$exp" "$n" "${repeat[@]}")
  [ -z "${TARIFFSIM:-}" ] || again=(env "TARIFFSIM=$TARIFFSIM" "${again[@]}")
  # Slurm runs a copy of the script from its spool folder, so the jobs get the binary's path.
  array=$(sbatch --parsable --array="$ids%$throttle" --output="$stem.shard-%a.log" \
    "${sbatch_opts[@]}" "$root/tools/slurm/array.sh" --task "$bin" "$exp" "$n")
  array=${array%%;*}
  # Options for the array come first so that the merge's own (one CPU, afterany) win.
  merge=$(sbatch --parsable "${sbatch_opts[@]}" --job-name=tariffsim-merge --cpus-per-task=1 \
    --dependency=afterany:"$array" --output="$stem.merge.log" \
    "$root/tools/slurm/array.sh" --merge "$bin" "$exp" "$n" "${again[@]}")
  echo "submitted array $array (tasks $ids of $n shards, at most $throttle at once) and merge" \
    "${merge%%;*} -> $out"
}

run_task() {  # BIN EXP N
  local bin=$1 exp=$2 n=$3 out
  local id=${SLURM_ARRAY_TASK_ID:?array.sh --task runs as a task of a Slurm job array}
  out=$(output_of "$bin" "$exp")
  # Always --resume: it continues the shard file of an earlier try, or starts the shard where there
  # is none; a file it cannot continue stops the task instead of silently starting over.
  # exec: Slurm's signal (B:USR1) goes to the batch shell only, which is then tariffsim itself.
  exec "$bin" run "$exp" --shard "$id/$n" --threads "${SLURM_CPUS_PER_TASK:-1}" --no-progress \
    --resume
}

# Nothing when shard I of N is complete in FILE; otherwise what is wrong, and status 1.
shard_problem() {  # BIN FILE I N
  [ -f "$2" ] || { echo "missing" && return 1; }
  local info line
  info=$("$1" info "$2" 2>&1) || { echo "unreadable: ${info##*$'\n'}" && return 1; }
  line=$(grep -m1 '^  shard ' <<<"$info" || true)
  [[ $line != "  shard $3/$4: COMPLETE:"* ]] || return 0
  if [[ $line == "  shard $3/$4: "* ]]; then echo "incomplete: ${line#*INCOMPLETE: }"; else
    echo "not shard $3/$4 (${line:-a whole run})"; fi
  return 1
}

# Ascending ids -> sbatch's list syntax with runs as ranges: 0 1 2 5 -> 0-2,5.
id_list() {  # IDS...
  local list="" start=$1 prev=$1 id
  shift
  for id in "$@" ""; do
    if [ -n "$id" ] && ((id == prev + 1)); then prev=$id && continue; fi
    list+="${list:+,}$start"
    if ((prev > start)); then list+="-$prev"; fi
    start=$id prev=$id
  done
  echo "$list"
}

# Words as a shell command to copy: quoted only where the shell needs it (printf %q would also
# escape the commas of 1,3).
shell_words() {  # WORDS...
  local word out=""
  for word in "$@"; do
    [[ $word =~ ^[A-Za-z0-9_./=:,+@%-]+$ ]] || word=$(printf '%q' "$word")
    out+="${out:+ }$word"
  done
  echo "$out"
}

merge_shards() {  # BIN EXP N RESUBMIT_COMMAND...
  local bin=$1 exp=$2 n=$3 out i file problem
  shift 3
  out=$(output_of "$bin" "$exp")
  local -a files=() redo=() report=()
  for ((i = 0; i < n; i++)); do
    file="${out%.h5}.shard-$i-of-$n.h5"
    files+=("$file")
    if ! problem=$(shard_problem "$bin" "$file" "$i" "$n"); then
      redo+=("$i") report+=("  $file: $problem")
    fi
  done
  if [ ${#redo[@]} -gt 0 ]; then
    {
      echo "array.sh: ${#redo[@]} of $n shards are missing or incomplete, so nothing was merged:"
      printf '%s\n' "${report[@]}"
      echo "resubmit those tasks and a new merge (from $PWD) with:"
      echo "  $(shell_words "$@" "--array=$(id_list "${redo[@]}")")"
    } >&2
    exit 1
  fi
  # The merge job shares the script's --signal=B:USR1@120, meant for the shards' clean stop;
  # merge has no such stop, so it ignores the warning and uses its time to the end.
  trap '' USR1
  exec "$bin" merge "$out" "${files[@]}"
}

case ${1:-} in
  --task) shift && run_task "$@" ;;
  --merge) shift && merge_shards "$@" ;;
  *) submit "$@" ;;
esac
