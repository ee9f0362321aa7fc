#!/usr/bin/env python3
"""numpy_panels.py: the bown_crowley panel + probit pipeline in NumPy/SciPy/statsmodels, timed per panel.

This is the baseline the C++ benchmark of the `bown_crowley` model is compared against: the same
pipeline, written the way a competent NumPy user would write it (vectorised over sectors, no Python
loop over sectors or periods), one thread. One replication builds one synthetic panel and fits one
probit:

 1. Sectors (drawn once when --resample is off, anew in every replication when it is on):
    m = exp(log_volume_sd·N(0,1)), CV ~ U(cv_lo, cv_hi), lne ~ N(lne_mean, lne_sd²), e = exp(lne),
    a = m/(2e), F = f·m, phi = 6·a·F.
 2. V̄ per sector: the positive root of h(v) = κG(v) + phi − v², κ = 3δ/(4(1−δ)),
    G(v) = E[Vf²] − E[(Vf − v)+²] for Vf lognormal(mean m, sd CV·m), by a vectorised safeguarded
    Newton iteration on all sectors at once (relative tolerance 1e-12).
 3. Shocks Vf[k, t], t = 0..T (aligned) or 0..T+1 (lagged), i.i.d. lognormal(m_k, CV_k·m_k).
 4. tau = max(0, Vf − V̄)/(2a), recorded tariff rec = tau if tau > theta else 0,
    V = min(Vf, (Vf + V̄)/2), g_t = V_t/V_{t−1} − 1.
 5. T observations per sector with regressor g_1..g_T: aligned, outcome at t = 1..T; lagged, outcome
    at t = 2..T+1. Outcome increase: [rec_t > rec_{t−1}]; onset: [rec_{t−1} = 0 and rec_t > 0].
 6. sd_k = sample sd (ddof=1) of the sector's g_1..g_T.
 7. Probit of y on X = [1, g, lne, g·lne, sd] by statsmodels (Newton, cluster-robust by sector).
 8. z = b/se, marginal effects at the means, and percentage effects of a one-sd change.

Timed per replication with time.perf_counter: draws, solve (when resampling), simulation, the fit
and the effects. Runs replications until --seconds of wall time have passed (at least 3), prints
the median time per panel, panels/s = 1/median and the share of the time spent in the statsmodels
fit; with --json the last stdout line is one JSON object for a driver script. The one-off sector
draws and solve with --resample off are timed separately ("setup_s"), not per panel.

Run with Debian's Python, which has numpy, scipy and statsmodels:

    /usr/bin/python3 tools/bench/numpy_panels.py --seconds 10
    /usr/bin/python3 tools/bench/numpy_panels.py --seconds 10 --resample --json

The BLAS/OpenMP thread variables are set to 1 before numpy is imported.

Two things to know when comparing estimates with the C++ fit:
- statsmodels' Probit clips Phi(q·xb) at FLOAT_EPS (2.2e-16) in its log-likelihood, score and
  Hessian, so an observation with q·xb below about −8.1 (here: a large growth outlier with y = 0)
  adds log(eps) instead of log Phi(q·xb). Most panels have a few; the estimates are then those of
  the clipped likelihood, a little different from the exact MLE, and Newton's convergence slows,
  now and then to statsmodels' limit of 35 iterations (counted and printed; the warning is muted).
  The sample replication prints how many observations were clipped.
- The random numbers are NumPy's (Philox4x64), not the engine's, so the two agree in distribution
  only. With --resample on or off the first replication uses the same draws.
"""
import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402
import scipy  # noqa: E402
import statsmodels  # noqa: E402
import statsmodels.api as sm  # noqa: E402
from scipy.special import ndtr  # noqa: E402
from statsmodels.tools.sm_exceptions import ConvergenceWarning  # noqa: E402

NAMES = ("const", "growth", "lne", "growth_x_lne", "sd")
INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


# ---------------------------------------------------------------------------- sectors and V̄

def draw_sectors(rng, p):
    """Step 1: one dict of per-sector arrays (length p.sectors)."""
    n = p.sectors
    m = np.exp(p.log_volume_sd * rng.standard_normal(n))
    cv = rng.uniform(p.cv_lo, p.cv_hi, n)
    lne = p.lne_mean + p.lne_sd * rng.standard_normal(n)
    a = m / (2.0 * np.exp(lne))
    phi = 6.0 * a * (p.defect_cost_share * m)
    s2 = np.log1p(cv * cv)
    return {"m": m, "lne": lne, "a": a, "phi": phi,
            "mu": np.log(m) - 0.5 * s2, "sigma": np.sqrt(s2), "e2": m * m * (1.0 + cv * cv)}


