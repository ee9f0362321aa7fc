"""Opening a file and checking its layout before any column is read: a damaged or foreign file
fails here with one FormatError naming it, never with misaligned columns later."""
from __future__ import annotations

import contextlib
import os

import h5py
import numpy as np

from ._errors import INCOMPLETE_HINT, FormatError, MissingFileError, NotFoundError, not_found
from ._format import check_format

# Datasets every result file has, of length n_points (engine/FORMAT.md).
REQUIRED = ("points/index", "results/status", "status/done", "status/replications")

# Groups whose datasets are not one row per point: the dimension scales of format 2, and the
# Sobol indices of a [sensitivity] (format 2.2).
NOT_PER_POINT = ("axes", "sensitivity")


@contextlib.contextmanager
def reading(path: str):
    """h5py's errors about a damaged file (OSError, KeyError, ...) as one FormatError naming the
    file, so that a caller catches one exception for every unreadable file."""
    try:
        yield
    except (FormatError, NotFoundError):
        raise
    except (OSError, KeyError, ValueError, TypeError, RuntimeError) as e:
        raise FormatError(f"{path}: cannot be read as a tariffsim result file (damaged or "
                          f"truncated?): {type(e).__name__}: {e}") from e


def open_hdf5(path: str, allow_incomplete: bool) -> h5py.File:
    """The file, read-only. A running tariffsim holds HDF5's write lock on its file: reading its
    finished points (allow_incomplete) must not ask for the lock, and without it the refusal
    says how to read them."""
    if not os.path.exists(path):
        raise MissingFileError(f"{path}: no such file")
    try:
        if allow_incomplete:
            return h5py.File(path, "r", locking=False)
        return h5py.File(path, "r")
    except OSError as e:
        if "unable to lock" in str(e).lower():
            raise FormatError(f"{path}: is being written (HDF5 file lock held by a running "
                              f"tariffsim?); {INCOMPLETE_HINT} to read its finished "
                              "points") from e
        raise FormatError(f"{path}: cannot be opened as an HDF5 file: {e}") from e


def int_attr(obj, name: str, path: str) -> int:
    value = obj.attrs.get(name)
    if value is None or np.ndim(value) != 0 or not np.issubdtype(np.asarray(value).dtype,
                                                                 np.integer):
        raise FormatError(f"{path}: attribute {name!r} of {obj.name} is missing or not an integer")
    return int(value)


def experiment_group(f: h5py.File, path: str, experiment: str | None) -> h5py.Group:
    """The experiment group: the only group at the root, or the one named."""
    names = [k for k in f.keys() if isinstance(f.get(k), h5py.Group)]
    if experiment is not None:
        if experiment not in names:
            raise not_found(path, "experiment", experiment, names)
        return f[experiment]
    if len(names) != 1:
        raise FormatError(f"{path}: expected one experiment group at the root, found "
                          f"{len(names)} ({', '.join(names)}); pass experiment=NAME")
    return f[names[0]]


def check_layout(g: h5py.Group, path: str) -> int:
    """The required datasets exist, every per-point dataset has n_points rows, and `complete`
    agrees with status/done. Returns n_points."""
    n = int_attr(g, "n_points", path)
    complete = int_attr(g, "complete", path)
    for name in REQUIRED:
        if not isinstance(g.get(name), h5py.Dataset):
            raise FormatError(f"{path}: dataset {name} is missing")

    # Each output keeps its value (`mean`) in format 1 and 2 alike; the other statistics vary.
    for name, obj in g["results"].items():
        if isinstance(obj, h5py.Group) and not isinstance(obj.get("mean"), h5py.Dataset):
            raise FormatError(f"{path}: dataset results/{name}/mean is missing")

    def rows(name, obj):
        if name.split("/")[0] in NOT_PER_POINT or not isinstance(obj, h5py.Dataset):
            return
        if obj.ndim == 0 or obj.shape[0] != n:
            raise FormatError(f"{path}: dataset {name} has shape {obj.shape}, expected {n} rows "
                              "(n_points)")
    g.visititems(rows)
    done = g["status/done"][()]
    if complete == 1 and not np.all(done == 1):
        raise FormatError(f"{path}: marked complete but only {int(np.sum(done == 1))} of {n} "
                          "points are done (status/done)")
    return n


def open_checked(path: str, experiment: str | None, allow_incomplete: bool):
    """(h5py.File, experiment group, version): the format checked first, then the layout; an
    incomplete file is refused unless allow_incomplete."""
    path = os.fspath(path)
    f = open_hdf5(path, allow_incomplete)
    try:
        with reading(path):
            version = check_format(f, path)
            g = experiment_group(f, path, experiment)
            n = check_layout(g, path)
            if not allow_incomplete and int(g.attrs["complete"]) != 1:
                done = int(np.sum(g["status/done"][()] == 1))
                raise FormatError(f"{path}: experiment {g.name[1:]!r} is incomplete ({done}/{n} "
                                  f"points done); {INCOMPLETE_HINT} to read the finished "
                                  "points")
        return f, g, version
    except BaseException:
        f.close()
        raise
