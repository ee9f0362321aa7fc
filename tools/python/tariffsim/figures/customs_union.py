"""Customs unions under Cournot: naive vs structural OLS recovery of the bargaining weight
w = a/(a+b) (cu_regression)."""
from __future__ import annotations

import numpy as np

from ._style import figure, fmt, varying

ESTIMATES = (("w_naive", "naive OLS", "o", "tab:red", -0.012),
             ("w_struct", "structural OLS", "s", "tab:blue", 0.012))


def _panel_title(me_mfn, me_cu) -> str:
    """Which tariffs are measured with error, in words (me_sd_mfn, me_sd_cu in the file)."""
    if me_mfn == 0 and me_cu == 0:
        return "no measurement error"
    parts = [f"{what} {fmt(sd)}" for what, sd in (("MFN AVEs", me_mfn), ("CU AVE", me_cu))
             if sd > 0]
    return "measurement error s.d.: " + ", ".join(parts)


def _limits(df) -> tuple[float, float]:
    """A y range holding every marker and error bar, and the truth line."""
    parts = [df[m] - df[f"{m}_sd"] for m, *_ in ESTIMATES] + \
            [df[m] + df[f"{m}_sd"] for m, *_ in ESTIMATES] + [df["w"]]
    values = np.concatenate([np.asarray(p, float) for p in parts])
    values = values[np.isfinite(values)]
    lo, hi = min(0.0, values.min()), max(1.0, values.max())
    pad = 0.05 * (hi - lo)
    return lo - pad, hi + pad


PANELS = ("a", "b", "me_sd_mfn", "me_sd_cu")  # a and b set w = a/(a+b), the x axis


def naive_vs_structural(rf) -> list:
    """One panel per measurement-error setting: the mean estimate of w over replications with
    ±1 s.d. across replications, against the truth (the diagonal). One figure per value of any
    other varying parameter (e.g. rho): overdrawn in one panel they could not be told apart."""
    df = rf.results(stat=["mean", "sd"])
    if "w_naive_sd" not in df or "w_struct_sd" not in df:
        return []
    others = varying(df, [p for p in rf.parameters if p not in PANELS])
    if not others:
        return [(rf.experiment, _figure(rf, df, ""))]
    out = []
    for key, part in df.groupby(others[0] if len(others) == 1 else others):
        key = key if isinstance(key, tuple) else (key,)
        where = ", ".join(f"{k} = {fmt(v)}" for k, v in zip(others, key))
        stem = "_".join(f"{k}{fmt(v)}" for k, v in zip(others, key))
        out.append((f"{rf.experiment}_{stem}", _figure(rf, part, where)))
    return out


def _figure(rf, df, where: str):
    rows, cols = sorted(df["me_sd_mfn"].unique()), sorted(df["me_sd_cu"].unique())
    fig, axes = figure(3.6 * len(cols) + 0.6, 3.2 * len(rows) + 0.6, ncols=len(cols),
                       nrows=len(rows), sharex=True, sharey=True)
    low, high = _limits(df)
    for ax, (me_mfn, me_cu) in zip(axes.flat, [(m, c) for m in rows for c in cols]):
        d = df[(df["me_sd_mfn"] == me_mfn) & (df["me_sd_cu"] == me_cu)].sort_values("w")
        ax.plot([0, 1], [0, 1], color="0.6", lw=1, label="truth (estimate = w)")
        for metric, name, marker, colour, shift in ESTIMATES:
            ax.errorbar(d["w"] + shift, d[metric], yerr=d[f"{metric}_sd"], fmt=marker,
                        color=colour, ms=4.5, capsize=2.5, lw=1, label=name)
        ax.axhline(0, color="0.85", lw=0.7, zorder=0)
        ax.set_title(_panel_title(me_mfn, me_cu), fontsize=9)
        ax.set_xlim(0, 1)
        ax.set_xticks([0, 0.25, 0.5, 0.75, 1])
    for ax in axes[-1]:
        ax.set_xlabel("true weight w = a/(a+b)")
    for ax in axes[:, 0]:
        ax.set_ylabel("estimated w")
    axes[0][0].set_ylim(low, high)
    axes[0][0].legend(loc="upper left", frameon=False)
    reps = int(rf._g.attrs.get("replications", 0))
    fig.suptitle("Customs-union bargaining weight w: naive vs structural OLS of the CU tariff on "
                 f"the MFN tariffs\nmean ± 1 s.d. over {reps} replications per point" +
                 (f"; {where}" if where else ""))
    return fig