def h_and_slope(v, sec, kappa):
    """h(v) = κG(v) + phi − v² and h'(v) = 2κE[(Vf − v)+] − 2v, for the lognormal Vf of each sector."""
    mu, sigma = sec["mu"], sec["sigma"]
    base = (mu - np.log(v)) / sigma          # d_0; d_n = d_0 + n·sigma
    p_above = ndtr(base)
    e1u = sec["m"] * ndtr(base + sigma)
    e2u = sec["e2"] * ndtr(base + 2.0 * sigma)
    upper2 = e2u - 2.0 * v * e1u + v * v * p_above   # E[(Vf − v)+²]
    h = kappa * (sec["e2"] - upper2) + sec["phi"] - v * v
    slope = 2.0 * kappa * (e1u - v * p_above) - 2.0 * v
    return h, slope


def solve_vbar(sec, delta, rtol=1e-12, max_iter=200):
    """Step 2: V̄ for every sector at once.

    h is concave with h > 0 on (0, V̄) and h < 0 beyond, so Newton from hi = sqrt(κE[Vf²] + phi)
    (where h < 0) descends monotonically onto the root; the bracket [lo, hi], updated from the sign
    of h, turns any step that leaves it into a bisection step (in practice that happens only in
    the last ulp, where rounding puts a Newton step a hair outside). About 5 steps at δ = 0.7.
    """
    kappa = 3.0 * delta / (4.0 * (1.0 - delta))
    hi = np.sqrt(kappa * sec["e2"] + sec["phi"])
    lo = np.zeros_like(hi)
    v = hi.copy()
    for it in range(1, max_iter + 1):
        h, slope = h_and_slope(v, sec, kappa)
        np.copyto(lo, v, where=h > 0)
        np.copyto(hi, v, where=h <= 0)
        with np.errstate(divide="ignore", invalid="ignore"):
            step = v - h / slope
        bad = ~((step >= lo) & (step <= hi))     # also catches nan
        step[bad] = 0.5 * (lo[bad] + hi[bad])
        done = np.abs(step - v) <= rtol * step
        v = step
        if done.all():
            return v, it
    raise RuntimeError(f"solve_vbar: no convergence in {max_iter} iterations")


# ---------------------------------------------------------------------------- one panel

def draw_shocks(rng, sec, columns):
    """Step 3: Vf[k, t] for t = 0..columns−1, lognormal with each sector's mu and sigma."""
    z = rng.standard_normal((sec["m"].size, columns))
    z *= sec["sigma"][:, None]
    z += sec["mu"][:, None]
    return np.exp(z, out=z)


def simulate_panel(vf, vbar, a, theta, periods, regressor, outcome):
    """Steps 4–6: (y, g, sd) with y and g of shape [sectors, T] and sd of length sectors."""
    vb = vbar[:, None]
    tau = np.maximum(vf - vb, 0.0) / (2.0 * a[:, None])
    rec = np.where(tau > theta, tau, 0.0)
    vol = np.minimum(vf[:, : periods + 1], 0.5 * (vf[:, : periods + 1] + vb))
    g = vol[:, 1:] / vol[:, :-1] - 1.0            # g_1..g_T
    t0 = 1 if regressor == "aligned" else 2      # first outcome period
    now, before = rec[:, t0: t0 + periods], rec[:, t0 - 1: t0 - 1 + periods]
    if outcome == "increase":
        y = now > before
    else:
        y = (before == 0.0) & (now > 0.0)
    return y, g, g.std(axis=1, ddof=1)


def design(g, lne, sd):
    """Step 7's X = [1, g, lne, g·lne, sd], one row per sector-period, sector-major."""
    n = g.size
    per = g.shape[1]
    x = np.empty((n, 5))
    x[:, 0] = 1.0
    x[:, 1] = g.ravel()
    x[:, 2] = np.repeat(lne, per)
    np.multiply(x[:, 1], x[:, 2], out=x[:, 3])
    x[:, 4] = np.repeat(sd, per)
    return x


def fit_probit(y, x, groups):
    return sm.Probit(y, x).fit(method="newton", disp=False, cov_type="cluster",
                               cov_kwds={"groups": groups})


