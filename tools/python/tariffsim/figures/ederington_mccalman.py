"""Ederington–McCalman (2003) Fig. 4: the deviator's welfare under discriminatory punishment
against the average welfare, over the tariff as a fraction of the Nash tariff."""
from __future__ import annotations

from ._style import figure, fmt, label


def _mark_threshold(ax, threshold):
    """The line at τ*/t_N, its value at the top right of the line (above both curves, which
    fall), and which punishment is preferred on each side, at the bottom (below the curves)."""
    ax.axvline(threshold, color="grey", lw=0.8)
    ax.text(threshold + 0.012, 0.97, rf"$\tau^*/t^N$ = {threshold:.3f}",
            transform=ax.get_xaxis_transform(), va="top", fontsize=9)
    ax.text(threshold - 0.012, 0.04, "MFN\npreferred", transform=ax.get_xaxis_transform(),
            ha="right", fontsize=8, color="0.3")
    ax.text(threshold + 0.012, 0.04, "discriminatory punishment preferred",
            transform=ax.get_xaxis_transform(), ha="left", fontsize=8, color="0.3")


def figure4(rf) -> list:
    df = rf.results(stat="mean")
    df = df[df["status"] == 0].sort_values("ttil_abs")
    if len(df) < 2:
        return []
    x = df["ttil_abs"].to_numpy() / df["t_N"].to_numpy()
    dev = df["W_DP_dev"].to_numpy()
    avg = df["G_DP"].to_numpy() / 3
    fig, axes = figure(6.4, 4.4)
    ax = axes[0][0]
    ax.plot(x, dev, color="tab:blue", lw=1.6, label=r"deviator $W^{DP}_X(\tilde\tau)$")
    ax.plot(x, avg, "--", color="tab:orange", lw=1.6, label=r"average $G^{DP}(\tilde\tau)/3$")
    threshold = float(df["fig4_fraction"].iloc[0])
    if 0 < threshold < 1:
        _mark_threshold(ax, threshold)
    ax.set_xlim(x.min(), x.max())
    ax.set_xlabel(r"cooperative tariff as a fraction of the Nash tariff, $\tilde\tau / t^N$")
    ax.set_ylabel(label(rf, "W_DP_dev", "welfare per period"))
    b, c, d = (df[k].iloc[0] for k in ("b", "c", "d"))
    ax.set_title(f"Ederington–McCalman (2003) Fig. 4: b = {fmt(b)}, c = {fmt(c)}, d = {fmt(d)}")
    ax.legend(loc="upper right", frameon=False)
    return [(rf.experiment, fig)]
