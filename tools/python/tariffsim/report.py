"""Writes one self-contained HTML page of a result file: its figures (embedded PNG), parameters and headline results with units and standard errors, and
provenance (version, commit, config, seed, kernel path, time, command line). The page loads
nothing from elsewhere, so it can be attached to an email.

    tariffsim report results/bs_variance.h5 -o bs_variance.html
"""
from __future__ import annotations

import argparse
import base64
import html
import io
import sys
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from ._cli import add_allow_incomplete, open_for_figures, run
from ._format import text

PROG = "tariffsim report"
MAX_ROWS = 40  # points in the results table; the file holds them all
ROOT_PROVENANCE = (("tariffsim version", "tariffsim_version"), ("git commit", "git_commit"),
                   ("kernel path", "kernel_isa"), ("created (UTC)", "created_utc"),
                   ("finished (UTC)", "finished_utc"), ("command line", "command_line"))
GROUP_PROVENANCE = (("seed", "seed"), ("replications", "replications"),
                    ("max. replications", "max_replications"), ("config SHA-256", "config_sha256"))

CSS = """
body { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; margin: 2em auto;
       max-width: 1100px; color: #222; line-height: 1.4; padding: 0 1em; }
h1 { font-size: 1.5em; margin-bottom: 0.2em; } h2 { font-size: 1.2em; margin-top: 1.6em;
     border-bottom: 1px solid #ccc; }
.sub { color: #555; margin-top: 0; }
figure { margin: 1.2em 0; } figure img { max-width: 100%; height: auto; border: 1px solid #eee; }
figcaption { color: #555; font-size: 0.9em; }
table { border-collapse: collapse; font-size: 0.88em; margin: 0.6em 0; }
th, td { border: 1px solid #ddd; padding: 0.25em 0.5em; text-align: left; vertical-align: top; }
th { background: #f4f4f4; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
pre { background: #f7f7f7; padding: 0.8em; overflow-x: auto; font-size: 0.85em; }
.note { color: #666; font-size: 0.9em; }
"""
# Counts the figures the browser decoded, so a headless test can tell that every one rendered.
SCRIPT = """
window.addEventListener("load", function () {
  var imgs = document.querySelectorAll("figure img");
  var ok = 0;
  imgs.forEach(function (i) { if (i.complete && i.naturalWidth > 0) ok++; });
  document.body.setAttribute("data-figures-rendered", String(ok));
});
"""


def esc(value) -> str:
    return html.escape(str(value))


def unit_text(unit: str) -> str:
    return "" if unit in ("", "1", "-") else unit


def plain(value) -> str:
    """A value as text: a number to 6 significant digits (welfare differences live in the 5th),
    so 0.4600000000000001 reads 0.46 and 3.08781e-17 keeps its exponent; anything else as is."""
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value)).lower()
    try:
        v = float(value)
    except (TypeError, ValueError):
        return str(value)
    if v != v:
        return "NaN"
    return f"{v:.6g}"


def number(value) -> str:
    """plain(), escaped for HTML."""
    return esc(plain(value))


def figures_html(rf) -> tuple[str, int]:
    """Every figure of the file as an embedded PNG, and how many."""
    import matplotlib.pyplot as plt
    from . import figures
    if not figures.figure_functions(rf):
        return (f'<p class="note">No figures are declared for experiment {esc(rf.experiment)} '
                f'(figures exist for {esc(figures.known())}).</p>', 0)
    parts = []
    drawn = figures.draw(rf)
    for stem, fig in drawn:
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=110)
        plt.close(fig)
        data = base64.b64encode(buffer.getvalue()).decode("ascii")
        parts.append(f'<figure id="fig-{esc(stem)}"><img alt="{esc(stem)}" '
                     f'src="data:image/png;base64,{data}"><figcaption>{esc(stem)}'
                     "</figcaption></figure>")
    if not drawn:
        parts.append('<p class="note">The file does not hold what its figures need.</p>')
    return "\n".join(parts), len(drawn)


def parameters_html(rf) -> str:
    """One row per parameter: its value (or the values the design takes), unit, description."""
    points = rf.points()
    units, descs = points.attrs["units"], points.attrs["descriptions"]
    rows = []
    for name in rf.parameters:
        values = points[name].map(plain).unique()  # 0.4600000000000001 reads 0.46
        if len(values) == 1:
            shown = esc(values[0])
        elif len(values) <= 8:
            shown = esc(", ".join(sorted(values, key=_numeric_key))) + f" ({len(values)} values)"
        else:
            ordered = sorted(values, key=_numeric_key)
            shown = f"{esc(ordered[0])} … {esc(ordered[-1])} ({len(values)} values)"
        rows.append(f"<tr><td>{esc(name)}</td><td>{shown}</td><td>{esc(unit_text(units[name]))}"
                    f"</td><td>{esc(descs[name])}</td></tr>")
    return ("<table><tr><th>parameter</th><th>value(s)</th><th>unit</th><th>description</th>"
            "</tr>" + "".join(rows) + "</table>")


