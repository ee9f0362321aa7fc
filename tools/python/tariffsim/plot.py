"""Draws the paper's figures of a result file's experiment from the file alone (which
experiments have figures: tariffsim.figures).

    tariffsim plot results/bs_variance.h5 -o figures --format png,pdf
    /usr/bin/python3 -m tariffsim.plot results/bs_variance.h5     # the same, without the binary
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ._cli import add_allow_incomplete, InputProblem, figures_or_explain, open_for_figures, run

FORMATS = ("png", "pdf", "svg")
PROG = "tariffsim plot"


def parse(argv):
    p = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n\n")[0])
    p.add_argument("file", help="tariffsim result file (HDF5)")
    p.add_argument("-o", "--output-dir", default=".", help="directory for the figures "
                   "(created if missing; default: the current directory)")
    p.add_argument("--format", default="png",
                   help=f"comma-separated file formats among {', '.join(FORMATS)} (default png)")
    p.add_argument("--dpi", type=int, default=200, help="resolution of PNG files (default 200)")
    p.add_argument("--experiment", help="the experiment to draw, if the file holds several")
    add_allow_incomplete(p)
    args = p.parse_args(argv)
    args.formats = [f.strip().lower() for f in args.format.split(",") if f.strip()]
    bad = [f for f in args.formats if f not in FORMATS]
    if bad or not args.formats:
        p.error(f"--format {args.format}: expected formats among {', '.join(FORMATS)}")
    return args


def save(drawn, directory: Path, formats, dpi: int) -> list[Path]:
    """Writes each (stem, figure) in every format; returns the paths written."""
    import matplotlib.pyplot as plt
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for stem, fig in drawn:
        for fmt in formats:
            path = directory / f"{stem}.{fmt}"
            fig.savefig(path, dpi=dpi, metadata=None if fmt != "png" else {"Software": PROG})
            written.append(path)
        plt.close(fig)
    return written


def main(argv=None) -> int:
    args = parse(argv)

    def body():
        with open_for_figures(args.file, args.experiment, args.allow_incomplete) as rf:
            drawn = figures_or_explain(rf)
        for path in save(drawn, Path(args.output_dir), args.formats, args.dpi):
            print(f"wrote {path}")
        return 0

    return run(PROG, body)


if __name__ == "__main__":
    sys.exit(main())

__all__ = ["main", "save", "InputProblem"]
