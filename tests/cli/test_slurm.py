"""Slurm: `--shard slurm/N` takes the shard index from SLURM_ARRAY_TASK_ID, and only on request:
an array task that runs tariffsim without --shard is not sharded."""
import os
import subprocess

import h5py

from common import check, parse_args, run, same_content, scale_single_run

SLURM_VARS = ("SLURM_ARRAY_TASK_ID", "SLURM_ARRAY_TASK_MIN", "SLURM_ARRAY_TASK_COUNT")


def run_env(binary, *args, cwd=None, **slurm):
    env = {k: v for k, v in os.environ.items() if k not in SLURM_VARS}
    env.update(slurm)
    return subprocess.run([binary, *map(str, args)], capture_output=True, text=True, cwd=cwd,
                          env=env)


def check_slurm_shard_option(b, wd, exp, single):
    """--shard slurm/N takes the index from SLURM_ARRAY_TASK_ID; nothing shards implicitly."""
    r = run(b, "run", exp, "-o", wd / "by_hand.h5", "--shard", "2/3", "--no-progress")
    check(r.returncode == 0, "shard 2/3 by hand")
    # A resubmitted task: its id is the index whatever the smallest id submitted with it.
    r = run_env(b, "run", exp, "-o", wd / "by_slurm.h5", "--shard", "slurm/3", "--no-progress",
                SLURM_ARRAY_TASK_ID="2", SLURM_ARRAY_TASK_MIN="2", SLURM_ARRAY_TASK_COUNT="1")
    check(r.returncode == 0, f"--shard slurm/3 in task 2 ({r.stderr.strip()[-200:]})")
    same_content(wd / "by_hand.h5", wd / "by_slurm.h5", "--shard slurm/3 in task 2 = shard 2/3")

    for shard, slurm, expected in (
            ("slurm/3", {}, "SLURM_ARRAY_TASK_ID is not set"),
            ("slurm/3", {"SLURM_ARRAY_TASK_ID": "3"}, "SLURM_ARRAY_TASK_ID=3: expected i/N with"),
            ("slurm/3", {"SLURM_ARRAY_TASK_ID": "x"}, "SLURM_ARRAY_TASK_ID=x: expected i/N"),
            ("slurm/0", {"SLURM_ARRAY_TASK_ID": "0"}, "expected i/N with 0 <= i < N"),
            ("slurm", {"SLURM_ARRAY_TASK_ID": "0"}, "give the number of shards")):
        r = run_env(b, "run", exp, "-o", wd / "never.h5", "--shard", shard, "--no-progress", **slurm)
        check(r.returncode == 2 and expected in r.stderr and not (wd / "never.h5").exists(),
              f"--shard {shard} with {slurm or 'no Slurm variables'}: exit 2, '{expected}' "
              f"({r.stderr.strip()[-200:]})")

    # The variables of an array task that runs tariffsim for another purpose change nothing.
    r = run_env(b, "run", exp, "-o", wd / "in_task.h5", "--no-progress", SLURM_ARRAY_TASK_ID="6",
                SLURM_ARRAY_TASK_MIN="5", SLURM_ARRAY_TASK_COUNT="3")
    check(r.returncode == 0, "a run inside array task 6 (min 5, count 3)")
    same_content(single, wd / "in_task.h5", "a run inside an array task, not sharded")
    with h5py.File(wd / "in_task.h5", "r") as f:
        check(int(f["scale"].attrs["complete"]) == 1, "... and marked complete")


def main():
    args = parse_args()
    b = args.tariffsim
    wd, exp, single = scale_single_run(b)
    check_slurm_shard_option(b, wd, exp, single)


if __name__ == "__main__":
    main()
