// The curved-export-supply family (curvature.hpp): net exports X(q) = (s0 − α) + (b + d)(e^{κq} −
// 1)/κ with linear demand. Checked against references built here from the primitives (the export
// sector's supply S_x(q) = X(q) + α − b·q written with std::exp, integrated by Gauss–Kronrod;
// markets cleared by TOMS 748 on excess demand; optima by Brent + the five-point FOC of that
// welfare), and the economics derived for it: near τ = t^N the Lemma 3 margin W_DP_dev − W_NP has
// the sign of 1 − λ, λ = κ(s0 − α)/(b + d), so Prop. 1 fails once exports are log-convex (λ > 1).
#include <boost/math/tools/roots.hpp>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "curvature.hpp"
#include "curvature_checks.hpp"
#include "economics.hpp"
#include "em_numeric.hpp"
#include "tariffsim/model.hpp"
#include "tariffsim/registry.hpp"

namespace cv = tariffsim::ederington_mccalman::curvature;
using tariffsim::ederington_mccalman::Inputs;
using tariffsim::ederington_mccalman::Primitives;
using tariffsim::ederington_mccalman::Solution;

namespace {

bool near_rel(double a, double ref, double rel) {
  return std::abs(a - ref) <= rel * std::abs(ref);
}

// The experiments' units: α = 20 puts prices near 1, so κ = 1 and t^N = 1/κ = 1 at λ = 1.
const Primitives kPr{20, 1, 1, 2};

// The family member with log-convexity index λ = κ(s0 − α)/(b + d) (s0 = α + λ(b + d)/κ).
cv::Curved with_lambda(const Primitives& pr, double kappa, double lambda) {
  return {pr, 0.0, kappa, pr.alpha + lambda * (pr.b + pr.d) / kappa};
}

// ---- Independent references from the primitives.
double ref_demand(const cv::Curved& c, double p) {
  return std::max(0.0, c.pr.alpha - c.pr.b * p);
}
double ref_sector_supply(const cv::Curved& c, double q) {
  return c.s0 + (c.pr.b + c.pr.d) * (std::exp(c.kappa * q) - 1) / c.kappa - c.pr.b * q;
}
// Exports at local price q; nobody sells at a negative price.
double ref_exports(const cv::Curved& c, double q) {
  return q < 0 ? 0.0 : std::max(0.0, ref_sector_supply(c, q) - ref_demand(c, q));
}

struct RefMarket {
  double p, EA, EB;
};
// Excess demand falls in p (with downward jumps where a local price reaches 0 while X(0) > 0), so
// a bracketing root search lands on the clearing price, a jump included. An exporter whose local
// price is 0 there (a corner) ships what clears the market.
RefMarket ref_market(const cv::Curved& c, double tA, double tB) {
  auto imports = [&](double p) { return ref_demand(c, p) - c.pr.c * p; };
  auto excess = [&](double p) {
    return imports(p) - ref_exports(c, p - tA) - ref_exports(c, p - tB);
  };
  const double p = em_test::root(excess, 0.0, c.pr.alpha / c.pr.b);
  const double tol = 1e-12 * p;
  const bool cornerA = std::abs(p - tA) <= tol, cornerB = std::abs(p - tB) <= tol;
  double EA = cornerA ? 0.0 : ref_exports(c, p - tA), EB = cornerB ? 0.0 : ref_exports(c, p - tB);
  if (cornerA && cornerB)
    EA = EB = imports(p) / 2;
  else if (cornerA)
    EA = imports(p) - EB;
  else if (cornerB)
    EB = imports(p) - EA;
  return {p, EA, EB};
}
double ref_importer_welfare(const cv::Curved& c, double tA, double tB) {
  const RefMarket m = ref_market(c, tA, tB);
  const double cs =
      em_test::integral([&](double x) { return ref_demand(c, x); }, m.p, c.pr.alpha / c.pr.b);
  const double ps = em_test::integral([&](double x) { return c.pr.c * x; }, 0.0, m.p);
  return cs + ps + tA * m.EA + tB * m.EB;
}
double ref_exporter_welfare(const cv::Curved& c, double q) {
  const double cs =
      em_test::integral([&](double x) { return ref_demand(c, x); }, q, c.pr.alpha / c.pr.b);
  return cs + em_test::integral([&](double x) { return ref_sector_supply(c, x); }, 0.0, q);
}

// Lemma 3's first-order term at τ = t^N, derived for any export supply X with linear import
// demand slope −σ (σ = b + c). Start from the symmetric Nash market and differentiate
//   p = q_X + t_D = q_Z + τ,   −σ·dp = z·(dq_X + dq_Z)   (market clearing, z = X'(q^N)),
//   t_D = e(q_X) + ρ·(τ − e(q_Z))                        (eq 4 with e = X/X', ρ = z/(z + σ);
//                                                         ρ's own change multiplies τ − e = 0).
// With ε = e'(q^N) = 1 − X·X''/X'² this gives
//   dq_X/dτ = −ρσε / [(1 + ε)(σ + 2z) − ε·zσ/(z + σ)],
// whose denominator is positive for ε > −1, and dW_DP_dev/dτ = 2·X(q^N)·dq_X/dτ (the deviator's
// two export markets). So the slope is 0 exactly for exponential exports (ε = 0) and has the sign
// of −ε: W_DP_dev > W_NP just below t^N iff X is log-concave at q^N.
double lemma3_slope_at_nash(const cv::Curved& c) {
  const double tN = cv::nash_tariff(c);
  const double q = cv::solve_market(c, tN, tN).qA;
  const double X = cv::export_supply(c, q), z = cv::export_supply_slope(c, q);
  const double sigma = c.pr.b + c.pr.c, rho = z / (z + sigma);
  const double eps = 1 - cv::export_log_curvature(c, q);
  const double dq =
      -rho * sigma * eps / ((1 + eps) * (sigma + 2 * z) - eps * z * sigma / (z + sigma));
  return 2 * X * dq;
}

// W_DP_dev − W_NP at τ = (1 − h)·t^N.
double lemma3_margin(const cv::Curved& c, double h) {
  const double tN = cv::nash_tariff(c);
  const auto nash = cv::solve_market(c, tN, tN);
  const double W_N = cv::importer_welfare(c, tN, tN) + 2 * cv::exporter_welfare(c, nash.qA);
  return cv::dp_regime(c, tN, (1 - h) * tN).W_dev - W_N;
}

// λ at which the margin at distance h below t^N changes sign (TOMS 748 in λ).
double lemma3_switch(const Primitives& pr, double kappa, double h) {
  auto f = [&](double lambda) { return lemma3_margin(with_lambda(pr, kappa, lambda), h); };
  std::uintmax_t iters = 100;
  const auto r = boost::math::tools::toms748_solve(
      f, 0.8, 1.3, boost::math::tools::eps_tolerance<double>(45), iters);
  return 0.5 * (r.first + r.second);
}

struct Case {
  Primitives pr;
  double delta, r, ttil_frac, tcoop_frac;
};

}  // namespace

