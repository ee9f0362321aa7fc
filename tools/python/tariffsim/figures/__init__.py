"""The figures of each paper experiment, drawn from a result file alone.

How an experiment declares its figures: by its name. A result file's experiment group is named
after the experiment (`[experiment] name`) and records its `model`; ``EXPERIMENTS`` maps
experiment names to the functions that draw them, and ``MODELS`` gives a fallback for any other
file of a model whose figures need nothing but that model's outputs (e.g. a Bagwell–Staiger run
of your own design). No experiment configuration changes: a user's copy of bs_variance.toml under
the same name gets the same figures.

Each figure function takes an open :class:`tariffsim.ResultFile` and returns a list of
``(stem, matplotlib.figure.Figure)``; an empty list means the file does not hold what that figure
needs (e.g. no kept tariff series), so the others are still drawn.
"""
from __future__ import annotations

from . import bagwell_staiger as bs
from . import bown_crowley as bc
from . import customs_union as cu
from . import deremer as dr
from . import ederington_mccalman as em
from . import search
from . import sensitivity

EXPERIMENTS = {
    "quickstart": [bs.statics, bs.tariff_rule],
    "bs_variance": [bs.statics, bs.tariff_rule],
    "bs_paths": [bs.tariff_paths, bs.tariff_rule],
    "deremer_fig1": [dr.figure1],
    "em_fig4": [em.figure4],
    "cu_regression": [cu.naive_vs_structural],
    "bc_paper_size": [bc.estimates_vs_paper],
    "bc_power": [bc.power_curves],
}
# [search] experiments with a figure of their own instead of the generic threshold figure.
SEARCH_EXPERIMENTS = {
    "bs_delta_star": [bs.delta_star_cv],
    "bs_delta_star_discrete": [bs.delta_star_cv],
}

# Any other experiment of these models: whatever of these its file supports.
MODELS = {
    "bagwell_staiger": [bs.statics, bs.tariff_rule, bs.tariff_paths],
}


def figure_functions(rf) -> list:
    """The figure functions for an open result file: by experiment name, else by model; []
    when neither declares any. A [search] file holds only the search's outputs: its threshold
    (SEARCH_EXPERIMENTS: an experiment's own figure of it).
    A file with sensitivity/ gets the Sobol indices' figure alone: its points are a Saltelli
    design scattered over the inputs' box, so the model's figures would join them with lines and
    title them with one value of parameters that vary across the design."""
    if "sensitivity" in rf._g:
        return [sensitivity.indices]
    if search.searched(rf):
        return list(SEARCH_EXPERIMENTS.get(rf.experiment, [search.threshold]))
    if rf.experiment in EXPERIMENTS:
        functions = list(EXPERIMENTS[rf.experiment])
        # A kept tariff series gets its figure in any Bagwell–Staiger experiment.
        if rf.model == "bagwell_staiger" and bs.tariff_paths not in functions:
            functions.append(bs.tariff_paths)
        return functions
    return list(MODELS.get(rf.model, []))


def draw(rf) -> list:
    """Every figure the file supports, as (stem, Figure) pairs."""
    out = []
    for function in figure_functions(rf):
        out.extend(function(rf))
    return out


def known() -> str:
    """What has figures, for the message about a file that has none."""
    return (f"experiments {', '.join(sorted(EXPERIMENTS))}; any experiment of model "
            f"{', '.join(sorted(MODELS))}; any experiment with [search] or [sensitivity]")
