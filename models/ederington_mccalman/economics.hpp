// The linear three-country Ederington–McCalman (2003) tariff game, as specified in
// ../shared/models/ederington_mccalman.md. Pure functions of the primitives; no engine types.
// Country X is always the deviator (the model is symmetric).
#pragma once

namespace tariffsim::ederington_mccalman {

// Demand α − b·p in every country and market; supply c·p of the import good, d·p of each export.
struct Primitives {
  double alpha = 1.0;
  double b = 1.0;
  double c = 1.0;
  double d = 2.0;
};

// Shorthands of spec §1: s = b + c, m = b + d, K = 3b + c + 2d, S = 2(2b + c + d),
// Q = 2s² + 5sm + 4m², H = s·m/K².
struct Shorthands {
  double s, m, K, S, Q, H;
};
Shorthands shorthands(const Primitives& p);

// ---- One market (spec §2): importer I, exporters A and B facing specific tariffs tA and tB.
struct Market {
  double p = 0;           // importer's price
  double qA = 0, qB = 0;  // exporters' local prices (autarky price α/m when not trading)
  double EA = 0, EB = 0;  // exports (>= 0)
};
// General case, including one-exporter and autarky equilibria.
Market solve_market(const Primitives& pr, double tA, double tB);
double importer_welfare(const Primitives& pr, double tA, double tB);  // CS + PS + revenue
double exporter_welfare(const Primitives& pr, double q);              // CS + PS at local price q

// ---- Three countries. Profile = (t_XY, t_XZ, t_YX, t_YZ, t_ZX, t_ZY).
struct Profile {
  double XY, XZ, YX, YZ, ZX, ZY;
};
struct Welfare {
  double X, Y, Z, G;
};
Welfare welfare(const Primitives& pr, const Profile& t);

// ---- Tariff rules (spec §3).
double nash_tariff(const Primitives& pr);                // t^N, eq (7)
double prohibitive_tariff(const Primitives& pr);         // common prohibitive tariff
double best_response_slope(const Primitives& pr);        // κ of eq (4)
double best_response(const Primitives& pr, double tau);  // t^D(τ), eq (4)
double collusive_mfn_tariff(const Primitives& pr);       // t^NC, eq (17)
double collusive_discriminatory_tariff(const Primitives& pr, double tau);  // t^DC(τ), eq (18)

// ---- Regimes of spec §4 (X deviates).
Profile cooperation_profile(double t);
Profile deviation_profile(const Primitives& pr, double t);
Profile nash_profile(const Primitives& pr);
Profile dp_profile(const Primitives& pr, double tau);
Profile nc_profile(const Primitives& pr);
Profile dc_profile(const Primitives& pr, double tau);

// Closed forms of spec §4, used by the solver's inner loops and cross-checked in tests.
double coop_welfare_closed(const Primitives& pr, double t);  // W^C(t) = W^C(0) − s·m·t²/K
double omega_closed(const Primitives& pr, double t);         // Ω(t) = s·m·S·(t^N − t)²/K²
double nash_importer_welfare_closed(const Primitives& pr);   // W_imp at Nash
double dp_deviator_exports_closed(const Primitives& pr, double tau);  // E^DP_X(τ)

// ---- Self-enforcement (spec §5). g(t) = A2·t² + A1·t + A0 >= 0.
struct Constraint {
  double A2, A1, A0;
};
Constraint constraint(const Primitives& pr, double delta, double r, double W_P);
struct MostCooperative {
  double t = 0;
  bool feasible = true;
};
// Smallest t in [0, t^N] with g(t) >= 0 (algorithm of spec §5); t^N and feasible = false when none.
MostCooperative most_cooperative(const Primitives& pr, double delta, double r, double W_P);
double t_hat_np_closed(const Primitives& pr, double delta, double r);
// Largest r at which a punishment worth W_P to the deviator is self-enforcing; NaN if never.
double r_max(const Primitives& pr, double delta, double W_P);

// ---- Renegotiation-proof agreements (spec §6).
struct RenegotiationProof {
  bool feasible = false;
  double r = 0, t = 0, v = 0;  // r and v NaN when infeasible; t = t^N then
};
// v(r) = (1 − r)·G_P + r·3·W^C(t̂(r)), with t̂ from the punishment payoff W_P.
double rp_value(const Primitives& pr, double delta, double r, double W_P, double G_P);
RenegotiationProof rp_np_closed(const Primitives& pr, double delta);
RenegotiationProof rp_dp(const Primitives& pr, double delta, double tau, int grid = 4000);

// ---- Fig. 4 (spec §7).
double fig4_fraction(const Primitives& pr);  // f = −P3/Q3

// ---- Endogenous τ = t̂(r) (spec §8, optional variant; footnote 15).
// Smallest t in [0, t^N] with δ(1 − r)[W^C(t) − W^DP_X(t)] − (1 − δ)Ω(t) >= 0 (t^N always is).
double t_hat_dp_endogenous(const Primitives& pr, double delta, double r);
RenegotiationProof rp_dp_endogenous(const Primitives& pr, double delta, int grid = 2000);

// ---- Every point-level output of spec §9, plus the proposition indicators.
struct Inputs {
  Primitives pr;
  double delta = 0.9;
  double r = 0;       // δ^T
  double ttil = 0;    // τ, the non-deviators' mutual tariff under DP and DC
  double t_coop = 0;  // the cooperative tariff at which W_C, W_D, Omega, p_C... are evaluated
};
struct Solution {
  double t_N, t_prohibitive, kappa_D, t_D_ttil, t_NC, t_DC_ttil;
  double p_free, q_free, p_N, q_N, E_N, p_C, q_C, E_C;
  double p_DP_imp, q_DP_dev, q_DP_nondev, E_DP_dev, E_DP_nondev;
  double W_C0, W_C, W_D, Omega, W_NP, G_NP, W_DP_dev, W_DP_nondev, G_DP, W_NC_dev, W_DC_dev;
  double t_hat_NP, t_hat_DP;
  bool t_hat_DP_feasible;
  double r_max_DP;
  double t_hat_NC;
  bool t_hat_NC_feasible;
  double t_hat_DC;
  double rp_NP_r, rp_NP_t, rp_NP_v;
  bool rp_DP_feasible;
  double rp_DP_r, rp_DP_t, rp_DP_v;
  double fig4_gap, fig4_fraction, fig4_threshold_ttil;
  // Proposition indicators (1 holds, 0 fails; NaN where the statement does not apply).
  double prop1_holds, prop2_holds, prop3_holds, eq28_holds, discrimination_preferred;
  // X·X''/X'² of export supply at the Nash export price (0 here: linear; see curvature.hpp).
  double export_log_curvature_N;
  // Endogenous τ = t̂(r) variant.
  double endo_t_hat_DP, endo_prop1_holds, endo_rp_r, endo_rp_t, endo_rp_disc_better;
};
Solution solve(const Inputs& in);
// The market outputs of a Solution (prices, local prices, exports) from the four markets both
// solvers compute: free trade, Nash, cooperation at t_coop, and Y's market under DP.
void record_markets(Solution& o, const Market& free, const Market& nash, const Market& coop,
                    const Market& dp);

}  // namespace tariffsim::ederington_mccalman
