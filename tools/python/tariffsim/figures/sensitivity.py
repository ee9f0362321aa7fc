"""Any experiment with [sensitivity]: per output, the first-order and total Sobol index of each
input (the file's sensitivity/), each a marker with its interval as a vertical bar. A
file still incomplete has NaN indices: nothing to draw."""
from __future__ import annotations

import numpy as np

from ._style import figure

# (index, marker, offset of its marker from the input's tick): first and total side by side.
INDICES = (("first", "o", -0.12), ("total", "s", 0.12))
PANELS_PER_ROW = 3


def interval_text(rf) -> str:
    """Where the file's intervals come from, e.g. "95% intervals from 16 independent replicates
    of the design (Student t)" (FORMAT.md, sensitivity/'s `replicates`; format 2.2 files have
    one replicate and the row bootstrap)."""
    attrs = rf._g["sensitivity"].attrs
    confidence = float(attrs["confidence"])
    replicates = int(attrs.get("replicates", 1))
    if replicates >= 2:
        return (f"{confidence:.0%} intervals from {replicates} independent replicates of the "
                "design (Student t)")
    return f"{confidence:.0%} bootstrap intervals over the rows (conservative on the Sobol design)"


def indices(rf) -> list:
    if "sensitivity" not in rf._g:
        return []
    df = rf.sensitivity()
    if df.empty or df[["first", "total"]].isna().all().all():
        return []
    outputs = list(dict.fromkeys(df["output"]))
    ncols = min(len(outputs), PANELS_PER_ROW)
    nrows = -(-len(outputs) // ncols)
    fig, axes = figure(3.4 * ncols, 3.0 * nrows, ncols=ncols, nrows=nrows, sharey=True)
    for k, ax in enumerate(axes.flat):
        if k >= len(outputs):
            ax.set_visible(False)
            continue
        part = df[df["output"] == outputs[k]]
        x = np.arange(len(part))
        for index, marker, offset in INDICES:
            line = ax.plot(x + offset, part[index], marker, ms=5, label=index, gid=index)[0]
            ax.vlines(x + offset, part[f"{index}_lo"], part[f"{index}_hi"],
                      color=line.get_color(), lw=1.2, gid=f"{index}_interval")
        ax.axhline(0, color="0.6", lw=0.6)
        ax.set_xticks(x, part["input"])
        ax.set_title(outputs[k], fontsize=9)
        if k % ncols == 0:
            ax.set_ylabel("Sobol index")
    axes[0][0].legend(frameon=False)
    fig.suptitle("Sobol indices, first order (Saltelli 2010) and total (Jansen 1999), with\n"
                 + interval_text(rf), fontsize=9)
    return [(f"{rf.experiment}_sobol_indices", fig)]
