"""Runs that survive anything (issue 13, items 1-3): a run killed at any moment, including while
its file is being created, resumes to the file an uninterrupted run writes, to the bit; SIGTERM,
SIGINT and SIGUSR1 stop a run cleanly with one line and exit 128 + n, a second signal at once;
`run` and `merge` never overwrite a file unless --force, and --force replaces it only with a
complete layout.

Moments are chosen with the engine's test hook TARIFFSIM_TEST_SIGNAL_AT (result_file.cpp,
FORMAT.md), so no check depends on the machine's speed. The sweep of external kills spreads its
moments over a measured run; every moment must resume bitwise, whichever it lands on."""
import hashlib
import os
import re
import shlex
import signal
import subprocess
import time

import h5py

from common import (SCALE_EXPERIMENT, SLOW_EXPERIMENT, check, parse_args, run, same_content,
                    single_run, wait_until_done, write)

POINTS = 24   # SCALE_EXPERIMENT's design
BATCHES = 8   # on one thread: 3 points a batch (runner.cpp batch_points)
STOP_LINE = re.compile(r"stopped by (SIG\w+): (\d+) of (\d+) points done in (\S+); "
                       r"continue with: (.*)$")


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def leftovers(path):
    return sorted(p.name for p in path.parent.glob(path.name + ".tmp-*"))


def run_with(b, args, env_extra=None):
    env = dict(os.environ, **(env_extra or {}))
    return subprocess.run([b, *map(str, args)], capture_output=True, text=True, env=env)


def done_points(path):
    with h5py.File(path, "r") as f:
        return int(f["scale/status/done"][()].sum())


def resume_and_compare(b, exp, out, ref, label):
    r = run(b, "run", exp, "-o", out, "--resume", "--threads", 2, "--no-progress")
    ok = r.returncode == 0
    if ok:
        same_content(ref, out, label)
    check(ok, f"{label}: --resume finishes ({r.stderr.strip()[-300:]})")
    check(not leftovers(out), f"{label}: no temporary file is left ({leftovers(out)})")
    return r


