"""What each experiment answers, as the sentences a report leads with.

Each experiment of experiments/ declares, in ``ANSWERS``, its headline metrics (the columns of
the report's per-point table) and its statements: a count of the points where a 0/1 indicator
holds (``Holds``), or a share of the points with its sampling standard error (``Share``). Any
other 0/1 indicator the file holds whose name ends in ``_holds`` gets the generic statement
"NAME holds at k of n points"; an experiment not declared here gets it for every 0/1 indicator.
The Bown–Crowley experiments answer with the table of experiments/README.md (``bc_table``).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Holds:
    """'LABEL holds at k of n points', with where it is vacuous: `unless` = (0/1 metric, what its
    0 means), e.g. ("t_hat_DP_feasible", "DP-infeasible")."""
    metric: str
    label: str
    unless: tuple[str, str] | None = None


@dataclass(frozen=True)
class Share:
    """'LABEL at k of n points (p%)', with a binomial s.e. when the points are a random or Sobol
    sample of a parameter region (then the share estimates that region's; on a grid it is exact)."""
    metric: str
    label: str


@dataclass(frozen=True)
class Answer:
    headlines: tuple[str, ...]
    statements: tuple = ()


PROP1 = Holds("prop1_holds", "Prop. 1 (t̂_NP ≤ t̂_DP)", ("t_hat_DP_feasible", "DP-infeasible"))
PROP1_METRICS = ("prop1_holds", "t_hat_NP", "t_hat_DP", "t_hat_DP_feasible")
PUBLIC_LOSES = Share("public_loses_recip", "The public loses from the last reciprocal cuts "
                     "(public_loses_recip)")
ORDERINGS = tuple(Share(m, f"{m} ({rule})") for m, rule in (
    ("order_i", "τ_FTA,i < τ_MFN,i < τ_CU"), ("order_j", "τ_FTA,j < τ_MFN,j < τ_CU"),
    ("order_ab_i", "τ_FTA,i < τ_MFN,i < τ_CU,ab"), ("order_ab_j", "τ_FTA,j < τ_MFN,j < τ_CU,ab")))
BC = Answer(("mean_y", "pct_growth", "pct_lne", "pct_sd_g", "reject_g", "reject_lne",
             "reject_sd_g"))

ANSWERS = {
    "em_prop1": Answer(PROP1_METRICS, (PROP1,)),
    "em_prop2": Answer(("prop2_holds", "t_hat_DC", "t_hat_NP", "t_hat_NC"),
                       (Holds("prop2_holds", "Prop. 2 (t̂_DC ≤ t̂_NP ≤ t̂_NC)"),)),
    "em_prop3": Answer(("prop3_holds", "eq28_holds", "rp_DP_t", "rp_NP_t", "rp_DP_feasible"),
                       (Holds("prop3_holds", "Prop. 3 (renegotiation-proof DP tariff below NP's)",
                              ("rp_DP_feasible", "DP-infeasible")),
                        Holds("eq28_holds", "Lemma 5 (rp_DP_t < rp_NP_t iff fig4_gap > 0)"))),
    "em_fig4": Answer(("W_DP_dev", "G_DP", "fig4_gap", "fig4_fraction")),
    "em_fig4_statics": Answer(("fig4_fraction", "fig4_threshold_ttil", "fig4_gap")),
    "em_endogenous_ttil": Answer(("endo_prop1_holds", "endo_t_hat_DP", "t_hat_NP",
                                  "endo_rp_disc_better"),
                                 (Holds("endo_prop1_holds", "Prop. 1 with τ = t̂(r)"),
                                  Share("endo_rp_disc_better", "Discrimination is better "
                                        "(endo_rp_disc_better)"))),
    "em_curvature": Answer(PROP1_METRICS + ("export_log_curvature_N",), (PROP1,)),
    "em_curvature_exp": Answer(PROP1_METRICS + ("export_log_curvature_N",), (PROP1,)),
    "bs_free_trade": Answer(("free_trade_sustainable", "Vbar", "P_protect"),
                            (Holds("free_trade_sustainable",
                                   "Free trade is self-enforcing in every state"),)),
    "deremer_fig1": Answer(("tx_N", "tx_stable", "tx_public")),
    "deremer_eq7": Answer(("tau_G_eq7", "status_eq7", "eq7_prohibitive", "eq7_subsidy")),
    "deremer_remark1": Answer(("public_loses_recip", "remark1_exact", "remark1_paper",
                               "tx_public_minus_stable", "public_loses_vs_nash"),
                              (PUBLIC_LOSES,
                               Share("remark1_exact", "The public prefers higher tariffs than "
                                     "its government (remark1_exact)"),
                               Share("public_loses_vs_nash", "The public is worse off than at "
                                     "Nash (public_loses_vs_nash)"))),
    "deremer_weights_mc": Answer(("public_loses_recip", "public_gains_power",
                                  "public_loses_vs_nash", "dW_dlam_at_lamR"),
                                 (PUBLIC_LOSES,
                                  Share("public_gains_power", "The public gains from a power "
                                        "shift (public_gains_power)"),
                                  Share("public_loses_vs_nash", "The public is worse off than "
                                        "at Nash (public_loses_vs_nash)"))),
    "deremer_power": Answer(("dW_dlam_at_lamR", "public_gains_power", "power_B", "d_tot_at_lamR"),
                            (Share("public_gains_power", "The public gains from a power shift "
                                   "(public_gains_power)"),)),
    "deremer_asymmetric": Answer(("tx_stable", "ty_stable", "path_tx_end_reciprocity",
                                  "stopped_by_reciprocity")),
    "cu_orderings": Answer(tuple(s.metric for s in ORDERINGS), ORDERINGS),
    "cu_regression": Answer(("w", "w_naive", "w_struct", "err_w_naive", "err_w_struct")),
    "cu_mutual_protectionism": Answer(("w_naive", "w_struct", "err_w_naive", "err_w_struct",
                                       "cens_any")),
}
MODEL_ANSWERS = {
    "bagwell_staiger": Answer(("Vbar", "P_protect", "E_tau", "sim_P_protect", "sim_E_tau")),
    "bown_crowley": BC,
}


def answer(rf) -> Answer | None:
    return ANSWERS.get(rf.experiment) or MODEL_ANSWERS.get(rf.model)


def headlines(rf, most: int = 6) -> list[str]:
    """The metrics of the per-point table: the declared ones the file holds, else its first."""
    declared = answer(rf)
    wanted = declared.headlines if declared else rf.metrics[:most]
    return [m for m in wanted if m in rf.metrics] or rf.metrics[:most]


def is_indicator(values) -> bool:
    """0/1 (NaN where undefined) at every point, and at least one point defined."""
    v = np.asarray(values, dtype=float)
    v = v[~np.isnan(v)]
    return v.size > 0 and bool(np.all((v == 0) | (v == 1)))


def count(values) -> tuple[int, int, int]:
    """(points where it is 1, points, points where it is undefined)."""
    v = np.asarray(values, dtype=float)
    return int(np.sum(v == 1)), int(v.size), int(np.sum(np.isnan(v)))


def holds_text(df, s: Holds) -> str:
    k, n, undefined = count(df[s.metric])
    text = f"{s.label} holds at {k} of {n} points"
    notes = []
    if s.unless and s.unless[0] in df:
        notes.append(f"{s.unless[1]} at {int(np.sum(df[s.unless[0]] == 0))}")
    if undefined:
        notes.append(f"undefined at {undefined}")
    return text + (f" ({'; '.join(notes)})" if notes else "")


def share_text(df, s: Share, sampled: bool) -> str:
    k, n, undefined = count(df[s.metric])
    defined = n - undefined
    if defined == 0:
        return f"{s.label}: undefined at every point"
    p = k / defined
    text = f"{s.label} at {k} of {defined} points: {100 * p:.1f}%"
    if sampled:
        # Binomial s.e. of a share over independent draws; a Sobol design's error is smaller.
        text += f" (s.e. {100 * math.sqrt(p * (1 - p) / defined):.1f} percentage points)"
    if undefined:
        text += f"; undefined at {undefined}"
    return text


def sampled(rf) -> bool:
    """Whether the points are drawn (a [sample] design) rather than a grid."""
    from ._format import text
    return "[sample]" in text(rf._g.attrs.get("config", ""))


def statements(rf, df) -> tuple[list[str], list[str]]:
    """The sentences the report leads with: (the declared ones, the generic ones)."""
    declared = answer(rf)
    said = []
    out = []
    for s in (declared.statements if declared else ()):
        if s.metric not in df:
            continue
        out.append(holds_text(df, s) if isinstance(s, Holds) else share_text(df, s, sampled(rf)))
        said.append(s.metric)
    descriptions = df.attrs.get("descriptions", {})

    def generic(m):  # _holds always; in an undeclared experiment any "1 if ..." output too
        flagged = m.endswith("_holds") or (declared is None and
                                           str(descriptions.get(m, "")).startswith("1 if"))
        return m in df and m not in said and flagged and is_indicator(df[m])
    return out, [holds_text(df, Holds(m, m)) for m in rf.metrics if generic(m)]
