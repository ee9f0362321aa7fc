// The curved-demand extension (curvature.hpp, issue item 4): at g = 0 every computed output equals
// the linear closed forms to the spec's tolerances; at g > 0 the solver is checked against
// references built from the primitives here (demand α − b·p − g·p² integrated by Gauss–Kronrod,
// optima by Brent + the first-order condition of the welfare itself).
#include <catch2/catch.hpp>
#include <cmath>
#include <initializer_list>
#include <limits>
#include <map>
#include <string>
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

// ---- Independent curved references: the demand curve itself, integrated numerically.
double ref_demand(const cv::Curved& c, double p) {
  return c.pr.alpha - c.pr.b * p - c.g * p * p;
}
double ref_exports(const cv::Curved& c, double q) {
  return std::max(0.0, c.pr.d * q - ref_demand(c, q));
}
double ref_price(const cv::Curved& c, double tA, double tB) {
  auto excess = [&](double p) {
    return ref_demand(c, p) - c.pr.c * p - ref_exports(c, p - tA) - ref_exports(c, p - tB);
  };
  return em_test::root(excess, 0.0, c.pr.alpha / c.pr.b);
}
double ref_choke(const cv::Curved& c) {
  return em_test::root([&](double p) { return ref_demand(c, p); }, 0.0, c.pr.alpha / c.pr.b);
}
double ref_surplus(const cv::Curved& c, double p, double supply_slope) {
  const double cs = em_test::integral([&](double x) { return ref_demand(c, x); }, p, ref_choke(c));
  return cs + supply_slope * p * p / 2;
}
double ref_importer_welfare(const cv::Curved& c, double tA, double tB) {
  const double p = ref_price(c, tA, tB);
  return ref_surplus(c, p, c.pr.c) + tA * ref_exports(c, p - tA) + tB * ref_exports(c, p - tB);
}

struct Case {
  Primitives pr;
  double delta, r, ttil_frac, tcoop_frac;
};

// Interior t̂, free trade, infeasible DP, short punishments, τ near and at t^N.
const std::vector<Case> kCases = {
    {{1, 1, 1, 2}, 0.4, 0.0, 0.5, 0.25},    {{1, 1, 1, 2}, 0.9, 0.0, 0.0, 0.0},
    {{2, 0.5, 0.3, 3}, 0.3, 0.2, 0.0, 0.7}, {{1, 2, 0.5, 1.5}, 0.5, 0.5, 0.95, 1.0},
    {{1, 1, 1, 2}, 0.1, 0.0, 0.0, 0.5},     {{3, 0.7, 0.9, 5}, 0.45, 0.1, 1.0, 0.3},
    {{1, 4, 0.2, 1.1}, 0.2, 0.7, 0.3, 0.9}, {{1, 1, 1, 2}, 0.6, 0.99, 0.8, 0.6},
};

}  // namespace

