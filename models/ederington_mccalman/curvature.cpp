// Numerical solution of the Ederington–McCalman game with curved demand (see curvature.hpp).
#include "curvature.hpp"

#include <algorithm>
#include <boost/math/tools/minima.hpp>
#include <boost/math/tools/roots.hpp>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>

namespace tariffsim::ederington_mccalman::curvature {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Positive root of g·x² + k·x − α = 0, written without cancellation (also valid at g = 0).
double positive_root(double g, double k, double alpha) {
  return 2 * alpha / (k + std::sqrt(k * k + 4 * g * alpha));
}

// Root of f on [lo, hi] by TOMS 748 to (nearly) full precision; nullopt without a sign change.
template <class F>
std::optional<double> root(F f, double lo, double hi) {
  const double flo = f(lo), fhi = f(hi);
  if (flo == 0) return lo;
  if (fhi == 0) return hi;
  if ((flo > 0) == (fhi > 0)) return std::nullopt;
  std::uintmax_t iters = 200;
  const auto r = boost::math::tools::toms748_solve(
      f, lo, hi, flo, fhi, boost::math::tools::eps_tolerance<double>(50), iters);
  return 0.5 * (r.first + r.second);
}

template <class F>
double bracketed_root(F f, double lo, double hi, const char* what) {
  if (const auto r = root(f, lo, hi)) return *r;
  throw std::runtime_error(std::string("no sign change for ") + what);
}

// Slope of export supply d·q − D(q) where the exporter trades (0 where it does not).
double export_slope(const Curved& cv, double q, double E) {
  return E > 0 ? cv.pr.d + cv.pr.b + 2 * cv.g * q : 0.0;
}

}  // namespace

double demand(const Curved& cv, double p) {
  return std::max(0.0, cv.pr.alpha - cv.pr.b * p - cv.g * p * p);
}

double choke_price(const Curved& cv) { return positive_root(cv.g, cv.pr.b, cv.pr.alpha); }

double consumer_surplus(const Curved& cv, double p) {
  // D(x) = g(p̄ − x)(x − p₂) with g(p̄ − p₂) = R = √(b² + 4gα); integrating in L = p̄ − p keeps
  // every term positive (no cancellation), and g = 0 gives b·L²/2.
  const double L = std::max(0.0, choke_price(cv) - p);
  const double R = std::sqrt(cv.pr.b * cv.pr.b + 4 * cv.g * cv.pr.alpha);
  return R * L * L / 2 - cv.g * L * L * L / 3;
}

double import_autarky_price(const Curved& cv) {
  return positive_root(cv.g, cv.pr.b + cv.pr.c, cv.pr.alpha);
}

double export_autarky_price(const Curved& cv) {
  return positive_root(cv.g, cv.pr.b + cv.pr.d, cv.pr.alpha);
}

double export_supply(const Curved& cv, double q) {
  return std::max(0.0, cv.pr.d * q - demand(cv, q));
}

Market solve_market(const Curved& cv, double tA, double tB) {
  // Import demand D(p) − c·p falls in p and exports rise, so the clearing price is unique in
  // [0, p_autarky]: excess demand is α > 0 at p = 0 and −exports <= 0 at autarky.
  auto excess = [&](double p) {
    return demand(cv, p) - cv.pr.c * p - export_supply(cv, p - tA) - export_supply(cv, p - tB);
  };
  // At (or above) the prohibitive tariffs, rounding can leave excess demand at autarky a hair
  // above zero: that is autarky.
  const double pa = import_autarky_price(cv);
  const double p = excess(pa) >= 0 ? pa : bracketed_root(excess, 0.0, pa, "market clearing");
  Market mk;
  mk.p = p;
  mk.EA = export_supply(cv, p - tA);
  mk.EB = export_supply(cv, p - tB);
  const double qa = export_autarky_price(cv);
  mk.qA = mk.EA > 0 ? p - tA : qa;
  mk.qB = mk.EB > 0 ? p - tB : qa;
  return mk;
}

double importer_welfare(const Curved& cv, double tA, double tB) {
  const Market mk = solve_market(cv, tA, tB);
  return consumer_surplus(cv, mk.p) + cv.pr.c * mk.p * mk.p / 2 + tA * mk.EA + tB * mk.EB;
}

double exporter_welfare(const Curved& cv, double q) {
  return consumer_surplus(cv, q) + cv.pr.d * q * q / 2;
}

