#!/usr/bin/env python3
"""The table of experiments/README.md: Bown and Crowley's Table 2 (column 1) against the engine's
estimates on synthetic panels, one row per point of a bown_crowley result file.

For each effect (import growth, the inverse elasticity sum, the s.d. of import growth) a cell is
the mean over replications of the % change of the predicted probability for +1 s.d. (its Monte
Carlo standard error), the mean z of the eq. 8 effect, and the rejection rate of the two-sided 5%
test with the paper's sign: the test's power, or its size where the effect is zero in truth
(nominal 2.5%: one tail of the two-sided 5% test).

With --power ROWS COLS (two varying parameters, e.g. sectors periods) it prints instead, for
each value of the other varying parameters, one grid of rejection rates per test: the power
curves over panel size of bc_power.toml.

usage: /usr/bin/python3 tools/python/bc_table.py results/bc_paper_size.h5 [--experiment NAME]
       /usr/bin/python3 tools/python/bc_table.py results/bc_power.h5 --power sectors periods
"""
import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import tariffsim as ts  # noqa: E402

EFFECTS = [("growth", "pct_growth", "z_me_growth", "reject_g"),
           ("elasticity", "pct_lne", "z_me_lne", "reject_lne"),
           ("s.d. of growth", "pct_sd_g", "z_me_sd_g", "reject_sd_g")]
# Table 2, column 1: % change of the predicted probability (0.17% at means) for +1 s.d., and z of
# the marginal effect = estimate / Huber-White s.e. (4.44/1.55, 0.58/0.14, -0.16/0.02).
PAPER = ("| Bown–Crowley Table 2 (1), US 1997–2006 | 0.0017 | +35%, z 2.9 \\*\\*\\* | "
         "+88%, z 4.1 \\*\\*\\* | −76%, z −8.0 \\*\\*\\* |")


def varying_parameters(df):
    return [p for p in df.attrs["parameters"] if df[p].astype(str).nunique() > 1]  # lists unhashable


def cell(row, pct, z, reject):
    return (f"{row[pct]:+.1f}% ({row[pct + '_se']:.1f}), z̄ {row[z]:+.1f}, "
            f"rejects {row[reject]:.2f}")


def table(path, experiment=None):
    df = ts.open(path, experiment=experiment).results(stat=["mean", "se", "n"])
    keys = varying_parameters(df)
    header = "| point (" + ", ".join(keys) + ") | mean y | " + " | ".join(e[0] for e in EFFECTS) + " |"
    lines = [header, "|" + "---|" * (2 + len(EFFECTS)), PAPER]
    for _, row in df.iterrows():
        label = ", ".join(f"{k} = {row[k]}" for k in keys)
        cells = [cell(row, pct, z, rej) for _, pct, z, rej in EFFECTS]
        lines.append(f"| {label} | {row['mean_y']:.4f} | " + " | ".join(cells) + " |")
    fits = df["fit_status_n"].min()
    lines.append(f"\n{len(df)} points; at least {int(fits)} fitted replications per point "
                 f"({df.attrs['experiment']}).")
    return "\n".join(lines)


def power_grids(path, rows, cols, experiment=None):
    df = ts.open(path, experiment=experiment).results(stat=["mean", "n"])
    others = [p for p in varying_parameters(df) if p not in (rows, cols)]
    lines = []
    groups = df.groupby(others if len(others) > 1 else others[0]) if others else [((), df)]
    for values, part in groups:
        values = values if isinstance(values, tuple) else (values,)
        where = ", ".join(f"{k} = {v}" for k, v in zip(others, values))
        for name, _, _, reject in EFFECTS:
            grid = part.pivot(index=rows, columns=cols, values=reject)
            lines.append(f"\n{name}: rejection rate with the paper's sign"
                         + (f" ({where})" if where else "") + f"; rows {rows}, columns {cols}\n")
            lines.append(f"| {rows} \\ {cols} | " + " | ".join(str(c) for c in grid.columns) + " |")
            lines.append("|" + "---|" * (1 + len(grid.columns)))
            for index, row in grid.iterrows():
                lines.append(f"| {index} | " + " | ".join(f"{v:.2f}" for v in row) + " |")
    fits = df["fit_status_n"].min()
    lines.append(f"\n{len(df)} points; at least {int(fits)} fitted replications per point "
                 f"({df.attrs['experiment']}).")
    return "\n".join(lines)


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
