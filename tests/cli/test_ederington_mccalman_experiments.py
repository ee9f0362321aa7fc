"""The Ederington–McCalman experiments end to end: each experiments/em_*.toml runs through the CLI
(shrunk with --set), and the proposition shares, the Fig. 4 threshold and the figure script are
checked in the HDF5 files through the reader."""
from pathlib import Path

import numpy as np

from common import check, parse_args, run, workdir


def run_experiment(b, src, wd, name, *sets):
    out = wd / f"{name}.h5"
    args = ["run", Path(src) / "experiments" / f"{name}.toml", "-o", out, "--no-progress"]
    for s in sets:
        args += ["--set", s]
    r = run(b, *args)
    check(r.returncode == 0, f"{name} runs ({r.stderr.strip()[-300:]})")
    return out


def main():
    args = parse_args()
    import tariffsim as ts
    b, src, wd = args.tariffsim, args.source, workdir()

    for name in ("em_prop1", "em_prop2", "em_prop3", "em_fig4", "em_fig4_statics",
                 "em_endogenous_ttil", "em_curvature", "em_curvature_exp"):
        r = run(b, "validate", Path(src) / "experiments" / f"{name}.toml")
        check(r.returncode == 0, f"{name} validates")

    # Prop. 1 and 2 hold on every point of a Sobol design; DP is infeasible on part of it.
    p1 = ts.open(str(run_experiment(b, src, wd, "em_prop1", "sample.n=256"))).results()
    check(len(p1) == 256, "em_prop1 keeps every point")
    check(p1["prop1_holds"].mean() == 1.0, f"Prop. 1 share = {p1['prop1_holds'].mean()}")
    infeasible = 1 - p1["t_hat_DP_feasible"].mean()
    check(0 < infeasible < 1, f"DP infeasible on part of the design ({infeasible:.3f})")
    bad = p1[p1["t_hat_DP_feasible"] == 0]
    check(np.allclose(bad["t_hat_DP"], bad["t_N"], rtol=0, atol=0), "infeasible DP reports t_N")
    check((p1["t_hat_NP"] <= p1["t_hat_DP"]).all(), "t_hat_NP <= t_hat_DP everywhere")
    p2 = ts.open(str(run_experiment(b, src, wd, "em_prop2", "sample.n=256"))).results()
    check(p2["prop2_holds"].mean() == 1.0, f"Prop. 2 share = {p2['prop2_holds'].mean()}")
    check((p2["t_hat_DC"] <= p2["t_hat_NP"]).all(), "t_hat_DC <= t_hat_NP everywhere")

    # Prop. 3: discrimination better near tau = t_N when DP is feasible; infeasible at low delta.
    p3 = ts.open(str(run_experiment(b, src, wd, "em_prop3", "grid.delta=[0.1, 0.5, 0.9]",
                                    "grid.ttil=[0.0, 0.5, 0.95]"))).results()
    near = p3[p3["ttil"] == 0.95]
    check((near["prop3_holds"] == near["rp_DP_feasible"]).all(),
          "Prop. 3 holds at tau = 0.95 t_N wherever DP is feasible")
    check(p3.loc[(p3["delta"] == 0.9), "rp_DP_feasible"].all(), "DP feasible at delta = 0.9")
    check(not p3.loc[(p3["delta"] == 0.1) & (p3["ttil"] == 0.0), "rp_DP_feasible"].any(),
          "DP infeasible at delta = 0.1, tau = 0")
    feas = p3[p3["rp_DP_feasible"] == 1]
    check((feas["eq28_holds"] == 1).all(), "Lemma 5 (eq 28) on every feasible point")
    check(p3.loc[p3["rp_DP_feasible"] == 0, "eq28_holds"].isna().all(), "eq28 NaN where infeasible")

    # Fig. 4: the gap changes sign at tau* = f t_N, and the figure script draws from the file.
    f4_path = run_experiment(b, src, wd, "em_fig4", "grid.ttil={ linspace = [0.0, 1.0, 21] }")
    f4 = ts.open(str(f4_path)).results()
    f = f4["fig4_fraction"].iloc[0]
    check(0.1 < f < 0.15, f"Fig. 4 threshold fraction at b = c = 1, d = 2 ({f:.4f})")
    inner = f4[f4["ttil"] < 1]
    check(((inner["fig4_gap"] > 0) == (inner["ttil"] > f)).all(), "gap > 0 exactly for tau > tau*")
    r = run(b, "plot", f4_path, "-o", wd / "fig4")
    png = wd / "fig4" / "em_fig4.png"
    check(r.returncode == 0 and png.stat().st_size > 10000, f"tariffsim plot ({r.stderr[-300:]})")

    # Comparative statics of f: up in d, down in b and c.
    st = ts.open(str(run_experiment(b, src, wd, "em_fig4_statics", "grid.b=[0.5, 1.0, 2.0]",
                                    "grid.c=[0.5, 1.0]", "grid.d=[1.6, 3.0, 6.0]"))).results()
    piv = st.set_index(["b", "c", "d"])["fig4_fraction"]
    check(all(piv[(bb, cc, 1.6)] < piv[(bb, cc, 3.0)] < piv[(bb, cc, 6.0)]
              for bb in (0.5, 1.0, 2.0) for cc in (0.5, 1.0)), "f rises with d")
    check(all(piv[(0.5, cc, dd)] > piv[(1.0, cc, dd)] > piv[(2.0, cc, dd)]
              for cc in (0.5, 1.0) for dd in (1.6, 3.0, 6.0)), "f falls with b")
    check(all(piv[(bb, 0.5, dd)] > piv[(bb, 1.0, dd)] for bb in (0.5, 1.0, 2.0)
              for dd in (1.6, 3.0, 6.0)), "f falls with c")

    # Endogenous tau: Prop. 1 holds; discrimination better at low delta, not at high delta.
    en = ts.open(str(run_experiment(b, src, wd, "em_endogenous_ttil", "grid.T=[inf]",
                                    "grid.delta=[0.1, 0.3, 0.9]"))).results()
    check((en["endo_prop1_holds"] == 1).all(), "Prop. 1 with tau = t_hat(r)")
    check(list(en["endo_rp_disc_better"]) == [1.0, 1.0, 0.0], "footnote 15: low delta favours DP")

    # Curved demand alpha - b p - g p^2: Prop. 1 at g = 0 (closed forms), and where it first fails.
    cu = ts.open(str(run_experiment(b, src, wd, "em_curvature", "grid.g=[0.0, 1.0, 100.0]",
                                    "grid.d=[2.0]", "grid.delta=[0.3, 0.5]",
                                    "grid.ttil=[0.0, 0.9]"))).results()
    check(len(cu) == 12, "em_curvature keeps every point")
    check((cu.loc[cu["g"] == 0, "prop1_holds"] == 1).all(), "Prop. 1 holds at g = 0")
    check(cu["t_N"].is_monotonic_decreasing, "t_N falls as demand becomes more concave")
    check(cu.loc[cu["g"] > 0, "t_NC"].isna().all(), "linear-only outputs are NaN at g > 0")
    failing = cu.loc[cu["prop1_holds"] == 0, "g"]
    print("em_curvature: Prop. 1 first fails at g =",
          failing.min() if len(failing) else "never on this grid",
          "| share holding by g:", cu.groupby("g")["prop1_holds"].mean().to_dict())

    # Curved export supply X(q) = (s0 - alpha) + (b + d)(e^(kappa_x q) - 1)/kappa_x, log-convexity
    # index lam = kappa_x (s0 - alpha)/(b + d) = (s0 - 20)/3 here: Prop. 1 holds up to exactly
    # exponential exports (lam = 1) and fails past a switch that starts at lam = 1 near tau = t_N.
    ex = ts.open(str(run_experiment(b, src, wd, "em_curvature_exp",
                                    "grid.s0=[20.0, 23.0, 23.3, 24.5]", "grid.delta=[0.3]",
                                    "grid.ttil=[0.0, 0.5, 0.9, 0.99]"))).results()
    check(len(ex) == 16 and ex["prop1_holds"].notna().all(), "em_curvature_exp: every point solved")
    ex["lam"] = ex["kappa_x"] * (ex["s0"] - ex["alpha"]) / (ex["b"] + ex["d"])
    check((ex.loc[ex["lam"] <= 1, "prop1_holds"] == 1).all(), "Prop. 1 holds for lam <= 1")
    check((ex.loc[ex["lam"] == 1.5, "prop1_holds"] == 0).all(), "Prop. 1 fails at lam = 1.5")
    mid = ex[ex["s0"] == 23.3].set_index("ttil")["prop1_holds"]
    check(mid[0.0] == 1 and mid[0.9] == 0 and mid[0.99] == 0,
          f"lam = 1.1: Prop. 1 holds at tau = 0, fails near t_N ({mid.to_dict()})")
    fails = ex[ex["prop1_holds"] == 0]
    check((fails["W_DP_dev"] < fails["W_NP"]).all(), "each failure is a reversal of Lemma 3")
    knife = ex.loc[ex["s0"] == 23.0, "export_log_curvature_N"]
    check(np.allclose(knife, 1.0, rtol=0, atol=1e-12), "s0 = 23: exactly exponential exports")
    check(((ex["export_log_curvature_N"] > 1) == (ex["lam"] > 1)).all(),
          "X X''/X'^2 > 1 exactly where lam > 1")
    for tau, grp in ex.groupby("ttil"):
        held, failed = grp.loc[grp["prop1_holds"] == 1, "lam"], grp.loc[grp["prop1_holds"] == 0, "lam"]
        print(f"em_curvature_exp: tau/t_N = {tau}: Prop. 1 holds up to lam = {held.max():.3g}, "
              f"fails from lam = {failed.min():.3g}")

    # T and r together are rejected before the run (exit 2), naming both.
    r = run(b, "run", Path(src) / "experiments" / "em_fig4.toml", "-o", wd / "x.h5",
            "--set", "parameters.T=3", "--set", "parameters.r=0.5", "--no-progress")
    check(r.returncode == 2 and "T" in r.stderr and "r" in r.stderr, "T and r both set: exit 2")


if __name__ == "__main__":
    main()
