"""The text of ResultFile.info(): what a user asks first of a file they were sent."""
from __future__ import annotations

import numpy as np

from ._columns import unit_of
from ._format import text

ROOT_ATTRS = ("tariffsim_version", "git_commit", "kernel_isa", "created_utc", "finished_utc",
              "command_line")
EXPERIMENT_ATTRS = ("description", "seed", "replications", "max_replications", "block_size",
                    "common_random_numbers", "shard_index", "shard_count")


def _version(rf) -> str:
    major, minor = rf.format_version
    return f"{major}" if minor is None else f"{major}.{minor}"


def _unit(obj) -> str:
    unit = unit_of(obj)
    return f" [{unit}]" if unit else ""


def summary(rf) -> str:
    g, root = rf._g, rf._f
    done = int(np.sum(g["status/done"][()] == 1))
    lines = [f"{rf.path}: tariffsim result file, format {_version(rf)}",
             f"experiment {rf.experiment}: model {rf.model} {rf.model_version}",
             f"points: {done} of {rf.n_points} done" +
             ("" if rf.complete else " (INCOMPLETE)")]
    for name in ROOT_ATTRS + EXPERIMENT_ATTRS:
        obj = root if name in ROOT_ATTRS else g
        if name in obj.attrs:
            lines.append(f"  {name}: {text(obj.attrs[name])}")
    lines.append(f"parameters ({len(rf.parameters)}):")
    for name in rf.parameters:
        ds = g["points"][name]
        lines.append(f"  {name}{_unit(ds)} ({text(ds.attrs.get('type', ''))})")
    lines.append(f"metrics ({len(rf.metrics)}):")
    for name in rf.metrics:
        grp = g["results"][name]
        lines.append(f"  {name}{_unit(grp)} ({text(grp.attrs.get('level', ''))}): "
                     f"{', '.join(rf.statistics(name))}")
    for name in rf.series_names:
        ds = g["series"][name]
        lines.append(f"series {name}{_unit(ds)}: {' x '.join(map(str, ds.shape))}")
    return "\n".join(lines)
