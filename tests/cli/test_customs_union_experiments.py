"""The customs_union experiments, run small through the CLI: closed forms and orderings per point,
exact structural recovery of w without noise, the plot script reading the HDF5 file alone."""
import subprocess
from pathlib import Path

import numpy as np

from common import check, parse_args, run, workdir


def main():
    args = parse_args()
    import tariffsim_reader as ts
    b, wd = args.tariffsim, workdir()
    exp = Path(args.source) / "experiments"

    # cu_orderings, a slice: the equal-weight ordering holds wherever MFN_i is interior and n_j > 0.
    out = wd / "orderings.h5"
    r = run(b, "run", exp / "cu_orderings.toml", "-o", out, "--no-progress",
            "--set", "grid.n_i=[1, 3]", "--set", "grid.alpha_j=[0.0, 0.3]")
    check(r.returncode == 0, f"cu_orderings runs ({r.stderr.strip()[-300:]})")
    df = ts.read(str(out))
    check(len(df) == 2 * 4 * 4 * 2 * 3, f"cu_orderings points ({len(df)})")
    interior = (df.status_MFN_i == 0) & (df.n_j > 0)
    check(interior.any() and (df.order_i[interior] == 1).all(),
          "tau_FTA_i < tau_MFN_i < tau_CU wherever MFN_i is interior and n_j > 0")
    check((df.order_i[df.status_MFN_i == 1] == 0).all(), "the ordering fails where MFN_i is prohibitive")
    tau_mfn = (1 + 2 * df.n_i * (1 + df.alpha_i)) / (2 * (df.n_i + 1))
    ok = df.status_MFN_i == 0
    check(np.allclose(df.tau_MFN_i[ok], tau_mfn[ok], rtol=0, atol=1e-14), "tau_MFN_i closed form")
    check(np.all(np.abs(df[["res_FTA_form", "res_MFN_form", "res_FTA_identity",
                            "res_MFN_identity"]].to_numpy()) <= 1e-13), "identity residuals vanish")
    check((df.status_CU == df.status_CU_ab)[df.a == 1.0].all(), "CU_ab with a = b is the CU")

    # cu_mutual_protectionism, small: the statistics are in range.
    out = wd / "mp.h5"
    r = run(b, "run", exp / "cu_mutual_protectionism.toml", "-o", out, "--no-progress",
            "--set", "experiment.replications=4", "--set", "L=200",
            "--set", "grid.rho=[0.0, 0.9]", "--set", "grid.Nmax_j=[5]")
    check(r.returncode == 0, f"cu_mutual_protectionism runs ({r.stderr.strip()[-300:]})")
    df = ts.read(str(out))
    check(len(df) == 3 * 2 * 1 * 2, f"cu_mutual_protectionism points ({len(df)})")
    for col in ("cens_any", "top_decile_retention", "share_CU_above_max"):
        check(((df[col] >= 0) & (df[col] <= 1)).all(), f"{col} is a share")
    check(((df.spearman_CU_mean > 0) & (df.spearman_CU_mean <= 1)).all(),
          "tau_CU is positively rank-correlated with the mean MFN AVE")

    # cu_regression, small: exact structural recovery without noise; the plot from the file alone.
    out = wd / "reg.h5"
    r = run(b, "run", exp / "cu_regression.toml", "-o", out, "--no-progress",
            "--set", "experiment.replications=20", "--set", "L=200")
    check(r.returncode == 0, f"cu_regression runs ({r.stderr.strip()[-300:]})")
    df = ts.read(str(out), stats=("mean", "se"))
    check(len(df) == 5 * 2 * 2, f"cu_regression points ({len(df)})")
    clean = (df.me_sd_mfn == 0) & (df.me_sd_cu == 0)
    check(np.all(np.abs(df.w_struct[clean] - df.w[clean]) <= 1e-10),
          "structural OLS recovers w exactly without noise")
    cu_noise = (df.me_sd_mfn == 0) & (df.me_sd_cu > 0)
    check(np.all(np.abs(df.err_w_struct[cu_noise]) <= 4 * df.err_w_struct_se[cu_noise]),
          "with noise on tau_CU only the structural w is unbiased (|bias| <= 4 se)")
    check(np.all(np.abs(df.w_naive[clean & (df.w != 0.5)] - df.w[clean & (df.w != 0.5)]) > 1e-3),
          "the naive weight misses w")
    png = wd / "reg.png"
    p = subprocess.run(["/usr/bin/python3", str(Path(args.source) / "tools" / "plot_cu_regression.py"),
                        str(out), "-o", str(png)], capture_output=True, text=True)
    check(p.returncode == 0 and png.stat().st_size > 10000, f"plot written ({p.stderr[-300:]})")


if __name__ == "__main__":
    main()