TEST_CASE("export curvature: kappa -> 0 (s0 = 0) reproduces the linear closed forms") {
  // κ = 0 is the exact linear branch; κ = 1e-12 runs the exponential formulas, which differ from
  // the linear model by O(κ·q) relative, far below the spec's 1e-9.
  const std::vector<Case> cases = {{{1, 1, 1, 2}, 0.4, 0.0, 0.5, 0.25},
                                   {{2, 0.5, 0.3, 3}, 0.3, 0.2, 0.0, 0.7},
                                   {{1, 1, 1, 2}, 0.1, 0.0, 0.0, 0.5},
                                   {{3, 0.7, 0.9, 5}, 0.45, 0.1, 1.0, 0.3}};
  for (const Case& k : cases)
    for (double kappa : {0.0, 1e-12}) {
      const double tN = tariffsim::ederington_mccalman::nash_tariff(k.pr);
      const Inputs in{k.pr, k.delta, k.r, k.ttil_frac * tN, k.tcoop_frac * tN};
      const Solution lin = tariffsim::ederington_mccalman::solve(in);
      const Solution num = cv::solve(in, 0.0, kappa, 0.0);
      INFO("kappa=" << kappa << " b=" << k.pr.b << " d=" << k.pr.d << " delta=" << k.delta);
      const double ttol = 1e-9 * tN;
      for (auto [name, a, b] : {std::tuple{"t_N", num.t_N, lin.t_N},
                                {"t_prohibitive", num.t_prohibitive, lin.t_prohibitive},
                                {"t_D_ttil", num.t_D_ttil, lin.t_D_ttil},
                                {"t_hat_NP", num.t_hat_NP, lin.t_hat_NP},
                                {"t_hat_DP", num.t_hat_DP, lin.t_hat_DP}}) {
        INFO(name << ": " << a << " vs " << b);
        CHECK(std::abs(a - b) <= ttol);
      }
      for (auto [name, a, b] : {std::tuple{"p_N", num.p_N, lin.p_N},
                                {"q_N", num.q_N, lin.q_N},
                                {"E_N", num.E_N, lin.E_N},
                                {"q_DP_dev", num.q_DP_dev, lin.q_DP_dev},
                                {"E_DP_dev", num.E_DP_dev, lin.E_DP_dev},
                                {"W_C0", num.W_C0, lin.W_C0},
                                {"W_C", num.W_C, lin.W_C},
                                {"W_NP", num.W_NP, lin.W_NP},
                                {"W_DP_dev", num.W_DP_dev, lin.W_DP_dev},
                                {"G_DP", num.G_DP, lin.G_DP}}) {
        INFO(name << ": " << a << " vs " << b);
        CHECK(near_rel(a, b, 1e-9));
      }
      CHECK(std::abs(num.fig4_gap - lin.fig4_gap) <=
            1e-9 * std::abs(lin.fig4_gap) + 1e-13 * lin.W_NP);
      CHECK(num.prop1_holds == lin.prop1_holds);
      CHECK(std::abs(num.export_log_curvature_N) <= 1e-9);
    }
}

