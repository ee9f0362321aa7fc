// Numerical solution of the Ederington–McCalman game with curved demand or curved export supply
// (see curvature.hpp).
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

// Slope of export supply where the exporter trades (0 where it does not).
double export_slope(const Curved& cv, double q, double E) {
  return E > 0 ? export_supply_slope(cv, q) : 0.0;
}

// (e^z − 1 − z)/z², the kernel of ∫ of the exponential supply, without the cancellation of the
// direct formula near z = 0 (Taylor series Σ z^k/(k + 2)!; 13 terms leave < 1e-19 at |z| < 0.1).
double expm1_excess_over_square(double z) {
  if (std::abs(z) >= 0.1) return (std::expm1(z) - z) / (z * z);
  double term = 0.5, sum = 0.5;
  for (int k = 1; k <= 12; ++k) sum += (term *= z / (k + 2));
  return sum;
}

// ∫_0^q S_x: the export sector's producer surplus at local price q.
double export_sector_surplus(const Curved& cv, double q) {
  if (cv.kappa == 0) return cv.s0 * q + cv.pr.d * q * q / 2;
  const double m = cv.pr.b + cv.pr.d;
  return cv.s0 * q + m * q * q * expm1_excess_over_square(cv.kappa * q) - cv.pr.b * q * q / 2;
}

}  // namespace

double demand(const Curved& cv, double p) {
  return std::max(0.0, cv.pr.alpha - cv.pr.b * p - cv.g * p * p);
}

double choke_price(const Curved& cv) {
  return positive_root(cv.g, cv.pr.b, cv.pr.alpha);
}

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

double export_sector_supply(const Curved& cv, double q) {
  if (cv.kappa == 0) return cv.s0 + cv.pr.d * q;
  const double m = cv.pr.b + cv.pr.d;
  return cv.s0 + m * std::expm1(cv.kappa * q) / cv.kappa - cv.pr.b * q;
}

double export_supply(const Curved& cv, double q) {
  if (q < 0) return 0.0;  // no sales at a negative price
  return std::max(0.0, export_sector_supply(cv, q) - demand(cv, q));
}

double export_supply_slope(const Curved& cv, double q) {
  const double sector =
      cv.kappa == 0 ? cv.pr.d : (cv.pr.b + cv.pr.d) * std::exp(cv.kappa * q) - cv.pr.b;
  return sector + cv.pr.b + 2 * cv.g * q;  // S_x' − D'
}

double export_supply_curvature(const Curved& cv, double q) {
  const double sector =
      cv.kappa == 0 ? 0.0 : cv.kappa * (cv.pr.b + cv.pr.d) * std::exp(cv.kappa * q);
  return sector + 2 * cv.g;
}

double export_log_curvature(const Curved& cv, double q) {
  const double slope = export_supply_slope(cv, q);
  return export_supply(cv, q) * export_supply_curvature(cv, q) / (slope * slope);
}

bool exports_at_every_price(const Curved& cv) {
  return export_supply(cv, 0.0) > 0;
}

double export_autarky_price(const Curved& cv) {
  // The bottom of export supply: where S_x(q) = D(q), or 0 when the exporter ships at every price.
  if (exports_at_every_price(cv)) return 0.0;
  if (cv.kappa == 0) return positive_root(cv.g, cv.pr.b + cv.pr.d, cv.pr.alpha - cv.s0);
  // X rises in q and exceeds its κ = 0 counterpart (e^z − 1 >= z), whose root bounds it above.
  const double hi = positive_root(cv.g, cv.pr.b + cv.pr.d, cv.pr.alpha - cv.s0);
  return bracketed_root([&](double q) { return export_sector_supply(cv, q) - demand(cv, q); }, 0.0,
                        hi, "export autarky");
}

