// Non-linear extensions of the Ederington–McCalman game (issue item 4), two families:
//  - curved demand: D(p) = α − b·p − g·p², g >= 0, in every country and market; supplies linear.
//  - curved export supply: each exporter's net export supply (its supply minus its own demand)
//    X(q) = (s0 − α) + (b + d)·(e^{κq} − 1)/κ, demand α − b·p and import supply c·p linear, so
//    the export sector supplies S_x(q) = X(q) + α − b·q (s0 at a zero price). X·X'' − X'² has
//    the sign of λ − 1 at every price, λ = κ(s0 − α)/(b + d): λ = 1 is exactly exponential exports,
//    the paper's knife-edge after Lemma 3, and λ > 1 the log-convex case where it can reverse.
// κ = s0 = 0 (and g = 0) is the paper's linear model. Everything is solved numerically from the
// primitives (market clearing and the first-order conditions by TOMS 748, the self-enforcement
// constraint by a grid + TOMS 748); at the linear point every result equals economics.hpp.
#pragma once

#include "economics.hpp"

namespace tariffsim::ederington_mccalman::curvature {

struct Curved {
  Primitives pr;     // α, b, c, d as in the linear model
  double g = 0;      // demand curvature: D(p) = α − b·p − g·p²
  double kappa = 0;  // export-supply curvature κ (1/price); 0 = linear export supply
  double s0 = 0;     // export sector's supply at a zero price (quantity)
};

double demand(const Curved& cv, double p);                // max(0, α − b·p − g·p²)
double choke_price(const Curved& cv);                     // D(p̄) = 0
double consumer_surplus(const Curved& cv, double p);      // ∫_p^p̄ D
double import_autarky_price(const Curved& cv);            // D(p) = c·p
double export_autarky_price(const Curved& cv);            // S_x(q) = D(q); 0 if X(0) > 0
double export_sector_supply(const Curved& cv, double q);  // S_x(q): d·q at κ = s0 = 0
double export_supply(const Curved& cv, double q);  // X(q) = max(0, S_x(q) − D(q)); 0 if q < 0
double export_supply_slope(const Curved& cv, double q);      // X'(q) where X > 0
double export_supply_curvature(const Curved& cv, double q);  // X''(q) where X > 0
// X·X''/X'²: 0 for linear exports, 1 for exponential ones (e = X/X' constant), > 1 log-convex.
double export_log_curvature(const Curved& cv, double q);
// True when X(0) > 0 (λ > 0; log-convexity needs it): the exporter ships at every non-negative
// price, so no tariff stops trade, and a local price of 0 is a corner of the market.
bool exports_at_every_price(const Curved& cv);

// One market: importer's price p, exporters' local prices p − t_j, exports E_j. With exports at
// every price, an exporter at a zero local price ships what clears the market (0 to X(0)).
Market solve_market(const Curved& cv, double tA, double tB);
double importer_welfare(const Curved& cv, double tA, double tB);  // CS + PS + tariff revenue
double exporter_welfare(const Curved& cv, double q);              // CS + PS at local price q
// ∂W_imp/∂tA, by the implicit function theorem on market clearing (analytic, not differenced).
double importer_marginal_welfare(const Curved& cv, double tA, double tB);

double prohibitive_tariff(const Curved& cv);  // common tariff that stops all imports (NaN if none)
// Common tariff at which the exporters' local price reaches the bottom of their export supply:
// the prohibitive tariff, or with exports at every price the tariff that drives it to zero.
double common_tariff_limit(const Curved& cv);
double nash_tariff(const Curved& cv);                // symmetric root of the importer's FOC
double best_response(const Curved& cv, double tau);  // t^D(τ): argmax_t W_imp(t, τ)

// Regime welfare (X deviates), as in spec §4.
double coop_welfare(const Curved& cv, double t);               // W^C(t)
double deviation_gain(const Curved& cv, double tN, double t);  // Ω(t) = W^D(t) − W^C(t)
struct DiscriminatoryPunishment {
  double t_D;       // non-deviators' tariff on X, t^D(τ)
  Market y_market;  // Y's import market: A = X (tariff t_D), B = Z (tariff τ)
  double W_dev, W_nondev, G;
};
DiscriminatoryPunishment dp_regime(const Curved& cv, double tN, double tau);

// Smallest t in [0, t^N] with δ(1 − r)[W^C(t) − W_P] − (1 − δ)Ω(t) >= 0 (t^N, infeasible if none),
// by a grid of `grid` points, a Brent search for the constraint's maximum when no grid point is
// feasible, and TOMS 748 on the first bracket.
MostCooperative most_cooperative(const Curved& cv, double tN, double delta, double r, double W_P,
                                 int grid = 256);

// The outputs of spec §9 that exist with curvature; the rest (collusive tariffs, kappa_D, r_max,
// the renegotiation-proof optima, the Fig. 4 fraction, Prop. 2/3, Lemma 5, the endogenous variant)
// are NaN. Reduces to solve() at g = κ = s0 = 0 on every computed field. Throws
// std::runtime_error where no equilibrium with positive local prices exists.
Solution solve(const Inputs& in, double g, double kappa = 0, double s0 = 0);

}  // namespace tariffsim::ederington_mccalman::curvature