TEST_CASE(
    "export curvature: markets and welfare agree with the primitives integrated numerically") {
  // λ = −2 (s0 < α: exports vanish at a positive price), 0.5 (X(0) > 0, still log-concave),
  // 1 (exactly exponential), 1.6 (log-convex). For λ > 0 exporters ship at every price, so high
  // tariffs put an exporter at its zero-price corner.
  for (double lambda : {-2.0, 0.5, 1.0, 1.6}) {
    const cv::Curved c = with_lambda(kPr, 1.0, lambda);
    const double tN = cv::nash_tariff(c), lim = cv::common_tariff_limit(c);
    CHECK(cv::exports_at_every_price(c) == (lambda > 0));
    for (auto [tA, tB] : {std::pair{0.0, 0.0},
                          {tN, 0.2 * tN},
                          {0.5 * tN, tN},
                          {0.0, 0.8 * lim},
                          {0.95 * lim, 0.1 * tN},
                          {1.2 * lim, 1.2 * lim}}) {
      INFO("lambda=" << lambda << " tA=" << tA << " tB=" << tB);
      const auto mk = cv::solve_market(c, tA, tB);
      const RefMarket ref = ref_market(c, tA, tB);
      CHECK(near_rel(mk.p, ref.p, 1e-12));
      CHECK(std::abs(mk.EA - ref.EA) <= 1e-11 * c.pr.alpha);
      CHECK(std::abs(mk.EB - ref.EB) <= 1e-11 * c.pr.alpha);
      CHECK(near_rel(cv::importer_welfare(c, tA, tB), ref_importer_welfare(c, tA, tB), 1e-12));
      CHECK(near_rel(cv::exporter_welfare(c, mk.qA), ref_exporter_welfare(c, mk.qA), 1e-12));
    }
    // X·X''/X'² − 1 has the sign of λ − 1 at every price (exactly 0 when exponential).
    for (double q : {0.0, 0.5, 2.0})
      if (cv::export_supply(c, q) > 0) {
        const double lc = cv::export_log_curvature(c, q) - 1;
        CHECK((lambda == 1.0 ? std::abs(lc) <= 1e-14 : (lc > 0) == (lambda > 1)));
      }
  }
  // With exports at every price no tariff stops trade.
  CHECK(std::isnan(cv::prohibitive_tariff(with_lambda(kPr, 1.0, 1.6))));
}

TEST_CASE("export curvature: best responses and Nash maximise the importer's integrated welfare") {
  for (double lambda : {-2.0, 0.5, 1.0, 1.6})
    for (const Primitives& pr : {kPr, Primitives{20, 0.5, 0.3, 3}}) {
      const cv::Curved c = with_lambda(pr, 1.0, lambda);
      const double tN = cv::nash_tariff(c);
      INFO("lambda=" << lambda << " b=" << pr.b << " tN=" << tN);
      if (lambda == 1.0) CHECK(std::abs(tN - 1.0) <= 1e-12);  // t^N = e = 1/κ when exponential
      em_test::check_best_responses_maximise(
          c, [&](double tA, double tB) { return ref_importer_welfare(c, tA, tB); }, 2.0);
    }
}

