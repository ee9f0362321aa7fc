// Market stage, closed-form optimal tariffs against numerical maximisation of the government
// objectives, orderings (spec §5), combination forms (spec §6) and errata (spec §8).
#include <boost/math/tools/minima.hpp>
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <vector>

#include "economics.hpp"

namespace cu = tariffsim::customs_union;
using cu::Regime;
using cu::Sector;
using cu::Status;

namespace {

// The test grid: every combination, including no firms at all, zero bias and strong bias.
std::vector<Sector> grid() {
  std::vector<Sector> out;
  for (double Gamma : {1.0, 2.5})
    for (double ni : {0.0, 1.0, 3.0})
      for (double nj : {0.0, 1.0, 3.0})
        for (double nk : {0.0, 1.0, 4.0})
          for (double ai : {0.0, 0.1, 0.6})
            for (double aj : {0.0, 0.1, 0.6})
              for (auto [a, b] : {std::pair{1.0, 1.0}, std::pair{1.0, 3.0}, std::pair{5.0, 1.0}})
                out.push_back({Gamma, ni, nj, nk, ai, aj, a, b});
  return out;
}

// Profit of one firm of group c that deviates to output q, the other firms' outputs fixed.
double deviation_profit(double Gamma, const cu::Groups& g, const cu::MarketOutcome& m,
                        std::size_t c, double q) {
  const double others = m.Q - m.q[c];
  return (Gamma - (others + q) - g[c].t) * q;
}

}  // namespace

TEST_CASE("cournot: every firm plays a best response, exits follow spec §2",
          "[customs_union][market]") {
  const std::vector<cu::Groups> cases = {
      {{{2, 0}, {1, 0.1}, {3, 0.2}}},   // all active
      {{{1, 0}, {2, 0.3}, {2, 0.9}}},   // outsiders priced out
      {{{0, 0}, {1, 0.5}, {1, 2.0}}},   // no domestic firms, one group out
      {{{3, 0}, {2, 0.6}, {4, 0.6}}},   // both taxed groups priced out
      {{{1, 0}, {0, 0.0}, {2, -0.2}}},  // a subsidy
  };
  const double Gamma = 1.0;
  for (const auto& g : cases) {
    const cu::MarketOutcome m = cu::cournot(Gamma, 1.0, g);
    CHECK(m.p == Approx(Gamma - m.Q).margin(1e-15));
    for (std::size_t c = 0; c < 3; ++c) {
      if (g[c].n == 0) continue;
      CAPTURE(c, g[c].n, g[c].t, m.p);
      const auto neg = [&](double q) { return -deviation_profit(Gamma, g, m, c, q); };
      const auto best = boost::math::tools::brent_find_minima(neg, 0.0, 2 * Gamma,
                                                              std::numeric_limits<double>::digits);
      // The best deviation earns no more than the equilibrium output (up to the flat maximum).
      CHECK(-best.second <= deviation_profit(Gamma, g, m, c, m.q[c]) + 1e-14);
      CHECK(std::abs(best.first - m.q[c]) <= 1e-7);
      CHECK(m.q[c] >= 0);
    }
  }
  // Beyond the exit point a higher tariff changes nothing.
  const cu::Groups lo{{{1, 0}, {2, 0.3}, {2, 0.9}}}, hi{{{1, 0}, {2, 0.3}, {2, 5.0}}};
  CHECK(cu::cournot(Gamma, 1.0, lo).p == cu::cournot(Gamma, 1.0, hi).p);
}

