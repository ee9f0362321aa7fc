#!/usr/bin/env python3
"""numpy_vbar.py: V̄ of the Bagwell–Staiger model over a (delta x sd) grid by vectorised bisection.

The baseline of bench_engine's bagwell_staiger figures: what a competent NumPy user writes to get
V̄ alone on the grid that bench_engine runs through the engine (delta = linspace(0.01, 0.98, n1),
sd = linspace(0.05, 1.0, n2), Vf lognormal with mean 1, a = 1, F = 0), one thread:

  V̄ is the positive root of h(v) = κG(v) − v², κ = 3δ/(4(1−δ)), G(v) = E[Vf²] − E[(Vf − v)+²];
  h > 0 on (0, V̄) and h < 0 above, and V̄ ≤ hi = sqrt(κE[Vf²]). Bisection on [0, hi] for all
  points of a block at once (2^16 points, preallocated), until hi − lo ≤ 1e-12 hi everywhere
  (about 40 steps); the partial moments of the lognormal by scipy.special.ndtr.

Prints the wall time of each repeat, the median, points/s = points / median (and per CPU-second,
points / median process CPU time, which other load on the machine disturbs less) and the mean of V̄
over the grid (bench_engine prints the same mean from the C++ solve, to compare). The BLAS/OpenMP
thread variables are set to 1 before NumPy is imported. Lines starting with "RESULT " are for
run_all.sh.
"""
import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
from scipy.special import ndtr  # noqa: E402

BLOCK = 1 << 16


def h(v, kappa, mu, sigma, e2):
    """h(v) = κ(E[Vf²] − E[(Vf − v)+²]) − v² for lognormal Vf (log-mean mu, log-sd sigma)."""
    d0 = (mu - np.log(v)) / sigma
    upper2 = e2 * ndtr(d0 + 2.0 * sigma) - 2.0 * v * np.exp(mu + 0.5 * sigma * sigma) * ndtr(
        d0 + sigma) + v * v * ndtr(d0)
    return kappa * (e2 - upper2) - v * v


def solve_block(delta, sd, rtol=1e-12):
    kappa = 3.0 * delta / (4.0 * (1.0 - delta))
    s2 = np.log1p(sd * sd)  # mean 1: CV = sd
    mu, sigma, e2 = -0.5 * s2, np.sqrt(s2), 1.0 + sd * sd
    hi = np.sqrt(kappa * e2)
    lo = np.zeros_like(hi)
    while True:
        mid = 0.5 * (lo + hi)
        positive = h(mid, kappa, mu, sigma, e2) > 0
        np.copyto(lo, mid, where=positive)
        np.copyto(hi, mid, where=~positive)
        if np.all(hi - lo <= rtol * hi):
            return 0.5 * (lo + hi)


def run(n1, n2):
    delta = np.repeat(np.linspace(0.01, 0.98, n1), n2)  # the engine's order: last axis fastest
    sd = np.tile(np.linspace(0.05, 1.0, n2), n1)
    total = 0.0
    for start in range(0, delta.size, BLOCK):
        total += solve_block(delta[start:start + BLOCK], sd[start:start + BLOCK]).sum()
    return total / delta.size


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n1", type=int, default=1000, help="delta values (default 1000)")
    ap.add_argument("--n2", type=int, default=200, help="sd values (default 200)")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--quick", action="store_true", help="--n2 20")
    a = ap.parse_args()
    if a.quick:
        a.n2 = 20
    points = a.n1 * a.n2
    walls, cpus = [], []
    for _ in range(a.repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        mean_vbar = run(a.n1, a.n2)
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    med, med_cpu = statistics.median(walls), statistics.median(cpus)
    print(f"numpy_vbar: numpy {np.__version__}, {a.n1} x {a.n2} = {points} points, one thread")
    print("  runs: " + " ".join(f"{w:.3f} s" for w in walls))
    print(f"  median {med:.3f} s = {points / med:.0f} points/s; mean V-bar {mean_vbar:.12f}")
    print(f"  per CPU-second {points / med_cpu:.0f} points/s")
    print(f"RESULT numpy_vbar.pps {points / med:.0f}")
    print(f"RESULT numpy_vbar.pps_cpu {points / med_cpu:.0f}")
    print(f"RESULT numpy_vbar.mean_vbar {mean_vbar:.12f}")


if __name__ == "__main__":
    main()
