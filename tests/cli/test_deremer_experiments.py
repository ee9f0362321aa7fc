"""The deremer experiments run through the CLI (made small with --set) and give the paper's
numbers: Nash 23/292, stable = eq. (7) = 4/395, public 4/101 (Figure 1); eq. (7) statuses; Remark 1
and power-shift indicators; asymmetric path endpoints; and the Figure 1 plot script."""
from pathlib import Path

import numpy as np

from common import check, parse_args, run, workdir


def run_exp(b, src, wd, name, *sets):
    out = wd / f"{name}.h5"
    args = ["run", Path(src) / "experiments" / f"{name}.toml", "-o", out, "--no-progress"]
    for s in sets:
        args += ["--set", s]
    r = run(b, *args)
    check(r.returncode == 0, f"{name} runs ({r.stderr.strip()[-300:]})")
    return str(out)


def main():
    args = parse_args()
    import tariffsim as ts
    b, src, wd = args.tariffsim, args.source, workdir()

    f = run_exp(b, src, wd, "deremer_fig1")
    d = ts.open(f).results().iloc[0]
    check(abs(d.tx_N - 23 / 292) <= 1e-12 and abs(d.ty_N - 23 / 292) <= 1e-12, "Nash = 23/292")
    check(abs(d.tx_stable - 4 / 395) <= 1e-12 and abs(d.ty_stable - 4 / 395) <= 1e-12, "stable = 4/395")
    check(abs(d.tau_G_eq7 - 4 / 395) <= 1e-12, "eq. (7) = 4/395")
    check(abs(d.tx_public - 4 / 101) <= 1e-12 and abs(d.tau_W_eq7 - 4 / 101) <= 1e-12, "public = 4/101")
    check(abs(d.lam_R - 1) <= 1e-12, "lam_R = 1 for symmetric countries")
    check(d.stopped_by_reciprocity == 3 and abs(d.path_tx_end_reciprocity - 4 / 395) <= 1e-12,
          "reciprocal path ends at eq. (7), stopped by both")
    check(d.public_loses_recip == 1 and d.remark1_exact == 1, "Remark 1 at the figure's weights")
    check(d.d_import_rents_at_lamR > 0 and d.d_export_rents_at_lamR > 0 and d.d_tot_at_lamR > 0,
          "Remark 2: all three parts positive")
    check(abs(d.dW_dlam_at_lamR - d.dW_dlam_sym) <= 1e-12, "dW/dlam matches the symmetric closed form")
    s = ts.open(f).series("curve_S")[:]
    check(s.shape == (1, 1, 401), f"curve series length n_curve ({s.shape})")
    tx = ts.open(f).series("curve_tx")[0, 0]
    ss = ts.open(f).series("curve_Ss")[0, 0]
    i = int(np.argmin(np.abs(tx - 4 / 395)))
    check(abs(s[0, 0, i] - ss[i]) < 2e-3, "S and S* cross near the stable point")
    r = run(b, "plot", f, "-o", wd / "fig1")
    png = wd / "fig1" / "deremer_fig1.png"
    check(r.returncode == 0 and png.stat().st_size > 10000,
          f"tariffsim plot writes a PNG ({r.stderr[-300:]})")

    e = ts.open(run_exp(b, src, wd, "deremer_eq7", "grid.gM=[0.6, 1.0, 1.2, 1.9, 4.0]",
                        "grid.gE=[0.5, 1.1, 3.0, 3.5]")).results()
    row = e[(e.gM == 1.2) & (e.gE == 1.1)].iloc[0]
    check(abs(row.tau_G_eq7 - 4 / 395) <= 1e-12 and row.status_eq7 == 0, "eq7 grid value")
    check(e[(e.gM == 1.9) & (e.gE == 0.5)].status_eq7.iloc[0] == 2, "prohibitive region marked")
    check(e[(e.gM == 4.0) & (e.gE == 3.5)].status_eq7.iloc[0] == 5, "D <= 0 marked")
    check(e[(e.gM == 1.0) & (e.gE == 3.5)].status_eq7.iloc[0] == 3, "tau < -1 marked")
    ok = e[e.status_eq7 == 0]
    # None of these points has 8gM + 9gE = 23 (degenerate): every valid eq. (7) is a valid stable point.
    check((ok.status_stable == 0).all(), "every valid eq. (7) point has a valid stable point")
    check(np.allclose(ok.tau_G_eq7, ok.tx_stable, atol=1e-12, rtol=0), "eq. (7) = stable point")
    bound = e[e.gE == 3.0]
    check(((bound.tau_G_eq7 == -1) == (bound.tx_stable == -1)).all() and (ok.gE == 3.0).sum() >= 3,
          "on gE = 3 eq. (7) and the stable point are both exactly -1 (rounding flips neither)")
    check(e[e.gM == 1.9].status_nash.eq(2).all() and e[e.gM == 1.2].status_nash.eq(0).all(),
          "Nash prohibitive marked (gM >= 7/4)")
    check(e.eq7_subsidy.eq(3 * e.gE > 1 + 2 * e.gM).where(e.status_eq7 != 5, True).all(),
          "eq7_subsidy marks 3gE > 1 + 2gM")

    r1 = ts.open(run_exp(b, src, wd, "deremer_remark1", "sample.n=256")).results()
    check(len(r1) == 256, "Sobol design size")
    # Where the publics' point is prohibitive (8gM_W - 9gE_W >= 5) it is NaN: compare elsewhere.
    fin = r1[np.isfinite(r1.tx_public_minus_stable)]
    check(len(fin) > 200, f"most publics' points are interior ({len(fin)})")
    check(np.array_equal(fin.remark1_exact == 1, fin.tx_public_minus_stable > 0),
          "remark1_exact marks exactly where tau^W > tau^G")
    check(np.array_equal(fin.public_loses_recip == 1, fin.tx_public_minus_stable > 0),
          "the public loses from the last cuts exactly where tau^W > tau^G")
    share = r1.remark1_exact.mean()
    check(0 < share < 1, f"share where the public loses is interior ({share:.3f})")

    # gM = 1.2, 1.5 meet the experiment's gM_W axis; (1.48, 1.08, gM_W = 1) lies on B = 0.
    p = ts.open(run_exp(b, src, wd, "deremer_power", "grid.gM=[1.2, 1.48, 1.5]", "grid.gE=[1.08, 1.2]")).results()
    same = p[p.gM_W == p.gM]
    check(len(same) == 4 and (same.public_gains_power == 1).all(), "public gains when gM_W = gM")
    valid = p[(p.status_stable == 0) & (p.power_B.abs() > 1e-9)]
    check(np.array_equal(valid.public_gains_power == 1, valid.power_B < 0), "sign(dW/dlam) = -sign(B)")
    check(((valid.public_gains_power == 0) & (valid.gM_W < valid.gM)).any() and
          (valid.public_gains_power == 0).sum() == ((valid.public_gains_power == 0) & (valid.gM_W < valid.gM)).sum(),
          "the public loses only where gM_W < gM, and it does somewhere")
    edge = p[(p.gM == 1.48) & (p.gE == 1.08) & (p.gM_W == 1.0)].iloc[0]
    check(abs(edge.power_B) < 1e-12 and edge.dW_dlam_at_lamR == 0 and np.isnan(edge.public_gains_power),
          "on B = 0: dW/dlam = 0 and no sign")
    check((valid.d_import_rents_at_lamR > 0).all() and (valid.d_export_rents_at_lamR > 0).all() and
          (valid.d_tot_at_lamR > 0).all(), "Remark 2: the three parts are positive")

    a = ts.open(run_exp(b, src, wd, "deremer_asymmetric", "grid.gM=[1.0, 1.3]", "grid.gE=[1.0, 1.2]")).results()
    check(len(a) == 8 and (a.status_stable == 0).all(), "asymmetric stable points solved")
    asym = a[(a.gM != 1.2) | (a.gE != 1.1)]
    check(set(asym.stopped_by_reciprocity) <= {1.0, 2.0}, "asymmetric paths stopped by one country")
    # (With gE = 1, S is the vertical line u = -beta_H/D_H: tx can coincide, ty does not.)
    dist = np.maximum(np.abs(asym.path_tx_end_reciprocity - asym.tx_stable),
                      np.abs(asym.path_ty_end_reciprocity - asym.ty_stable))
    check((dist > 1e-6).all(),
          "asymmetric path ends are not the stable point")
    check(a.tau_G_eq7.isna().all() and a.eq7_subsidy.isna().all() and a.power_B.isna().all(),
          "eq. (7) outputs are NaN for asymmetric weights")
    tot, vol = (a[a.reciprocity == k].set_index(["gM", "gE"]) for k in ("tot", "volume"))
    off = (tot.index.get_level_values(0) != 1.2) | (tot.index.get_level_values(1) != 1.1)
    check((np.abs(tot.tx_stable - vol.tx_stable)[off] > 1e-6).all(),
          "the two reciprocity notions give different stable points off the symmetric case")
    inv = lambda x, y: (1 - 6 * y) ** 2 - (1 - 6 * x) ** 2
    check(np.allclose(inv(tot.path_tx_end_reciprocity, tot.path_ty_end_reciprocity),
                      inv(tot.tx_N, tot.ty_N), atol=1e-12, rtol=0), "ToT path ends on its level set")

    mc = ts.open(run_exp(b, src, wd, "deremer_weights_mc", "sample.n=1024")).results()
    check(len(mc) == 1024 and (mc.gM != mc.gMs).mean() > 0.99, "Sobol design over both countries' weights")
    v = mc[mc.status_stable == 0]
    check(mc[mc.status_stable != 0].public_loses_recip.isna().all() and v.public_loses_recip.notna().all(),
          "indicators are NaN exactly where the stable point is not valid")
    # Independent check of public_loses_recip: W from the primitives along a small reciprocal
    # increase (dty/dtx = M_x/M_y) at the stable point.
    def W(tx, ty, gM, gE):
        px, pyw = 4 * (1 + tx) / 7, (4 - 3 * ty) / 7
        return (0.5 * (1 - px) ** 2 + gM * px ** 2 / 4 + tx * (1 - 6 * tx) / 7 +
                0.5 * (1 - pyw) ** 2 + gE * pyw ** 2 / 2)
    h = 1e-6
    dty = h * (1 - 6 * v.tx_stable) / (1 - 6 * v.ty_stable)
    gain = (W(v.tx_stable + h, v.ty_stable + dty, v.gM_W, v.gE_W) -
            W(v.tx_stable - h, v.ty_stable - dty, v.gM_W, v.gE_W))
    sure = gain.abs() > 1e-13
    check(sure.mean() > 0.99 and np.array_equal((gain[sure] > 0), v.public_loses_recip[sure] == 1),
          "public_loses_recip = the sign of W's numerical reciprocal change")
    shares = v[["public_loses_recip", "public_gains_power"]].mean()
    check(0.2 < shares.public_loses_recip < 0.8 and 0.9 < shares.public_gains_power < 1,
          f"shares of the weight space are interior ({shares.to_dict()})")
    print(f"weights_mc: valid stable point {len(v) / len(mc):.3f}, shares {shares.round(3).to_dict()}")


if __name__ == "__main__":
    main()
