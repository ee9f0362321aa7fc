"""Shared helpers for the end-to-end tests: each test_*.py is one ctest test, run with Debian's
python3 as `test_x.py --tariffsim BIN --source SRC`, and exits non-zero on the first failure."""
import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

import h5py
import numpy as np


def parse_args():
    p = argparse.ArgumentParser()
    p.add_argument("--tariffsim", required=True)
    p.add_argument("--source", required=True)
    args = p.parse_args()
    args.tariffsim = str(Path(args.tariffsim).resolve())
    args.source = str(Path(args.source).resolve())
    sys.path.insert(0, str(Path(args.source) / "tools" / "python"))
    return args


def run(binary, *args, cwd=None):
    return subprocess.run([binary, *map(str, args)], capture_output=True, text=True, cwd=cwd)


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
VOLATILE_ATTRS = {"created_utc", "command_line"}


def datasets(path):
    """Every dataset and attribute of a result file, as {name: value}, for bitwise comparison."""
    out = {}
    with h5py.File(path, "r") as f:
        for k, v in f.attrs.items():
            if k not in VOLATILE_ATTRS:
                out["/@" + k] = v

        def visit(name, obj):
            for k, v in obj.attrs.items():
                out[f"{name}@{k}"] = v
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
