#!/usr/bin/env python3
"""numpy_paths.py: the simulate_path benchmark written as well as NumPy allows, for comparison.

Same semantics as tariffsim::bagwell_staiger::simulate_path (spec §8) with theta = 0, a lognormal
Vf with the moments (mean, sd) of Vf itself, and the V̄ the C++ code solves for (pass it with
--vbar; bench_paths prints it as "RESULT lognormal.vbar ..."):

    Vf  ~ i.i.d. lognormal: sigma² = ln(1 + sd²/mean²), mu = ln(mean) − sigma²/2, Vf = exp(mu + sigma·Z)
    tau = max(0, Vf − V̄)/(2a),  V = Vf − a·tau
    per path: share of periods with tau > 0, share of t >= 1 with tau_t > tau_{t−1}, mean and
    sample variance of tau, mean V, mean of V_t/V_{t−1} − 1 over t >= 1 with V_{t−1} != 0.

Vectorised over [paths × periods] blocks (all periods of a group of paths; --block-elems sets the
block size), float64, preallocated buffers and in-place ufuncs, draws from
numpy.random.Generator(numpy.random.Philox(seed)).standard_normal then exp. One thread: the BLAS
thread variables are set to 1 before numpy is imported (NumPy's elementwise ops are single-threaded
anyway). Best of --repeats runs; prints M sector-periods/s.

With --cpp-output FILE (the captured stdout of bench_paths), it also compares its statistics with
the C++ ones: the two use different random numbers, so they agree to within Monte Carlo error,
|z| = |diff|/sqrt(se_numpy² + se_cpp²) below about 4.

Lines starting with "RESULT " are for scripts (run_all.sh).
"""
import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import math  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

STATS = ("share_protect", "share_increase", "mean_tau", "var_tau", "mean_volume", "mean_growth")


def simulate(rng, paths, periods, mu, sigma, vbar, a, block_rows):
    """Per-path statistics, a dict of arrays of length `paths`."""
    T = periods
    rows = min(block_rows, paths)
    z = np.empty((rows, T))                 # normal draws, then Vf in place
    tau = np.empty((rows, T))
    v = np.empty((rows, T))
    ratio = np.empty((rows, T - 1))
    flags = np.empty((rows, T), dtype=bool)
    out = {k: np.empty(paths) for k in STATS}
    inv_2a = 1.0 / (2.0 * a)
    for start in range(0, paths, rows):
        n = min(rows, paths - start)
        zb, taub, vb, rb, fb = z[:n], tau[:n], v[:n], ratio[:n], flags[:n]
        sl = slice(start, start + n)
        rng.standard_normal(out=zb)
        zb *= sigma
        zb += mu
        vf = np.exp(zb, out=zb)
        # tau = max(0, Vf − V̄)/(2a); V = Vf − a·tau
        np.subtract(vf, vbar, out=taub)
        np.maximum(taub, 0.0, out=taub)
        taub *= inv_2a
        np.multiply(taub, a, out=vb)
        np.subtract(vf, vb, out=vb)
        # shares of protection and of increases
        np.greater(taub, 0.0, out=fb)
        out["share_protect"][sl] = np.count_nonzero(fb, axis=1) / T
        fi = fb[:, : T - 1]
        np.greater(taub[:, 1:], taub[:, :-1], out=fi)
        out["share_increase"][sl] = np.count_nonzero(fi, axis=1) / (T - 1)
        # mean and sample variance of tau (the same formula as the C++ kernel)
        sum_tau = taub.sum(axis=1)
        sum_tau2 = np.einsum("ij,ij->i", taub, taub)
        mean_tau = sum_tau / T
        out["mean_tau"][sl] = mean_tau
        out["var_tau"][sl] = np.maximum(0.0, (sum_tau2 - T * mean_tau * mean_tau) / (T - 1))
        out["mean_volume"][sl] = vb.sum(axis=1) / T
        # growth V_t/V_{t−1} − 1 over t >= 1, excluding V_{t−1} = 0 (V = 0 only where Vf = 0)
        prev = vb[:, :-1]
        if prev.min() > 0.0:
            np.divide(vb[:, 1:], prev, out=rb)
            out["mean_growth"][sl] = rb.sum(axis=1) / (T - 1) - 1.0
        else:
            defined = prev != 0.0
            np.divide(vb[:, 1:], prev, out=rb, where=defined)
            np.subtract(rb, 1.0, out=rb)
            rb[~defined] = 0.0
            cnt = np.count_nonzero(defined, axis=1)
            with np.errstate(invalid="ignore", divide="ignore"):
                out["mean_growth"][sl] = np.where(cnt > 0, rb.sum(axis=1) / cnt, np.nan)
    return out


