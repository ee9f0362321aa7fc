// The linear Bagwell–Staiger (1990) repeated tariff game with i.i.d. trade volumes, as specified in
// ../shared/models/bagwell_staiger.md. Pure functions of the primitives; no engine types.
#pragma once

#include "distributions.hpp"

namespace tariffsim::bagwell_staiger {

// ---- Static game primitives (spec §1–2), used by tests to check the closed forms numerically.
double volume(double Vf, double a, double tau, double tau_star);           // V = Vf - a(τ+τ*)/2
double welfare_foreign(double Vf, double a, double tau, double tau_star);  // W* = V²/(2a) + τ*V
double best_response(double Vf, double a, double other_tau);               // (2Vf − aτ)/(3a)
double nash_tariff(double Vf, double a);                                   // Vf/(2a)
double cooperation_gain(double Vf, double a, double tau_c);                // W*_c − W*_N
double defection_gain(double Vf, double a, double tau_c);  // Ω* = (Vf−2aτc)²/(6a)

// ---- Repeated game (spec §3–4).
struct Params {
  double delta = 0.9;  // discount factor in [0, 1)
  double a = 1.0;      // slope of export supply and import demand, > 0
  double F = 0.0;      // defection cost (welfare units), >= 0
  Distribution dist = Distribution::degenerate(1.0);
};

double kappa(double delta);  // 3δ/(4(1−δ))
// G(v) = E[Vf²] − E[(Vf − v)+²], evaluated without cancellation (spec §4 forms).
double G(const Distribution& d, double v);
// The largest fixed point V̄ of V̄² = κG(V̄) + φ by the bracketed algorithm of spec §4.
double solve_vbar(const Distribution& d, double delta, double phi);
bool free_trade_sustainable(const Distribution& d, double delta, double phi);
// Closed forms: degenerate Vf ≡ c (spec §4), and δ_FT for bounded support with F = 0.
double vbar_degenerate(double c, double delta, double phi);
double delta_free_trade(const Distribution& d);
// The cooperative rule τc(Vf) = max(0, Vf − V̄)/(2a).
inline double cooperative_tariff(double Vf, double vbar, double a) {
  return Vf > vbar ? (Vf - vbar) / (2.0 * a) : 0.0;
}

// Every point-level output of spec §6.
struct Solution {
  double Vbar = 0;
  double omega = 0;
  double E_gain = 0;
  double P_protect = 0;
  double E_tau = 0;
  double E_tau2 = 0;
  double tau_N_at_mean = 0;
  bool free_trade_sustainable = false;
  double E_V = 0;
  double P_increase = 0;
  double P_onset = 0;
};
Solution solve(const Params& p);

}  // namespace tariffsim::bagwell_staiger
