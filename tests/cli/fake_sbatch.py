#!/usr/bin/python3
"""A stand-in for Slurm's sbatch, for test_slurm.py: it records each submission and runs the job
at once, in the submitting directory. A job array runs its tasks one after another in id order,
each with SLURM_ARRAY_TASK_ID set; a dependent job is submitted after the jobs it waits for, so
running it at submission keeps the order (afterany: whatever their exit codes).

Like Slurm, it reads the #SBATCH header of the script (the command line wins), runs a copy of the
script from a spool folder (so a script cannot find its tree from its own path), and writes each
task's output to --output with %a, %A and %j filled in.

Environment:
  FAKE_SBATCH_LOG         JSON lines, one per submission: argv, options, job id, and per task the
                          exit code and the pid of the batch process
  FAKE_SBATCH_FAIL_TASKS  task ids that never start (a node lost before the task began): 1,3
  FAKE_SBATCH_CUT_TASKS   task ids whose shard file loses its last `done` bit after the task: the
                          state a kill leaves when the last batch's points were not yet marked done
"""
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

FLAGS = {"--parsable"}
WITH_VALUE = {"--wrap"}


def parse(argv):
    """sbatch's argv -> (options, script, script args); options as {name: value} in order."""
    options, i = {}, 0
    while i < len(argv) and argv[i].startswith("-"):
        name, eq, value = argv[i].partition("=")
        if not eq and name in WITH_VALUE:
            i, value = i + 1, argv[i + 1]
        options[name] = value if (eq or name in WITH_VALUE) else True
        i += 1
    return options, argv[i:i + 1], argv[i + 1:]


def header_options(script):
    """The #SBATCH lines before the first command, as sbatch reads them."""
    options = {}
    for line in Path(script).read_text().splitlines()[1:]:
        if line.startswith("#SBATCH "):
            name, _, value = line.split(None, 1)[1].partition("=")
            options[name] = value
        elif line.strip() and not line.startswith("#"):
            break
    return options


def array_ids(spec):
    """'1,3-5%2' -> [1, 3, 4, 5]."""
    ids = []
    for part in spec.split("%")[0].split(","):
        first, _, last = part.partition("-")
        ids += range(int(first), int(last or first) + 1)
    return sorted(ids)


def next_job_id(log):
    counter = Path(str(log) + ".next")
    job = int(counter.read_text()) if counter.exists() else 1000
    counter.write_text(str(job + 1))
    return job


def id_set(name):
    return {int(x) for x in os.environ.get(name, "").split(",") if x}


def cut_last_done_bit(task_log):
    """Clears the last `done` bit of the shard file the task's log names."""
    import h5py
    import numpy as np
    for word in Path(task_log).read_text().split():
        if word.endswith(".h5:"):
            with h5py.File(word[:-1], "r+") as f:
                done = f[next(iter(f))]["status/done"]
                bits = done[()]
                bits[np.flatnonzero(bits)[-1]] = 0
                done[...] = bits
            return
    raise SystemExit(f"fake sbatch: no shard file named in {task_log}")


def run_job(command, env, output):
    """Runs the job's batch process; returns (exit code, pid): Slurm's B: signals go to that pid."""
    Path(output).parent.mkdir(parents=True, exist_ok=True)
    with open(output, "w") as out:
        proc = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
        return proc.wait(), proc.pid


def job_command(options, script, args, job, spool):
    if "--wrap" in options:
        return ["/bin/sh", "-c", options["--wrap"]]
    copy = spool / f"job{job}" / "slurm_script"
    copy.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(script[0], copy)
    copy.chmod(0o755)
    return [str(copy), *args]


def base_env(options, job):
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLURM_")}
    env.update(SLURM_JOB_ID=str(job), SLURM_SUBMIT_DIR=os.getcwd())
    if "--cpus-per-task" in options:
        env["SLURM_CPUS_PER_TASK"] = options["--cpus-per-task"]
    return env


def main():
    log = Path(os.environ["FAKE_SBATCH_LOG"])
    options, script, args = parse(sys.argv[1:])
    if script:
        options = {**header_options(script[0]), **options}
    job = next_job_id(log)
    command = job_command(options, script, args, job, log.parent / "spool")
    output = options.get("--output", "slurm-%j.out")
    exits, pids = {}, {}
    if "--array" in options:
        ids = array_ids(options["--array"])
        for task in ids:
            if task in id_set("FAKE_SBATCH_FAIL_TASKS"):
                continue
            env = base_env(options, job + 1 + task)
            env.update(SLURM_ARRAY_JOB_ID=str(job), SLURM_ARRAY_TASK_ID=str(task),
                       SLURM_ARRAY_TASK_MIN=str(ids[0]), SLURM_ARRAY_TASK_MAX=str(ids[-1]),
                       SLURM_ARRAY_TASK_COUNT=str(len(ids)))
            task_log = output.replace("%a", str(task)).replace("%A", str(job))
            exits[task], pids[task] = run_job(command, env, task_log.replace("%j", str(job)))
            if task in id_set("FAKE_SBATCH_CUT_TASKS"):
                cut_last_done_bit(task_log)
    else:
        exits[None], pids[None] = run_job(command, base_env(options, job),
                                          output.replace("%j", str(job)))
    with open(log, "a") as f:
        f.write(json.dumps({"argv": sys.argv[1:], "options": options, "args": args, "job": job,
                            "exits": {str(k): v for k, v in exits.items()},
                            "pids": {str(k): v for k, v in pids.items()}}) + "\n")
    print(job if "--parsable" in options else f"Submitted batch job {job}")


if __name__ == "__main__":
    main()
