#!/usr/bin/python3
"""Draw DeRemer (2023) Figure 1 from a deremer_fig1 result file alone.

    /usr/bin/python3 tools/plot_deremer_fig1.py results/deremer_fig1.h5 [-o deremer_fig1.png]

Curves S, S*, N, N*, EF (ty against tx) from the series; the Nash, stable (= eq. 7) and public
points from the metrics; the reciprocal liberalization path from Nash if it was kept.
"""
import argparse
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent / "python"))
import tariffsim as ts  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("file")
    ap.add_argument("-o", "--output", default="deremer_fig1.png")
    ap.add_argument("--point", type=int, default=0, help="row of the design to draw")
    args = ap.parse_args()

    df = ts.open(args.file).results()
    row = df.iloc[args.point]
    tx = ts.open(args.file).series("curve_tx")[args.point, 0]
    fig, ax = plt.subplots(figsize=(6.4, 6.0))
    styles = {"curve_S": ("S", "tab:blue", "-"), "curve_Ss": ("S*", "tab:red", "-"),
              "curve_N": ("N", "tab:blue", "--"), "curve_Ns": ("N*", "tab:red", "--"),
              "curve_EF": ("EF", "black", "-")}
    for name, (label, color, ls) in styles.items():
        ax.plot(tx, ts.open(args.file).series(name)[args.point, 0], ls, color=color, label=label, lw=1.4)
    try:
        ax.plot(ts.open(args.file).series("path_tx")[args.point, 0],
                ts.open(args.file).series("path_ty")[args.point, 0], ":", color="tab:green",
                lw=2, label="liberalization path")
    except KeyError:
        pass
    points = [("tx_N", "ty_N", "Nash", "o"), ("tx_stable", "ty_stable", "stable / efficient", "s"),
              ("tx_public", "ty_public", "W (public)", "^")]
    for x, y, label, marker in points:
        ax.plot(row[x], row[y], marker, color="black", ms=7, mfc="white" if marker != "s" else "black")
        ax.annotate(f"{label}\n({row[x]:.4f})", (row[x], row[y]), textcoords="offset points",
                    xytext=(8, -14), fontsize=8)
    lo, hi = float(tx.min()), float(tx.max())
    ax.set_xlim(lo, hi)
    ax.set_ylim(lo, hi)
    ax.set_aspect("equal")
    ax.set_xlabel(r"$\tau_x$ (Home tariff)")
    ax.set_ylabel(r"$\tau_y^*$ (Foreign tariff)")
    ax.set_title(f"DeRemer (2023) Figure 1: gM = {row['gM']:g}, gE = {row['gE']:g}")
    ax.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    fig.savefig(args.output, dpi=130)
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
