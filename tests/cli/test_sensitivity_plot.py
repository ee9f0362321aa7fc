"""`tariffsim plot` and `report` on a file with sensitivity/: the Sobol indices' figure is the only
one written, also for a model that declares figures of its own (Bagwell–Staiger): the points are a
Saltelli design scattered over the inputs' box, so the model's figures would join them with lines
and name in their titles one value of parameters that vary across the design. The figure's markers
and interval bars are the file's values: per output, first and total index per input, from _lo to
_hi."""
import re
import sys

import h5py
import numpy as np

from common import SMALL_SOBOL, SOBOL_COLUMNS, check, parse_args, run, workdir, write

BS = """[experiment]
name = "bs"
model = "bagwell_staiger"
seed = 3
replications = 4
[parameters]
periods = 20
[sensitivity]
method = "sobol"
n = 64
ranges = { delta = [0.3, 0.9], sd = [0.1, 0.6] }
outputs = ["P_protect", "E_tau"]
"""


def run_ok(b, *args):
    r = run(b, *args)
    check(r.returncode == 0, f"tariffsim {args[0]} ({r.stderr.strip()[-300:]})")
    return r


def stored(path, experiment):
    """{output: {column: values}} and the inputs, as h5py reads sensitivity/."""
    with h5py.File(path, "r") as f:
        g = f[f"{experiment}/sensitivity"]
        inputs = [x.decode() if isinstance(x, bytes) else x for x in g["inputs"][()]]
        return inputs, {o: {c: g[o][c][()] for c in SOBOL_COLUMNS} for o in g
                        if isinstance(g[o], h5py.Group)}


def figure_matches_file(path, experiment):
    """The drawn figure's panels, markers and bars hold the file's indices."""
    import tariffsim
    from tariffsim.figures import sensitivity
    inputs, indices = stored(path, experiment)
    with tariffsim.open(path) as rf:
        drawn = sensitivity.indices(rf)
    check([stem for stem, _ in drawn] == [f"{experiment}_sobol_indices"], "one indices figure")
    panels = [ax for ax in drawn[0][1].axes if ax.get_visible()]
    check(sorted(ax.get_title() for ax in panels) == sorted(indices),
          f"{experiment}: one panel per output ({[ax.get_title() for ax in panels]})")
    for ax in panels:
        want = indices[ax.get_title()]
        check([t.get_text() for t in ax.get_xticklabels()] == inputs,
              f"{experiment} {ax.get_title()}: a tick per input, in the file's order")
        for index in ("first", "total"):
            marker = [ln for ln in ax.get_lines() if ln.get_gid() == index]
            bars = [c for c in ax.collections if c.get_gid() == f"{index}_interval"]
            check(len(marker) == 1 and len(bars) == 1, f"{index}: a marker set and its bars")
            check(np.array_equal(marker[0].get_ydata(), want[index], equal_nan=True),
                  f"{experiment} {ax.get_title()}: the {index} markers are the file's values")
            ends = np.array([[seg[0][1], seg[1][1]] for seg in bars[0].get_segments()])
            check(np.array_equal(ends[:, 0], want[f"{index}_lo"]) and
                  np.array_equal(ends[:, 1], want[f"{index}_hi"]),
                  f"{experiment} {ax.get_title()}: the {index} bars run from _lo to _hi")


def plotted(b, wd, name, toml):
    path = wd / f"{name}.h5"
    run_ok(b, "run", write(wd / f"{name}.toml", toml), "-o", path, "--no-progress", "-q")
    figs = wd / f"fig_{name}"
    run_ok(b, "plot", path, "-o", figs)
    return path, sorted(p.name for p in figs.iterdir())


def reported_figures(b, wd, path, name):
    """The stems of the figures the report of path embeds (as test_plot_report reads them)."""
    page = wd / f"{name}.html"
    run_ok(b, "report", path, "-o", page)
    return re.findall(r'<img alt="([^"]+)" src="data:image/png;base64,', page.read_text())


def main():
    args = parse_args()
    b, wd = args.tariffsim, workdir()
    for name, toml in (("ish", SMALL_SOBOL), ("bs", BS)):
        # Ishigami declares no figure; Bagwell–Staiger's own are not drawn from a Saltelli design.
        path, written = plotted(b, wd, name, toml)
        check(written == [f"{name}_sobol_indices.png"],
              f"plot of a {name} sensitivity run: the indices' figure alone ({written})")
        figure_matches_file(path, name)
        embedded = reported_figures(b, wd, path, name)
        check(embedded == [f"{name}_sobol_indices"],
              f"the {name} report embeds the indices' figure alone ({embedded})")


if __name__ == "__main__":
    sys.exit(main())
