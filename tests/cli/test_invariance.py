"""Reproducibility contract (DESIGN.md §4): bitwise-identical files for 1, 2 and 4 threads; a point
keeps its numbers when the grid around it changes; common random numbers share shocks."""
import h5py
import numpy as np

from common import bitwise_equal, check, datasets, parse_args, run, workdir, write

EXPERIMENT = """
[experiment]
name = "inv"
model = "bagwell_staiger"
seed = 99
replications = 150
block_size = 16
[parameters]
periods = 60
[grid]
delta = [0.3, 0.6]
dist = ["lognormal", "uniform", "discrete", "truncnormal"]
[sample]
method = "sobol"
n = 3
ranges = { a = [0.5, 2.0] }
[output]
replications = true
series = ["tariff", "growth"]
quantiles = [0.1, 0.5, 0.9]
[precision]
target_se = { sim_E_tau = 0.002 }
max_replications = 600
"""


def run_ok(binary, *args):
    r = run(binary, *args)
    check(r.returncode == 0, f"run {' '.join(map(str, args[1:2]))} succeeds ({r.stderr.strip()[-300:]})")


def main():
    args = parse_args()
    b, wd = args.tariffsim, workdir()
    exp = write(wd / "inv.toml", EXPERIMENT)
    files = {}
    for threads in (1, 2, 4):
        files[threads] = wd / f"t{threads}.h5"
        run_ok(b, "run", exp, "-o", files[threads], "--threads", threads, "--no-progress")
    ref = datasets(files[1])
    check(len(ref) > 50, f"the file has many datasets and attributes ({len(ref)})")
    with h5py.File(files[1], "r") as f:
        n = f["inv/results/sim_E_tau/n"][()]
        check(n.min() >= 150 and n.max() > 150, f"adaptive precision added replications ({n.min()}..{n.max()})")
    for threads in (2, 4):
        other = datasets(files[threads])
        check(set(other) == set(ref), f"{threads} threads: same datasets as 1 thread")
        diff = [k for k in ref if not bitwise_equal(ref[k], other[k])]
        check(not diff, f"{threads} threads: bitwise identical to 1 thread (differs: {diff[:5]})")

    # Refining the grid: the shared points keep their numbers to the bit.
    coarse = write(wd / "coarse.toml", EXPERIMENT.replace("[0.3, 0.6]", "[0.6]"))
    run_ok(b, "run", coarse, "-o", wd / "coarse.h5", "--no-progress")
    with h5py.File(files[1], "r") as fine_f, h5py.File(wd / "coarse.h5", "r") as coarse_f:
        fine, crs = fine_f["inv"], coarse_f["inv"]
        rows = np.where(fine["points/delta"][()] == 0.6)[0]
        check(len(rows) == crs.attrs["n_points"], "the coarse grid is the fine grid's delta = 0.6 half")
        same = all(bitwise_equal(fine[f"replications/{m}"][()][rows], crs[f"replications/{m}"][()])
                   for m in ("sim_P_protect", "sim_E_tau", "sim_growth"))
        check(same, "a point keeps its replications when the grid around it changes")

    # Common random numbers: points that differ only in a see the same shocks, so every
    # replication's protection share agrees to the bit; without CRN they differ.
    crn = """
[experiment]
name = "crn"
model = "bagwell_staiger"
seed = 5
replications = 50
common_random_numbers = {crn}
[parameters]
periods = 40
delta = 0.5
[grid]
a = [1.0, 3.0]
[output]
replications = true
"""
    for flag in ("true", "false"):
        path = write(wd / f"crn_{flag}.toml", crn.format(crn=flag))
        run_ok(b, "run", path, "-o", wd / f"crn_{flag}.h5", "--no-progress")
        with h5py.File(wd / f"crn_{flag}.h5", "r") as f:
            reps = f["crn/replications/sim_P_protect"][()]
        equal = bitwise_equal(reps[0], reps[1])
        check(equal == (flag == "true"), f"common_random_numbers = {flag}: shared shocks = {equal}")


if __name__ == "__main__":
    main()
