"""Read tariffsim result files (HDF5, format version 2) into pandas.

    import tariffsim_reader as ts
    df = ts.read("results/quickstart.h5")          # one row per point: parameters + metric means
    df = ts.read(path, stats=("mean", "se"))         # adds <metric>_se columns (replication-level)
    series = ts.series(path, "tariff")               # numpy array [points, replications, periods]

The format is specified in engine/FORMAT.md. The reader checks the format name and major version
([major, minor]; files of format version 1 are read by tariffsim 0.1.0's reader) before reading
anything else, then that every dataset has one row per point, and refuses incomplete files
unless allow_incomplete=True. Any file it cannot read (foreign, newer, truncated, damaged) raises
FormatError naming the file and what is wrong.
"""
from __future__ import annotations

import contextlib
import os

import h5py
import numpy as np
import pandas as pd

FORMAT = "tariffsim"
SUPPORTED_MAJOR = 2
# Files of format version 1 (an integer format_version) are read by the reader of this release.
FORMAT_1_READER = "tools/python/tariffsim_reader.py of tariffsim 0.1.0 (git commit 123c85f and earlier)"


class FormatError(ValueError):
    """The file is not a tariffsim result file this reader understands (foreign, newer, damaged,
    truncated, or of the wrong layout). The message names the file and what is wrong."""


# Datasets every result file has, of length n_points (engine/FORMAT.md).
REQUIRED = ("points/index", "results/status", "status/done", "status/replications")


def _text(value) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


@contextlib.contextmanager
def _reading(path: str):
    """Turns h5py's errors about a damaged file (OSError, KeyError, ...) into a FormatError
    naming the file, so that a caller catches one exception for every bad file."""
    try:
        yield
    except FormatError:
        raise
    except (OSError, KeyError, ValueError, TypeError, RuntimeError) as e:
        raise FormatError(f"{path}: cannot be read as a tariffsim result file (damaged or "
                          f"truncated?): {type(e).__name__}: {e}") from e


def _int_attr(obj, name: str, path: str) -> int:
    value = obj.attrs.get(name)
    if value is None or np.ndim(value) != 0 or not np.issubdtype(np.asarray(value).dtype, np.integer):
        raise FormatError(f"{path}: attribute {name!r} of {obj.name} is missing or not an integer")
    return int(value)


def _check_format(f: h5py.File, path: str) -> None:
    fmt = _text(f.attrs.get("format", ""))
    if fmt != FORMAT:
        raise FormatError(f"{path}: not a tariffsim result file (format attribute is {fmt!r})")
    version = f.attrs.get("format_version")
    shape = np.shape(version)
    if version is None or not np.issubdtype(np.asarray(version).dtype, np.integer) \
            or shape not in ((), (1,), (2,)):
        raise FormatError(f"{path}: attribute 'format_version' of / is missing or not "
                          "[major, minor] integers")
    major = int(np.ravel(version)[0])
    if shape != (2,) and major == 1:
        raise FormatError(f"{path}: is of format version 1, which this reader (format version "
                          f"{SUPPORTED_MAJOR}) does not read; read it with {FORMAT_1_READER}")
    if shape != (2,) or major < SUPPORTED_MAJOR:
        raise FormatError(f"{path}: format_version {np.ravel(version).tolist()} is not supported "
                          f"(this reader reads version {SUPPORTED_MAJOR})")
    if major > SUPPORTED_MAJOR:
        raise FormatError(f"{path}: written by a newer tariffsim (format_version "
                          f"{major}.{int(version[1])}); this reader reads version "
                          f"{SUPPORTED_MAJOR}: update the reader")


def _experiment_group(f: h5py.File, path: str, experiment: str | None) -> h5py.Group:
    names = [k for k in f.keys() if isinstance(f[k], h5py.Group)]
    if experiment is None:
        if len(names) != 1:
            raise FormatError(f"{path}: holds experiments {names}; pass experiment=NAME")
        experiment = names[0]
    if experiment not in f:
        raise FormatError(f"{path}: no experiment {experiment!r} (has {names})")
    return f[experiment]


def _check_layout(g: h5py.Group, path: str) -> None:
    """Every dataset has n_points rows, the required ones exist, and `complete` agrees with
    status/done: a damaged file fails here, not with misaligned columns later."""
    n = _int_attr(g, "n_points", path)
    complete = _int_attr(g, "complete", path)
    for name in REQUIRED:
        if not isinstance(g.get(name), h5py.Dataset):
            raise FormatError(f"{path}: dataset {name} is missing")

    def rows(name, obj):
        if name.startswith("axes/"):  # the replication, period and quantile scales
            return
        if isinstance(obj, h5py.Dataset) and (obj.ndim == 0 or obj.shape[0] != n):
            raise FormatError(f"{path}: dataset {name} has shape {obj.shape}, expected {n} rows "
                              "(n_points)")
    g.visititems(rows)
    done = g["status/done"][()]
    if complete == 1 and not np.all(done == 1):
        raise FormatError(f"{path}: marked complete but only {int(np.sum(done == 1))} of {n} "
                          "points are done (status/done)")


def _open_checked(path: str, experiment: str | None, allow_incomplete: bool):
    if not os.path.exists(path):
        raise FileNotFoundError(f"{path}: no such file")
    with _reading(path):
        # A run holds HDF5's write lock on its file; reading finished points of a running file
        # (allow_incomplete) must not ask for the lock.
        f = h5py.File(path, "r", locking=False) if allow_incomplete else h5py.File(path, "r")
    try:
        with _reading(path):
            _check_format(f, path)
            g = _experiment_group(f, path, experiment)
            _check_layout(g, path)
            if not allow_incomplete and int(g.attrs["complete"]) != 1:
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

    The mean of metric m is column m (for a point-level metric, a closed form, its value); any
    other statistic s is column m_s (e.g. sim_E_tau_se), for replication-level metrics only: a
    point-level metric stores its value alone (engine/FORMAT.md).
    Column `status` is the per-point status code (0 = ok; see attrs['status_codes']).
    """
    f, g = _open_checked(path, experiment, allow_incomplete)
    with f, _reading(path):
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
                if stat != "mean" and _text(grp.attrs.get("level", "")) == "point":
                    continue
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
        with _reading(path):
            return g["series"][name][()]


def replications(path: str, metric: str, experiment: str | None = None,
                 allow_incomplete: bool = False) -> np.ndarray:
    """Every replication's value of `metric`, as an array [points, replications]."""
    f, g = _open_checked(path, experiment, allow_incomplete)
    with f:
        if "replications" not in g:
            raise KeyError(f"{path}: replications were not kept ([output] replications = true)")
        if metric not in g["replications"]:
            raise KeyError(f"{path}: no replications of {metric!r} (a point-level output has one "
                           "value per point, in results/; or not among [output] metrics)")
        with _reading(path):
            return g["replications"][metric][()]
