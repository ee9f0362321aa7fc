"""Bown–Crowley (2010) on synthetic Bagwell–Staiger panels: the distribution of the estimated
effects against the paper's Table 2, and the tests' power over panel size."""
from __future__ import annotations

import numpy as np
from matplotlib import ticker

from ._style import figure, fmt, varying

# (name, % change metric, z metric, rejection metric, paper's % change, paper's z): Table 2,
# column 1 (US 1997–2006), as in experiments/README.md and tools/python/bc_table.py.
EFFECTS = (("import growth", "pct_growth", "z_me_growth", "reject_g", 35.0, 2.9),
           ("inverse elasticity sum", "pct_lne", "z_me_lne", "reject_lne", 88.0, 4.1),
           ("s.d. of import growth", "pct_sd_g", "z_me_sd_g", "reject_sd_g", -76.0, -8.0))
DESIGN = ("sectors", "periods", "delta", "defect_cost_share", "theta", "regressor", "outcome",
          "resample_sectors", "link", "log_volume_sd", "cv_lo", "cv_hi", "lne_mean", "lne_sd")
SHORT = {"sectors": "S", "periods": "T", "delta": "δ", "defect_cost_share": "f", "theta": "θ"}
WORDS = {"defect_cost_share": "defection cost f", "delta": "δ", "theta": "threshold θ"}
NOMINAL_SIZE = 0.025  # one tail of the two-sided 5% test


def _point_label(row, keys) -> str:
    parts = []
    for k in keys:
        parts.append(str(row[k]) if k in ("regressor", "outcome", "link")
                     else f"{SHORT.get(k, k)} = {fmt(row[k])}")
    return ", ".join(parts)


def _title_legend(fig, handles, names, title):
    """The key above the panels with the figure's title as its own title: one block outside
    the axes (matplotlib 3.6's constrained layout places no figure legend), so title and key
    never overlap whatever the figure's height."""
    fig.legend(handles, names, loc="lower center", bbox_to_anchor=(0.5, 1.0),
               ncol=len(names), frameon=False, title=title, title_fontsize=11, alignment="center")


def _forest(df, keys, column, paper_column, what, title):
    """One panel per effect: each point's mean with ±1 s.d. across replications (the spread of
    the estimate a single panel gives), the paper's value as a vertical line."""
    height = 0.26 * len(df) + 1.6
    fig, axes = figure(11.0, height, ncols=3, sharey=True)
    y = np.arange(len(df))[::-1]
    labels = [_point_label(row, keys) for _, row in df.iterrows()]
    for ax, effect in zip(axes[0], EFFECTS):
        metric, paper = effect[column], effect[paper_column]
        sd = df.get(f"{metric}_sd")
        ax.errorbar(df[metric], y, xerr=sd, fmt="o", color="tab:blue", ms=4, capsize=2, lw=1,
                    label="this run: mean ± 1 s.d. over replications")
        ax.axvline(paper, color="tab:red", lw=1.4, label="Bown–Crowley Table 2 (1)")
        ax.axvline(0, color="0.8", lw=0.8, zorder=0)
        ax.set_title(f"{effect[0]} (paper: {paper:+g})")
    axes[0][0].set_yticks(y, labels)
    axes[0][0].set_ylim(-0.7, len(df) - 0.3)
    handles, names = axes[0][0].get_legend_handles_labels()
    fig.supxlabel(what, fontsize=10)
    _title_legend(fig, handles, names, title)
    return fig


def estimates_vs_paper(rf) -> list:
    """Two figures: the % change of the predicted probability for +1 s.d. of each regressor, and
    the z of its marginal effect, per point, against the paper's estimates."""
    df = rf.results(stat=["mean", "sd"])
    df = df[df["status"] == 0]
    if len(df) == 0 or "pct_growth" not in df:
        return []
    keys = varying(df, DESIGN)
    sectors = "" if "sectors" in keys else f" of {df['sectors'].iloc[0]:,} sectors"
    where = f"Bown–Crowley probit on synthetic panels{sectors}"
    pct = _forest(df, keys, 1, 4, "% change of P(new tariff) for +1 s.d.",
                  f"{where}: % effects against the paper's Table 2 (1)")
    z = _forest(df, keys, 2, 5, "z of the marginal effect at means (sector-clustered)",
                f"{where}: z of the eq. 8 effects against the paper's Table 2 (1)")
    return [(f"{rf.experiment}_pct_effects", pct), (f"{rf.experiment}_z", z)]


