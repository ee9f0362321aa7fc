"""ResultFile: one open tariffsim result file and the DataFrames read from it."""
from __future__ import annotations

import os

import h5py
import numpy as np
import pandas as pd

from ._columns import description_of, parameter, unit_of
from ._errors import NotFoundError, not_found
from ._format import text
from ._layout import open_checked, reading
from ._series import Series

# The statistics of format 1 and 2, in the order they are listed; which a metric has is read
# from the file (format 2 keeps only `mean` for point-level outputs).
STAT_ORDER = ("mean", "sd", "se", "n", "min", "max", "q")
# The index columns of sensitivity/<output>/, in the file's order.
SENSITIVITY_COLUMNS = ("first", "first_lo", "first_hi", "total", "total_lo", "total_hi")


# Shadows the builtin in this module on purpose: the API is tariffsim.open(path).
def open(path, allow_incomplete: bool = False, experiment: str | None = None) -> "ResultFile":
    """Opens a tariffsim result file after checking its format name and major version, then its
    layout (one row per point in every column).

    A file not yet complete (a run in progress, stopped, or a shard) is refused unless
    ``allow_incomplete=True``; then the file is opened without HDF5's file lock (a running
    tariffsim holds it) and every table holds the finished points only (``status/done`` = 1).

    Raises FormatError (missing, which is also a FileNotFoundError; foreign, other major
    version, damaged, incomplete) or NotFoundError (no such experiment). Use as a context
    manager, or call ``close()``.
    """
    return ResultFile(path, allow_incomplete=allow_incomplete, experiment=experiment)