def _numeric_key(value: str):
    try:
        return (0, float(value), "")
    except ValueError:
        return (1, 0.0, value)


def answers_html(rf) -> str:
    """What the experiment answers: its statements, and for Bown–Crowley the README's table."""
    from . import answers
    df = rf.results()
    declared, generic = answers.statements(rf, df)
    out = "".join(f"<p class=\"answer\"><b>{esc(t)}</b></p>" for t in declared)
    if generic:
        out += ('<p class="note">Other 0/1 indicators in the file:</p><ul>' +
                "".join(f"<li>{esc(t)}</li>" for t in generic) + "</ul>")
    if rf.model == "bown_crowley":
        out += bc_table_html(rf)
    if "sensitivity" in rf._g:
        out += sensitivity_html(rf)
    out += search_html(rf)
    return out or ('<p class="note">No statement is declared for this experiment '
                   "(tariffsim.answers.ANSWERS); its headline results are below.</p>")


def sensitivity_html(rf) -> str:
    """The Sobol indices of a [sensitivity] experiment, each with its interval and its source."""
    from .figures.sensitivity import interval_text

    def cell(row, index):
        return f"{number(row[index])} [{number(row[index + '_lo'])}, {number(row[index + '_hi'])}]"
    rows = "".join(f"<tr><td>{esc(r['output'])}</td><td>{esc(r['input'])}</td>"
                   f"<td>{cell(r, 'first')}</td><td>{cell(r, 'total')}</td></tr>"
                   for r in rf.sensitivity().to_dict("records"))
    return (f'<p class="note">Sobol indices with {interval_text(rf)}: first '
            "order (Saltelli 2010) and total (Jansen 1999).</p><table><tr><th>output</th>"
            f"<th>input</th><th>first</th><th>total</th></tr>{rows}</table>")


def search_html(rf) -> str:
    """A [search] experiment's set-up: what was searched, where, to what precision."""
    from .figures import search
    rows = search.setup(rf)
    if rows is None:
        return ""
    table = "".join(f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in rows)
    return ('<p class="note">The search at every point of the design:</p>'
            f'<table id="search">{table}</table>')


def bc_table_html(rf) -> str:
    """Bown–Crowley's Table 2 (column 1) against each point: the table of experiments/README.md."""
    from . import bc_table
    header, body = bc_table.rows(bc_table.results(rf))
    head = "".join(f"<th>{esc(h)}</th>" for h in header)
    rows = "".join("<tr>" + "".join(f"<td>{esc(c.replace(chr(92), ''))}</td>" for c in r)
                   + "</tr>" for r in body)
    return ('<p class="note">Each cell: mean % change of the predicted probability for +1 s.d. '
            "(Monte Carlo s.e.), mean z of the eq. 8 effect, and the rejection rate of the "
            "two-sided 5% test with the paper's sign (power; size where the truth is zero). "
            "First row: the paper.</p>"
            f"<table><tr>{head}</tr>{rows}</table>")


def results_html(rf) -> str:
    """The headline metrics by point: mean (Monte Carlo s.e.) where the file keeps the s.e."""
    from . import answers
    from .figures._style import varying
    metrics = answers.headlines(rf)
    if not metrics:
        return '<p class="note">The file holds no metrics.</p>'
    # Only replication-level outputs have an s.e.; a file of point-level outputs alone has none.
    has_se = any("se" in rf.statistics(m) for m in rf.metrics)
    df = rf.results(stat=["mean", "se"] if has_se else "mean")
    keys = varying(df, rf.parameters)
    units = df.attrs["units"]
    head = "".join(f"<th>{esc(k)}</th>" for k in keys)
    head += "".join(f"<th>{esc(m)}" + (f" [{esc(unit_text(units[m]))}]" if unit_text(units[m])
                                       else "") + "</th>" for m in metrics)
    # Point-level outputs are computed, not averaged: format 1 stores an s.e. of 0 for them
    # (format 2 stores none).
    with_se = [m for m in metrics if f"{m}_se" in df and
               text(rf._g["results"][m].attrs.get("level", "")) != "point"]
    body = []
    for _, row in df.head(MAX_ROWS).iterrows():
        cells = "".join(f'<td class="num">{number(row[k])}</td>' for k in keys)
        for m in metrics:
            se = f" ({number(row[m + '_se'])})" if m in with_se else ""
            cells += f'<td class="num">{number(row[m])}{se}</td>'
        body.append(f"<tr><td class=\"num\">{int(row['point'])}</td>{cells}</tr>")
    note = ('<p class="note">Mean over replications (Monte Carlo standard error in parentheses '
            'for outputs averaged over replications; point-level outputs are computed once). ')
    if len(df) > MAX_ROWS:
        note += f"First {MAX_ROWS} of {len(df)} points; the file holds all of them. "
    note += "Descriptions of every metric: below.</p>"
    return (note + "<table><tr><th>point</th>" + head + "</tr>" + "".join(body) + "</table>"
            + metrics_html(rf))


