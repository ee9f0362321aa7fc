"""Read tariffsim result files (HDF5; engine/FORMAT.md) into pandas.

    import tariffsim
    with tariffsim.open("results/quickstart.h5") as f:
        print(f.info())                    # provenance, design, what is stored, units
        design = f.points()                # one row per point: typed parameters
        means = f.results()                # parameters + each metric's mean + status
        se = f.results(stat=["mean", "se"])          # adds <metric>_se columns
        q = f.quantiles("sim_P_protect")   # stored quantiles, one column per probability
        path = f.series("tariff")          # lazy: f.series("tariff")[0, :5, :] reads 5 paths
        da = path.to_xarray()              # named axes point, replication, period
    means.attrs["units"]["Vbar"]           # units and descriptions of every column

``tariffsim.open`` checks the format name and major version before anything else; every file it
cannot read raises :class:`FormatError` naming the file, and a name the file does not hold raises
:class:`NotFoundError` listing what it holds.
"""
import pandas

from ._errors import FormatError, NotFoundError
from ._file import ResultFile, open
from ._format import FORMAT, SUPPORTED_MAJOR
from ._series import Series

__version__ = "0.1.0"
__all__ = ["open", "ResultFile", "Series", "FormatError", "NotFoundError", "FORMAT",
           "SUPPORTED_MAJOR", "column_info"]


def column_info(df) -> "pandas.DataFrame":
    """The unit and description of each column of a DataFrame this package returned (from its
    ``attrs``; after a pandas operation that drops them, ``ResultFile.columns()`` has them)."""
    units, descs = df.attrs.get("units", {}), df.attrs.get("descriptions", {})
    return pandas.DataFrame({"unit": [units.get(c, "") for c in df.columns],
                             "description": [descs.get(c, "") for c in df.columns]},
                            index=pandas.Index(df.columns, name="column"))
