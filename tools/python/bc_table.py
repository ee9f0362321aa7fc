#!/usr/bin/env python3
"""The table of experiments/README.md: Bown and Crowley's Table 2 (column 1) against the engine's
estimates on synthetic panels, one row per point of a bown_crowley result file; what each cell
holds is in tariffsim/bc_table.py, which the bc_* reports share.

With --power ROWS COLS (two varying parameters, e.g. sectors periods) it prints instead one grid
of rejection rates per test: the power curves over panel size of bc_power.toml.

usage: /usr/bin/python3 tools/python/bc_table.py results/bc_paper_size.h5 [--experiment NAME]
       /usr/bin/python3 tools/python/bc_table.py results/bc_power.h5 --power sectors periods
"""
import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from tariffsim.bc_table import power_grids, table  # noqa: E402  (shared with tariffsim report)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("file")
    p.add_argument("--experiment")
    p.add_argument("--power", nargs=2, metavar=("ROWS", "COLS"),
                   help="grids of rejection rates over two varying parameters")
    args = p.parse_args()
    if args.power:
        print(power_grids(args.file, *args.power, args.experiment))
    else:
        print(table(args.file, args.experiment))


if __name__ == "__main__":
    main()
