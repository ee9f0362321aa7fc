"""Shared look of every figure: sizes, fonts and axis labels that carry the file's units."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")  # files only: no display on a cluster node or in a test
import matplotlib.pyplot as plt  # noqa: E402

# Sized for a journal column pair at 100%: 10 pt text, ticks readable when printed.
RC = {"font.size": 10, "axes.titlesize": 10, "axes.labelsize": 10, "legend.fontsize": 8.5,
      "xtick.labelsize": 9, "ytick.labelsize": 9, "axes.spines.top": False,
      "axes.spines.right": False, "figure.dpi": 100, "savefig.bbox": "tight",
      "savefig.pad_inches": 0.05, "mathtext.fontset": "dejavusans"}
plt.rcParams.update(RC)

# Units that mean "a pure number": no bracket on the axis.
DIMENSIONLESS = {"", "1", "-"}


def with_unit(text: str, unit: str) -> str:
    """An axis label: the quantity, then its unit in brackets unless it is a pure number."""
    return text if unit in DIMENSIONLESS else f"{text} [{unit}]"


def label(rf, name: str, text: str) -> str:
    """`text` with the unit the file declares for parameter, metric or series `name`."""
    return with_unit(text, rf.unit(name))


def figure(width: float, height: float, ncols: int = 1, nrows: int = 1, **kw):
    """A figure and its axes as a 2-D array (squeeze=False, so callers index uniformly)."""
    return plt.subplots(nrows, ncols, figsize=(width, height), squeeze=False,
                        constrained_layout=True, **kw)


def varying(df, names) -> list[str]:
    """The parameters among `names` that take more than one value in the design."""
    return [n for n in names if n in df and df[n].astype(str).nunique() > 1]


def fmt(value) -> str:
    """A parameter value for a title or legend: short reals, enums as they are."""
    return f"{value:g}" if isinstance(value, float) else str(value)