TEST_CASE("curvature: at g = 0 the numerical solution equals the linear closed forms") {
  for (const Case& k : kCases) {
    const double tN = tariffsim::ederington_mccalman::nash_tariff(k.pr);
    const Inputs in{k.pr, k.delta, k.r, k.ttil_frac * tN, k.tcoop_frac * tN};
    const Solution lin = tariffsim::ederington_mccalman::solve(in);
    const Solution num = cv::solve(in, 0.0);
    INFO("b=" << k.pr.b << " c=" << k.pr.c << " d=" << k.pr.d << " delta=" << k.delta
              << " r=" << k.r << " ttil/tN=" << k.ttil_frac);
    const double ttol = 1e-9 * tN;
    for (auto [name, a, b] : {std::tuple{"t_N", num.t_N, lin.t_N},
                              {"t_prohibitive", num.t_prohibitive, lin.t_prohibitive},
                              {"t_D_ttil", num.t_D_ttil, lin.t_D_ttil},
                              {"t_hat_NP", num.t_hat_NP, lin.t_hat_NP},
                              {"t_hat_DP", num.t_hat_DP, lin.t_hat_DP}}) {
      INFO(name << ": " << a << " vs " << b);
      CHECK(std::abs(a - b) <= ttol);
    }
    for (auto [name, a, b] : {std::tuple{"p_free", num.p_free, lin.p_free},
                              {"q_free", num.q_free, lin.q_free},
                              {"p_N", num.p_N, lin.p_N},
                              {"q_N", num.q_N, lin.q_N},
                              {"E_N", num.E_N, lin.E_N},
                              {"p_C", num.p_C, lin.p_C},
                              {"q_C", num.q_C, lin.q_C},
                              {"p_DP_imp", num.p_DP_imp, lin.p_DP_imp},
                              {"q_DP_dev", num.q_DP_dev, lin.q_DP_dev},
                              {"q_DP_nondev", num.q_DP_nondev, lin.q_DP_nondev},
                              {"E_DP_dev", num.E_DP_dev, lin.E_DP_dev},
                              {"E_DP_nondev", num.E_DP_nondev, lin.E_DP_nondev},
                              {"W_C0", num.W_C0, lin.W_C0},
                              {"W_C", num.W_C, lin.W_C},
                              {"W_D", num.W_D, lin.W_D},
                              {"W_NP", num.W_NP, lin.W_NP},
                              {"G_NP", num.G_NP, lin.G_NP},
                              {"W_DP_dev", num.W_DP_dev, lin.W_DP_dev},
                              {"W_DP_nondev", num.W_DP_nondev, lin.W_DP_nondev},
                              {"G_DP", num.G_DP, lin.G_DP}}) {
      INFO(name << ": " << a << " vs " << b);
      CHECK(near_rel(a, b, 1e-9));
    }
    // E_C vanishes at t_coop = t_N only if prohibitive; it never is, so relative is fine.
    CHECK(near_rel(num.E_C, lin.E_C, 1e-9));
    // Welfare differences: spec §9's tolerance, 1e-9·|ref| + 1e-13·W_NP.
    CHECK(std::abs(num.Omega - lin.Omega) <= 1e-9 * std::abs(lin.Omega) + 1e-13 * lin.W_NP);
    CHECK(std::abs(num.fig4_gap - lin.fig4_gap) <=
          1e-9 * std::abs(lin.fig4_gap) + 1e-13 * lin.W_NP);
    CHECK(num.t_hat_DP_feasible == lin.t_hat_DP_feasible);
    CHECK(num.prop1_holds == lin.prop1_holds);
    CHECK(num.discrimination_preferred == lin.discrimination_preferred);
    CHECK(std::isnan(num.t_NC));
    CHECK(std::isnan(num.rp_DP_r));
  }
}

TEST_CASE("curvature: markets and welfare agree with the demand curve integrated numerically") {
  for (double g : {0.3, 2.0, 25.0}) {
    const cv::Curved c{{1, 1, 1, 2}, g};
    const double tN = cv::nash_tariff(c);
    for (auto [tA, tB] : {std::pair{0.0, 0.0}, {tN, 0.2 * tN}, {0.5 * tN, tN}}) {
      INFO("g=" << g << " tA=" << tA << " tB=" << tB);
      const auto mk = cv::solve_market(c, tA, tB);
      CHECK(near_rel(mk.p, ref_price(c, tA, tB), 1e-12));
      CHECK(std::abs(mk.EA - ref_exports(c, mk.p - tA)) <= 1e-12 * mk.p);
      CHECK(near_rel(cv::importer_welfare(c, tA, tB), ref_importer_welfare(c, tA, tB), 1e-12));
      CHECK(near_rel(cv::exporter_welfare(c, mk.qA), ref_surplus(c, mk.qA, c.pr.d), 1e-12));
    }
    // The common prohibitive tariff stops trade exactly.
    CHECK(cv::solve_market(c, cv::prohibitive_tariff(c), cv::prohibitive_tariff(c)).EA <= 1e-14);
    CHECK(cv::solve_market(c, 0.999 * cv::prohibitive_tariff(c), 0.999 * cv::prohibitive_tariff(c))
              .EA > 0);
  }
}

TEST_CASE("curvature: best responses and Nash maximise the importer's integrated welfare") {
  for (double g : {0.3, 2.0, 25.0}) {
    const cv::Curved c{{1, 0.8, 0.6, 2.5}, g};
    INFO("g=" << g);
    em_test::check_best_responses_maximise(
        c, [&](double tA, double tB) { return ref_importer_welfare(c, tA, tB); }, 3.0);
  }
}