TEST_CASE(
    "export curvature: dW_DP_dev/dtau at t_N is Lemma 3's first-order term, 0 iff exponential") {
  for (const Primitives& pr : {kPr, Primitives{20, 0.5, 0.3, 3}, Primitives{20, 2, 1, 1.5}})
    for (double kappa : {1.0, 2.0}) {
      const double scale = std::abs(lemma3_slope_at_nash(with_lambda(pr, kappa, 0.0)));
      for (double lambda : {0.0, 0.5, 0.9, 1.0, 1.1, 1.5}) {
        const cv::Curved c = with_lambda(pr, kappa, lambda);
        const double tN = cv::nash_tariff(c);
        auto w_dev = [&](double tau) { return cv::dp_regime(c, tN, tau).W_dev; };
        const double numeric = em_test::slope5(w_dev, tN, 1e-3 * tN);
        const double formula = lemma3_slope_at_nash(c);
        INFO("b=" << pr.b << " kappa=" << kappa << " lambda=" << lambda << " numeric=" << numeric
                  << " formula=" << formula);
        // Five-point differences of a solve accurate to ~1e-15: error ~1e-10 of the slope's scale.
        CHECK(std::abs(numeric - formula) <= 1e-7 * scale);
        if (lambda == 1.0)
          CHECK(std::abs(formula) <= 1e-12 * scale);
        else
          CHECK((formula < 0) == (lambda < 1));
      }
    }
  // The linear model's closed form: dW^DP_X/dτ = 2E^N·(−s·m/Q) (spec §4, E^DP_X linear in τ).
  const cv::Curved lin{{1, 1, 1, 2}};
  const double s = 2, m = 3, Q = 2 * s * s + 5 * s * m + 4 * m * m;
  const double E_N = cv::solve_market(lin, cv::nash_tariff(lin), cv::nash_tariff(lin)).EA;
  CHECK(near_rel(lemma3_slope_at_nash(lin), -2 * E_N * s * m / Q, 1e-12));
}

TEST_CASE("export curvature: the Lemma 3 margin changes sign at lambda = 1 as tau -> t_N") {
  // Just below t^N the margin is −slope·h·t^N + O(h²) with the slope's sign set by 1 − λ, so the
  // sign switch sits at λ*(h) = 1 + C·h + O(h²): halving h halves λ* − 1, and the Richardson value
  // 2λ*(h/2) − λ*(h) is 1 + O(h²). Away from t^N the second-order term (positive here) keeps
  // Lemma 3 at λ = 1: the paper's equivalence of DP and NP for exponential exports is local.
  for (const Primitives& pr : {kPr, Primitives{20, 2, 1, 1.5}}) {
    const double s1 = lemma3_switch(pr, 1.0, 0.02), s2 = lemma3_switch(pr, 1.0, 0.01);
    INFO("b=" << pr.b << " lambda*(0.02)=" << s1 << " lambda*(0.01)=" << s2);
    CHECK(s2 > 1);
    CHECK(std::abs((s1 - 1) / (s2 - 1) - 2) <= 0.02);
    CHECK(std::abs(2 * s2 - s1 - 1) <= 0.01 * 0.01);
    CHECK(lemma3_margin(with_lambda(pr, 1.0, 0.95), 0.01) > 0);
    CHECK(lemma3_margin(with_lambda(pr, 1.0, 1.05), 0.01) < 0);
    for (double h : {0.5, 1.0}) CHECK(lemma3_margin(with_lambda(pr, 1.0, 1.0), h) > 0);
  }
}

TEST_CASE("export curvature: Prop. 1 holds for lambda <= 1 and fails past it") {
  const double delta = 0.3;
  for (double lambda : {0.0, 0.5, 1.0, 1.2, 1.5})
    for (double frac : {0.0, 0.5, 0.9, 0.99}) {
      const cv::Curved c = with_lambda(kPr, 1.0, lambda);
      const double tN = cv::nash_tariff(c);
      const Solution s = cv::solve(Inputs{kPr, delta, 0.0, frac * tN, 0.0}, 0.0, c.kappa, c.s0);
      INFO("lambda=" << lambda << " tau/tN=" << frac << " t_hat_NP=" << s.t_hat_NP
                     << " t_hat_DP=" << s.t_hat_DP << " W_DP_dev-W_NP=" << s.W_DP_dev - s.W_NP);
      REQUIRE(s.t_hat_NP > 0);
      REQUIRE(s.t_hat_NP < tN);
      // Lemma 3's sign decides Prop. 1 where the constraint binds: a harsher punishment (lower
      // W_DP_dev) sustains a lower tariff.
      CHECK((s.W_DP_dev > s.W_NP) == (s.t_hat_DP > s.t_hat_NP));
      // Measured: at λ = 1.2 the reversal has not yet reached τ = 0 (the switch is λ ≈ 1.25 there).
      const bool holds = lambda <= 1.0 || (lambda == 1.2 && frac == 0.0);
      CHECK(s.prop1_holds == (holds ? 1.0 : 0.0));
    }
}

