"""Read tariffsim result files (HDF5, format version 1) into pandas.

    import tariffsim_reader as ts
    df = ts.read("results/quickstart.h5")          # one row per point: parameters + metric means
    df = ts.read(path, stats=("mean", "se"))         # adds <metric>_se columns
    series = ts.series(path, "tariff")               # numpy array [points, replications, periods]

The format is specified in engine/FORMAT.md. The reader checks the format name and version before
reading anything else, and refuses incomplete files unless allow_incomplete=True.
"""
from __future__ import annotations

import h5py
import numpy as np
import pandas as pd

FORMAT = "tariffsim"
SUPPORTED_MAJOR = 1


class FormatError(ValueError):
    """The file is not a tariffsim result file this reader understands."""


def _text(value) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _check_format(f: h5py.File, path: str) -> None:
    fmt = _text(f.attrs.get("format", ""))
    if fmt != FORMAT:
        raise FormatError(f"{path}: not a tariffsim result file (format attribute is {fmt!r})")
    version = int(f.attrs.get("format_version", -1))
    if version != SUPPORTED_MAJOR:
        raise FormatError(f"{path}: format_version {version} is not supported "
                          f"(this reader reads version {SUPPORTED_MAJOR})")


def _experiment_group(f: h5py.File, path: str, experiment: str | None) -> h5py.Group:
    names = [k for k in f.keys() if isinstance(f[k], h5py.Group)]
    if experiment is None:
        if len(names) != 1:
            raise ValueError(f"{path}: holds experiments {names}; pass experiment=NAME")
        experiment = names[0]
    if experiment not in f:
        raise ValueError(f"{path}: no experiment {experiment!r} (has {names})")
    return f[experiment]


def _open_checked(path: str, experiment: str | None, allow_incomplete: bool):
    # A run holds HDF5's write lock on its file; reading finished points of a running file
    # (allow_incomplete) must not ask for the lock.
    f = h5py.File(path, "r", locking=False) if allow_incomplete else h5py.File(path, "r")
    try:
        _check_format(f, path)
        g = _experiment_group(f, path, experiment)
        if not allow_incomplete and int(g.attrs.get("complete", 0)) != 1:
            done = int(np.sum(g["status/done"][()]))
            raise FormatError(f"{path}: experiment {g.name[1:]!r} is incomplete "
                              f"({done}/{int(g.attrs['n_points'])} points done); "
                              "pass allow_incomplete=True to read the finished points")
        return f, g
    except Exception:
        f.close()
        raise


def read(path: str, experiment: str | None = None, stats=("mean",),
         allow_incomplete: bool = False) -> pd.DataFrame:
    """One row per point: the parameters, then each metric's statistics.

    The mean of metric m is column m; any other statistic s is column m_s (e.g. Vbar_se).
    Column `status` is the per-point status code (0 = ok; see attrs['status_codes']).
    """
    f, g = _open_checked(path, experiment, allow_incomplete)
    with f:
        columns = {"index": g["points/index"][()]}
        for name, ds in g["points"].items():
            if name == "index":
                continue
            data = ds[()]
            if data.dtype.kind == "O" or data.dtype.kind == "S":
                data = np.array([_text(x) for x in data], dtype=object)
            columns[name] = data
        for metric, grp in g["results"].items():
            if not isinstance(grp, h5py.Group):
                continue
            for stat in stats:
                col = metric if stat == "mean" else f"{metric}_{stat}"
                columns[col] = grp[stat][()]
        columns["status"] = g["results/status"][()]
        df = pd.DataFrame(columns)
        if allow_incomplete:
            df = df[g["status/done"][()] == 1]
        status = g["results/status"]
        df.attrs["status_codes"] = {int(c): _text(m) for c, m in
                                    zip(status.attrs["codes"], status.attrs["meanings"])}
        df.attrs["parameters"] = [k for k in g["points"].keys() if k != "index"]
        df.attrs["model"] = _text(g.attrs["model"])
        df.attrs["experiment"] = g.name[1:]
        df.attrs["units"] = {m: _text(grp.attrs.get("unit", "")) for m, grp in g["results"].items()
                             if isinstance(grp, h5py.Group)}
        return df.reset_index(drop=True)


def series(path: str, name: str, experiment: str | None = None,
           allow_incomplete: bool = False) -> np.ndarray:
    """The kept series `name` as an array [points, replications, length]."""
    f, g = _open_checked(path, experiment, allow_incomplete)
    with f:
        if "series" not in g or name not in g["series"]:
            raise KeyError(f"{path}: no series {name!r} (ask for it with [output] series)")
        return g["series"][name][()]


def replications(path: str, metric: str, experiment: str | None = None,
                 allow_incomplete: bool = False) -> np.ndarray:
    """Every replication's value of `metric`, as an array [points, replications]."""
    f, g = _open_checked(path, experiment, allow_incomplete)
    with f:
        if "replications" not in g:
            raise KeyError(f"{path}: replications were not kept ([output] replications = true)")
        return g["replications"][metric][()]
