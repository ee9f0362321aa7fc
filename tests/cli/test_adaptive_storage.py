"""Adaptive precision stores what was run, not the cap (FORMAT.md): status/replications holds each
point's replication count; replications/ and series/ are NaN beyond it, with their chunks there
unallocated; the file is the same for any thread count and when merged from shards."""
import math
import os
import subprocess

import h5py
import numpy as np

from common import check, parse_args, run, same_content, workdir, write

# Points stop at different counts (10 ... 20480, several chunks), and three (delta = 1) are outside the model.
MIXED = """
[experiment]
name = "mixed"
model = "bagwell_staiger"
seed = 11
replications = 10
block_size = 4
[parameters]
periods = 5
[grid]
delta = [0.3, 0.6, 1.0]
sd = [0.0001, 0.05, 0.3]
[output]
replications = true
series = ["tariff"]
quantiles = [0.5]
[precision]
target_se = { sim_E_tau = 0.0005 }
max_replications = 100000
"""

# Every point meets its target at the initial 10 replications, far below a cap of 100 000.
EARLY = """
[experiment]
name = "early"
model = "bagwell_staiger"
seed = 5
replications = 10
[parameters]
periods = 1000
sd = 0.01
[grid]
delta = { linspace = [0.1, 0.9, 6] }
[output]
series = ["tariff"]
[precision]
target_se = { sim_E_tau = 1.0 }
max_replications = 100000
"""


def allocated_chunks_expected(ds, reps):
    """Chunks a run allocates: each point's replications rounded up to whole chunks."""
    c = ds.chunks[1]
    return sum(math.ceil(int(k) / c) for k in reps)


def check_rows(g, label):
    reps = g["status/replications"][()]
    status = g["results/status"][()]
    check(np.array_equal(reps == 0, status != 0), f"{label}: 0 replications exactly where a point failed")
    for name in ["replications/sim_E_tau", "series/tariff"]:
        ds = g[name]
        check(math.isnan(ds.fillvalue), f"{label}: {name} has fill value NaN")
        check(ds.id.get_num_chunks() == allocated_chunks_expected(ds, reps),
              f"{label}: {name} allocates only the chunks of the replications run")
        for i, k in enumerate(int(k) for k in reps):
            row = ds[i, :min(ds.shape[1], k + 2000)]
            beyond = np.isnan(row[k:]).all()
            ran = k == 0 or not np.isnan(row[k - 1]).all()
            if not (beyond and ran):
                check(False, f"{label}: {name} point {i}: values up to {k}, NaN after")
    vals = g["replications/sim_E_tau"]
    n = g["results/sim_E_tau/n"][()]
    finite = [int(np.isfinite(vals[i, :int(k)]).sum()) for i, k in enumerate(reps)]
    check(np.array_equal(n, finite), f"{label}: results n counts the finite values of the run")


def main():
    args = parse_args()
    b, wd = args.tariffsim, workdir()

    exp = write(wd / "mixed.toml", MIXED)
    files = {}
    for threads in (1, 3):
        out = wd / f"mixed{threads}.h5"
        r = run(b, "run", exp, "-o", out, "--threads", threads, "--no-progress")
        check(r.returncode == 0, f"mixed, {threads} threads ({r.stderr.strip()[-200:]})")
        files[threads] = out
    with h5py.File(files[1], "r") as f:
        g = f["mixed"]
        reps = g["status/replications"][()]
        check(len(set(reps[reps > 0])) >= 3, f"points stop at different counts ({reps})")
        check_rows(g, "mixed")
    same_content(files[1], files[3], "mixed, 3 threads")

    shards = []
    for i in range(2):
        out = wd / f"mixed_s{i}.h5"
        check(run(b, "run", exp, "-o", out, "--shard", f"{i}/2", "--no-progress").returncode == 0,
              f"mixed shard {i}/2")
        shards.append(out)
    merged = wd / "mixed_merged.h5"
    r = run(b, "merge", merged, *shards)
    check(r.returncode == 0, f"merge ({r.stderr.strip()[-300:]})")
    same_content(files[1], merged, "mixed, 2 shards merged")
    with h5py.File(merged, "r") as f:
        check_rows(f["mixed"], "merged")

    # Writes and merges in tiny pieces (one chunk, or a few rows, each) give the same file.
    small = dict(os.environ, TARIFFSIM_PIECE_BYTES="4096")
    pieces = [wd / f"small_s{i}.h5" for i in range(2)] + [wd / "small_merged.h5"]
    for i in range(2):
        r = subprocess.run([b, "run", str(exp), "-o", str(pieces[i]), "--shard", f"{i}/2",
                            "--no-progress"], env=small, capture_output=True, text=True)
        check(r.returncode == 0, f"shard {i}/2 written in 4 KB pieces")
    r = subprocess.run([b, "merge", str(pieces[2]), *map(str, pieces[:2])], env=small,
                       capture_output=True, text=True)
    check(r.returncode == 0, f"merge in 4 KB pieces ({r.stderr.strip()[-300:]})")
    same_content(files[1], pieces[2], "written and merged in 4 KB pieces")

    early = write(wd / "early.toml", EARLY)
    out = wd / "early.h5"
    check(run(b, "run", early, "-o", out, "--no-progress").returncode == 0, "early stop")
    with h5py.File(out, "r") as f:
        g = f["early"]
        ds = g["series/tariff"]
        check(ds.shape == (6, 100000, 1000), f"series keeps its [P, R_cap, T] shape ({ds.shape})")
        check(np.all(g["status/replications"][()] == 10), "every point ran 10 replications")
        check(np.all(g["results/sim_E_tau/n"][()] == 10), "n = 10 at every point")
        check(ds.id.get_num_chunks() == allocated_chunks_expected(ds, [10] * 6),
              "only the chunks of the 10 replications are allocated")
        check(np.isnan(ds[:, 10:200, :]).all() and np.isnan(ds[:, -3:, :]).all(),
              "NaN beyond the 10 replications")
        check(not np.isnan(ds[:, :10, :]).any(), "the 10 replications' series are written")


if __name__ == "__main__":
    main()