def effects(res, x, y):
    """Step 8: z, marginal effects at the means and percentage effects of one sd."""
    b = np.asarray(res.params)
    xbar = x.mean(axis=0)
    index = float(xbar @ b)
    dens, prob = INV_SQRT_2PI * math.exp(-0.5 * index * index), float(ndtr(index))
    slopes = {"growth": b[1] + b[3] * xbar[2], "lne": b[2] + b[3] * xbar[1], "sd": b[4]}
    sds = {"growth": x[:, 1].std(), "lne": x[:, 2].std(), "sd": x[:, 4].std()}
    return {
        "b": b, "z": b / np.asarray(res.bse),
        "me": {k: dens * c for k, c in slopes.items()},
        "pct": {k: 100.0 * (float(ndtr(index + sds[k] * c)) / prob - 1.0) for k, c in slopes.items()},
        "mean_y": float(y.mean()), "n_obs": int(y.size),
        "newton_iterations": int(res.mle_retvals.get("iterations", -1)),
        "converged": bool(res.mle_retvals.get("converged", False)),
    }


def clipped_obs(res, x, y):
    """Observations whose fitted Phi(q·xb) statsmodels clips at FLOAT_EPS (q·xb below about −8.1).

    Not part of the timed pipeline: printed so a reader comparing with an exact probit (log Phi
    accurate in the tail) knows the two maximise slightly different likelihoods on this panel.
    """
    q = 2.0 * y.ravel() - 1.0
    return int(np.count_nonzero(ndtr(q * (x @ np.asarray(res.params))) < np.finfo(float).eps))


def replication(rng, p, fixed, groups, clock):
    """One panel: draws (and solve, when resampling), simulation, fit, effects.

    Adds the wall time of each stage to `clock`; returns (estimates, wall s, CPU s)."""
    c0, t0 = time.process_time(), time.perf_counter()
    sec, vbar = fixed if fixed is not None else (None, None)
    if sec is None:
        sec = draw_sectors(rng, p)
        vbar, _ = solve_vbar(sec, p.delta)
    t1 = time.perf_counter()
    vf = draw_shocks(rng, sec, p.periods + (1 if p.regressor == "aligned" else 2))
    y, g, sd = simulate_panel(vf, vbar, sec["a"], p.theta, p.periods, p.regressor, p.outcome)
    x = design(g, sec["lne"], sd)
    t2 = time.perf_counter()
    res = fit_probit(y.ravel().astype(np.float64), x, groups)
    t3 = time.perf_counter()
    est = effects(res, x, y)
    t4, c4 = time.perf_counter(), time.process_time()
    for k, dt in (("sectors", t1 - t0), ("simulate", t2 - t1), ("fit", t3 - t2), ("effects", t4 - t3)):
        clock[k] += dt
    est["clipped_obs"] = clipped_obs(res, x, y)
    return est, t4 - t0, c4 - c0


# ---------------------------------------------------------------------------- driver

def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sectors", type=int, default=13900)
    ap.add_argument("--periods", type=int, default=10)
    ap.add_argument("--resample", action="store_true", help="draw the sectors anew in every replication")
    ap.add_argument("--seconds", type=float, default=10.0, help="minimum wall time of the timed loop")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--defect-cost-share", type=float, default=0.0)
    ap.add_argument("--theta", type=float, default=0.0)
    ap.add_argument("--regressor", choices=("aligned", "lagged"), default="aligned")
    ap.add_argument("--outcome", choices=("increase", "onset"), default="increase")
    ap.add_argument("--delta", type=float, default=0.7)
    ap.add_argument("--log-volume-sd", type=float, default=0.5)
    ap.add_argument("--cv-lo", type=float, default=0.15)
    ap.add_argument("--cv-hi", type=float, default=0.9)
    ap.add_argument("--lne-mean", type=float, default=-2.0)
    ap.add_argument("--lne-sd", type=float, default=1.5)
    ap.add_argument("--json", action="store_true", help="end with one JSON line of the figures")
    p = ap.parse_args()
    if p.sectors < 2 or p.periods < 2 or not 0.0 < p.delta < 1.0:
        ap.error("expected sectors >= 2, periods >= 2 and 0 < delta < 1")
    return p