double importer_marginal_welfare(const Curved& cv, double tA, double tB) {
  const Market mk = solve_market(cv, tA, tB);
  const double xa = export_slope(cv, mk.qA, mk.EA), xb = export_slope(cv, mk.qB, mk.EB);
  const double import_slope = -(cv.pr.b + cv.pr.c + 2 * cv.g * mk.p);  // M'(p) < 0
  const double dp = xa / (xa + xb - import_slope);                      // ∂p/∂tA ∈ [0, 1)
  // dW/dtA = −M(p)·p' + E_A + tA·∂E_A/∂tA + tB·∂E_B/∂tA, with M(p) = E_A + E_B.
  return mk.EA * (1 - dp) - mk.EB * dp + tA * xa * (dp - 1) + tB * xb * dp;
}

double prohibitive_tariff(const Curved& cv) {
  return import_autarky_price(cv) - export_autarky_price(cv);
}

double nash_tariff(const Curved& cv) {
  // At a symmetric profile the FOC is (1 − 2p')(E − t·X'(q)) = 0 with 1 − 2p' > 0, i.e.
  // t = E/X' (eq 7's t^N = e). E − t·X' is E > 0 at t = 0 and −t·X' < 0 at the prohibitive tariff.
  auto foc = [&](double t) {
    const Market mk = solve_market(cv, t, t);
    return mk.EA - t * (cv.pr.d + cv.pr.b + 2 * cv.g * (mk.p - t));
  };
  return bracketed_root(foc, 0.0, prohibitive_tariff(cv), "the Nash FOC");
}

double best_response(const Curved& cv, double tau) {
  // Upper end: the tariff at which the exporter facing it stops trading, given τ on the other.
  const double qa = export_autarky_price(cv);
  auto one_exporter = [&](double p) {
    return demand(cv, p) - cv.pr.c * p - export_supply(cv, p - tau);
  };
  const double pa = import_autarky_price(cv);
  const double p1 =
      one_exporter(pa) >= 0 ? pa : bracketed_root(one_exporter, 0.0, pa, "one-exporter market");
  const double hi = (p1 - qa) * (1 - 1e-9);
  auto foc = [&](double t) { return importer_marginal_welfare(cv, t, tau); };
  if (const auto t = root(foc, 0.0, hi)) return *t;
  // No sign change of the FOC: fall back on maximising the welfare itself.
  const auto br = boost::math::tools::brent_find_minima(
      [&](double t) { return -importer_welfare(cv, t, tau); }, 0.0, hi,
      std::numeric_limits<double>::digits / 2);
  return br.first;
}

double coop_welfare(const Curved& cv, double t) {
  const Market mk = solve_market(cv, t, t);
  return consumer_surplus(cv, mk.p) + cv.pr.c * mk.p * mk.p / 2 + 2 * t * mk.EA +
         2 * exporter_welfare(cv, mk.qA);
}

double deviation_gain(const Curved& cv, double tN, double t) {
  // The deviator's export markets are the same under C(t) and D(t): only its import market moves.
  return importer_welfare(cv, tN, tN) - importer_welfare(cv, t, t);
}

DiscriminatoryPunishment dp_regime(const Curved& cv, double tN, double tau) {
  DiscriminatoryPunishment o;
  o.t_D = best_response(cv, tau);
  o.y_market = solve_market(cv, o.t_D, tau);
  const Market nash = solve_market(cv, tN, tN);
  const double w_imp_nash = importer_welfare(cv, tN, tN);
  o.W_dev = w_imp_nash + 2 * exporter_welfare(cv, o.y_market.qA);
  // Y: its own market, its exports of x to the deviator (at Nash), of z to Z (as Z's exporter B).
  o.W_nondev = importer_welfare(cv, o.t_D, tau) + exporter_welfare(cv, nash.qA) +
               exporter_welfare(cv, o.y_market.qB);
  o.G = o.W_dev + 2 * o.W_nondev;
  return o;
}

MostCooperative most_cooperative(const Curved& cv, double tN, double delta, double r, double W_P,
                                 int grid) {
  if (r >= 1 || delta <= 0) return {tN, true};
  const double w_imp_nash = importer_welfare(cv, tN, tN);
  auto g = [&](double t) {
    const Market mk = solve_market(cv, t, t);
    const double w_imp = consumer_surplus(cv, mk.p) + cv.pr.c * mk.p * mk.p / 2 + 2 * t * mk.EA;
    const double wc = w_imp + 2 * exporter_welfare(cv, mk.qA);
    return delta * (1 - r) * (wc - W_P) - (1 - delta) * (w_imp_nash - w_imp);
  };
  if (g(0.0) >= 0) return {0.0, true};
  auto smallest_root = [&](double lo, double hi) -> MostCooperative {
    const auto t = root(g, lo, hi);
    return {t ? *t : hi, true};
  };
  // First feasible grid point below t^N (g(t^N) = 0 under NP, so t^N itself is left out).
  double best_t = 0, best_g = g(0.0);
  for (int k = 1; k < grid; ++k) {
    const double t = tN * k / grid, gt = g(t);
    if (gt >= 0) return smallest_root(tN * (k - 1) / grid, t);
    if (gt > best_g) best_g = gt, best_t = t;
  }
  // No grid point is feasible: a narrow feasible interval may sit between two of them.
  const double h = tN / grid;
  const auto br = boost::math::tools::brent_find_minima(
      [&](double t) { return -g(t); }, std::max(0.0, best_t - h), std::min(tN, best_t + h),
      std::numeric_limits<double>::digits / 2);
  if (-br.second >= 0) return smallest_root(std::max(0.0, best_t - h), br.first);
  // Near t^N (NP with δ(1 − r) small): g > 0 just below t^N, so the root lies in the last cell.
  if (g(tN) >= 0) {
    const double lo = tN * (grid - 1) / grid, hi = tN * (1 - 1e-9);
    if (g(hi) >= 0) return smallest_root(lo, hi);
    return {tN, true};
  }
  return {tN, false};
}

