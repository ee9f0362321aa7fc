"""MPI contract (DESIGN.md §8): `mpirun -n K tariffsim run` writes the file a single process writes,
to the bit, for any K and threads per rank; with --shard and after a killed run resumed under
MPI; bad input stops every rank with exit code 2 and one message. Registered only when the build
found MPI (tests/CMakeLists.txt); run as `test_mpi.py --tariffsim BIN --source SRC --mpiexec M`."""
import os
import signal
import subprocess
import sys
import time

import h5py

from common import (FULL_DISK_EXPERIMENT, SCALE_EXPERIMENT, SLOW_EXPERIMENT, check,
                    kill_part_way, parse_args, run, same_content, small_disk, workdir, write)

# Adaptive precision too: how many replications a point gets must not depend on where it ran.
# These targets send points to 40, 80 and 160 replications (checked below).
EXPERIMENT = SCALE_EXPERIMENT + """
[precision]
target_se = { sim_P_protect = 0.004, sim_E_V = 0.003 }
max_replications = 160
"""

SOBOL_EXPERIMENT = """
[experiment]
name = "sobol"
model = "ishigami"
seed = 4
replications = 3
common_random_numbers = true
[sensitivity]
method = "sobol"
n = 256
ranges = { x1 = [-3.0, 3.0], x2 = [-3.0, 3.0], x3 = [-3.0, 3.0] }
"""

# Open MPI refuses root without these; CI runs as root. More ranks than cores is fine here.
MPI_ENV = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
               OMPI_MCA_rmaps_base_oversubscribe="1")


def mpirun(mpiexec, ranks, binary, *args, timeout=300):
    return subprocess.run([mpiexec, "-n", str(ranks), binary, *map(str, args)], env=MPI_ENV,
                          capture_output=True, text=True, timeout=timeout)


def mpiexec_arg():
    i = sys.argv.index("--mpiexec")
    value = sys.argv[i + 1]
    del sys.argv[i:i + 2]
    return value


def main():
    mpiexec = mpiexec_arg()
    args = parse_args()
    b, wd = args.tariffsim, workdir()
    version = run(b, "--version").stdout
    check("MPI yes" in version, f"the binary is built with MPI ({version.strip()})")

    exp = write(wd / "scale.toml", EXPERIMENT)
    single = wd / "single.h5"
    check(run(b, "run", exp, "-o", single, "--no-progress").returncode == 0, "single run")
    with h5py.File(single, "r") as f:
        counts = set(f["scale/status/replications"][()]) - {0}
    check(counts == {40, 80, 160}, f"adaptive precision stops points at 40, 80 and 160 ({counts})")
    for ranks, threads in ((2, 1), (3, 1), (3, 2), (5, 1)):
        out = wd / f"mpi{ranks}x{threads}.h5"
        r = mpirun(mpiexec, ranks, b, "run", exp, "-o", out, "--threads", threads, "--no-progress")
        check(r.returncode == 0, f"mpirun -n {ranks}, {threads} threads ({r.stderr.strip()[-300:]})")
        check(r.stdout.count("wrote ") == 1, "only rank 0 reports the run")
        same_content(single, out, f"mpirun -n {ranks} x {threads} threads")
        with h5py.File(out, "r") as f:
            check(int(f["scale"].attrs["complete"]) == 1, f"mpirun -n {ranks}: marked complete")

    # A shard computed under MPI is the shard a single process computes.
    shard = wd / "shard1.h5"
    check(run(b, "run", exp, "-o", shard, "--shard", "1/2", "--no-progress").returncode == 0,
          "single-process shard 1/2")
    r = mpirun(mpiexec, 3, b, "run", exp, "-o", wd / "mpishard1.h5", "--shard", "1/2")
    check(r.returncode == 0, f"shard 1/2 under mpirun ({r.stderr.strip()[-300:]})")
    same_content(shard, wd / "mpishard1.h5", "shard 1/2 under mpirun")

    # Bad input stops the whole job at once: exit 2, the message once, no complete file.
    r = mpirun(mpiexec, 3, b, "run", exp, "-o", "/proc/no/such/dir/x.h5", timeout=60)
    check(r.returncode == 2 and r.stderr.count("writable") == 1,
          f"unwritable output under mpirun: exit 2, one message ({r.returncode}, {r.stderr[-300:]})")
    r = mpirun(mpiexec, 3, b, "run", exp, "-o", wd / "x.h5", "--set", "parameters.dleta=0.5",
               timeout=60)
    check(r.returncode == 2 and r.stderr.count("dleta") == 1 and not (wd / "x.h5").exists(),
          f"unknown key under mpirun: exit 2, one message naming it ({r.stderr[-300:]})")

    # Rank 0's writer failing (a full disk) ends the job with exit 1, not a hang of the workers.
    with small_disk() as disk:
        if disk is None:
            print("skipped: full-disk check under MPI (cannot mount a tmpfs here)")
        else:
            big = write(wd / "big.toml", FULL_DISK_EXPERIMENT)
            try:
                r = mpirun(mpiexec, 3, b, "run", big, "-o", disk / "w.h5", "--no-progress",
                           timeout=120)
                ended = (r.returncode, "rank 0" in r.stderr)
            except subprocess.TimeoutExpired:
                ended = ("hung", False)
            check(ended[0] == 1 and ended[1],
                  f"a full disk under MPI: exit 1 naming rank 0 ({ended[0]})")
    # A layout that does not fit fails rank 0's set-up: every rank returns, and none may crash in
    # HDF5's exit-time cleanup of the half-closed file (it did, 1 time in 2, with exit 139).
    with small_disk("32k") as disk:
        if disk is None:
            print("skipped: a layout that does not fit under MPI (cannot mount a tmpfs here)")
        else:
            big = write(wd / "big.toml", FULL_DISK_EXPERIMENT)
            for attempt in range(3):
                r = mpirun(mpiexec, 2, b, "run", big, "-o", disk / "w.h5", "--no-progress",
                           timeout=120)
                ours = [line for line in r.stderr.splitlines() if line.startswith("error:")]
                check(r.returncode == 1 and len(ours) == 1 and "No space left on device" in ours[0]
                      and "HDF5-DIAG" not in r.stderr and "Segmentation" not in r.stderr and
                      "signal 11" not in r.stderr and not any(disk.iterdir()),
                      f"a layout that does not fit under MPI, try {attempt + 1}: exit 1, one "
                      f"message, nothing left ({r.returncode}: {r.stderr.strip()[-300:]})")

    # A job killed part way (as a scheduler does at its time limit) resumes under MPI.
    # Three times the single-process test's periods: mpirun takes a moment to pass a SIGTERM on, and
    # the job must still be running when it arrives.
    slow = write(wd / "slow.toml", SLOW_EXPERIMENT.replace("periods = 20000", "periods = 60000"))
    ref = wd / "slow_ref.h5"
    check(run(b, "run", slow, "-o", ref, "--no-progress").returncode == 0, "uninterrupted run")
    killed = wd / "slow_killed.h5"
    done = kill_part_way([mpiexec, "-n", "3", b, "run", str(slow), "-o", str(killed),
                          "--threads", "1", "--no-progress"], b, killed, sig=signal.SIGTERM,
                         env=MPI_ENV)
    check(0 < done < 64, f"the MPI run was killed part way ({done} of 64 points done)")
    wait_until_unlocked(killed)
    with h5py.File(killed, "r") as f:
        check(int(f["slow"].attrs["complete"]) == 0, "a killed MPI run's file is not complete")
    r = mpirun(mpiexec, 3, b, "run", slow, "-o", killed, "--resume", "--no-progress")
    check(r.returncode == 0, f"--resume under mpirun ({r.stderr.strip()[-300:]})")
    same_content(ref, killed, "killed under MPI and resumed under MPI")
    stopped_by_usr1(mpiexec, b, wd, exp, single)
    sensitivity_under_mpi(mpiexec, b, wd)