namespace {

// Market clearing when each exporter ships X(0) > 0 even at a zero local price. Nobody sells at
// a negative price, so exports jump from 0 to X(0) as the local price reaches 0 and excess demand
// falls in p with downward jumps at p = tA and p = tB: the clearing price is a root between the
// jumps or sits at one (a corner: that exporter is paid nothing and ships what clears the market,
// between 0 and X(0)). Cases run from the lower tariff's exporter up: it trades whenever the
// other does.
Market solve_market_exporting_at_every_price(const Curved& cv, double tA, double tB) {
  const double pa = import_autarky_price(cv);
  auto imports = [&](double p) { return demand(cv, p) - cv.pr.c * p; };
  const bool a_low = tA <= tB;
  const double t1 = a_low ? tA : tB, t2 = a_low ? tB : tA;
  auto both = [&](double p) {
    return imports(p) - export_supply(cv, p - t1) - export_supply(cv, p - t2);
  };
  auto low_only = [&](double p) { return imports(p) - export_supply(cv, p - t1); };
  double p = pa, E1 = 0, E2 = 0;
  if (t2 < pa && both(t2) > 0) {  // both local prices positive
    p = bracketed_root(both, t2, pa, "market clearing");
    E1 = export_supply(cv, p - t1);
    E2 = export_supply(cv, p - t2);
  } else if (t1 < t2 && t2 < pa && low_only(t2) >= 0) {  // exporter 2 at its corner
    p = t2;
    E1 = export_supply(cv, t2 - t1);
    E2 = low_only(t2);
  } else if (t1 == t2 && t1 < pa) {  // both at the corner, sharing the imports
    p = t1;
    E1 = E2 = imports(t1) / 2;
  } else if (t1 < pa && low_only(t1) > 0) {  // exporter 2 priced out
    p = bracketed_root(low_only, t1, std::min(t2, pa), "market clearing");
    E1 = export_supply(cv, p - t1);
  } else if (t1 < pa) {  // exporter 1 at its corner, exporter 2 priced out
    p = t1;
    E1 = imports(t1);
  }
  // A priced-out exporter's supply exceeds its demand at every price: its own price is 0.
  const double q1 = E1 > 0 ? p - t1 : 0.0, q2 = E2 > 0 ? p - t2 : 0.0;
  Market mk;
  mk.p = p;
  mk.EA = a_low ? E1 : E2;
  mk.EB = a_low ? E2 : E1;
  mk.qA = a_low ? q1 : q2;
  mk.qB = a_low ? q2 : q1;
  return mk;
}

// At a corner an exporter paid nothing ships what clears the market, so its exports, not the
// price, absorb a change in the other tariff.
bool at_corner(double q, double E) {
  return q == 0 && E > 0;
}

}  // namespace

Market solve_market(const Curved& cv, double tA, double tB) {
  if (exports_at_every_price(cv)) return solve_market_exporting_at_every_price(cv, tA, tB);
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
  return consumer_surplus(cv, q) + export_sector_surplus(cv, q);
}

double importer_marginal_welfare(const Curved& cv, double tA, double tB) {
  const Market mk = solve_market(cv, tA, tB);
  const double xa = export_slope(cv, mk.qA, mk.EA), xb = export_slope(cv, mk.qB, mk.EB);
  const double import_slope = -(cv.pr.b + cv.pr.c + 2 * cv.g * mk.p);  // M'(p) < 0
  // Corners (exports at every price only): B's corner pins p at tB, so E_B takes up A's change;
  // at A's corner p = tA moves one for one and E_A = M(p) − E_B absorbs it.
  if (at_corner(mk.qB, mk.EB)) return mk.EA + (tB - tA) * xa;
  if (at_corner(mk.qA, mk.EA)) return -mk.EB + tA * (import_slope - xb) + tB * xb;
  const double dp = xa / (xa + xb - import_slope);  // ∂p/∂tA ∈ [0, 1)
  // dW/dtA = −M(p)·p' + E_A + tA·∂E_A/∂tA + tB·∂E_B/∂tA, with M(p) = E_A + E_B.
  return mk.EA * (1 - dp) - mk.EB * dp + tA * xa * (dp - 1) + tB * xb * dp;
}