TEST_CASE("curvature: t_hat is the smallest root of the constraint written from welfare") {
  for (double g : {0.5, 5.0}) {
    const cv::Curved c{{1, 1, 1, 2}, g};
    const double tN = cv::nash_tariff(c);
    for (auto [delta, r, frac] : {std::tuple{0.4, 0.0, 0.5}, {0.3, 0.3, 0.0}, {0.5, 0.0, 0.9}}) {
      const Solution s = cv::solve(Inputs{c.pr, delta, r, frac * tN, 0.0}, g);
      for (auto [W_P, t_hat] : {std::pair{s.W_NP, s.t_hat_NP}, {s.W_DP_dev, s.t_hat_DP}}) {
        INFO("g=" << g << " delta=" << delta << " r=" << r << " W_P=" << W_P << " t_hat=" << t_hat);
        auto con = [&](double t) {
          const double wimp = ref_importer_welfare(c, t, t);
          const double q = ref_price(c, t, t) - t;
          const double wc = wimp + 2 * ref_surplus(c, q, c.pr.d);
          return delta * (1 - r) * (wc - W_P) -
                 (1 - delta) * (ref_importer_welfare(c, tN, tN) - wimp);
        };
        if (W_P == s.W_DP_dev && !s.t_hat_DP_feasible) {
          // Infeasible: the constraint fails on all of [0, t_N] and t_hat reports t_N.
          CHECK(t_hat == tN);
          for (int k = 0; k <= 200; ++k) CHECK(con(tN * k / 200.0) < 0);
          continue;
        }
        REQUIRE(t_hat > 0);
        REQUIRE(t_hat < tN);
        CHECK(std::abs(con(t_hat)) <= 1e-12);
        // Smallest: infeasible everywhere below.
        for (int k = 0; k < 50; ++k) CHECK(con(t_hat * k / 50.0 * (1 - 1e-6)) < 0);
      }
      CHECK(s.t_hat_NP < s.t_hat_DP);
      CHECK(s.prop1_holds == 1.0);
    }
  }
}

TEST_CASE("curvature: quadratic curvature never reverses Lemma 3 or Prop. 1 on a wide grid") {
  // Lemma 3 needs the exporter's e = X/X' to rise with its price. For X(q) = m·q − α + g·q²,
  // X'² − X·X'' = m² + 2g·m·q + 2g²q² + 2g·α > 0 for every g >= 0, so the reversal the paper
  // allows (X·X'' > X'²) cannot happen in this family; the full model agrees.
  for (double g : {0.0, 0.1, 1.0, 10.0, 100.0, 1000.0})
    for (const Primitives& pr :
         {Primitives{1, 1, 1, 2}, Primitives{1, 0.2, 0.1, 6}, Primitives{1, 5, 0.9, 1.05}}) {
      const cv::Curved c{pr, g};
      const double tN = cv::nash_tariff(c);
      for (double frac : {0.0, 0.5, 0.99}) {
        const Solution s = cv::solve(Inputs{pr, 0.3, 0.0, frac * tN, 0.0}, g);
        INFO("g=" << g << " b=" << pr.b << " d=" << pr.d << " tau/tN=" << frac);
        CHECK(s.W_DP_dev > s.W_NP);
        CHECK(s.prop1_holds == 1.0);
      }
    }
}

TEST_CASE("curvature: the plugin routes g > 0 through the numerical solver") {
  using namespace tariffsim;
  const auto m = Registry::global().create("ederington_mccalman");
  const auto& info = m->info();
  REQUIRE(info.find_param("g") != nullptr);
  std::vector<Value> values;
  for (const ParamSpec& p : info.params)
    values.push_back(p.name == "g"              ? Value(2.0)
                     : p.name == "ttil"         ? Value(0.5)
                     : p.name == "delta"        ? Value(0.4)
                     : p.name == "tariff_units" ? Value(std::string("fraction_of_t_N"))
                                                : p.default_value);
  std::vector<double> out(info.metrics.size(), std::numeric_limits<double>::quiet_NaN());
  PointOutputs po(out);
  PointState none;  // the model keeps no state
  m->prepare(Point(info, 0, values), po, none);
  const cv::Curved c{{1, 1, 1, 2}, 2.0};
  const double tN = cv::nash_tariff(c);
  const Solution s = cv::solve(Inputs{c.pr, 0.4, 0.0, 0.5 * tN, 0.0}, 2.0);
  CHECK(out[*info.metric_index("t_N")] == s.t_N);
  CHECK(out[*info.metric_index("t_hat_DP")] == s.t_hat_DP);
  CHECK(out[*info.metric_index("prop1_holds")] == 1.0);
  for (const char* name : {"t_NC", "kappa_D", "t_hat_NC_feasible", "rp_DP_feasible", "rp_NP_t",
                           "fig4_fraction", "prop2_holds"})
    CHECK(std::isnan(out[*info.metric_index(name)]));
}