def metrics_html(rf) -> str:
    cols = rf.columns()
    cols = cols[cols["kind"] != "parameter"]
    rows = "".join(f"<tr><td>{esc(r.name)}</td><td>{esc(r.kind)} ({esc(r.type)})</td>"
                   f"<td>{esc(unit_text(r.unit))}</td><td>{esc(r.description)}</td></tr>"
                   for r in cols.itertuples())
    return (f"<details><summary>All {len(cols)} outputs with units</summary><table><tr>"
            "<th>name</th><th>kind</th><th>unit</th><th>description</th></tr>" + rows +
            "</table></details>")


def provenance_html(rf) -> str:
    root, group = rf._f.attrs, rf._g.attrs
    rows = [("file", rf.path), ("format version", ".".join(str(v) for v in rf.format_version
                                                           if v is not None)),
            ("model", f"{rf.model} {rf.model_version}")]
    rows += [(name, text(root[key])) for name, key in ROOT_PROVENANCE
             if key in root and text(root[key])]
    rows.append(("run time", run_time(root)))
    rows += [(name, text(group[key])) for name, key in GROUP_PROVENANCE if key in group]
    rows.append(("complete", "yes" if rf.complete else "NO (finished points only)"))
    table = "".join(f"<tr><th>{esc(k)}</th><td><code>{esc(v)}</code></td></tr>" for k, v in rows)
    config = text(group["config"]) if "config" in group else "(not stored)"
    return f"<table>{table}</table><h3>Config</h3><pre>{esc(config)}</pre>"


def run_time(root) -> str:
    """From the file's creation to its completion (stops and resumes included): a merged file's
    from its first shard's creation. Files of format 2.0, or not complete, have no end."""
    start, end = (text(root[k]) if k in root else "" for k in ("created_utc", "finished_utc"))
    if not start or not end:
        return "not recorded (the file is not complete, or of format 2.0)"
    parse = "%Y-%m-%dT%H:%M:%SZ"
    seconds = int((datetime.strptime(end, parse) - datetime.strptime(start, parse)).total_seconds())
    hours, rest = divmod(seconds, 3600)
    return (f"{hours} h " if hours else "") + f"{rest // 60} min {rest % 60} s"


def page(rf) -> str:
    from . import __version__
    figs, count = figures_html(rf)
    description = text(rf._g.attrs.get("description", ""))
    citation = text(rf._g.attrs.get("citation", ""))
    made = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(rf.experiment)}: tariffsim report</title><style>{CSS}</style>
<script>{SCRIPT}</script></head>
<body data-figures="{count}">
<h1>{esc(rf.experiment)}</h1>
<p class="sub">{esc(description)}</p>
<p class="sub">Model <b>{esc(rf.model)}</b> {esc(rf.model_version)}. {esc(citation)}</p>
<h2>What it answers</h2>
{answers_html(rf)}
<h2>Figures</h2>
{figs}
<h2>Parameters</h2>
{parameters_html(rf)}
<h2>Results</h2>
{results_html(rf)}
<h2>Provenance</h2>
{provenance_html(rf)}
<p class="note">Report written {made} by the tariffsim Python package {esc(__version__)}
from {esc(Path(rf.path).name)} alone.</p>
</body></html>
"""


def parse(argv):
    p = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n\n")[0])
    p.add_argument("file", help="tariffsim result file (HDF5)")
    p.add_argument("-o", "--output", help="HTML file to write (default: FILE with .html)")
    p.add_argument("--experiment", help="the experiment to report, if the file holds several")
    add_allow_incomplete(p)
    return p.parse_args(argv)


def main(argv=None) -> int:
    args = parse(argv)
    out = Path(args.output) if args.output else Path(args.file).with_suffix(".html")

    def body():
        with open_for_figures(args.file, args.experiment, args.allow_incomplete) as rf:
            content = page(rf)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(content, encoding="utf-8")
        print(f"wrote {out}")
        return 0

    return run(PROG, body)


if __name__ == "__main__":
    sys.exit(main())