TEST_CASE("closed-form optimal tariffs equal the numerical optima on the grid",
          "[customs_union][optimum]") {
  int counts[3] = {0, 0, 0};
  for (const Sector& x : grid()) {
    for (Regime r : cu::kRegimes) {
      CAPTURE(x.Gamma, x.n_i, x.n_j, x.n_k, x.alpha_i, x.alpha_j, x.a, x.b, cu::regime_name(r));
      const cu::Tariff cf = cu::optimal_tariff(x, r);
      const cu::NumericalTariff num = cu::numerical_optimal_tariff(x, r);
      // On the boundary 2Wp = 1 + 2n_f (the grid has such points) the interior optimum is tbar
      // itself, so either status names the same tariff.
      const cu::RegimeInputs in = cu::regime_inputs(x, r);
      const bool boundary = std::abs(2 * in.Wp - 1 - 2 * in.n_f) <= 1e-12 * (1 + 2 * in.n_f);
      if (!boundary) REQUIRE(cu::status_name(num.status) == cu::status_name(cf.status));
      ++counts[static_cast<int>(cf.status)];
      // The printed (corrected) closed forms equal the generic one.
      CHECK(cu::closed_form_tau(x, r) == Approx(cf.tau_formula).epsilon(1e-14));
      if (std::isfinite(cf.t_formula))
        CHECK(cu::closed_form_t(x, r) == Approx(cf.t_formula).epsilon(1e-13));
      if (cf.status == Status::NoTaxedFirms) {
        // The tariff is irrelevant: the objective is the same at any tariff.
        const double G0 = cu::regime_objective(x, r, 0.0);
        CHECK(cu::regime_objective(x, r, cf.t) == Approx(G0).epsilon(1e-14));
        CHECK(cu::regime_objective(x, r, 3 * x.Gamma) == Approx(G0).epsilon(1e-14));
        continue;
      }
      CHECK(std::abs(num.t - cf.t) <= 1e-10 * x.Gamma);
      CHECK(std::abs(num.tau - cf.tau) <= 1e-10);
      CHECK(cu::regime_objective(x, r, cf.t) == Approx(num.objective).epsilon(1e-13));
      if (cf.status == Status::Prohibitive) {
        CHECK(cf.tau == 1.0);
        // Nothing beyond tbar does better, and the taxed firms are out.
        CHECK(cu::regime_objective(x, r, 2 * cf.t) == Approx(num.objective).epsilon(1e-14));
        CHECK(cu::regime_market(x, r, cf.t).q[cu::kOutsider] == Approx(0).margin(1e-14));
      } else {
        CHECK(cf.tau == Approx(cf.t / cu::regime_market(x, r, cf.t).p).epsilon(1e-13));
        CHECK(cf.t > 0);
      }
    }
  }
  // The grid exercises every status.
  CHECK(counts[0] > 100);
  CHECK(counts[1] > 100);
  CHECK(counts[2] > 100);
}

TEST_CASE("prohibitive conditions by regime (spec §4)", "[customs_union][optimum]") {
  for (const Sector& x : grid()) {
    if (x.n_k == 0) continue;
    CAPTURE(x.n_i, x.n_j, x.n_k, x.alpha_i, x.alpha_j, x.a, x.b);
    const auto prohibitive = [&](Regime r) {
      return cu::optimal_tariff(x, r).status == Status::Prohibitive;
    };
    const double w = cu::weight_i(x);
    CHECK(prohibitive(Regime::MFN_i) == (2 * x.alpha_i * x.n_i >= 1));
    CHECK(prohibitive(Regime::FTA_i) == (2 * x.alpha_i * x.n_i >= 1 + 2 * x.n_j));
    CHECK(prohibitive(Regime::CU) == (2 * (x.alpha_i * x.n_i + x.alpha_j * x.n_j) >= 1));
    CHECK(prohibitive(Regime::CU_ab) ==
          (4 * (w * x.n_i * (1 + x.alpha_i) + (1 - w) * x.n_j * (1 + x.alpha_j)) >=
           1 + 2 * x.n_i + 2 * x.n_j));
  }
  // With w != 1/2 the CU tariff can be prohibitive with no political bias at all.
  const Sector x{1.0, 3.0, 1.0, 1.0, 0.0, 0.0, 5.0, 1.0};  // (4w-2)(n_i-n_j) = 8/3 >= 1
  CHECK(cu::optimal_tariff(x, Regime::CU_ab).status == Status::Prohibitive);
  CHECK(cu::numerical_optimal_tariff(x, Regime::CU_ab).status == Status::Prohibitive);
}

// No ';' in test names: CMake's catch_discover_tests splits names there, and each half then runs
// no test at all and passes.
TEST_CASE("AVEs do not depend on Gamma or n_k, unit tariffs scale with Gamma",
          "[customs_union][optimum]") {
  const Sector x{1.0, 2.0, 1.0, 3.0, 0.05, 0.2, 2.0, 1.0};
  Sector y = x;
  y.Gamma = 3.7;
  y.n_k = 7.0;
  Sector z = x;
  z.Gamma = 3.7;
  for (Regime r : cu::kRegimes) {
    CHECK(cu::optimal_tariff(y, r).tau == Approx(cu::optimal_tariff(x, r).tau).epsilon(1e-15));
    CHECK(cu::optimal_tariff(z, r).t == Approx(3.7 * cu::optimal_tariff(x, r).t).epsilon(1e-14));
  }
}