double common_tariff_limit(const Curved& cv) {
  if (!exports_at_every_price(cv)) return import_autarky_price(cv) - export_autarky_price(cv);
  // Both exporters at a zero local price ship X(0) each; the importer's price, which then equals
  // the tariff, solves D(p) − c·p = 2X(0).
  const double x0 = export_supply(cv, 0.0);
  if (!(2 * x0 < cv.pr.alpha))
    throw std::runtime_error("exports at a zero price exceed import demand at every price");
  return positive_root(cv.g, cv.pr.b + cv.pr.c, cv.pr.alpha - 2 * x0);
}

double prohibitive_tariff(const Curved& cv) {
  return exports_at_every_price(cv) ? kNaN : common_tariff_limit(cv);
}

double nash_tariff(const Curved& cv) {
  // At a symmetric profile the FOC is (1 − 2p')(E − t·X'(q)) = 0 with 1 − 2p' > 0, i.e.
  // t = E/X' (eq 7's t^N = e). E − t·X' is E > 0 at t = 0 and −t·X' < 0 at the prohibitive tariff.
  // With exports at every price the limit puts both exporters at their zero-price corner, where
  // this FOC does not apply: the search stops just short of it and fails (status 5) if e = X/X'
  // still exceeds t there, i.e. no Nash tariff leaves the exporters a positive price.
  auto foc = [&](double t) {
    const Market mk = solve_market(cv, t, t);
    return mk.EA - t * export_supply_slope(cv, mk.p - t);
  };
  const double hi =
      exports_at_every_price(cv) ? common_tariff_limit(cv) * (1 - 1e-9) : prohibitive_tariff(cv);
  return bracketed_root(foc, 0.0, hi, "the Nash FOC");
}

double best_response(const Curved& cv, double tau) {
  // Upper end: the tariff at which the exporter facing it reaches the bottom of its supply (stops
  // trading, or with exports at every price is paid nothing and still ships X(0)), given τ.
  const double qa = export_autarky_price(cv);
  const bool always = exports_at_every_price(cv);
  const double floor_exports = always ? export_supply(cv, 0.0) : 0.0;
  auto one_exporter = [&](double p) {
    return demand(cv, p) - cv.pr.c * p - export_supply(cv, p - tau) - floor_exports;
  };
  const double pa = import_autarky_price(cv);
  const double p_lo = always ? tau : 0.0;  // the other exporter's local price stays >= 0
  const double p1 =
      one_exporter(pa) >= 0 ? pa : bracketed_root(one_exporter, p_lo, pa, "one-exporter market");
  const double hi = (p1 - qa) * (1 - 1e-9);
  auto foc = [&](double t) { return importer_marginal_welfare(cv, t, tau); };
  if (const auto t = root(foc, 0.0, hi)) return *t;
  // No sign change of the FOC: fall back on maximising the welfare itself.
  const auto br =
      boost::math::tools::brent_find_minima([&](double t) { return -importer_welfare(cv, t, tau); },
                                            0.0, hi, std::numeric_limits<double>::digits / 2);
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

Solution solve(const Inputs& in, double g, double kappa, double s0) {
  const Curved cv{in.pr, g, kappa, s0};
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
  record_markets(o, free, nash, coop, dp.y_market);

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
  o.export_log_curvature_N = export_log_curvature(cv, nash.qA);
  o.prop2_holds = o.prop3_holds = o.eq28_holds = kNaN;
  o.discrimination_preferred = o.fig4_gap > 0 ? 1.0 : 0.0;
  o.endo_t_hat_DP = o.endo_prop1_holds = o.endo_rp_r = o.endo_rp_t = o.endo_rp_disc_better = kNaN;
  return o;
}

}  // namespace tariffsim::ederington_mccalman::curvature
