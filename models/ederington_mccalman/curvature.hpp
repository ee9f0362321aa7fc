// Non-linear extension of the Ederington–McCalman game (issue item 4): demand with curvature,
// D(p) = α − b·p − g·p², g >= 0, in every country and market; supplies stay linear (c·p, d·p).
// g > 0 makes every importer's excess demand D(p) − c·p concave, the case the paper discusses
// after Lemma 3. Everything is solved numerically from the primitives (market clearing and the
// first-order conditions by TOMS 748, the self-enforcement constraint by a grid + TOMS 748);
// at g = 0 every result equals the linear closed forms of economics.hpp.
#pragma once

#include "economics.hpp"

namespace tariffsim::ederington_mccalman::curvature {

struct Curved {
  Primitives pr;  // α, b, c, d as in the linear model
  double g = 0;   // demand curvature: D(p) = α − b·p − g·p²
};

double demand(const Curved& cv, double p);             // max(0, α − b·p − g·p²)
double choke_price(const Curved& cv);                  // D(p̄) = 0
double consumer_surplus(const Curved& cv, double p);   // ∫_p^p̄ D
double import_autarky_price(const Curved& cv);         // D(p) = c·p
double export_autarky_price(const Curved& cv);         // D(q) = d·q
double export_supply(const Curved& cv, double q);      // max(0, d·q − D(q))

// One market: importer's price p, exporters' local prices p − t_j, exports E_j.
Market solve_market(const Curved& cv, double tA, double tB);
double importer_welfare(const Curved& cv, double tA, double tB);  // CS + PS + tariff revenue
double exporter_welfare(const Curved& cv, double q);              // CS + PS at local price q
// ∂W_imp/∂tA, by the implicit function theorem on market clearing (analytic, not differenced).
double importer_marginal_welfare(const Curved& cv, double tA, double tB);

double prohibitive_tariff(const Curved& cv);          // common tariff that stops all imports
double nash_tariff(const Curved& cv);                 // symmetric root of the importer's FOC
double best_response(const Curved& cv, double tau);   // t^D(τ): argmax_t W_imp(t, τ)

// Regime welfare (X deviates), as in spec §4.
double coop_welfare(const Curved& cv, double t);                // W^C(t)
double deviation_gain(const Curved& cv, double tN, double t);   // Ω(t) = W^D(t) − W^C(t)
struct DiscriminatoryPunishment {
  double t_D;        // non-deviators' tariff on X, t^D(τ)
  Market y_market;   // Y's import market: A = X (tariff t_D), B = Z (tariff τ)
  double W_dev, W_nondev, G;
};
DiscriminatoryPunishment dp_regime(const Curved& cv, double tN, double tau);

// Smallest t in [0, t^N] with δ(1 − r)[W^C(t) − W_P] − (1 − δ)Ω(t) >= 0 (t^N, infeasible if none),
// by a grid of `grid` points, a Brent search for the constraint's maximum when no grid point is
// feasible, and TOMS 748 on the first bracket.
MostCooperative most_cooperative(const Curved& cv, double tN, double delta, double r, double W_P,
                                 int grid = 256);

// The outputs of spec §9 that exist with curvature; the rest (collusive tariffs, κ, r_max, the
// renegotiation-proof optima, the Fig. 4 fraction, Prop. 2/3, Lemma 5, the endogenous variant)
// are NaN. Reduces to solve() at g = 0 on every computed field.
Solution solve(const Inputs& in, double g);

}  // namespace tariffsim::ederington_mccalman::curvature
