"""The table of experiments/README.md (printed by tools/python/bc_table.py, shown in the
reports of the bc_* experiments): Bown and Crowley's Table 2 (column 1) against the engine's
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
from ._file import open as open_file

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


def rows(df):
    """(header, [row, ...]) of the table, each a list of cells: the paper's row first. The
    report renders the same rows as HTML that this module prints as Markdown."""
    keys = varying_parameters(df)
    header = [f"point ({', '.join(keys)})", "mean y"] + [e[0] for e in EFFECTS]
    out = [[c.strip() for c in PAPER.strip("|").split(" | ")]]
    for _, row in df.iterrows():
        label = ", ".join(f"{k} = {row[k]}" for k in keys)
        out.append([label, f"{row['mean_y']:.4f}"] +
                   [cell(row, pct, z, rej) for _, pct, z, rej in EFFECTS])
    return header, out


def results(rf):
    """The statistics the table needs, from an open result file."""
    return rf.results(stat=["mean", "se", "n"])


def table(path, experiment=None):
    df = results(open_file(path, experiment=experiment))
    header, body = rows(df)
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(r) + " |" for r in body]
    fits = df["fit_status_n"].min()
    lines.append(f"\n{len(df)} points; at least {int(fits)} fitted replications per point "
                 f"({df.attrs['experiment']}).")
    return "\n".join(lines)


def power_grids(path, rows, cols, experiment=None):
    df = open_file(path, experiment=experiment).results(stat=["mean", "n"])
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
