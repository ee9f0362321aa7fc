"""Kills `tariffsim run` at a chosen write system call, resumes it and compares the result with an
uninterrupted run, bit for bit: the shared core of tests/cli/test_kill_every_write.py (a strided
subset) and tools/kill_sweep.py (every write). strace's fault injection counts the writes, so the
moment is the same on any machine, however fast.

HDF5's sec2 driver writes with pwrite64; on one thread every pwrite64 of a run comes from the main
thread, and strace counts injections per thread, so `when=N` is the run's N-th write."""
import collections
import os
import re
import shutil
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import h5py

from common import datasets, differing, run, write

# Per-replication values of 19 metrics and a series, over 150 points: 150 compressed chunks per
# dataset, so each chunk index (a B-tree of at most 64 entries a node) splits its root and later a
# leaf while the run writes, the moments a kill can tear an index. About 4,300 writes.
SWEEP_EXPERIMENT = """
[experiment]
name = "sweep"
model = "bagwell_staiger"
seed = 11
replications = 4
[parameters]
periods = 40
[grid]
delta = { linspace = [0.05, 0.95, 50] }
dist = ["lognormal", "discrete", "truncnormal"]
[output]
replications = true
series = ["tariff"]
"""

Outcome = collections.namedtuple("Outcome", "n kind detail")


def strace_usable():
    """None if strace can trace here, else why not (absent, or ptrace not permitted)."""
    if shutil.which("strace") is None:
        return "strace is not installed (tools/setup.sh installs it)"
    r = subprocess.run(["strace", "-f", "-qq", "-o", "/dev/null", "-e", "trace=none", "true"],
                       capture_output=True, text=True)
    return None if r.returncode == 0 else f"strace cannot trace here: {r.stderr.strip()[-200:]}"


def run_command(b, exp, out, *extra):
    return [b, "run", str(exp), "-o", str(out), "--threads", "1", "--no-progress", *extra]


def traceable_env():
    """The environment for a process strace traces. LeakSanitizer cannot run under ptrace (in an
    ASan build it stops with a fatal error at exit), so leak checking is off for traced runs only;
    every other ASan and UBSan check stays on."""
    env = dict(os.environ)
    if "ASAN_OPTIONS" in env:
        env["ASAN_OPTIONS"] += ":detect_leaks=0"
    return env


def killed_at(n, command):
    """Runs `command` under strace, killed (SIGKILL) as it starts its n-th pwrite64."""
    return subprocess.run(["strace", "-f", "-qq", "-o", "/dev/null", "-e", "trace=pwrite64", "-e",
                           f"inject=pwrite64:signal=SIGKILL:when={n}", *command],
                          capture_output=True, text=True, env=traceable_env())


def traced_writes(command):
    """The pwrite64 calls of `command` (on one thread: the same every time it runs on the same
    file), as (starts with a v1 B-tree node's signature "TREE", size, file offset) in order."""
    with tempfile.NamedTemporaryFile(suffix=".trace") as trace:
        subprocess.run(["strace", "-f", "-qq", "-s", "4", "-o", trace.name, "-e",
                        "trace=pwrite64", *command], check=True, capture_output=True,
                       env=traceable_env())
        lines = Path(trace.name).read_text().splitlines()
    writes = []
    for line in lines:
        m = re.search(r'pwrite64\(\d+, (.*), (\d+), (\d+)\) += ', line)
        if m:
            writes.append((m.group(1).startswith('"TREE'), int(m.group(2)), int(m.group(3))))
    return writes


def new_index_nodes(writes):
    """The writes (N, from 1) that put a chunk-index node where the run had written none before:
    an index growing a node (a split), whose parent and children HDF5 writes in address order,
    not children first. A kill between those writes is what can tear an index."""
    written, out = [], []  # byte ranges of the index nodes written so far
    for n, (tree, size, offset) in enumerate(writes, 1):
        if not tree:
            continue
        covered = sum(max(0, min(end, offset + size) - max(start, offset))
                      for start, end in written)
        if covered < size:  # (HDF5 joins adjacent nodes into one write)
            out.append(n)
        written.append((offset, offset + size))
    return out


