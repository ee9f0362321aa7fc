"""Any experiment with [search]: the threshold it found (<parameter>_star) against the design's
first varying parameter, one line per value of a second, with its final bracket or confidence
interval (<parameter>_star_lo, _hi) as a band. Points without a crossing in the bracket (status
1) are gaps."""
from __future__ import annotations

import tomllib

from .._format import text
from ._style import figure, fmt, label, varying


def searched(rf) -> str | None:
    """The searched parameter of a file written by a [search] experiment, else None."""
    try:
        search = tomllib.loads(text(rf._g.attrs.get("config", ""))).get("search")
    except tomllib.TOMLDecodeError:
        return None
    if not isinstance(search, dict):
        return None
    p = search.get("parameter")
    wanted = [f"{p}_star", f"{p}_star_lo", f"{p}_star_hi", f"{p}_status"]
    return p if all(m in rf.metrics for m in wanted) else None


def _search_spec(rf) -> dict:
    return tomllib.loads(text(rf._g.attrs["config"]))["search"]


def setup(rf) -> list[tuple[str, str]] | None:
    """A [search] file's set-up as (what, value) rows, read from its stored config; None for
    any other file. The engine takes max_replications (and confidence) for a replication-level
    output only, so they mark a noisy search; its confidence defaults to 0.95."""
    if searched(rf) is None:
        return None
    spec = _search_spec(rf)
    rows = [("searched parameter", spec["parameter"]),
            ("bracket", f"[{fmt(spec['bracket'][0])}, {fmt(spec['bracket'][1])}]"),
            ("output", spec["output"]), ("level", fmt(spec["level"])),
            ("tolerance", fmt(spec["tolerance"]))]
    if "max_replications" not in spec:
        return rows + [("search", "deterministic (TOMS 748): the output is point-level")]
    confidence = fmt(spec["confidence"]) if "confidence" in spec else "0.95 (default)"
    return rows + [("search", "noisy: the output is replication-level"),
                   ("max_replications", fmt(spec["max_replications"])),
                   ("confidence", confidence)]


def threshold(rf) -> list:
    p = searched(rf)
    if p is None:
        return []
    df = rf.results(stat="mean")
    axes_names = varying(df, [n for n in rf.parameters if n in df])
    if not axes_names:
        return []
    x = axes_names[0]
    listed = df[x].dtype == object and not isinstance(df[x].iloc[0], str)
    if listed:  # list-valued (a discrete distribution's values): one tick per list, in order
        ticks = list(dict.fromkeys(str(v) for v in df[x]))
        df = df.assign(**{x: [ticks.index(str(v)) for v in df[x]]})
    groups = df.groupby(axes_names[1]) if len(axes_names) > 1 else [(None, df)]
    fig, axes = figure(6.0, 4.0)
    ax = axes[0][0]
    for value, part in groups:
        part = part.sort_values(x)
        name = f"{axes_names[1]} = {fmt(value)}" if value is not None else None
        line = ax.plot(part[x], part[f"{p}_star"], marker="o", ms=3, lw=1.4, label=name)[0]
        ax.fill_between(part[x], part[f"{p}_star_lo"], part[f"{p}_star_hi"], alpha=0.25,
                        color=line.get_color(), lw=0)
    spec = _search_spec(rf)
    ax.set_xlabel(label(rf, x, x))
    if listed:
        ax.set_xticks(range(len(ticks)), ticks, rotation=45, ha="right", fontsize=7)
    ax.set_ylabel(label(rf, f"{p}_star", f"{p}*"))
    if len(axes_names) > 1:
        ax.legend(frameon=False)
    ax.set_title(f"{p}* where {spec['output']} crosses {fmt(spec['level'])} "
                 f"({p} in [{fmt(spec['bracket'][0])}, {fmt(spec['bracket'][1])}]; band: final "
                 "bracket or confidence interval)", fontsize=9)
    return [(f"{rf.experiment}_{p}_star", fig)]
