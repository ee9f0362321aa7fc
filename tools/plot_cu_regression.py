"""Naive vs structural estimates of the CU weight w against the truth, from a cu_regression result
file alone (experiments/cu_regression.toml). One panel per measurement-error setting; markers are
the means over replications, bars +-1 sd across replications.

    /usr/bin/python3 tools/plot_cu_regression.py results/cu_regression.h5 -o cu_regression.png
"""
import argparse
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent / "python"))
import tariffsim as ts  # noqa: E402

YLIM = (-0.5, 1.5)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("file")
    p.add_argument("-o", "--output", default="cu_regression.png")
    args = p.parse_args()
    df = ts.open(args.file).results(stat=["mean", "sd"])
    settings = sorted({(m, c) for m, c in zip(df.me_sd_mfn, df.me_sd_cu)})
    fig, axes = plt.subplots(1, len(settings), figsize=(4.2 * len(settings), 4.2), squeeze=False,
                             sharey=True)
    for ax, (me_mfn, me_cu) in zip(axes[0], settings):
        d = df[(df.me_sd_mfn == me_mfn) & (df.me_sd_cu == me_cu)].sort_values("w")
        ax.plot([0, 1], [0, 1], color="0.6", lw=1, label="truth")
        inside = (d.w_naive >= YLIM[0]) & (d.w_naive <= YLIM[1])
        ax.errorbar(d.w[inside] - 0.01, d.w_naive[inside], yerr=d.w_naive_sd[inside], fmt="o",
                    color="tab:red", capsize=3, label="naive OLS")
        # Naive estimates off the scale: a triangle at the edge, labelled with the mean.
        for w, est in zip(d.w[~inside], d.w_naive[~inside]):
            edge, marker = (YLIM[1], "^") if est > YLIM[1] else (YLIM[0], "v")
            ax.plot(w - 0.01, edge, marker=marker, color="tab:red", clip_on=False)
            ax.annotate(f"{est:.2g}", (w - 0.01, edge), textcoords="offset points",
                        xytext=(4, -12 if marker == "^" else 6), fontsize=7, color="tab:red")
        ax.errorbar(d.w + 0.01, d.w_struct, yerr=d.w_struct_sd, fmt="s", color="tab:blue",
                    capsize=3, label="structural OLS")
        ax.set_title(f"me_sd_mfn = {me_mfn:g}, me_sd_cu = {me_cu:g}", fontsize=9)
        ax.set_xlabel("true w = a/(a+b)")
        ax.set_xlim(0, 1)
    axes[0][0].set_ylim(*YLIM)
    axes[0][0].set_ylabel("estimated w (mean +- sd over replications)")
    axes[0][0].legend(fontsize=8, loc="upper left")
    fig.suptitle("CU weight w: naive vs structural regression of tau_CU on MFN AVEs", fontsize=10)
    fig.tight_layout()
    fig.savefig(args.output, dpi=110)
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
