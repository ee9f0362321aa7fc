"""Ederington–McCalman (2003) Fig. 4: the deviator's welfare under discriminatory punishment
against the average welfare, over the tariff as a fraction of the Nash tariff."""
from __future__ import annotations

from ._style import figure, fmt, label, varying


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


MOST_PANELS = 4


def _settings(df, rf):
    """The points grouped by every varying parameter but τ̃: one curve pair per group (all
    points on one line would zig-zag between settings)."""
    others = varying(df, [p for p in rf.parameters if p != "ttil"])
    if not others:
        return others, [((), df)]
    groups = df.groupby(others[0] if len(others) == 1 else others)
    return others, [(k if isinstance(k, tuple) else (k,), part) for k, part in groups]


def _panel(ax, rf, part):
    x = part["ttil_abs"].to_numpy() / part["t_N"].to_numpy()
    ax.plot(x, part["W_DP_dev"], color="tab:blue", lw=1.6, label=r"deviator $W^{DP}_X(\tilde\tau)$")
    ax.plot(x, part["G_DP"] / 3, "--", color="tab:orange", lw=1.6,
            label=r"average $G^{DP}(\tilde\tau)/3$")
    threshold = float(part["fig4_fraction"].iloc[0])  # one value per setting
    if 0 < threshold < 1:
        _mark_threshold(ax, threshold)
    ax.set_xlim(x.min(), x.max())
    ax.set_xlabel(r"cooperative tariff as a fraction of the Nash tariff, $\tilde\tau / t^N$")
    ax.set_ylabel(label(rf, "W_DP_dev", "welfare per period"))
    ax.legend(loc="upper right", frameon=False)


def figure4(rf) -> list:
    """One panel per setting of the other varying parameters (at most four; the title says
    how many are drawn when there are more)."""
    df = rf.results(stat="mean")
    df = df[df["status"] == 0].sort_values("ttil_abs")
    if len(df) < 2:
        return []
    others, groups = _settings(df, rf)
    shown = groups[:MOST_PANELS]
    fig, axes = figure(6.4, 4.4 * len(shown), nrows=len(shown))
    for ax, (key, part) in zip(axes[:, 0], shown):
        _panel(ax, rf, part)
        fixed = ", ".join(f"{k} = {fmt(part[k].iloc[0])}" for k in ("b", "c", "d")
                          if k not in others)
        setting = ", ".join(f"{k} = {fmt(v)}" for k, v in zip(others, key))
        ax.set_title("Ederington–McCalman (2003) Fig. 4: " +
                     ", ".join(t for t in (fixed, setting) if t))
    if len(groups) > len(shown):
        fig.suptitle(f"the first {len(shown)} of {len(groups)} settings of "
                     f"{', '.join(others)}")
    return [(rf.experiment, fig)]
