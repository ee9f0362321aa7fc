"""Slurm: `--shard slurm/N` shards only on request, and tools/slurm/array.sh, driven through a
fake sbatch (fake_sbatch.py) that runs every job at once, gives the file a single run writes, lists
missing or incomplete shards with the exact command that resubmits them, and passes sbatch options
to both of its jobs."""
import json
import os
import shlex
import shutil
import subprocess
from pathlib import Path

import h5py

from common import (SCALE_EXPERIMENT, check, parse_args, run, same_content, single_run,
                    workdir, write)

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
    info = run(b, "info", wd / "by_slurm.h5").stdout
    check("shard 2/3: COMPLETE: 8/8 points of the shard done" in info,
          "info says the shard's own points are all done (what array.sh's merge checks)")

    for shard, slurm, expected in (
            ("slurm/3", {}, "SLURM_ARRAY_TASK_ID is not set"),
            ("slurm/3", {"SLURM_ARRAY_TASK_ID": "3"}, "SLURM_ARRAY_TASK_ID=3: expected i/N with"),
            ("slurm/3", {"SLURM_ARRAY_TASK_ID": "x"}, "SLURM_ARRAY_TASK_ID=x: expected i/N"),
            ("slurm/0", {"SLURM_ARRAY_TASK_ID": "0"}, "expected i/N with 0 <= i < N"),
            ("slurm", {"SLURM_ARRAY_TASK_ID": "0"}, "give the number of shards")):
        r = run_env(b, "run", exp, "-o", wd / "never.h5", "--shard", shard, "--no-progress",
                    **slurm)
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


class Cluster:
    """A submit directory with the fake sbatch first on PATH."""

    def __init__(self, args, name):
        self.b, self.source = args.tariffsim, Path(args.source)
        self.dir = workdir() / name
        (self.dir / "bin").mkdir(parents=True)
        shutil.copy(Path(__file__).with_name("fake_sbatch.py"), self.dir / "bin" / "sbatch")
        (self.dir / "bin" / "sbatch").chmod(0o755)
        write(self.dir / "scale.toml", SCALE_EXPERIMENT)
        self.log = self.dir / "sbatch.jsonl"
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("SLURM_")}
        self.env.update(PATH=f"{self.dir / 'bin'}:{os.environ['PATH']}", TARIFFSIM=self.b,
                        FAKE_SBATCH_LOG=str(self.log))
        self.results = self.dir / "results"

    def shell(self, command, **env):
        return subprocess.run(["bash", "-c", command], cwd=self.dir, env={**self.env, **env},
                              capture_output=True, text=True)

    def array(self, *options, **env):
        script = self.source / "tools" / "slurm" / "array.sh"
        return self.shell(shlex.join([str(script), "scale.toml", *options]), **env)

    def submissions(self):
        if not self.log.exists():
            return []
        return [json.loads(line) for line in self.log.read_text().splitlines()]

    def resubmit_command(self):
        """The command the merge job printed (the line after '... with:')."""
        lines = (self.results / "scale.merge.log").read_text().splitlines()
        return lines[[i for i, line in enumerate(lines) if line.endswith(" with:")][0] + 1].strip()


def check_full_array(args, single):
    c = Cluster(args, "full")
    r = c.array("4", "--account=econ", "--partition=short", "--cpus-per-task=2", "--throttle=3")
    check(r.returncode == 0 and "submitted array" in r.stdout,
          f"array.sh submits ({r.stdout.strip()} {r.stderr.strip()[-300:]})")
    subs = c.submissions()
    check(len(subs) == 2, f"two submissions: the array and the merge ({len(subs)})")
    array, merge = subs
    check(array["options"].get("--array") == "0-3%3", f"tasks 0-3, 3 at once "
                                                     f"({array['options'].get('--array')})")
    check(array["options"].get("--signal") == "B:USR1@120",
          "the job script's header asks for SIGUSR1 two minutes before the wall time")
    for job, label in ((array, "array"), (merge, "merge")):
        check(job["options"].get("--account") == "econ" and
              job["options"].get("--partition") == "short", f"--account and --partition reach the "
                                                            f"{label} job")
    check(merge["options"].get("--dependency") == f"afterany:{array['job']}",
          f"the merge waits for the array whatever its exit codes ({merge['options']})")
    check(merge["options"].get("--cpus-per-task") == "1", "the merge takes one CPU")
    check(array["exits"] == {str(i): 0 for i in range(4)} and merge["exits"] == {"None": 0},
          f"every task and the merge exit 0 ({array['exits']}, {merge['exits']})")
    for i in range(4):
        log = (c.results / f"scale.shard-{i}.log").read_text()
        check(f"shard {i}/4" in log, f"task {i} computed shard {i}/4")
    same_content(single, c.results / "scale.h5", "array of 4 shards merged")


