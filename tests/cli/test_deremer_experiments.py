"""The deremer experiments run through the CLI (made small with --set) and give the paper's
numbers: Nash 23/292, stable = eq. (7) = 4/395, public 4/101 (Figure 1); eq. (7) statuses; Remark 1
and power-shift indicators; asymmetric path endpoints; and the Figure 1 plot script."""
import subprocess
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
    import tariffsim_reader as ts
    b, src, wd = args.tariffsim, args.source, workdir()

    f = run_exp(b, src, wd, "deremer_fig1")
    d = ts.read(f).iloc[0]
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
    s = ts.series(f, "curve_S")
    check(s.shape == (1, 1, 401), f"curve series length n_curve ({s.shape})")
    tx = ts.series(f, "curve_tx")[0, 0]
    ss = ts.series(f, "curve_Ss")[0, 0]
    i = int(np.argmin(np.abs(tx - 4 / 395)))
    check(abs(s[0, 0, i] - ss[i]) < 2e-3, "S and S* cross near the stable point")
    png = wd / "fig1.png"
    r = subprocess.run(["/usr/bin/python3", str(Path(src) / "tools" / "plot_deremer_fig1.py"), f,
                        "-o", str(png)], capture_output=True, text=True)
    check(r.returncode == 0 and png.stat().st_size > 10000, f"plot script writes a PNG ({r.stderr[-300:]})")

    e = ts.read(run_exp(b, src, wd, "deremer_eq7", "grid.gM=[1.0, 1.2, 1.9, 4.0]",
                        "grid.gE=[0.5, 1.1, 3.5]"))
    row = e[(e.gM == 1.2) & (e.gE == 1.1)].iloc[0]
    check(abs(row.tau_G_eq7 - 4 / 395) <= 1e-12 and row.status_eq7 == 0, "eq7 grid value")
    check(e[(e.gM == 1.9) & (e.gE == 0.5)].status_eq7.iloc[0] == 2, "prohibitive region marked")
    check(e[(e.gM == 4.0) & (e.gE == 3.5)].status_eq7.iloc[0] == 5, "D <= 0 marked")
    check(e[(e.gM == 1.0) & (e.gE == 3.5)].status_eq7.iloc[0] == 3, "tau < -1 marked")
    ok = e[e.status_eq7 == 0]
    check(np.allclose(ok.tau_G_eq7, ok.tx_stable, atol=1e-12, rtol=0), "eq. (7) = stable point")

    r1 = ts.read(run_exp(b, src, wd, "deremer_remark1", "sample.n=256"))
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

    p = ts.read(run_exp(b, src, wd, "deremer_power", "grid.gM=[1.1, 1.4]", "grid.gE=[1.05, 1.2]"))
    same = p[(p.gM_W == p.gM)]
    check(len(same) == 0 or (same.public_gains_power == 1).all(), "public gains when gM_W = gM")
    valid = p[p.status_stable == 0]
    check(np.array_equal(valid.public_gains_power == 1, valid.power_B < 0), "sign(dW/dlam) = -sign(B)")
    check((valid.public_gains_power == 0).any(), "the public can lose when gM_W < gM")

    a = ts.read(run_exp(b, src, wd, "deremer_asymmetric", "grid.gM=[1.0, 1.3]", "grid.gE=[1.0, 1.2]"))
    check(len(a) == 8 and (a.status_stable == 0).all(), "asymmetric stable points solved")
    asym = a[(a.gM != 1.2) | (a.gE != 1.1)]
    check(set(asym.stopped_by_reciprocity) <= {1.0, 2.0}, "asymmetric paths stopped by one country")
    # (With gE = 1, S is the vertical line u = -beta_H/D_H: tx can coincide, ty does not.)
    dist = np.maximum(np.abs(asym.path_tx_end_reciprocity - asym.tx_stable),
                      np.abs(asym.path_ty_end_reciprocity - asym.ty_stable))
    check((dist > 1e-6).all(),
          "asymmetric path ends are not the stable point")


if __name__ == "__main__":
    main()