def _sector_ticks(ax, sectors):
    """A log axis labelled at the panel sizes run (every other one when crowded, always the
    largest), written out in full: 13,867 rather than 1.4 × 10^4."""
    ax.set_xscale("log")
    shown = list(sectors) if len(sectors) <= 5 else list(sectors[::2])
    if sectors[-1] not in shown:
        shown.append(sectors[-1])
    ax.xaxis.set_major_locator(ticker.FixedLocator(shown))
    ax.xaxis.set_major_formatter(ticker.FuncFormatter(lambda v, _: f"{v:,.0f}"))
    ax.xaxis.set_minor_formatter(ticker.NullFormatter())


def wilson_yerr(p, n, z: float = 1.96):
    """(below, above) the rate p of n replications: the 95% Wilson score interval's distances."""
    n = np.maximum(n, 1)
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return np.vstack([np.clip(p - (centre - half), 0, None), np.clip(centre + half - p, 0, None)])


def power_curves(rf) -> list:
    """Rejection rate with the paper's sign over the number of sectors, one line per number of
    periods; one row per value of the other varying parameters (e.g. the defection cost f),
    one column per test. Bars: 95% Wilson intervals, which stay in [0, 1] where a Wald interval
    (±1.96 s.e.) runs past it at rates near 0 or 1."""
    df = rf.results(stat=["mean", "n"])
    df = df[df["status"] == 0]
    if "sectors" not in varying(df, DESIGN):
        return []
    lines = "periods" if "periods" in varying(df, DESIGN) else None
    rows = [k for k in varying(df, DESIGN) if k not in ("sectors", "periods")]
    by = rows[0] if len(rows) == 1 else rows  # one key: scalar group keys in every pandas
    groups = list(df.groupby(by)) if rows else [((), df)]
    fig, axes = figure(11.0, 3.0 * len(groups) + 0.8, ncols=3, nrows=len(groups), sharex=True,
                       sharey=True)
    values = sorted(df[lines].unique()) if lines else [None]
    palette = dict(zip(values, [f"C{i}" for i in range(len(values))]))
    for r, (key, part) in enumerate(groups):
        key = key if isinstance(key, tuple) else (key,)
        where = ", ".join(f"{WORDS.get(k, k)} = {fmt(v)}" for k, v in zip(rows, key))
        for c, (name, _, _, reject, _, _) in enumerate(EFFECTS):
            ax = axes[r][c]
            for value in values:
                d = part if value is None else part[part[lines] == value]
                d = d.sort_values("sectors")
                n = d.get(f"{reject}_n")
                ax.errorbar(d["sectors"], d[reject], yerr=None if n is None else
                            wilson_yerr(d[reject].to_numpy(float), n.to_numpy(float)),
                            marker="o", ms=3.5, lw=1.3, capsize=2, color=palette[value],
                            label=f"T = {value} periods" if value is not None else None)
            ax.axhline(NOMINAL_SIZE, color="0.4", ls="--", lw=0.9, label="nominal size 2.5%")
            _sector_ticks(ax, sorted(df["sectors"].unique()))
            ax.set_ylim(-0.02, 1.02)
            ax.set_title(f"{name}" + (f" ({where})" if where else ""), fontsize=9)
            if r == len(groups) - 1:
                ax.set_xlabel("number of sectors in the panel")
        axes[r][0].set_ylabel("rejection rate, paper's sign")
    handles, names = axes[0][0].get_legend_handles_labels()
    _title_legend(fig, handles, names, "Bown–Crowley tests on synthetic Bagwell–Staiger panels: "
                  "rejection rate of the two-sided 5% test with the paper's sign\n(bars: 95% "
                  "Wilson intervals over the replications)")
    return [(f"{rf.experiment}_power", fig)]
