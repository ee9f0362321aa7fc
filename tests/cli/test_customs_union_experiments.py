"""The customs_union experiments, run small through the CLI: bad input refused, closed forms and
orderings per point, the cross-section's statistics, exact structural recovery of w without noise
and within its computed standard error with noise, the plot script reading the HDF5 file alone."""
from pathlib import Path
from statistics import NormalDist

import h5py
import numpy as np

from common import check, parse_args, run, workdir, write

BAD_INPUT = [  # (name, [parameters] lines, what the message must name)
    ("negative alpha", "alpha_i = -0.1", ["bad.toml:6", "parameters.alpha_i", "[0, inf)"]),
    ("a = b = 0", "a = 0.0\nb = 0.0", ["bad.toml:6", "parameters.a", "a + b > 0"]),
    ("L = 0", "L = 0", ["bad.toml:6", "parameters.L", "[1, 10000000]"]),
]


def check_bad_input(b, wd):
    """Parameters outside the model: exit 2, and the message names the file, line and key."""
    for name, params, needles in BAD_INPUT:
        toml = write(wd / "bad.toml", '[experiment]\nname = "bad"\nmodel = "customs_union"\n'
                     f'seed = 1\n[parameters]\n{params}\n')
        r = run(b, "run", toml, "-o", wd / "bad.h5", "--no-progress")
        check(r.returncode == 2 and all(n in r.stderr for n in needles),
              f"{name}: exit 2 naming {needles} (got {r.returncode}: {r.stderr.strip()})")


def main():
    args = parse_args()
    import tariffsim as ts
    b, wd = args.tariffsim, workdir()
    exp = Path(args.source) / "experiments"
    check_bad_input(b, wd)

    # cu_orderings, a slice: the equal-weight ordering holds wherever MFN_i is interior and n_j > 0.
    out = wd / "orderings.h5"
    r = run(b, "run", exp / "cu_orderings.toml", "-o", out, "--no-progress",
            "--set", "grid.n_i=[1, 3]", "--set", "grid.alpha_j=[0.0, 0.3]")
    check(r.returncode == 0, f"cu_orderings runs ({r.stderr.strip()[-300:]})")
    df = ts.open(str(out)).results()
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
    df = ts.open(str(out)).results()
    check(len(df) == 3 * 2 * 1 * 2, f"cu_mutual_protectionism points ({len(df)})")
    for col in ("cens_any", "top_decile_retention", "share_CU_above_max"):
        check(((df[col] >= 0) & (df[col] <= 1)).all(), f"{col} is a share")
    check(((df.spearman_CU_mean > 0) & (df.spearman_CU_mean <= 1)).all(),
          "tau_CU is positively rank-correlated with the mean MFN AVE")
    equal = (df.a == 1.0) & (df.me_sd_mfn == 0)
    check(equal.any() and (df.share_CU_above_max[equal] == 1).all(),
          "equal weights, no error: tau_CU exceeds both MFN AVEs in every interior sector (spec §5)")
    check((df.cens_MFN_i == 0).all(), "n_i <= 5 and alpha < 0.1: no MFN_i tariff is prohibitive")

    # cu_regression, small: exact structural recovery without noise; the plot from the file alone.
    out = wd / "reg.h5"
    r = run(b, "run", exp / "cu_regression.toml", "-o", out, "--no-progress",
            "--set", "experiment.replications=20", "--set", "L=200")
    check(r.returncode == 0, f"cu_regression runs ({r.stderr.strip()[-300:]})")
    df = ts.open(str(out)).results(stat=["mean", "se"])
    check(len(df) == 5 * 2 * 2, f"cu_regression points ({len(df)})")
    clean = (df.me_sd_mfn == 0) & (df.me_sd_cu == 0)
    check(np.all(np.abs(df.w_struct[clean] - df.w[clean]) <= 1e-10),
          "structural OLS recovers w exactly without noise")
    cu_noise = (df.me_sd_mfn == 0) & (df.me_sd_cu > 0)
    check(np.all(np.abs(df.err_w_struct[cu_noise]) <= 4 * df.err_w_struct_se[cu_noise]),
          "with noise on tau_CU only the structural w is unbiased (|bias| <= 4 se)")
    check(np.all(np.abs(df.w_naive[clean & (df.w != 0.5)] - df.w[clean & (df.w != 0.5)]) > 1e-3),
          "the naive weight misses w")
    with h5py.File(out, "r") as f:  # every replication's estimate against its own computed se
        g = f["cu_regression"]
        w_rep, se_rep = g["replications/w_struct"][()], g["replications/se_w_struct"][()]
        noisy = ((g["points/me_sd_mfn"][()] > 0) | (g["points/me_sd_cu"][()] > 0))
        w_true = g["points/a"][()] / (g["points/a"][()] + g["points/b"][()])
    z = (w_rep[noisy] - w_true[noisy, None]) / se_rep[noisy]
    # The normal quantile that all z.size values stay below with probability 0.999 (Bonferroni).
    bound = NormalDist().inv_cdf(1 - 0.0005 / z.size)
    check(np.all(np.abs(z) <= bound), f"with noise each structural w is within {bound:.2f} of "
          f"its computed se (max {np.abs(z).max():.2f})")
    # The computed se is the right size: z has unit SD (an SD of n values has se ~ 1/sqrt(2n)).
    sd = (z - z.mean(axis=1, keepdims=True)).std(ddof=1)
    check(abs(sd - 1) <= 4 / np.sqrt(2 * z.size), f"SD of w_struct/se is 1 ({sd:.3f})")
    p = run(b, "plot", out, "-o", wd / "reg")
    png = wd / "reg" / "cu_regression.png"
    check(p.returncode == 0 and png.stat().st_size > 10000, f"plot written ({p.stderr[-300:]})")


if __name__ == "__main__":
    main()