class Sweep:
    """An experiment, its uninterrupted run's content and writes, and trials that kill a run at
    its n-th write (and, in trial_twice, the resume at its m-th), then resume and compare."""

    def __init__(self, b, wd=None, experiment=SWEEP_EXPERIMENT):
        self.b = b
        self.wd = Path(wd or tempfile.mkdtemp(prefix="tariffsim_kill_sweep_"))
        self.exp = write(self.wd / "sweep.toml", experiment)
        reference = self.wd / "reference.h5"
        r = subprocess.run(run_command(b, self.exp, reference), capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError(f"the reference run failed: {r.stderr[-300:]}")
        self.reference = datasets(reference)
        self.trace = traced_writes(run_command(b, self.exp, self.wd / "traced.h5"))
        self.writes = len(self.trace)

    def trial(self, n):
        """Kill at write n (n > writes: no kill), --resume, and say how it ended."""
        return self._trial(n, None)

    def trial_twice(self, nm):
        """Kill at write n, kill the resume at its write m, then resume again."""
        return self._trial(*nm)

    def resume_writes(self, n):
        """How many writes the resume of a run killed at write n makes."""
        out = self.wd / f"counted{n}.h5"
        killed_at(n, run_command(self.b, self.exp, out))
        writes = len(traced_writes(run_command(self.b, self.exp, out, "--resume")))
        out.unlink()
        return writes

    def _trial(self, n, m):
        label = n if m is None else f"{n}, then {m} of the resume"
        out = self.wd / (f"killed{n}.h5" if m is None else f"killed{n}_{m}.h5")
        try:
            for k, extra in ((n, ()), (m, ("--resume",))):
                if k is None:
                    continue
                killed = killed_at(k, run_command(self.b, self.exp, out, *extra))
                if killed.returncode not in (0, -9):
                    return Outcome(label, "killed run failed",
                                   f"exit {killed.returncode}: {killed.stderr.strip()[-240:]}")
            return self._judge(label, out)
        finally:
            for p in [out, *self.wd.glob(out.name + ".tmp-*")]:
                p.unlink(missing_ok=True)

    def _judge(self, label, out):
        """Resumes `out` and compares it with the uninterrupted run."""
        r = run(self.b, "run", self.exp, "-o", out, "--resume", "--threads", 2, "--no-progress")
        leftovers = sorted(p.name for p in self.wd.glob(out.name + ".tmp-*"))
        if r.returncode != 0:
            return Outcome(label, f"resume exit {r.returncode}",
                           (r.stderr.strip().splitlines() or [""])[-1][-240:])
        diff = differing(self.reference, out)
        if diff:
            with h5py.File(out, "r") as f:
                complete = int(f["sweep"].attrs["complete"])
            return Outcome(label, "wrong values" + (" in a complete file" if complete else ""),
                           f"{len(diff)} differ: {diff[:4]}")
        if leftovers:
            return Outcome(label, "temporary left", str(leftovers))
        return Outcome(label, "resumed bitwise", "")

    def run_trials(self, trial, items, jobs=2):
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            return list(pool.map(trial, items))


def ranges(ns):
    """"1-3, 7" for [1, 2, 3, 7]."""
    out, run = [], []
    for n in ns:
        if run and n != run[-1] + 1:
            out.append(f"{run[0]}-{run[-1]}" if len(run) > 1 else str(run[0]))
            run = []
        run.append(n)
    if run:
        out.append(f"{run[0]}-{run[-1]}" if len(run) > 1 else str(run[0]))
    return ", ".join(out)


def summary(outcomes):
    """One line per kind of outcome: how many, at which writes (N), and the first few details."""
    kinds = collections.defaultdict(list)
    for o in outcomes:
        kinds[o.kind].append(o)
    lines = []
    for kind, os_ in sorted(kinds.items(), key=lambda kv: -len(kv[1])):
        numbers = [o.n for o in os_]
        at = ranges(numbers) if all(isinstance(n, int) for n in numbers) else ", ".join(numbers)
        lines.append(f"{len(os_):5d} {kind}: N = {at}")
        for o in os_[:3]:
            if o.detail:
                lines.append(f"        N = {o.n}: {o.detail}")
    return lines
