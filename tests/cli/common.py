"""Shared helpers for the end-to-end tests: each test_*.py is one ctest test, run with Debian's
python3 as `test_x.py --tariffsim BIN --source SRC`, and exits non-zero on the first failure."""
import argparse
import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import h5py
import numpy as np


# A small [sensitivity] run (a second): the Sobol indices of the Ishigami function's f and y, for
# the tests of what reads and draws sensitivity/.
SMALL_SOBOL = """[experiment]
name = "ish"
model = "ishigami"
seed = 11
replications = 2
[sensitivity]
method = "sobol"
n = 64
ranges = { x1 = [-3.14, 3.14], x2 = [-3.14, 3.14], x3 = [-3.14, 3.14] }
"""
SOBOL_COLUMNS = ("first", "first_lo", "first_hi", "total", "total_lo", "total_hi")


def parse_args():
    p = argparse.ArgumentParser()
    p.add_argument("--tariffsim", required=True)
    p.add_argument("--source", required=True)
    args = p.parse_args()
    args.tariffsim = str(Path(args.tariffsim).resolve())
    args.source = str(Path(args.source).resolve())
    sys.path.insert(0, str(Path(args.source) / "tools" / "python"))
    return args


def run(binary, *args, cwd=None, env=None):
    return subprocess.run([binary, *map(str, args)], capture_output=True, text=True, cwd=cwd,
                          env=env)


def workdir():
    return Path(tempfile.mkdtemp(prefix="tariffsim_test_"))


def write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def check(condition, message):
    if not condition:
        print(f"FAIL: {message}", file=sys.stderr)
        sys.exit(1)
    print(f"ok: {message}")


# Root attributes that name the moment and the command, not the results.
VOLATILE_ATTRS = {"created_utc", "finished_utc", "command_line"}


# HDF5's dimension-scale bookkeeping: object references, which hold file addresses; compared by
# the objects they name.
SCALE_ATTRS = {"DIMENSION_LIST", "REFERENCE_LIST"}


def _named_references(f, name, value):
    if name == "DIMENSION_LIST":
        return tuple(tuple(f[ref].name for ref in refs) for refs in value)
    return tuple(sorted((f[row[0]].name, int(row[1])) for row in value))


def datasets(path):
    """Every dataset and attribute of a result file, as {name: value}, for bitwise comparison."""
    out = {}
    with h5py.File(path, "r") as f:
        for k, v in f.attrs.items():
            if k not in VOLATILE_ATTRS:
                out["/@" + k] = v

        def visit(name, obj):
            for k, v in obj.attrs.items():
                out[f"{name}@{k}"] = _named_references(f, k, v) if k in SCALE_ATTRS else v
            if isinstance(obj, h5py.Dataset):
                out[name] = obj[()]
        f.visititems(visit)
    return out


def bitwise_equal(a, b):
    """Equal to the bit, with NaN equal to NaN in the same place."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        a, b = np.asarray(a), np.asarray(b)
        if a.shape != b.shape or a.dtype != b.dtype:
            return False
        if a.dtype.kind == "f":
            return a.tobytes() == b.tobytes()
        return bool(np.array_equal(a, b))
    return a == b


# The scale-out tests' experiments: a small stochastic design with points outside the model, every
# kind of stored output; and one slow enough to be killed part way.
SCALE_EXPERIMENT = """
[experiment]
name = "scale"
model = "bagwell_staiger"
seed = 31
replications = 40
[parameters]
periods = 80
[grid]
delta = [0.2, 0.5, 0.8, 1.0]
dist = ["lognormal", "discrete", "truncnormal"]
a = [0.5, 2.0]
[output]
replications = true
series = ["tariff"]
quantiles = [0.25, 0.75]
"""

def single_run(binary, experiment=None):
    """A fresh work folder with an experiment (default: the scale experiment) and the file its
    single uninterrupted run writes: what sharded, killed, stopped or resumed runs must reproduce
    to the bit."""
    wd = workdir()
    exp = write(wd / "experiment.toml", experiment or SCALE_EXPERIMENT)
    single = wd / "single.h5"
    check(run(binary, "run", exp, "-o", single, "--no-progress").returncode == 0, "single run")
    return wd, exp, single


SLOW_EXPERIMENT = """
[experiment]
name = "slow"
model = "bagwell_staiger"
seed = 2
replications = 256
[parameters]
periods = 20000
[grid]
delta = { linspace = [0.05, 0.95, 64] }
"""

# Attributes that describe how a file was made, not what it holds.
HOW_MADE = {"/@created_utc", "/@finished_utc", "/@command_line", "/@git_commit"}


def differing(da, b):
    """The keys in which the file `b` differs from the content `da` (of datasets()), bit for bit,
    leaving out how each file was made."""
    db = datasets(b)
    keys = (set(da) | set(db)) - HOW_MADE
    return sorted(k for k in keys if k not in da or k not in db or not bitwise_equal(da[k], db[k]))


def same_content(a, b, label):
    diff = differing(datasets(a), b)
    check(not diff, f"{label}: bitwise identical to the single run (differs: {diff[:6]})")


def wait_until_done(proc, binary, file, at_least, timeout=60):
    """Polls `tariffsim info` until `at_least` points of `file` are done (or `proc` ends) and
    returns how many were done."""
    done = 0
    deadline = time.time() + timeout
    read_env = dict(os.environ, HDF5_USE_FILE_LOCKING="FALSE")
    while time.time() < deadline and proc.poll() is None:
        time.sleep(0.05)
        info = subprocess.run([binary, "info", str(file)], env=read_env, capture_output=True,
                              text=True).stdout
        if "INCOMPLETE" in info:
            done = int(info.split("INCOMPLETE: ")[1].split("/")[0])
            if done >= at_least:
                break
    return done


def kill_part_way(command, binary, file, sig=signal.SIGKILL, env=None, at_least=8):
    """Starts `command`, kills it with `sig` once `tariffsim info` shows `at_least` points of
    `file` done, and returns how many were done."""
    proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    done = wait_until_done(proc, binary, file, at_least)
    proc.send_signal(sig)
    proc.wait(timeout=60)
    return done


# An output experiment that writes well over 2 MB, for the full-disk checks.
FULL_DISK_EXPERIMENT = """
[experiment]
name = "big"
model = "bagwell_staiger"
seed = 5
replications = 64
[parameters]
periods = 2000
[grid]
delta = { linspace = [0.05, 0.95, 200] }
[output]
replications = true
series = ["tariff", "volume"]
"""


@contextlib.contextmanager
def small_disk(size="2m"):
    """A tmpfs of `size` mounted on a fresh folder, or None where mounting is not allowed (the
    checks that need a full disk then say they were skipped)."""
    where = Path(tempfile.mkdtemp(prefix="tariffsim_small_"))
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
                             capture_output=True).returncode == 0
    try:
        yield where if mounted else None
    finally:
        if mounted:
            subprocess.run(["umount", str(where)], capture_output=True)


def expect_refused_run(binary, wd, name, body, needles):
    """`tariffsim run` of config `body` exits 2 with every needle in its message and writes no file
    at all (the config is refused before the output is created)."""
    path = write(wd / f"{name}.toml", body)
    r = run(binary, "run", path, "-o", wd / f"{name}.h5", "--no-progress")
    check(r.returncode == 2, f"{name}: exit code 2 (got {r.returncode}; {r.stderr.strip()[-300:]})")
    for needle in needles:
        check(needle in r.stderr, f"{name}: message names {needle!r} ({r.stderr.strip()[-300:]})")
    check(not (wd / f"{name}.h5").exists(), f"{name}: no result file")
