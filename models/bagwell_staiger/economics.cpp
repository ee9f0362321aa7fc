// The linear Bagwell–Staiger repeated tariff game (spec §1–4, §6, §10).
#include "economics.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>

namespace tariffsim::bagwell_staiger {
namespace {

constexpr double kEps = std::numeric_limits<double>::epsilon();
// Rounding slack of the free-trade test: when ess sup Vf exceeds hi = sqrt(κE[Vf²] + φ) by only a
// few ulps (δ at δ_FT up to rounding), the exact root lies within rounding of ess sup, and
// treating the point as free trade gives the spec's V̄ = ess sup, P_protect = 0 (§10).
constexpr double kFreeTradeSlack = 4.0 * kEps;

void require_valid_delta(double delta) {
  if (!(delta >= 0.0 && delta < 1.0)) {
    throw std::invalid_argument("delta must be in [0, 1) (got " + std::to_string(delta) + ")");
  }
}

void require_valid_phi(double phi) {
  if (!(phi >= 0.0) || !std::isfinite(phi)) {
    throw std::invalid_argument("6aF must be finite and >= 0");
  }
}

// hi = sqrt(κE[Vf²] + φ): the free-trade value of sqrt(κG + φ), an upper bound on V̄.
double upper_bracket(const Distribution& d, double delta, double phi) {
  return std::sqrt(kappa(delta) * d.second_moment() + phi);
}

bool free_trade_at(double ess_sup, double hi) {
  return ess_sup <= hi * (1.0 + kFreeTradeSlack);
}

// q(v) = h(v)/v with h(v) = κG(v) + φ − v², in the form without cancellation for each range of v.
double q_of(const PartialMoments& pm, double kap, double phi, double hi, double v) {
  if (v < 0.5 * hi) {
    // G(v)/v = E[Vf²;Vf≤v]/v + 2E[Vf;Vf>v] − vP(Vf>v): positive parts; here v² ≪ κG + φ.
    const double g_over_v = pm.e2_below / v + (2.0 * pm.e_above - v * pm.p_above);
    return kap * g_over_v + phi / v - v;
  }
  // κG + φ − v² = (hi² − v²) − κE[(Vf−v)+²]: avoids κE[Vf²] − v² cancelling when V̄ ≈ hi.
  return ((hi - v) * (hi + v) - kap * pm.excess2) / v;
}

// h(v) = v q(v) and h'(v) = 2κE[(Vf−v)+] − 2v (G' = 2E[(Vf−v)+], spec §4), from one evaluation of
// the partial moments, which are kept: solve() needs them at V̄.
struct HAndSlope {
  double v, h, slope;
  PartialMoments pm;
};
HAndSlope h_and_slope(const Distribution& d, double kap, double phi, double hi, double v) {
  const PartialMoments pm = d.partial(v);
  return {v, v * q_of(pm, kap, phi, hi, v), 2.0 * (kap * pm.excess1 - v), pm};
}

// Newton's method on h from hi, where h(hi) < 0. h is strictly concave (spec §4), so its tangent at
// any v lies above it: a step from a v right of the root lands where h <= 0, i.e. still right of
// the root, and short of v since h'(v) < 0 there. The iterates decrease monotonically to the root,
// halving the distance while far from it (h ~ −v²) and converging quadratically near it: about
// log2(hi/V̄) + 4 evaluations, where bracketing and TOMS 748 took twice as many.
HAndSlope root_of_h(const Distribution& d, double kap, double phi, double hi, HAndSlope f) {
  for (int iteration = 0; iteration < 200 && f.slope < 0.0; ++iteration) {
    const double next = f.v - f.h / f.slope;
    if (!(next < f.v && next > 0.0)) break;  // no progress left at double precision
    const HAndSlope g = h_and_slope(d, kap, phi, hi, next);
    // A step shorter than a few ulps leaves a much smaller error (quadratic convergence); h >= 0
    // means the root was reached to rounding.
    if (g.h >= 0.0 || f.v - next <= 4.0 * kEps * f.v) return g;
    f = g;
  }
  return f;
}

// V̄ and the partial moments there (spec §4's algorithm; the root by root_of_h).
struct VbarAndMoments {
  double vbar;
  PartialMoments pm;
};
VbarAndMoments vbar_and_moments(const Distribution& d, double delta, double phi) {
  require_valid_delta(delta);
  require_valid_phi(phi);
  const double hi = upper_bracket(d, delta, phi);
  if (hi == 0.0) return {0.0, d.partial(0.0)};
  const double s = d.ess_sup();
  if (free_trade_at(s, hi)) {
    const double vbar = std::max(hi, s);
    return {vbar, d.partial(vbar)};
  }
  const HAndSlope at_hi = h_and_slope(d, kappa(delta), phi, hi, hi);
  if (at_hi.h >= 0.0) return {hi, at_hi.pm};  // q(hi) rounds to >= 0 (spec §10)
  const HAndSlope root = root_of_h(d, kappa(delta), phi, hi, at_hi);
  return {root.v, root.pm};
}

double increase_probability(const Distribution& d, double vbar, double p_protect) {
  const bool has_atoms = d.kind() == DistKind::Degenerate || d.kind() == DistKind::Discrete ||
                         (d.kind() == DistKind::Lognormal && d.log_sigma == 0.0);
  if (!has_atoms) return p_protect - 0.5 * p_protect * p_protect;
  if (d.kind() == DistKind::Lognormal) return 0.0;  // sd = 0: a single atom never rises
  // τ_t > τ_{t−1} needs x_t > V̄ and x_{t−1} < x_t (τ is strictly increasing above V̄).
  double p = 0.0;
  for (std::size_t i = 0; i < d.values.size(); ++i) {
    if (d.values[i] > vbar) p += d.probs[i] * d.prob_below(d.values[i]);
  }
  return p;
}

}  // namespace

// ---- Static game primitives.

double volume(double Vf, double a, double tau, double tau_star) {
  return Vf - 0.5 * a * (tau + tau_star);
}

double welfare_foreign(double Vf, double a, double tau, double tau_star) {
  const double V = volume(Vf, a, tau, tau_star);
  return V * V / (2.0 * a) + tau_star * V;
}

double best_response(double Vf, double a, double other_tau) {
  return (2.0 * Vf - a * other_tau) / (3.0 * a);
}

double nash_tariff(double Vf, double a) {
  return Vf / (2.0 * a);
}

double cooperation_gain(double Vf, double a, double tau_c) {
  return Vf * Vf / (8.0 * a) - 0.5 * a * tau_c * tau_c;
}

double defection_gain(double Vf, double a, double tau_c) {
  const double r = Vf - 2.0 * a * tau_c;
  return r * r / (6.0 * a);
}

// ---- Repeated game.

double kappa(double delta) {
  return 3.0 * delta / (4.0 * (1.0 - delta));
}

double G(const Distribution& d, double v) {
  const PartialMoments pm = d.partial(v);
  return pm.e2_below + v * (2.0 * pm.e_above - v * pm.p_above);
}

double solve_vbar(const Distribution& d, double delta, double phi) {
  return vbar_and_moments(d, delta, phi).vbar;
}

bool free_trade_sustainable(const Distribution& d, double delta, double phi) {
  require_valid_delta(delta);
  require_valid_phi(phi);
  return free_trade_at(d.ess_sup(), upper_bracket(d, delta, phi));
}

double vbar_degenerate(double c, double delta, double phi) {
  require_valid_delta(delta);
  require_valid_phi(phi);
  const double kap = kappa(delta);
  if (phi == 0.0) {
    return delta < 4.0 / 7.0 ? 6.0 * delta * c / (4.0 - delta) : c * std::sqrt(kap);
  }
  // Root of (1+κ)v² − 2κcv − φ = 0, valid while it lies below c (otherwise free trade).
  const double v = (kap * c + std::sqrt(kap * kap * c * c + (1.0 + kap) * phi)) / (1.0 + kap);
  return v < c ? v : std::sqrt(kap * c * c + phi);
}

// δ_FT = 4s²/(4s² + 3E[Vf²]) for bounded support (F = 0). Unbounded support: free trade is
// never sustainable, and we return +inf (no δ < 1 reaches it). Vf ≡ 0: every δ works, 0.
double delta_free_trade(const Distribution& d) {
  const double s = d.ess_sup();
  if (!std::isfinite(s)) return std::numeric_limits<double>::infinity();
  if (s == 0.0) return 0.0;
  const double s2 = 4.0 * s * s;
  return s2 / (s2 + 3.0 * d.second_moment());
}

Solution solve(const Params& p) {
  const std::string reason = p.dist.invalid_reason();
  if (!reason.empty()) throw std::invalid_argument("invalid distribution: " + reason);
  require_valid_delta(p.delta);
  if (!(p.a > 0.0) || !std::isfinite(p.a)) throw std::invalid_argument("a must be > 0");
  if (!(p.F >= 0.0) || !std::isfinite(p.F)) throw std::invalid_argument("F must be >= 0");

  const double phi = 6.0 * p.a * p.F;
  const Distribution& d = p.dist;
  Solution s;
  const VbarAndMoments root = vbar_and_moments(d, p.delta, phi);
  const PartialMoments& pm = root.pm;
  s.Vbar = root.vbar;
  s.free_trade_sustainable = free_trade_sustainable(d, p.delta, phi);

  const double g = pm.e2_below + s.Vbar * (2.0 * pm.e_above - s.Vbar * pm.p_above);
  const double mean = d.mean();
  s.E_gain = g / (8.0 * p.a);
  s.omega = p.delta / (1.0 - p.delta) * s.E_gain;
  s.P_protect = pm.p_above;
  s.E_tau = pm.excess1 / (2.0 * p.a);
  s.E_tau2 = pm.excess2 / (4.0 * p.a * p.a);
  s.tau_N_at_mean = mean / (2.0 * p.a);
  s.E_V = mean - 0.5 * pm.excess1;
  s.P_increase = increase_probability(d, s.Vbar, s.P_protect);
  s.P_onset = s.P_protect * (1.0 - s.P_protect);
  return s;
}

}  // namespace tariffsim::bagwell_staiger