def check_failed_tasks_resubmitted(args, single):
    """Task 1 never starts and task 3 loses its last point: the merge names both and prints the
    command that resubmits exactly them; running it gives the single run's file."""
    c = Cluster(args, "failed")
    r = c.array("4", "--account=econ", "--cpus-per-task=2", FAKE_SBATCH_FAIL_TASKS="1",
                FAKE_SBATCH_CUT_TASKS="3")
    check(r.returncode == 0, f"array.sh submits ({r.stderr.strip()[-300:]})")
    merge = c.submissions()[1]
    report = (c.results / "scale.merge.log").read_text()
    print(report)
    check(merge["exits"]["None"] != 0 and not (c.results / "scale.h5").exists(),
          "the merge job exits non-zero and writes nothing")
    check("2 of 4 shards are missing or incomplete" in report and
          "results/scale.shard-1-of-4.h5: missing" in report and
          "results/scale.shard-3-of-4.h5: incomplete: 5/6 points of the shard done" in report,
          "the merge job names the missing and the incomplete shard")
    command = c.resubmit_command()
    expected = shlex.join(["env", f"TARIFFSIM={c.b}", str(c.source / "tools/slurm/array.sh"),
                           "scale.toml", "4", "--account=econ", "--cpus-per-task=2", "--array=1,3"])
    check(command == expected, f"the exact resubmission command: {command}")
    r = c.shell(command)
    check(r.returncode == 0, f"the printed command resubmits ({r.stderr.strip()[-300:]})")
    array, merge = c.submissions()[2:]
    check(array["options"].get("--array") == "1,3%32" and list(array["exits"]) == ["1", "3"],
          f"only tasks 1 and 3 run again ({array['options'].get('--array')})")
    check(merge["exits"]["None"] == 0, "the new merge exits 0")
    same_content(single, c.results / "scale.h5", "tasks 1 and 3 resubmitted, then merged")


def check_one_task_resubmitted(args, single):
    c = Cluster(args, "one_failed")
    check(c.array("3", "--cpus-per-task=1", FAKE_SBATCH_FAIL_TASKS="2").returncode == 0,
          "array.sh submits 3 tasks")
    command = c.resubmit_command()
    check(command.endswith(" 3 --cpus-per-task=1 --array=2"), f"resubmit task 2 by id: {command}")
    check(c.shell(command).returncode == 0, "the printed command resubmits")
    check(c.submissions()[2]["options"].get("--array") == "2%32", "only task 2 runs again")
    same_content(single, c.results / "scale.h5", "task 2 resubmitted alone, then merged")
    # Resubmitting a task whose shard is complete resumes it and computes nothing.
    r = c.array("3", "--array=0")
    log = (c.results / "scale.shard-0.log").read_text()
    check(r.returncode == 0 and "scale.shard-0-of-3.h5: 0 of 24 points" in log,
          f"a complete shard's task resubmitted computes nothing ({log.strip()[-200:]})")


def check_signal_reaches_tariffsim(args, single):
    """Slurm's --signal=B:USR1 goes to the batch process only, so that process must be tariffsim:
    a stand-in binary records its pid when asked to run, and the fake sbatch the batch's pid."""
    c = Cluster(args, "signal")
    stand_in = write(c.dir / "bin" / "tariffsim", f"""#!/bin/sh
[ "$1" = run ] && echo $$ >> {c.dir / 'run_pids'}
exec {shlex.quote(c.b)} "$@"
""")
    stand_in.chmod(0o755)
    r = c.array("2", "--cpus-per-task=1", TARIFFSIM=str(stand_in))
    check(r.returncode == 0, f"array.sh with a stand-in binary ({r.stderr.strip()[-200:]})")
    batch_pids = sorted(c.submissions()[0]["pids"].values())
    run_pids = sorted(int(x) for x in (c.dir / "run_pids").read_text().split())
    check(run_pids == batch_pids, f"each task's batch process is tariffsim run itself (pids "
                                  f"{run_pids} = {batch_pids}), so SIGUSR1 reaches it")
    same_content(single, c.results / "scale.h5", "array of 2 shards through the stand-in")


def check_bad_submissions(args):
    c = Cluster(args, "bad")
    for options, expected in ((["4", "--array=4"], "task 4 is not a shard of 4"),
                              (["4", "--array=0-2:2"], "expected task ids"),
                              (["0"], "expected the number of shards"),
                              (["4", "--throttle=0"], "--throttle=0: expected"),
                              (["4", "-a", "1"], "write the tasks as --array=IDS")):
        r = c.array(*options)
        check(r.returncode == 2 and expected in r.stderr and not c.submissions(),
              f"array.sh {' '.join(options)}: exit 2, nothing submitted ({r.stderr.strip()})")
    r = c.shell(shlex.join([str(c.source / "tools/slurm/array.sh"), "missing.toml", "4"]))
    check(r.returncode == 2 and "missing.toml" in r.stderr and not c.submissions(),
          f"a missing experiment: exit 2 naming it ({r.stderr.strip()[-200:]})")


def check_array_without_shard(args, single):
    c = Cluster(args, "plain")
    r = c.shell(shlex.join(["sbatch", "--array=1", "--wrap",
                            f"{c.b} run scale.toml -o whole.h5 --no-progress"]))
    check(r.returncode == 0 and c.submissions()[0]["exits"] == {"1": 0},
          "an array job that runs tariffsim without --shard")
    check(not list(c.dir.rglob("*shard*")), "it writes no shard file")
    same_content(single, c.dir / "whole.h5", "an array task's run without --shard")


def main():
    args = parse_args()
    b = args.tariffsim
    wd, exp, single = single_run(b)
    check_slurm_shard_option(b, wd, exp, single)
    check_full_array(args, single)
    check_failed_tasks_resubmitted(args, single)
    check_one_task_resubmitted(args, single)
    check_signal_reaches_tariffsim(args, single)
    check_bad_submissions(args)
    check_array_without_shard(args, single)


if __name__ == "__main__":
    main()
