"""Typed columns from the file's datasets: parameters by their `type` attribute (engine/FORMAT.md:
real, integer, bool, enum, list of reals), with each column's unit and description."""
from __future__ import annotations

import h5py
import numpy as np
import pandas as pd

from ._format import text


def unit_of(obj) -> str:
    """The `unit` attribute ('' where format 1 wrote none; format 2 writes one everywhere)."""
    return text(obj.attrs["unit"]) if "unit" in obj.attrs else ""


def description_of(obj) -> str:
    return text(obj.attrs["description"]) if "description" in obj.attrs else ""


def parse_list(value: str) -> list[float]:
    """A list parameter as stored, e.g. "[0.5, 1.5]", as a list of floats."""
    inner = value.strip()
    if inner.startswith("[") and inner.endswith("]"):
        inner = inner[1:-1]
    return [float(x) for x in inner.split(",") if x.strip()]


def enum_categories(ds: h5py.Dataset, values) -> list[str]:
    """The declared choices where the file stores them (attribute `choices`); format 1 does not,
    so then the values present, sorted."""
    if "choices" in ds.attrs:
        return [text(c) for c in np.asarray(ds.attrs["choices"]).reshape(-1)]
    return sorted(set(values))


def parameter(ds: h5py.Dataset, rows: np.ndarray):
    """The parameter column `ds` at `rows`, typed: float, int64, bool, categorical (enum) or a
    Series of lists of floats (list of reals)."""
    kind = text(ds.attrs.get("type", ""))
    data = ds[()][rows]
    if kind == "bool":
        return data.astype(bool)
    if kind == "integer":
        return data.astype(np.int64)
    if data.dtype.kind in "SOU":
        strings = [text(x) for x in data]
        if kind == "list of reals":
            return pd.Series(map(parse_list, strings), dtype=object)
        if kind == "enum":
            return pd.Categorical(strings, categories=enum_categories(ds, strings))
        return np.array(strings, dtype=object)
    return data
