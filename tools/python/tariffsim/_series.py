"""Lazy, sliceable views of the per-replication datasets (`series/<name>` [point, replication,
period] and `replications/<metric>` [point, replication]): nothing is read until sliced."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ._columns import description_of, unit_of
from ._layout import reading


def _expand(key, ndim: int) -> tuple:
    """`key` as a tuple of one entry per axis (Ellipsis and missing trailing axes as `:`)."""
    key = key if isinstance(key, tuple) else (key,)
    if any(k is Ellipsis for k in key):
        i = next(j for j, k in enumerate(key) if k is Ellipsis)
        key = key[:i] + (slice(None),) * (ndim - len(key) + 1) + key[i + 1:]
    if len(key) > ndim:
        raise IndexError(f"{len(key)} indices for {ndim} axes")
    return key + (slice(None),) * (ndim - len(key))


def _read(ds, key: tuple, rows) -> np.ndarray:
    """ds[key] with the point axis given as `rows`; h5py wants increasing unique row lists, so
    other lists are read sorted and put back in the order asked."""
    rest = key[1:]
    if np.ndim(rows) == 0:
        return ds[(int(rows),) + rest]
    if isinstance(key[0], slice) and (key[0].step or 1) > 0:
        return ds[key]
    unique = np.unique(rows)
    data = ds[(unique,) + rest]
    return data[np.searchsorted(unique, rows)]


class Series:
    """A per-replication dataset, read lazily: ``s[point, replication, period]`` (NumPy-style
    indices, slices and lists; the point axis counts points by their design index) reads only
    what is asked. ``s.dims`` names the axes; ``s.sel(point=..., period=...)`` selects by name;
    ``s.to_xarray()`` and ``s.to_frame()`` read the finished points whole.

    In a file still being written, asking for a point not yet done raises NotFoundError."""

    def __init__(self, result_file, dataset, name: str, default_dims: tuple[str, ...]):
        self._file = result_file
        self._ds = dataset
        self.name = name
        self.dims = self._dims(dataset, default_dims)
        self.unit = unit_of(dataset)
        self.description = description_of(dataset)

    @staticmethod
    def _dims(ds, defaults):
        """The dimension scales' names where the file has them (format 2), else the defaults."""
        labels = tuple(ds.dims[k].label or defaults[k] for k in range(len(defaults)))
        return tuple("period" if d.startswith("period_") else d for d in labels)

    @property
    def shape(self) -> tuple[int, ...]:
        return self._ds.shape

    @property
    def ndim(self) -> int:
        return self._ds.ndim

    def __len__(self) -> int:
        return self._ds.shape[0]

    def __repr__(self) -> str:
        axes = ", ".join(f"{d}: {n}" for d, n in zip(self.dims, self.shape))
        unit = f" [{self.unit}]" if self.unit else ""
        return f"<tariffsim.Series {self.name!r}{unit} ({axes}): {self.description}>"

    def __getitem__(self, key) -> np.ndarray:
        key = _expand(key, self.ndim)
        rows = self._file._points_at(key[0])
        with reading(self._file.path):  # a torn chunk index of a file cut mid-batch
            return _read(self._ds, key, rows)

    def sel(self, **axes) -> np.ndarray:
        """Selects by axis name, e.g. ``s.sel(point=[0, 3], period=slice(0, 10))``."""
        return self[self._key(axes)]

    def _key(self, axes: dict) -> tuple:
        unknown = set(axes) - set(self.dims)
        if unknown:
            raise TypeError(f"{self.name}: no axis {sorted(unknown)}; its axes are {self.dims}")
        return tuple(axes.get(d, slice(None)) for d in self.dims)

    def _labelled(self, axes: dict):
        """(data, labels per axis) for a selection by name; the point axis defaults to the
        finished points, and single indices keep their axis (as one-element lists)."""
        key = list(self._key(axes))
        if "point" not in axes:
            key[0] = self._file._done_rows()
        key = [[k] if np.ndim(k) == 0 and not isinstance(k, slice) else k for k in key]
        labels = [np.arange(n)[k] for n, k in zip(self.shape, key)]
        return self[tuple(key)], labels

    def to_xarray(self, **axes):
        """An ``xarray.DataArray`` with named axes, coordinates (point: the design index) and
        the unit and description as attributes; `axes` select as in :meth:`sel`.
        Needs xarray (Debian: python3-xarray)."""
        try:
            import xarray
        except ImportError as e:
            raise ImportError("Series.to_xarray() needs xarray (Debian: apt-get install "
                              "python3-xarray)") from e
        data, labels = self._labelled(axes)
        return xarray.DataArray(data, dims=self.dims, coords=dict(zip(self.dims, labels)),
                                name=self.name,
                                attrs={"units": self.unit, "description": self.description})

    def to_frame(self, **axes) -> pd.DataFrame:
        """A long DataFrame, one row per value: point, replication[, period], value. Only the
        replications each point ran (status/replications) are kept: the rest of a row is the
        dataset's NaN fill value, not a result."""
        data, labels = self._labelled(axes)
        grid = np.meshgrid(*labels, indexing="ij")
        frame = pd.DataFrame({d: g.reshape(-1).astype(np.int64) for d, g in zip(self.dims, grid)})
        frame["value"] = data.reshape(-1)
        ran = self._file._replications_run()[frame["point"].to_numpy()]
        frame = frame[frame["replication"].to_numpy() < ran].reset_index(drop=True)
        frame.attrs["units"] = {"value": self.unit}
        frame.attrs["descriptions"] = {"value": self.description}
        return frame