def print_estimates(est):
    print("  sample replication (the first): "
          f"n_obs = {est['n_obs']}, mean_y = {est['mean_y']:.6f}, "
          f"Newton iterations = {est['newton_iterations']}, converged = {est['converged']}, "
          f"observations with Phi clipped by statsmodels = {est['clipped_obs']}")
    print("    coefficient        b            z (cluster)")
    for name, b, z in zip(NAMES, est["b"], est["z"]):
        print(f"    {name:14s} {b:+12.6f} {z:+12.3f}")
    for k in ("growth", "lne", "sd"):
        print(f"    effect of {k:6s}: me = {est['me'][k]:+.6f}, pct (one sd) = {est['pct'][k]:+.3f} %")


def main():
    p = parse_args()
    rng = np.random.Generator(np.random.Philox(p.seed))
    groups = np.repeat(np.arange(p.sectors), p.periods)
    fixed, setup_s, solve_iters = None, 0.0, None
    if not p.resample:
        t0 = time.perf_counter()
        sec = draw_sectors(rng, p)
        vbar, solve_iters = solve_vbar(sec, p.delta)
        setup_s = time.perf_counter() - t0
        fixed = (sec, vbar)
    print(f"numpy_panels: numpy {np.__version__}, scipy {scipy.__version__}, statsmodels "
          f"{statsmodels.__version__}; {p.sectors} sectors x {p.periods} periods, "
          f"regressor {p.regressor}, outcome {p.outcome}, theta {p.theta}, f {p.defect_cost_share}, "
          f"resample {'on' if p.resample else 'off'}, at least {p.seconds} s")
    if fixed is not None:
        print(f"  setup (sector draws + V̄ solve, once): {setup_s * 1e3:.2f} ms, {solve_iters} Newton steps")

    clock = dict.fromkeys(("sectors", "simulate", "fit", "effects"), 0.0)
    wall, cpu, fits = [], [], []
    start = time.perf_counter()
    with warnings.catch_warnings():
        # counted below instead: statsmodels warns once per fit that stops at maxiter (35)
        warnings.simplefilter("ignore", ConvergenceWarning)
        while len(wall) < 3 or time.perf_counter() - start < p.seconds:
            est, dt, dc = replication(rng, p, fixed, groups, clock)
            wall.append(dt)
            cpu.append(dc)
            fits.append(est)
    sample = fits[0]
    total = sum(clock.values())
    median = float(np.median(wall))
    shares = {k: v / total for k, v in clock.items()}
    iters = [e["newton_iterations"] for e in fits]
    failed = sum(not e["converged"] for e in fits)

    print(f"  panels: {len(wall)}, median {median * 1e3:.2f} ms per panel "
          f"(min {min(wall) * 1e3:.2f}, max {max(wall) * 1e3:.2f}), {1.0 / median:.3f} panels/s; "
          f"median CPU {np.median(cpu) * 1e3:.2f} ms per panel")
    print("  share of the time: " + ", ".join(f"{k} {100 * s:.1f} %" for k, s in shares.items()))
    print(f"  statsmodels Newton iterations per fit: median {np.median(iters):g}, "
          f"min {min(iters)}, max {max(iters)}; {failed} of {len(fits)} fits not converged")
    print_estimates(sample)
    if p.json:
        print(json.dumps({
            "panels": len(wall), "median_s": median, "panels_per_s": 1.0 / median,
            "fit_share": shares["fit"], "resample": p.resample,
            "min_s": min(wall), "mean_s": total / len(wall), "median_cpu_s": float(np.median(cpu)),
            "setup_s": setup_s, "shares": shares,
            "sectors": p.sectors, "periods": p.periods, "seed": p.seed,
            "defect_cost_share": p.defect_cost_share, "theta": p.theta, "delta": p.delta,
            "regressor": p.regressor, "outcome": p.outcome,
            "newton_iterations": sample["newton_iterations"],
            "newton_iterations_median": float(np.median(iters)), "fits_not_converged": failed,
            "sample": {"b": dict(zip(NAMES, sample["b"].tolist())),
                       "z": dict(zip(NAMES, sample["z"].tolist())),
                       "me": sample["me"], "pct": sample["pct"], "mean_y": sample["mean_y"],
                       "n_obs": sample["n_obs"], "clipped_obs": sample["clipped_obs"]},
            "numpy": np.__version__, "scipy": scipy.__version__,
            "statsmodels": statsmodels.__version__,
        }))


if __name__ == "__main__":
    main()