TEST_CASE("orderings of spec §5", "[customs_union][orderings]") {
  for (const Sector& x : grid()) {
    if (x.n_k == 0 || x.Gamma != 1.0) continue;
    CAPTURE(x.n_i, x.n_j, x.alpha_i, x.alpha_j);
    for (const Sector& y : {x, cu::swapped(x)}) {
      const auto tau = [&](Regime r) { return cu::optimal_tariff(y, r).tau_formula; };
      CHECK(tau(Regime::MFN_i) - tau(Regime::FTA_i) ==
            Approx(cu::closed_form_mfn_minus_fta_i(y)).margin(1e-14));
      CHECK(tau(Regime::CU) - tau(Regime::MFN_i) ==
            Approx(cu::closed_form_cu_minus_mfn_i(y)).margin(1e-14));
      const auto mfn = cu::optimal_tariff(y, Regime::MFN_i);
      if (mfn.status == Status::Interior && y.n_j > 0) {
        const double fta = cu::optimal_tariff(y, Regime::FTA_i).tau;
        const double cuv = cu::optimal_tariff(y, Regime::CU).tau;
        CHECK(fta < mfn.tau);
        CHECK(mfn.tau < cuv);
      }
      if (y.n_j == 0) CHECK(tau(Regime::CU) == Approx(tau(Regime::MFN_i)).epsilon(1e-15));
    }
  }
  // Unequal weights can reverse the CU/MFN ordering: n = (5, 1), alpha = (0.09, 0), a=1, b=10.
  const Sector x{1.0, 5.0, 1.0, 2.0, 0.09, 0.0, 1.0, 10.0};
  CHECK(cu::optimal_tariff(x, Regime::CU_ab).tau == Approx(26.0 / 55.0).epsilon(1e-14));
  CHECK(cu::optimal_tariff(x, Regime::MFN_i).tau == Approx(119.0 / 120.0).epsilon(1e-14));
  CHECK(cu::numerical_optimal_tariff(x, Regime::CU_ab).tau == Approx(26.0 / 55.0).epsilon(1e-10));
  CHECK(cu::numerical_optimal_tariff(x, Regime::MFN_i).tau == Approx(119.0 / 120.0).epsilon(1e-10));
  CHECK(cu::optimal_tariff(x, Regime::MFN_i).status == Status::Interior);
}

TEST_CASE("combination forms and identities of spec §6", "[customs_union][combination]") {
  for (const Sector& x : grid()) {
    CAPTURE(x.n_i, x.n_j, x.alpha_i, x.alpha_j, x.a, x.b);
    const cu::Combination c = cu::combination(x);
    CHECK(std::abs(c.res_FTA_form) <= 1e-14);
    CHECK(std::abs(c.res_MFN_form) <= 1e-14);
    CHECK(std::abs(c.res_FTA_identity) <= 1e-14);
    CHECK(std::abs(c.res_MFN_identity) <= 1e-13);
    if (x.a == x.b) {
      CHECK(c.wFTA_i + c.wFTA_j >= 1.0 - 1e-15);
      CHECK(c.wFTA_i + c.wFTA_j < 2.0);
    }
  }
  // The weight on member i increases with alpha_i.
  Sector x{1.0, 2.0, 2.0, 1.0, 0.0, 0.1, 1.0, 1.0};
  const double w0 = cu::combination(x).wFTA_i;
  x.alpha_i = 0.3;
  CHECK(cu::combination(x).wFTA_i > w0);
}

TEST_CASE("the paper's printed formulas disagree with the optimum (spec §8)",
          "[customs_union][errata]") {
  const Sector x{1.0, 2.0, 1.0, 3.0, 0.1, 0.2, 1.0, 1.0};
  const double ni = x.n_i, nj = x.n_j, nk = x.n_k, ai = x.alpha_i, aj = x.alpha_j;
  const double fta_num = cu::numerical_optimal_tariff(x, Regime::FTA_i).t;
  const double cu_num = cu::numerical_optimal_tariff(x, Regime::CU).t;
  // Erratum 1: 2(1+n_i+n_k)^2 printed in the FTA denominator.
  const double fta_printed = (1 + 2 * (1 + ai) * ni) /
                             ((1 - 2 * ai * ni + 2 * nj) * nk + 2 * (1 + ni + nk) * (1 + ni + nk));
  CHECK(std::abs(fta_printed - fta_num) > 1e-3);
  CHECK(cu::closed_form_t(x, Regime::FTA_i) == Approx(fta_num).epsilon(1e-10));
  // Erratum 2: the factor 2 missing on (1+alpha_j)n_j in the CU numerator.
  const double cu_printed =
      (1 + 2 * (1 + ai) * ni + (1 + aj) * nj) /
      ((1 - 2 * aj * nj - 2 * ai * ni) * nk + 2 * (1 + ni + nj) * (1 + ni + nj));
  CHECK(std::abs(cu_printed - cu_num) > 1e-3);
  CHECK(cu::closed_form_t(x, Regime::CU) == Approx(cu_num).epsilon(1e-10));
  // Erratum 4: the MFN form with the printed, inverted factor (n_i+n_j+1)/(n_i+1).
  const double w = 0.5, Ai = ni * (1 + ai), Aj = nj * (1 + aj);
  const double mi = cu::optimal_tariff(x, Regime::MFN_i).tau;
  const double mj = cu::optimal_tariff(x, Regime::MFN_j).tau;
  const double printed = w * (ni + nj + 1) * (1 + 4 * Ai) / ((ni + 1) * (1 + 2 * Ai)) * mi +
                         (1 - w) * (ni + nj + 1) * (1 + 4 * Aj) / ((nj + 1) * (1 + 2 * Aj)) * mj;
  CHECK(std::abs(printed - cu::optimal_tariff(x, Regime::CU).tau) > 1e-2);
}

