"""DeRemer (2023) Figure 1: the S, S*, N, N*, EF curves in (τ_x, τ_y*) space with the Nash,
stable and public points and the reciprocal liberalization path."""
from __future__ import annotations

from ._style import figure, fmt, label

# The legend spells out what each curve is (a reader of the figure alone has no paper at hand).
CURVES = {"curve_S": (r"S: Home's reciprocal gain is zero ($\varphi$ = 0)", "tab:blue", "-"),
          "curve_Ss": (r"S*: Foreign's reciprocal gain is zero ($\psi$ = 0)", "tab:red", "-"),
          "curve_N": (r"N: Home's reciprocal gain as at Nash", "tab:blue", "--"),
          "curve_Ns": (r"N*: Foreign's reciprocal gain as at Nash", "tab:red", "--"),
          "curve_EF": ("EF: governments' efficient frontier", "black", "-")}
# (x metric, y metric, name, marker, filled, text offset as fractions of the axis span, ha).
# The points lie on the diagonal where the curves cross; each label goes into the empty wedge
# beside its point (Nash: between N and N*; public: between S and the path; stable: below S* and
# left of S), with a leader, so no label lies on a curve.
POINTS = [("tx_N", "ty_N", "Nash", "o", False, (0.04, 0.10), "left"),
          ("tx_public", "ty_public", "public optimum", "^", False, (0.03, 0.12), "right"),
          ("tx_stable", "ty_stable", "stable = eq. (7)", "s", True, (-0.10, -0.18), "right")]


def _curves(ax, rf, p):
    tx = rf.series("curve_tx")[p, 0, :]
    for name, (text, colour, style) in CURVES.items():
        if name in rf.series_names:
            ax.plot(tx, rf.series(name)[p, 0, :], style, color=colour, label=text, lw=1.4)
    if "path_tx" in rf.series_names and "path_ty" in rf.series_names:
        ax.plot(rf.series("path_tx")[p, 0, :], rf.series("path_ty")[p, 0, :], ":",
                color="tab:green", lw=2.2, label="reciprocal liberalization")
    return float(tx.min()), float(tx.max())


def _points(ax, row, lo, hi):
    """The three points, each labelled with its tariff beside it."""
    span = hi - lo
    for x, y, name, marker, filled, (dx, dy), ha in POINTS:
        ax.plot(row[x], row[y], marker, color="black", ms=7, mfc="black" if filled else "white",
                zorder=5)
        ax.annotate(f"{name}\nτ = {row[x]:.4f}", (row[x], row[y]),
                    xytext=(row[x] + dx * span, row[y] + dy * span), ha=ha, va="center",
                    fontsize=8.5, arrowprops=dict(arrowstyle="-", color="0.4", lw=0.7, shrinkB=5),
                    bbox=dict(boxstyle="round,pad=0.2", fc="white", ec="none", alpha=0.85))


def figure1(rf) -> list:
    """Figure 1 for each point of the file (one for a deremer_fig1 run)."""
    if "curve_tx" not in rf.series_names:
        return []
    out = []
    df = rf.results(stat="mean")
    for _, row in df.iterrows():
        fig, axes = figure(6.6, 7.2)
        ax = axes[0][0]
        lo, hi = _curves(ax, rf, int(row["point"]))
        _points(ax, row, lo, hi)
        ax.set_xlim(lo, hi)
        ax.set_ylim(lo, hi)
        ax.set_aspect("equal")
        ax.axhline(0, color="0.85", lw=0.8, zorder=0)
        ax.axvline(0, color="0.85", lw=0.8, zorder=0)
        ax.set_xlabel(label(rf, "tx_N", r"Home tariff $\tau_x$"))
        ax.set_ylabel(label(rf, "ty_N", r"Foreign tariff $\tau_y^*$"))
        ax.set_title(f"DeRemer (2023) Figure 1: $g_M$ = {fmt(row['gM'])}, "
                     f"$g_E$ = {fmt(row['gE'])}")
        # Below the axes: inside, every corner holds a curve.
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=2, frameon=False)
        suffix = "" if len(df) == 1 else f"_point{int(row['point'])}"
        out.append((f"{rf.experiment}{suffix}", fig))
    return out