namespace {

double prop1_indicator(double t_np, double t_dp, double tN, double tau) {
  const double tol = 1e-10 * tN;  // the root searches are accurate to ~1e-15·t^N
  if (t_np > t_dp + tol) return 0.0;
  const bool strict_required = t_np > 0 && t_np < tN && tau < tN;
  return (strict_required && !(t_dp > t_np)) ? 0.0 : 1.0;
}

}  // namespace

Solution solve(const Inputs& in, double g) {
  const Curved cv{in.pr, g};
  const double tau = in.ttil, t = in.t_coop, delta = in.delta, r = in.r;
  Solution o;
  o.t_N = nash_tariff(cv);
  o.t_prohibitive = prohibitive_tariff(cv);
  o.kappa_D = kNaN;
  o.t_NC = kNaN;
  o.t_DC_ttil = kNaN;

  const Market free = solve_market(cv, 0, 0), nash = solve_market(cv, o.t_N, o.t_N);
  const Market coop = solve_market(cv, t, t);
  const DiscriminatoryPunishment dp = dp_regime(cv, o.t_N, tau);
  o.t_D_ttil = dp.t_D;
  o.p_free = free.p;
  o.q_free = free.qA;
  o.p_N = nash.p;
  o.q_N = nash.qA;
  o.E_N = nash.EA;
  o.p_C = coop.p;
  o.q_C = coop.qA;
  o.E_C = coop.EA;
  o.p_DP_imp = dp.y_market.p;
  o.q_DP_dev = dp.y_market.qA;
  o.q_DP_nondev = dp.y_market.qB;
  o.E_DP_dev = dp.y_market.EA;
  o.E_DP_nondev = dp.y_market.EB;

  o.W_C0 = coop_welfare(cv, 0);
  o.W_C = coop_welfare(cv, t);
  o.Omega = deviation_gain(cv, o.t_N, t);
  o.W_D = o.W_C + o.Omega;
  o.W_NP = coop_welfare(cv, o.t_N);
  o.G_NP = 3 * o.W_NP;
  o.W_DP_dev = dp.W_dev;
  o.W_DP_nondev = dp.W_nondev;
  o.G_DP = dp.G;
  o.W_NC_dev = kNaN;
  o.W_DC_dev = kNaN;

  o.t_hat_NP = most_cooperative(cv, o.t_N, delta, r, o.W_NP).t;
  const MostCooperative hdp = most_cooperative(cv, o.t_N, delta, r, o.W_DP_dev);
  o.t_hat_DP = hdp.t;
  o.t_hat_DP_feasible = hdp.feasible;
  o.r_max_DP = kNaN;
  o.t_hat_NC = kNaN;
  o.t_hat_NC_feasible = false;  // bool field: the plugin writes NaN for it when g > 0
  o.t_hat_DC = kNaN;
  o.rp_NP_r = o.rp_NP_t = o.rp_NP_v = kNaN;
  o.rp_DP_feasible = false;  // likewise NaN in the plugin
  o.rp_DP_r = o.rp_DP_t = o.rp_DP_v = kNaN;

  o.fig4_gap = o.G_DP / 3 - o.W_DP_dev;
  o.fig4_fraction = o.fig4_threshold_ttil = kNaN;
  o.prop1_holds = prop1_indicator(o.t_hat_NP, o.t_hat_DP, o.t_N, tau);
  o.prop2_holds = o.prop3_holds = o.eq28_holds = kNaN;
  o.discrimination_preferred = o.fig4_gap > 0 ? 1.0 : 0.0;
  o.endo_t_hat_DP = o.endo_prop1_holds = o.endo_rp_r = o.endo_rp_t = o.endo_rp_disc_better = kNaN;
  return o;
}

}  // namespace tariffsim::ederington_mccalman::curvature