class ResultFile:
    """An open result file (see :func:`tariffsim.open`). Tables: :meth:`points`,
    :meth:`results`, :meth:`quantiles`, :meth:`sensitivity`; lazy arrays: :meth:`series`, :meth:`replications`;
    what it holds: :meth:`info`, :meth:`columns`, :attr:`metrics`, :attr:`parameters`,
    :attr:`series_names`."""

    def __init__(self, path, allow_incomplete: bool = False, experiment: str | None = None):
        self.path = os.fspath(path)
        self.allow_incomplete = allow_incomplete
        self._f, self._g, self.format_version = open_checked(self.path, experiment,
                                                             allow_incomplete)
        g = self._g
        self.experiment = g.name[1:]
        self.model = text(g.attrs.get("model", ""))
        self.model_version = text(g.attrs.get("model_version", ""))
        self.n_points = int(g.attrs["n_points"])
        self.parameters = [k for k in g["points"].keys() if k != "index"]
        self.metrics = [k for k, v in g["results"].items() if isinstance(v, h5py.Group)]
        self.series_names = list(g["series"].keys()) if "series" in g else []

    # -- lifetime -------------------------------------------------------------------------------
    def close(self) -> None:
        self._f.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self) -> str:
        return f"<tariffsim.ResultFile {self.path!r}: {self.experiment} ({self.model})>"

    # -- rows -------------------------------------------------------------------------------------
    @property
    def complete(self) -> bool:
        return int(self._g.attrs["complete"]) == 1

    def _done_rows(self) -> np.ndarray:
        """Rows whose points are written (status/done = 1), read afresh: a running file gains
        points between calls."""
        return np.flatnonzero(self._g["status/done"][()] == 1)

    def _replications_run(self) -> np.ndarray:
        return self._g["status/replications"][()].astype(np.int64)

    def _points_at(self, key):
        """The rows a point-axis index selects (row i holds design point i), all of them done."""
        rows = np.arange(self.n_points)[key]
        done = self._g["status/done"][()] == 1
        waiting = np.atleast_1d(rows)[~done[np.atleast_1d(rows)]]
        if waiting.size:
            raise NotFoundError(f"{self.path}: point(s) {waiting[:10].tolist()} not done yet "
                                f"({int(done.sum())} of {self.n_points} done)")
        return rows

    # -- what the file holds --------------------------------------------------------------------
    def statistics(self, metric: str) -> list[str]:
        """The statistics stored for `metric`, e.g. ['mean', 'sd', 'se', 'n', 'min', 'max']."""
        group = self._metric(metric)
        names = list(group.keys())
        return [s for s in STAT_ORDER if s in names] + [s for s in names if s not in STAT_ORDER]

    def _metric(self, metric: str) -> h5py.Group:
        if metric not in self.metrics:
            raise not_found(self.path, "metric", metric, self.metrics)
        return self._g["results"][metric]

    def unit(self, name: str) -> str:
        """The unit of a parameter, metric or series ('' where the file gives none)."""
        return unit_of(self._variable(name))

    def description(self, name: str) -> str:
        """The description of a parameter, metric or series."""
        return description_of(self._variable(name))

    def _variable(self, name: str):
        for group in ("points", "results", "series"):
            if group in self._g and name in self._g[group] and name != "status":
                return self._g[group][name]
        names = self.parameters + self.metrics + self.series_names
        raise not_found(self.path, "parameter, metric or series", name, names)

    def columns(self) -> pd.DataFrame:
        """Every parameter, metric and series with its kind, type, unit and description: read
        from the file, so it holds whatever a DataFrame's attrs lost in a merge."""
        rows = []
        for kind, group, names in (("parameter", "points", self.parameters),
                                   ("metric", "results", self.metrics),
                                   ("series", "series", self.series_names)):
            for name in names:
                obj = self._g[group][name]
                typ = text(obj.attrs.get("type", obj.attrs.get("level", "")))
                rows.append((name, kind, typ, unit_of(obj), description_of(obj)))
        return pd.DataFrame(rows, columns=["name", "kind", "type", "unit", "description"])

    # -- tables ---------------------------------------------------------------------------------
    def _frame(self, rows: np.ndarray, parameters: bool) -> tuple[dict, dict, dict]:
        """(columns, units, descriptions) of the point index and, if asked, the parameters."""
        index = self._g["points/index"]
        cols = {"point": index[()][rows].astype(np.int64)}
        units, descs = {"point": unit_of(index)}, {"point": description_of(index)}
        if parameters:
            for name in self.parameters:
                ds = self._g["points"][name]
                cols[name] = parameter(ds, rows)
                units[name], descs[name] = unit_of(ds), description_of(ds)
        return cols, units, descs

    def _finish(self, cols: dict, units: dict, descs: dict, **attrs) -> pd.DataFrame:
        df = pd.DataFrame(cols)
        df.attrs.update(units=units, descriptions=descs, path=self.path,
                        experiment=self.experiment, model=self.model,
                        parameters=list(self.parameters), **attrs)
        return df

    def points(self) -> pd.DataFrame:
        """The design: one row per finished point, column ``point`` (its index in the design)
        then every parameter, typed (enums categorical, lists of reals as lists, bools bool).
        Units and descriptions in ``df.attrs['units']`` and ``df.attrs['descriptions']``."""
        with reading(self.path):
            return self._finish(*self._frame(self._done_rows(), True))

    def results(self, stat="mean", metrics=None, parameters: bool = True) -> pd.DataFrame:
        """One row per finished point: ``point``, the parameters (unless ``parameters=False``),
        one column per metric and statistic, and ``status`` (0 = ok; the meanings are in
        ``df.attrs['status_codes']``).

        `stat` is one statistic or a list (``"mean"``, ``"sd"``, ``"se"``, ``"n"``, ``"min"``,
        ``"max"``): the mean of metric m is column m, another statistic s is column m_s. A
        metric that does not store `stat` (format 2 keeps only the value of point-level
        outputs) is left out, unless named in `metrics`, which raises NotFoundError. Quantiles:
        :meth:`quantiles`."""
        stats = [stat] if isinstance(stat, str) else list(stat)
        chosen = self.metrics if metrics is None else list(metrics)
        with reading(self.path):
            rows = self._done_rows()
            cols, units, descs = self._frame(rows, parameters)
            for s in stats:
                self._add_stat(s, chosen, metrics is not None, rows, cols, units, descs)
            status = self._g["results/status"]
            cols["status"] = status[()][rows]
            units["status"], descs["status"] = unit_of(status), description_of(status)
            codes = {int(c): text(m) for c, m in zip(status.attrs.get("codes", []),
                                                     status.attrs.get("meanings", []))}
            return self._finish(cols, units, descs, status_codes=codes, stat=stats)

    def _add_stat(self, stat, metrics, named, rows, cols, units, descs) -> None:
        if stat == "q":
            raise NotFoundError(f"{self.path}: quantiles are [point, quantile] arrays: read "
                                "them with .quantiles(metric)")
        found = 0
        for m in metrics:
            stats = self.statistics(m)
            if stat not in stats:
                if named:
                    raise not_found(self.path, f"statistic of {m}", stat, stats)
                continue
            ds = self._g["results"][m][stat]
            name = m if stat == "mean" else f"{m}_{stat}"
            cols[name] = ds[()][rows]
            units[name] = unit_of(ds)
            descs[name] = description_of(self._g["results"][m] if stat == "mean" else ds)
            found += 1
        if not found and metrics:
            every = sorted({s for m in metrics for s in self.statistics(m)},
                           key=lambda s: STAT_ORDER.index(s) if s in STAT_ORDER else 99)
            raise not_found(self.path, "statistic", stat, [s for s in every if s != "q"],
                            "quantiles: .quantiles(metric)")

    def quantiles(self, metric: str, long: bool = False, parameters: bool = False) -> pd.DataFrame:
        """The stored quantiles of `metric` ([output] quantiles), one row per finished point:
        ``point``, the parameters if asked, then one column per probability named ``q<p>``
        (``q0.25``); ``df.attrs['probs']`` maps the columns to the probabilities. With
        ``long=True``: one row per point and probability, columns ``point``, ``prob``,
        ``value``."""
        group = self._metric(metric)
        if "q" not in group:
            with_q = [m for m in self.metrics if "q" in self._g["results"][m]]
            raise not_found(self.path, "metric with stored quantiles", metric, with_q,
                            "keep them with [output] quantiles = [...]")
        with reading(self.path):
            ds = group["q"]
            probs = [float(p) for p in np.asarray(ds.attrs["probs"]).reshape(-1)]
            rows = self._done_rows()
            values = ds[()][rows]
            cols, units, descs = self._frame(rows, parameters)
            if long:
                return self._long_quantiles(cols, units, descs, probs, values, ds)
            names = [f"q{p:g}" for p in probs]
            for j, name in enumerate(names):
                cols[name] = values[:, j]
                units[name] = unit_of(ds)
                descs[name] = f"{probs[j]:g} quantile of {metric} over replications"
            return self._finish(cols, units, descs, metric=metric, probs=dict(zip(names, probs)))

    def _long_quantiles(self, cols, units, descs, probs, values, ds) -> pd.DataFrame:
        wide = pd.DataFrame(cols)
        long = wide.loc[wide.index.repeat(len(probs))].reset_index(drop=True)
        long["prob"] = np.tile(probs, len(wide))
        long["value"] = values.reshape(-1)
        units.update(prob="1", value=unit_of(ds))
        descs.update(prob="probability of the quantile", value=description_of(ds))
        return self._finish(dict(long.items()), units, descs, probs=probs)

    # -- lazy arrays ----------------------------------------------------------------------------
    def series(self, name: str) -> Series:
        """The kept series `name` ([output] series) as a lazy :class:`Series` with axes
        (point, replication, period)."""
        if name not in self.series_names:
            raise not_found(self.path, "series", name, self.series_names,
                            "keep one with [output] series = [...]")
        return Series(self, self._g["series"][name], name, ("point", "replication", "period"))

    def replications(self, metric: str) -> Series:
        """Every replication's value of `metric` ([output] replications = true) as a lazy
        :class:`Series` with axes (point, replication)."""
        kept = list(self._g["replications"].keys()) if "replications" in self._g else []
        if metric not in kept:
            raise not_found(self.path, "per-replication metric", metric, kept,
                            "keep them with [output] replications = true")
        return Series(self, self._g["replications"][metric], metric, ("point", "replication"))

    # -- analyses -------------------------------------------------------------------------------
    def sensitivity(self) -> pd.DataFrame:
        """The Sobol indices of a [sensitivity] experiment (FORMAT.md, sensitivity/) as a tidy
        table: one row per output and input, columns output, input, first, first_lo, first_hi,
        total, total_lo, total_hi (NaN while the file is incomplete)."""
        if "sensitivity" not in self._g:
            raise not_found(self.path, "analysis", "sensitivity", [],
                            "ask for one with a [sensitivity] section")
        with reading(self.path):
            group = self._g["sensitivity"]
            inputs = [text(x) for x in group["inputs"][()]]
            rows = []
            for output, indices in group.items():
                if not isinstance(indices, h5py.Group):
                    continue
                columns = {c: indices[c][()] for c in SENSITIVITY_COLUMNS}
                for i, name in enumerate(inputs):
                    rows.append({"output": output, "input": name,
                                 **{c: float(columns[c][i]) for c in SENSITIVITY_COLUMNS}})
        return pd.DataFrame(rows, columns=["output", "input", *SENSITIVITY_COLUMNS])

    # -- summary --------------------------------------------------------------------------------
    def info(self) -> "Info":
        """A summary of the file: provenance, design, what is stored, with units."""
        from ._info import summary
        with reading(self.path):
            return Info(summary(self))


class Info(str):
    """The text of :meth:`ResultFile.info`, shown as text (not a quoted string) at a prompt."""

    def __repr__(self) -> str:
        return str(self)
