"""The index page of tools/reproduce.sh: one row per experiment it ran (DIR/times.tsv: name,
seconds, status), linking the experiment's report DIR/<name>.html.

    python3 -m tariffsim.index results/reproduce --total 612.3
"""
from __future__ import annotations

import argparse
import sys
from datetime import datetime, timezone
from pathlib import Path

from ._errors import FormatError
from ._file import open as open_file
from ._format import text
from .report import CSS, esc


def _row(directory: Path, name: str, seconds: str, status: str) -> str:
    html_name = f"{name}.html"
    described = model = points = ""
    try:
        with open_file(directory / f"{name}.h5") as rf:
            described = text(rf._g.attrs.get("description", ""))
            model, points = rf.model, str(rf.n_points)
    except (OSError, FormatError) as e:
        described = f"(no result: {e})"
    report = directory / html_name
    figures = report.read_text(encoding="utf-8").count("<figure") if report.exists() else 0
    link = f'<a href="{esc(html_name)}">{esc(name)}</a>' if report.exists() else esc(name)
    state = "" if status == "ok" else f' <b class="fail">{esc(status)}</b>'
    return (f"<tr><td>{link}{state}</td><td>{esc(model)}</td><td>{esc(described)}</td>"
            f'<td class="num">{esc(points)}</td><td class="num">{figures}</td>'
            f'<td class="num">{esc(seconds)}</td></tr>')


def page(directory: Path, total: str | None) -> str:
    lines = (directory / "times.tsv").read_text(encoding="utf-8").splitlines()
    rows = [_row(directory, *line.split("\t")) for line in lines if line.strip()]
    made = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    took = f" in {esc(total)} s of wall time" if total else ""
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>tariffsim: every paper experiment</title>
<style>{CSS} .fail {{ color: #b00; }}</style></head><body>
<h1>tariffsim: every paper experiment</h1>
<p class="sub">{len(rows)} experiments of <code>experiments/</code> run by
<code>tools/reproduce.sh</code>{took}, finished {made}. Each link opens the experiment's report
(figures, parameters, results, provenance).</p>
<table><tr><th>experiment</th><th>model</th><th>what it shows</th><th>points</th>
<th>figures</th><th>run + report [s]</th></tr>
{''.join(rows)}
</table></body></html>
"""


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python3 -m tariffsim.index",
                                description=__doc__.split("\n\n")[0])
    p.add_argument("directory", type=Path)
    p.add_argument("--total", help="total wall time in seconds, for the page")
    args = p.parse_args(argv)
    out = args.directory / "index.html"
    out.write_text(page(args.directory, args.total), encoding="utf-8")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