namespace {

// The CU objective G_i^full + G_j^full (unweighted) when market i has s_i consumers and market j
// s_j: the reading of a and b as numbers of consumers that spec §8, erratum 5, rejects.
double sized_cu_objective(const Sector& x, double s_i, double s_j, double t) {
  const cu::Groups gi{{{x.n_i, 0.0}, {x.n_j, 0.0}, {x.n_k, t}}};
  const cu::Groups gj{{{x.n_j, 0.0}, {x.n_i, 0.0}, {x.n_k, t}}};
  const cu::MarketOutcome mi = cu::cournot(x.Gamma, s_i, gi), mj = cu::cournot(x.Gamma, s_j, gj);
  const double Gi =
      mi.CS + mi.TR + (1 + x.alpha_i) * (mi.profit[cu::kDomestic] + mj.profit[cu::kPartner]);
  const double Gj =
      mj.CS + mj.TR + (1 + x.alpha_j) * (mj.profit[cu::kDomestic] + mi.profit[cu::kPartner]);
  return Gi + Gj;
}

}  // namespace

TEST_CASE("market sizes are not the CU weights (spec §8, erratum 5)", "[customs_union][errata]") {
  // Both CU tariffs interior; weight (a, b) = (1, 5) on the member with fewer firms lowers it.
  const Sector x{1.0, 3.0, 1.0, 2.0, 0.05, 0.1, 1.0, 5.0};
  const double tau_equal = cu::optimal_tariff(x, Regime::CU).tau;
  REQUIRE(cu::optimal_tariff(x, Regime::CU).status == Status::Interior);
  REQUIRE(cu::optimal_tariff(x, Regime::CU_ab).status == Status::Interior);
  for (auto [s_i, s_j] : {std::pair{1.0, 1.0}, std::pair{5.0, 1.0}, std::pair{1.0, 3.0}}) {
    CAPTURE(s_i, s_j);
    const auto neg = [&](double t) { return -sized_cu_objective(x, s_i, s_j, t); };
    // No taxed firm sells beyond Gamma/(1+n_i+n_j); the optimum is interior, below it.
    const double t = boost::math::tools::brent_find_minima(neg, 0.0, x.Gamma / (1 + x.n_i + x.n_j),
                                                           std::numeric_limits<double>::digits)
                         .first;
    // Brent locates a smooth maximum to about sqrt(eps) in t.
    const double tau = t / cu::cournot(x.Gamma, s_i, {{{x.n_i, 0}, {x.n_j, 0}, {x.n_k, t}}}).p;
    CHECK(tau == Approx(tau_equal).margin(1e-7));
  }
  // Weighting the objectives instead gives the (a, b) formula, far from the equal-weight tariff.
  CHECK(std::abs(cu::optimal_tariff(x, Regime::CU_ab).tau - tau_equal) > 1e-2);
}

TEST_CASE("outcomes at the optimum are the market stage at the optimal tariff",
          "[customs_union][outcome]") {
  for (const Sector& x : grid()) {
    if (x.Gamma != 1.0) continue;
    for (Regime r : cu::kRegimes) {
      CAPTURE(x.n_i, x.n_j, x.n_k, x.alpha_i, x.alpha_j, cu::regime_name(r));
      const cu::RegimeOutcome o = cu::regime_outcome(x, r);
      const double n_dom = cu::regime_of_j(r) ? x.n_j : x.n_i;
      const double n_par = cu::regime_of_j(r) ? x.n_i : x.n_j;
      CHECK(o.Q == Approx(n_dom * o.q_dom + n_par * o.q_partner + x.n_k * o.q_out).margin(1e-14));
      CHECK(o.p == Approx(x.Gamma - o.Q).margin(1e-14));
      CHECK(o.CS == Approx(o.Q * o.Q / 2).margin(1e-14));
      const double alpha = cu::regime_of_j(r) ? x.alpha_j : x.alpha_i;
      CHECK(o.G == Approx(o.CS + o.TR + (1 + alpha) * o.PS).margin(1e-14));
      CHECK(o.PS == Approx(n_dom * o.q_dom * o.q_dom).margin(1e-14));
      if (o.tariff.status == Status::Prohibitive) CHECK(o.q_out == Approx(0).margin(1e-14));
    }
  }
}
