"""Bagwell–Staiger (1990): V̄ and the probability of protection over patience and volume risk,
the cooperative tariff rule, and simulated tariff paths."""
from __future__ import annotations

import numpy as np
from matplotlib import cm, colors

from ._style import figure, fmt, label, varying, with_unit

PARAMETERS = ("delta", "a", "F", "theta", "dist", "mean", "sd", "lo", "hi", "mu", "sigma",
              "periods")


def _delta_colours(deltas):
    """A colour per discount factor on one scale, and the mappable for its colour bar."""
    norm = colors.Normalize(min(deltas), max(deltas))
    mappable = cm.ScalarMappable(norm=norm, cmap="viridis")
    return mappable.to_rgba, mappable


def _delta_key(fig, axes, deltas, colour, mappable, most: int = 6):
    """A legend naming each δ when there are few (a colour bar of 2 or 3 values reads as a
    continuum the design does not have), else a colour bar."""
    if len(deltas) > most:
        bar = fig.colorbar(mappable, ax=axes[0].tolist(), pad=0.02, fraction=0.04)
        bar.set_label(r"discount factor $\delta$")
        return
    handles = [axes[0][0].plot([], [], color=colour(d), lw=1.4)[0] for d in sorted(deltas)]
    axes[0][0].legend(handles, [rf"$\delta$ = {fmt(d)}" for d in sorted(deltas)],
                      loc="best", frameon=False)


def statics(rf) -> list:
    """V̄ and P_protect against the coefficient of variation of a lognormal V_f, one line per
    δ (Bown–Crowley's comparative statics of Bagwell–Staiger). Needs δ and sd both varying."""
    df = rf.results(stat="mean")
    df = df[(df["dist"].astype(str) == "lognormal") & (df["status"] == 0)]
    if len(df) == 0 or varying(df, ["delta", "sd"]) != ["delta", "sd"]:
        return []
    df = df.assign(cv=df["sd"] / df["mean"]).sort_values(["delta", "cv"])
    colour, mappable = _delta_colours(df["delta"].unique())
    fig, axes = figure(9.0, 3.8, ncols=2)
    panels = (("Vbar", r"protection threshold $\bar V$"),
              ("P_protect", r"probability of protection $P(V_f > \bar V)$"))
    marker = "o" if df["cv"].nunique() <= 8 else None
    for ax, (metric, text) in zip(axes[0], panels):
        for delta, part in df.groupby("delta"):
            ax.plot(part["cv"], part[metric], color=colour(delta), lw=1.4, marker=marker, ms=3)
        ax.set_xlabel(r"coefficient of variation of $V_f$ (s.d./mean)")
        ax.set_ylabel(label(rf, metric, text))
        ax.set_xlim(left=0)
    axes[0][1].set_ylim(0, 1)
    axes[0][0].set_ylim(bottom=0)
    _delta_key(fig, axes, df["delta"].unique(), colour, mappable)
    fig.suptitle(r"Bagwell–Staiger: $\bar V$ and protection" + f", lognormal $V_f$ with mean "
                 f"{fmt(df['mean'].iloc[0])}, a = {fmt(df['a'].iloc[0])}")
    return [(f"{rf.experiment}_vbar_pprotect", fig)]