def wait_until_unlocked(path, timeout=120):
    """mpirun can return before a rank stopped by the signal has closed the file (seen under
    ASan, where exiting is slow): wait for the writer's lock to go, whatever the machine's speed."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with h5py.File(path, "r"):
                return
        except BlockingIOError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def sensitivity_under_mpi(mpiexec, b, wd):
    """A [sensitivity] run's indices are rank 0's to compute once every point is in: the file is
    the single process's, indices included."""
    exp = write(wd / "sobol.toml", SOBOL_EXPERIMENT)
    single = wd / "sobol_single.h5"
    check(run(b, "run", exp, "-o", single, "--no-progress").returncode == 0, "[sensitivity] run")
    out = wd / "sobol_mpi.h5"
    r = mpirun(mpiexec, 3, b, "run", exp, "-o", out, "--no-progress")
    check(r.returncode == 0, f"[sensitivity] under mpirun -n 3 ({r.stderr.strip()[-300:]})")
    same_content(single, out, "[sensitivity] under mpirun -n 3, indices included")


def stopped_by_usr1(mpiexec, b, wd, exp, single):
    """Slurm's warning before the wall time under MPI: rank 0 (the writer) gets SIGUSR1 after its
    second batch (the engine's test hook, so the moment does not depend on speed), writes what is
    in flight, says so in one line and ends the job with 128 + 10; --resume under mpirun then
    finishes the file a single process writes."""
    out = wd / "mpi_usr1.h5"
    env = dict(MPI_ENV, TARIFFSIM_TEST_SIGNAL_AT=f"batch-done:1 {int(signal.SIGUSR1)}")
    r = subprocess.run([mpiexec, "-n", "3", b, "run", str(exp), "-o", str(out), "--no-progress"],
                       env=env, capture_output=True, text=True, timeout=300)
    lines = [line for line in r.stderr.splitlines() if "stopped by SIGUSR1" in line]
    check(r.returncode == 128 + signal.SIGUSR1 and len(lines) == 1,
          f"SIGUSR1 under mpirun: exit 138 and one line ({r.returncode}; {lines})")
    with h5py.File(out, "r") as f:
        done = int(f["scale/status/done"][()].sum())
        check(int(f["scale"].attrs["complete"]) == 0 and 0 < done < len(f["scale/status/done"]),
              f"SIGUSR1 under mpirun: {done} points written, the file not complete")
    r = mpirun(mpiexec, 3, b, "run", exp, "-o", out, "--resume", "--no-progress")
    check(r.returncode == 0, f"--resume under mpirun after SIGUSR1 ({r.stderr.strip()[-300:]})")
    same_content(single, out, "stopped by SIGUSR1 under MPI and resumed")


if __name__ == "__main__":
    main()