def parse_cpp(path):
    vals = {}
    with open(path) as f:
        for line in f:
            parts = line.split()
            if len(parts) == 3 and parts[0] == "RESULT":
                vals[parts[1]] = float(parts[2])
    return vals


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--vbar", type=float, required=True, help="V̄ from the C++ solve() (bench_paths prints it)")
    ap.add_argument("--paths", type=int, default=4000)
    ap.add_argument("--periods", type=int, default=5000)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--mean", type=float, default=1.0)
    ap.add_argument("--sd", type=float, default=0.5)
    ap.add_argument("--a", type=float, default=1.0)
    ap.add_argument("--seed", type=int, default=20261123)
    ap.add_argument("--block-elems", type=int, default=1 << 20,
                    help="elements per [paths x periods] block (default 2^20 = 8 MB per array)")
    ap.add_argument("--cpp-output", help="stdout of bench_paths, to compare the statistics")
    ap.add_argument("--quick", action="store_true", help="--paths 400 --periods 2000")
    args = ap.parse_args()
    if args.quick:
        args.paths, args.periods = 400, 2000
    if args.periods < 2 or args.paths < 2:
        ap.error("expected paths >= 2 and periods >= 2")

    s2 = math.log1p((args.sd / args.mean) ** 2)
    mu, sigma = math.log(args.mean) - s2 / 2, math.sqrt(s2)
    block_rows = max(1, args.block_elems // args.periods)
    sp = args.paths * args.periods
    print(f"numpy_paths: numpy {np.__version__}, {args.paths} paths x {args.periods} periods = "
          f"{sp:.3g} sector-periods per run, best of {args.repeats}, lognormal({args.mean}, {args.sd}), "
          f"Vbar = {args.vbar!r}, blocks of {block_rows} paths")
    best = best_cpu = math.inf
    for r in range(args.repeats):
        rng = np.random.Generator(np.random.Philox(args.seed))
        c0, t0 = time.process_time(), time.perf_counter()
        res = simulate(rng, args.paths, args.periods, mu, sigma, args.vbar, args.a, block_rows)
        t, cpu = time.perf_counter() - t0, time.process_time() - c0
        best, best_cpu = min(best, t), min(best_cpu, cpu)
        print(f"  run {r + 1}: {t:.3f} s  {sp / t / 1e6:.1f} M sector-periods/s  (CPU {cpu:.3f} s)")
    rate = sp / best / 1e6
    print(f"  best: {rate:.1f} M sector-periods/s  ({best / sp * 1e9:.2f} ns per sector-period); "
          f"per CPU-second: {sp / best_cpu / 1e6:.1f} M")

    cpp = parse_cpp(args.cpp_output) if args.cpp_output else {}
    n = args.paths
    print("  statistic        numpy mean ± se           C++ mean ± se             z")
    worst = 0.0
    machine = [f"RESULT numpy.msps {rate:.6g}", f"RESULT numpy.msps_cpu {sp / best_cpu / 1e6:.6g}"]
    for k in STATS:
        m, se = float(res[k].mean()), float(res[k].std(ddof=1) / math.sqrt(n))
        machine += [f"RESULT numpy.{k}.mean {m!r}", f"RESULT numpy.{k}.se {se!r}"]
        line = f"    {k:15s} {m:.6f} ± {se:.6f}"
        ck, cs = cpp.get(f"lognormal.{k}.mean"), cpp.get(f"lognormal.{k}.se")
        if ck is not None and cs is not None:
            z = (m - ck) / math.sqrt(se * se + cs * cs) if se + cs > 0 else 0.0
            worst = max(worst, abs(z))
            line += f"   {ck:.6f} ± {cs:.6f}   {z:+.2f}"
        print(line)
    if cpp:
        print(f"  largest |z| = {worst:.2f} ({'agree within Monte Carlo error' if worst < 4 else 'DISAGREE: |z| >= 4'})")
        machine.append(f"RESULT numpy.max_abs_z {worst:.6g}")
    print("\n".join(machine))


if __name__ == "__main__":
    main()