def killed_at_stages(b, wd, exp, ref):
    """SIGKILL at every stage of creating and writing the file, then --resume."""
    moments = ["before-create", "after-temp-create", "before-rename", "after-rename"]
    for k in (0, 1, BATCHES // 2, BATCHES - 1):
        moments += [f"batch-partial:{k}", f"batch-data:{k}", f"batch-done:{k}"]
    moments.append("before-complete")
    for n, moment in enumerate(moments):
        out = wd / f"staged{n}.h5"
        r = run_with(b, ["run", exp, "-o", out, "--threads", 1, "--no-progress"],
                     {"TARIFFSIM_TEST_SIGNAL_AT": moment})
        check(r.returncode == -signal.SIGKILL, f"killed at {moment} (exit {r.returncode})")
        creating = moment in ("before-create", "after-temp-create", "before-rename")
        check(out.exists() != creating,
              f"{moment}: the file's name {'is absent' if creating else 'holds the layout'}")
        r = resume_and_compare(b, exp, out, ref, f"killed at {moment}, resumed")
        if creating:
            check("starting the run" in r.stderr and r.stderr.count("--resume: no file") == 1,
                  f"{moment}: --resume says in one line that it starts the run")
    # A resume killed in its turn resumes too.
    out = wd / "twice.h5"
    run_with(b, ["run", exp, "-o", out, "--threads", 1, "--no-progress"],
             {"TARIFFSIM_TEST_SIGNAL_AT": "batch-data:2"})
    r = run_with(b, ["run", exp, "-o", out, "--resume", "--threads", 1, "--no-progress"],
                 {"TARIFFSIM_TEST_SIGNAL_AT": "batch-partial:1"})
    check(r.returncode == -signal.SIGKILL, "the resume is killed in its turn")
    resume_and_compare(b, exp, out, ref, "killed twice, resumed")
    print(f"trials: killed at {len(moments) + 1} named moments, all resumed bitwise")


def killed_from_outside(b, wd, exp, ref, moments):
    """Real SIGKILLs spread evenly over the span of an uninterrupted run, from start-up on."""
    started = time.monotonic()
    check(run(b, "run", exp, "-o", wd / "timed.h5", "--threads", 1, "--no-progress")
          .returncode == 0, "a timed run")
    span = time.monotonic() - started
    ok = 0
    for n in range(moments):
        out = wd / f"external{n}.h5"
        proc = subprocess.Popen([b, "run", str(exp), "-o", str(out), "--threads", "1",
                                 "--no-progress"], stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        time.sleep(span * n / moments)
        proc.kill()
        proc.wait()
        r = run(b, "run", exp, "-o", out, "--resume", "--threads", 2, "--no-progress")
        if r.returncode == 0 and not leftovers(out):
            same_content(ref, out, f"external kill {n} at {span * n / moments:.3f} s, resumed")
            ok += 1
        else:
            check(False, f"external kill {n}: --resume failed ({r.stderr.strip()[-300:]})")
    print(f"trials: {ok}/{moments} external kills over {span:.2f} s resumed bitwise")


def stop_line(stderr):
    lines = [line for line in stderr.splitlines() if "stopped by" in line]
    return lines, (STOP_LINE.search(lines[0]) if len(lines) == 1 else None)


def stopped_by_signals(b, wd, exp, ref):
    """Each stop signal: exit 128 + n, one line, and its command resumes to the same file."""
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGUSR1):
        out = wd / f"stopped_{sig.name}.h5"
        r = run_with(b, ["run", exp, "-o", out, "--threads", 1, "--no-progress"],
                     {"TARIFFSIM_TEST_SIGNAL_AT": f"batch-done:1 {int(sig)}"})
        check(r.returncode == 128 + sig, f"{sig.name}: exit {128 + sig} (got {r.returncode})")
        lines, m = stop_line(r.stderr)
        check(m is not None, f"{sig.name}: one line says the run stopped ({lines})")
        done = done_points(out)
        check(m.group(1) == sig.name and int(m.group(2)) == done and 6 <= done < POINTS and
              int(m.group(3)) == POINTS and m.group(4) == str(out),
              f"{sig.name}: the line names the signal, the {done} points done and the file")
        with h5py.File(out, "r") as f:
            check(int(f["scale"].attrs["complete"]) == 0, f"{sig.name}: the file is not complete")
        again = subprocess.run(shlex.split(m.group(5)), capture_output=True, text=True)
        check(again.returncode == 0, f"{sig.name}: the printed command resumes "
                                     f"({m.group(5)}; {again.stderr.strip()[-200:]})")
        same_content(ref, out, f"{sig.name}: stopped and resumed")

    # A real SIGTERM from outside, while a slow run computes.
    slow = write(wd / "slow.toml", SLOW_EXPERIMENT)
    out = wd / "slow_stopped.h5"
    proc = subprocess.Popen([b, "run", str(slow), "-o", str(out), "--threads", "1",
                             "--no-progress"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True)
    wait_until_done(proc, b, out, 8, timeout=120)
    proc.send_signal(signal.SIGTERM)
    stderr = proc.communicate(timeout=120)[1]
    lines, m = stop_line(stderr)
    check(proc.returncode == 143 and m is not None and int(m.group(2)) < 64,
          f"an external SIGTERM stops the slow run: exit 143, one line ({lines})")

    # A second signal stops at once: the hook raises SIGTERM after batch 1, then waits.
    out = wd / "second.h5"
    env = dict(os.environ, TARIFFSIM_TEST_SIGNAL_AT="batch-done:1 15 wait")
    proc = subprocess.Popen([b, "run", str(exp), "-o", str(out), "--threads", "1",
                             "--no-progress"], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    # It waits after 2 batches of 3 points, so this is where the poll stops.
    check(wait_until_done(proc, b, out, 6, timeout=120) == 6, "the run waits after 2 batches")
    proc.send_signal(signal.SIGINT)
    try:
        stderr = proc.communicate(timeout=60)[1]
    except subprocess.TimeoutExpired:
        proc.kill()
        stderr = proc.communicate()[1]
    check(proc.returncode == 128 + signal.SIGINT and "stopped by" not in stderr,
          f"a second signal ends the run at once with exit 130 (got {proc.returncode})")
    resume_and_compare(b, exp, out, ref, "second signal, resumed")

    # A signal once every point is written ends a finished run: success, not a stop (a Slurm
    # task that finished must not count as failed).
    out = wd / "late_signal.h5"
    r = run_with(b, ["run", exp, "-o", out, "--no-progress"],
                 {"TARIFFSIM_TEST_SIGNAL_AT": f"before-complete {int(signal.SIGUSR1)}"})
    check(r.returncode == 0 and "stopped by" not in r.stderr,
          f"SIGUSR1 after the last batch: exit 0, no stop line ({r.returncode})")
    same_content(ref, out, "signalled after the last batch")


def never_overwritten(b, wd, exp, ref):
    """run and merge refuse an existing file; --force replaces it only with a complete one."""
    out = wd / "kept.h5"
    check(run(b, "run", exp, "-o", out, "--no-progress").returncode == 0, "a first run")
    before = digest(out)
    r = run(b, "run", exp, "-o", out, "--no-progress")
    check(r.returncode == 2 and "--resume" in r.stderr and "--force" in r.stderr and
          str(out) in r.stderr, f"run onto a complete file: exit 2 naming --resume and --force "
                                f"({r.stderr.strip()[-200:]})")
    check(digest(out) == before, "the complete file is untouched")

    partial = wd / "partial.h5"
    run_with(b, ["run", exp, "-o", partial, "--threads", 1, "--no-progress"],
             {"TARIFFSIM_TEST_SIGNAL_AT": "batch-done:2"})
    partial_before = digest(partial)
    r = run(b, "run", exp, "-o", partial, "--no-progress")
    check(r.returncode == 2 and digest(partial) == partial_before,
          "run onto a partial file: exit 2, the file untouched")
    r = run(b, "run", exp, "-o", partial, "--resume", "--force", "--no-progress")
    check(r.returncode == 2 and digest(partial) == partial_before,
          "--resume with --force is refused, the file untouched")
    # A resume refused after its checks opened the file (another config) leaves every byte,
    # HDF5's open-for-writing flag of a killed file included.
    other_config = write(wd / "other_config.toml",
                         SCALE_EXPERIMENT.replace("seed = 31", "seed = 33"))
    r = run(b, "run", other_config, "-o", partial, "--resume", "--no-progress")
    check(r.returncode == 2 and "--force" in r.stderr and digest(partial) == partial_before,
          f"--resume with another config: exit 2 naming --force, every byte untouched "
          f"({r.stderr.strip()[-160:]})")

    # A forced run killed before its layout is complete leaves the old file as it was.
    for moment in ("after-temp-create", "before-rename"):
        r = run_with(b, ["run", exp, "-o", partial, "--force", "--no-progress"],
                     {"TARIFFSIM_TEST_SIGNAL_AT": moment})
        check(r.returncode == -signal.SIGKILL and digest(partial) == partial_before,
              f"--force killed at {moment}: the old file is untouched")
    other = write(wd / "other.toml", SCALE_EXPERIMENT.replace("seed = 31", "seed = 32"))
    check(run(b, "run", other, "-o", partial, "--force", "--no-progress").returncode == 0 and
          not leftovers(partial), "--force replaces the file")
    with h5py.File(partial, "r") as f:
        check(int(f["scale"].attrs["seed"]) == 32 and int(f["scale"].attrs["complete"]) == 1,
              "the replacement is the new run's complete file")

    shards = []
    for i in range(2):
        shards.append(wd / f"shard{i}.h5")
        check(run(b, "run", exp, "-o", shards[-1], "--shard", f"{i}/2", "--no-progress")
              .returncode == 0, f"shard {i}/2")
    precious = write(wd / "precious.txt", "precious\n")
    for target in (precious, out):
        before = digest(target)
        r = run(b, "merge", target, *shards)
        check(r.returncode == 2 and "--force" in r.stderr and digest(target) == before,
              f"merge onto {target.name}: exit 2 naming --force, the file untouched")
    merged = wd / "merged.h5"
    check(run(b, "merge", merged, *shards).returncode == 0, "merge into a new file")
    same_content(ref, merged, "merged")
    r = run(b, "merge", "--force", precious, *shards)
    check(r.returncode == 0 and not leftovers(precious), "merge --force replaces a file")
    same_content(ref, precious, "merged with --force")
    forced_onto_a_running_run(b, wd, exp, shards)


def forced_onto_a_running_run(b, wd, exp, shards):
    """--force never replaces a file another run is writing: that run's results would be lost."""
    busy = wd / "busy.h5"
    env = dict(os.environ, TARIFFSIM_TEST_SIGNAL_AT=f"batch-done:1 {int(signal.SIGUSR1)} wait")
    proc = subprocess.Popen([b, "run", str(exp), "-o", str(busy), "--threads", "1",
                             "--no-progress"], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        check(wait_until_done(proc, b, busy, 6, timeout=120) == 6, "a run holds its file open")
        before = digest(busy)
        for args in (["merge", "--force", busy, *shards], ["run", exp, "-o", busy, "--force"]):
            r = run(b, *args)
            check(r.returncode == 2 and "open in another process" in r.stderr and
                  digest(busy) == before,
                  f"{args[0]} --force onto a file a run is writing: exit 2, untouched "
                  f"({r.stderr.strip()[-160:]})")
    finally:
        proc.kill()
        proc.wait()


def leftover_temporaries(b, wd, exp, ref):
    """A temporary file left by a killed run is removed, and --resume starts the run."""
    out = wd / "leftover.h5"
    stale = wd / "leftover.h5.tmp-999999"
    stale.write_bytes(b"half a layout")
    r = run(b, "run", exp, "-o", out, "--resume", "--no-progress")
    lines = [line for line in r.stderr.splitlines() if "--resume" in line]
    check(r.returncode == 0 and len(lines) == 1 and "starting the run" in lines[0] and
          "temporary" in lines[0], f"--resume with only a leftover temporary starts the run "
                                   f"({lines})")
    check(not stale.exists(), "the leftover temporary is removed")
    same_content(ref, out, "started by --resume")


def main():
    args = parse_args()
    b = args.tariffsim
    wd, exp, ref = single_run(b)
    killed_at_stages(b, wd, exp, ref)
    killed_from_outside(b, wd, exp, ref, int(os.environ.get("KILL_SAFETY_MOMENTS", "20")))
    stopped_by_signals(b, wd, exp, ref)
    never_overwritten(b, wd, exp, ref)
    leftover_temporaries(b, wd, exp, ref)


if __name__ == "__main__":
    main()