TEST_CASE("export curvature: t_hat is the smallest root of the constraint written from welfare") {
  const double delta = 0.3, r = 0.1;
  for (auto [lambda, frac] : {std::pair{0.5, 0.5}, {1.2, 0.9}, {1.5, 0.0}}) {
    const cv::Curved c = with_lambda(kPr, 1.0, lambda);
    const double tN = cv::nash_tariff(c);
    const Solution s = cv::solve(Inputs{kPr, delta, r, frac * tN, 0.0}, 0.0, c.kappa, c.s0);
    const double w_imp_nash = ref_importer_welfare(c, tN, tN);
    for (auto [W_P, t_hat] : {std::pair{s.W_NP, s.t_hat_NP}, {s.W_DP_dev, s.t_hat_DP}}) {
      INFO("lambda=" << lambda << " W_P=" << W_P << " t_hat=" << t_hat);
      auto con = [&](double t) {
        const double wimp = ref_importer_welfare(c, t, t);
        const double wc = wimp + 2 * ref_exporter_welfare(c, ref_market(c, t, t).p - t);
        return delta * (1 - r) * (wc - W_P) - (1 - delta) * (w_imp_nash - wimp);
      };
      REQUIRE(t_hat > 0);
      REQUIRE(t_hat < tN);
      CHECK(std::abs(con(t_hat)) <= 1e-11 * c.pr.alpha);
      for (int k = 0; k < 50; ++k) CHECK(con(t_hat * k / 50.0 * (1 - 1e-6)) < 0);
    }
  }
}

TEST_CASE("export curvature: the plugin routes kappa_x and s0, and rejects mixing families") {
  using namespace tariffsim;
  const auto m = Registry::global().create("ederington_mccalman");
  const auto& info = m->info();
  REQUIRE(info.find_param("kappa_x") != nullptr);
  REQUIRE(info.find_param("s0") != nullptr);
  auto point = [&](std::map<std::string, Value> set) {
    std::vector<Value> values;
    for (const ParamSpec& p : info.params)
      values.push_back(set.count(p.name) ? set.at(p.name) : p.default_value);
    return Point(info, 0, values);
  };
  const cv::Curved c = with_lambda(kPr, 1.0, 1.2);
  const Point p = point({{"alpha", 20.0},
                         {"kappa_x", 1.0},
                         {"s0", c.s0},
                         {"delta", 0.3},
                         {"ttil", 0.9},
                         {"tariff_units", std::string("fraction_of_t_N")}});
  CHECK_FALSE(m->check(p).has_value());
  std::vector<double> out(info.metrics.size(), std::numeric_limits<double>::quiet_NaN());
  PointOutputs po(out);
  PointState none;  // the model keeps no state
  m->prepare(p, po, none);
  const double tN = cv::nash_tariff(c);
  const Solution s = cv::solve(Inputs{kPr, 0.3, 0.0, 0.9 * tN, 0.0}, 0.0, 1.0, c.s0);
  CHECK(out[*info.metric_index("t_N")] == s.t_N);
  CHECK(out[*info.metric_index("t_hat_DP")] == s.t_hat_DP);
  CHECK(out[*info.metric_index("prop1_holds")] == 0.0);
  CHECK(out[*info.metric_index("export_log_curvature_N")] > 1);
  for (const char* name : {"t_prohibitive", "t_NC", "rp_DP_feasible", "prop2_holds"})
    CHECK(std::isnan(out[*info.metric_index(name)]));
  // The default (linear) point writes 0 for the new output and is unchanged otherwise.
  std::vector<double> lin(info.metrics.size(), std::numeric_limits<double>::quiet_NaN());
  PointOutputs pl(lin);
  m->prepare(point({}), pl, none);
  CHECK(lin[*info.metric_index("export_log_curvature_N")] == 0.0);
  CHECK(lin[*info.metric_index("t_N")] ==
        tariffsim::ederington_mccalman::nash_tariff({1, 1, 1, 2}));
  // One family at a time; a family member with no positive-price Nash equilibrium is status 5.
  const auto mixed = m->check(point({{"g", 1.0}, {"kappa_x", 1.0}}));
  REQUIRE(mixed.has_value());
  CHECK(mixed->status == 6);
  const auto no_nash = m->check(point({{"alpha", 20.0}, {"kappa_x", 1.0}, {"s0", 20 + 3 * 2.6}}));
  REQUIRE(no_nash.has_value());
  CHECK(no_nash->status == 5);
}