def _rule_rows(df):
    """The points the rule is drawn for: every δ at one value of the other varying parameters
    (the middle one of each), at most six δ evenly spread; and, for the title, which value of
    each other varying parameter that is (e.g. "dist = lognormal, 1 of 3 values")."""
    drawn = []
    for name in varying(df, [p for p in PARAMETERS if p != "delta"]):
        values = sorted(df[name].unique(), key=_order)
        value = values[len(values) // 2]
        df = df[df[name] == value]
        drawn.append(f"{name} = {fmt(value)} (1 of {len(values)} values)")
    deltas = np.sort(df["delta"].unique())
    if len(deltas) > 6:
        deltas = deltas[np.round(np.linspace(0, len(deltas) - 1, 6)).astype(int)]
    return df[df["delta"].isin(deltas)].sort_values("delta"), drawn


def _order(value):
    """Numbers by value (sorting as text put 10 before 9), anything else by its text."""
    try:
        return (0, float(value), "")
    except (TypeError, ValueError):
        return (1, 0.0, str(value))


RULE = r"Cooperative tariff rule $\tau_c(V_f) = \max(0, V_f - \bar V)/(2a)$"
MOST_DISTS = 4


def tariff_rule(rf) -> list:
    """τ_c(V_f) = max(0, V_f − V̄)/(2a), the most cooperative self-enforcing tariff, against the
    Nash tariff V_f/(2a). No output stores the rule as a curve: it is the paper's closed form
    with V̄ and a read from the file, one line per δ; one panel per distribution of V_f when
    the design has a few (bs_sim_vs_analytic), as one panel could show only one."""
    df = rf.results(stat="mean")
    df = df[(df["status"] == 0) & np.isfinite(df["Vbar"])]
    if len(df) == 0:
        return []
    dists = sorted(df["dist"].astype(str).unique())
    parts = ([df[df["dist"].astype(str) == d] for d in dists]
             if 1 < len(dists) <= MOST_DISTS else [df])
    ncols = min(len(parts), 2)  # two panels a row: four in one were too small to read
    nrows = -(-len(parts) // ncols)
    fig, axes = figure(5.6 * ncols, 4.2 * nrows + (0.3 if len(parts) > 1 else 0), ncols=ncols,
                       nrows=nrows)
    for ax in axes.flat[len(parts):]:
        ax.set_visible(False)
    for ax, part in zip(axes.flat, parts):
        _rule_panel(ax, rf, *_rule_rows(part), alone=len(parts) == 1)
    if len(parts) > 1:
        fig.suptitle(RULE + ", one panel per distribution of $V_f$")
    return [(f"{rf.experiment}_tariff_rule", fig)]


def _rule_panel(ax, rf, df, drawn, alone: bool):
    top = float(max(2.5 * df["E_V"].max(), 1.15 * df["Vbar"].max()))
    vf = np.linspace(0.0, top, 400)
    colour, _ = _delta_colours(df["delta"].unique())
    a = float(df["a"].iloc[0])
    ax.plot(vf, vf / (2 * a), color="0.2", ls="--", lw=1.2, label=r"Nash $\tau^N = V_f/(2a)$")
    for _, row in df.iterrows():
        ax.plot(vf, np.maximum(0.0, vf - row["Vbar"]) / (2 * row["a"]), color=colour(row["delta"]),
                lw=1.6, label=rf"$\tau_c$, $\delta$ = {fmt(row['delta'])}")
        ax.plot(row["Vbar"], 0.0, marker="|", ms=9, color=colour(row["delta"]), clip_on=False)
    ax.set_xlim(0, top)
    ax.set_ylim(0, top / (2 * a) * 1.02)
    ax.set_xlabel(label(rf, "Vbar", r"free-trade volume $V_f$"))
    ax.set_ylabel(label(rf, "E_tau", r"tariff $\tau$"))
    ax.plot([], [], marker="|", ms=9, ls="none", color="0.3",
            label=r"$\bar V$: protection starts above it")
    # At most six δ: a key, in the upper left, which τ_c ≤ τ_N leaves empty.
    ax.legend(loc="upper left", frameon=False)
    held = _held_fixed(df)
    if "a" not in [d.split(" ")[0] for d in drawn]:
        held += f", a = {fmt(a)}"
    ax.set_title((RULE + "\n" if alone else "") + held +
                 (f"\ndrawn at {'; '.join(drawn)}" if drawn else ""), fontsize=10 if alone else 9)


def _held_fixed(df) -> str:
    """The distribution the rule lines share, for the title."""
    row = df.iloc[0]
    dist = str(row["dist"])
    keys = {"lognormal": ("mean", "sd"), "uniform": ("lo", "hi"), "truncnormal": ("mu", "sigma"),
            "degenerate": ("mean",)}.get(dist, ())
    return f"{dist} $V_f$" + "".join(f", {k} = {fmt(row[k])}" for k in keys)


MOST_PATHS = 4


def _episodes(tau):
    """(first, last) period of each run of protection (τ_t > 0)."""
    on = np.concatenate([[False], tau > 0, [False]])
    edges = np.flatnonzero(np.diff(on.astype(int)))
    return list(zip(edges[::2], edges[1::2] - 1))


def tariff_paths(rf) -> list:
    """One simulated path of the recorded tariff per point (at most four points), with the
    protection episodes (τ_t > 0) shaded. Needs the kept series `tariff`."""
    if "tariff" not in rf.series_names:
        return []
    df = rf.results(stat="mean")
    total = len(df)
    if total > MOST_PATHS:  # spread over the design, not its first rows
        df = df.iloc[np.round(np.linspace(0, total - 1, MOST_PATHS)).astype(int)]
    series = rf.series("tariff")
    fig, axes = figure(8.0, 1.9 * len(df) + 0.6, nrows=len(df), sharex=True)
    for ax, (_, row) in zip(axes[:, 0], df.iterrows()):
        tau = series[int(row["point"]), 0, :]
        t = np.arange(len(tau))
        for first, last in _episodes(tau):
            ax.axvspan(first - 0.5, last + 0.5, color="tab:red", alpha=0.15, lw=0)
        ax.step(t, tau, where="mid", color="tab:red", lw=1.0)
        ax.set_ylim(bottom=0)
        ax.set_ylabel(with_unit(r"$\tau_t$", series.unit))
        share = float(np.mean(tau > 0))
        ax.set_title(rf"$\delta$ = {fmt(row['delta'])}, {_held_fixed(df.loc[[row.name]])}: "
                     rf"protected in {share:.0%} of periods "
                     rf"($P(V_f > \bar V)$ = {row['P_protect']:.0%})", loc="left")
    axes[-1][0].set_xlabel(r"period $t$ (replication 0; shaded: protection episodes, $\tau_t > 0$)")
    axes[-1][0].set_xlim(-0.5, len(tau) - 0.5)
    fig.suptitle("Bagwell–Staiger: simulated cooperative tariff paths" +
                 (f" at {len(df)} of {total} points, spread over the design"
                  if total > len(df) else ""))
    return [(f"{rf.experiment}_tariff_paths", fig)]


def _cv(row) -> float:
    """The coefficient of variation (s.d./mean) of V_f at a point of a bounded family, from
    the parameters the model takes for it (spec §5); NaN for any other family."""
    family = str(row["dist"])
    if family == "degenerate":
        return 0.0
    if family == "uniform":  # s.d. (hi - lo)/sqrt(12), mean (lo + hi)/2
        return (row["hi"] - row["lo"]) / (np.sqrt(3.0) * (row["hi"] + row["lo"]))
    if family == "discrete":
        x, p = np.asarray(row["values"], dtype=float), np.asarray(row["probs"], dtype=float)
        mean = float(p @ x)
        return float(np.sqrt(max(p @ x**2 - mean**2, 0.0))) / mean
    return float("nan")


def delta_star_cv(rf) -> list:
    """δ* at which free trade becomes self-enforcing against the coefficient of variation of
    V_f, one line per bounded family (uniform, discrete, degenerate) with the final bracket as a
    band. The model takes no CV: it is computed here from each point's parameters (lo, hi;
    values, probs). A file this does not fit (another searched parameter, an unbounded family
    only) gets the generic threshold figure."""
    from . import search
    if search.searched(rf) != "delta":
        return search.threshold(rf)
    df = rf.results(stat="mean")
    df = df.assign(cv=[_cv(row) for _, row in df.iterrows()])
    df = df[~np.isnan(df["cv"])]
    if len(df) == 0:
        return search.threshold(rf)
    fig, axes = figure(6.0, 4.0)
    ax = axes[0][0]
    for family, part in df.groupby(df["dist"].astype(str)):
        part = part.sort_values("cv")
        line = ax.plot(part["cv"], part["delta_star"], marker="o", ms=3, lw=1.4,
                       label=f"{family} $V_f$", gid=family)[0]
        ax.fill_between(part["cv"], part["delta_star_lo"], part["delta_star_hi"], alpha=0.25,
                        color=line.get_color(), lw=0)
    ax.axhline(4 / 7, color="0.6", lw=0.8, ls="--")
    ax.annotate("4/7 (degenerate $V_f$)", (0, 4 / 7), xytext=(2, 3), textcoords="offset points",
                fontsize=8, color="0.4")
    ax.set_xlabel(r"coefficient of variation of $V_f$ (s.d./mean)")
    ax.set_ylabel(r"critical discount factor $\delta^*$")
    ax.set_xlim(left=0)
    ax.legend(frameon=False)
    ax.set_title("Bagwell–Staiger: δ* above which free trade is self-enforcing "
                 "(band: final bracket)", fontsize=9)
    return [(f"{rf.experiment}_delta_star_cv", fig)]
