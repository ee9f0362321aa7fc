"""Ederington–McCalman (2003) Fig. 4 from an em_fig4 result file alone: the deviator's welfare
under discriminatory punishment, W_DP_dev, and the average welfare G_DP/3, against tau/t_N.

    /usr/bin/python3 tools/plot_em_fig4.py results/em_fig4.h5 [-o em_fig4.png]
"""
import argparse
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent / "python"))
import tariffsim as ts  # noqa: E402


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("file")
    p.add_argument("-o", "--output", default="em_fig4.png")
    args = p.parse_args()
    df = ts.open(args.file).results().sort_values("ttil_abs")
    x = df["ttil_abs"].to_numpy() / df["t_N"].to_numpy()
    dev = df["W_DP_dev"].to_numpy()
    avg = df["G_DP"].to_numpy() / 3
    f = df["fig4_fraction"].iloc[0]

    fig, ax = plt.subplots(figsize=(6.4, 4.4))
    ax.plot(x, dev, label=r"deviator $W^{DP}_X(\tilde\tau)$")
    ax.plot(x, avg, "--", label=r"average $G^{DP}(\tilde\tau)/3$")
    if 0 < f < 1:
        ax.axvline(f, color="grey", lw=0.8)
        ax.annotate(rf"$\tau^*/t^N = {f:.3f}$", (f, np.interp(f, x, dev)), xytext=(8, 12),
                    textcoords="offset points")
    ax.set_xlabel(r"$\tilde\tau / t^N$")
    ax.set_ylabel("welfare per period")
    b, c, d = (df[k].iloc[0] for k in ("b", "c", "d"))
    ax.set_title(f"Fig. 4: discriminatory retaliation (b = {b:g}, c = {c:g}, d = {d:g})")
    ax.text(0.02, 0.03, "left of the line: MFN preferred; right: discrimination preferred",
            transform=ax.transAxes, fontsize=8)
    ax.legend()
    fig.tight_layout()
    fig.savefig(args.output, dpi=120)
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
