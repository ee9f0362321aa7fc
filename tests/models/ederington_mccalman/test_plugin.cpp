// The plugin adapter: schema names of spec §9, the T/r rule, the domain checks, and that a
// prepared point writes what solve() computes.
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>

#include "economics.hpp"
#include "tariffsim/model.hpp"
#include "tariffsim/registry.hpp"

using namespace tariffsim;

namespace {

Point make_point(const Model& m, std::map<std::string, Value> set) {
  std::vector<Value> values;
  for (const ParamSpec& p : m.info().params)
    values.push_back(set.count(p.name) ? set.at(p.name) : p.default_value);
  return Point(m.info(), 0, values);
}

std::vector<double> run_point(const Model& m, const Point& p) {
  std::vector<double> out(m.info().metrics.size(), std::numeric_limits<double>::quiet_NaN());
  PointOutputs po(out);
  PointState none;  // the model keeps no state
  m.prepare(p, po, none);
  return out;
}

}  // namespace

TEST_CASE("plugin declares the spec's parameters and outputs") {
  const auto m = Registry::global().create("ederington_mccalman");
  CHECK_FALSE(m->info().stochastic);
  for (const char* p : {"alpha", "b", "c", "d", "delta", "T", "r", "ttil", "t_coop"})
    CHECK(m->info().find_param(p) != nullptr);
  for (const char* name : {"t_N",
                           "t_prohibitive",
                           "kappa_D",
                           "t_D_ttil",
                           "t_NC",
                           "t_DC_ttil",
                           "p_free",
                           "q_free",
                           "p_N",
                           "q_N",
                           "E_N",
                           "p_C",
                           "q_C",
                           "E_C",
                           "p_DP_imp",
                           "q_DP_dev",
                           "q_DP_nondev",
                           "E_DP_dev",
                           "E_DP_nondev",
                           "W_C0",
                           "W_C",
                           "W_D",
                           "Omega",
                           "W_NP",
                           "G_NP",
                           "W_DP_dev",
                           "W_DP_nondev",
                           "G_DP",
                           "W_NC_dev",
                           "W_DC_dev",
                           "t_hat_NP",
                           "t_hat_DP",
                           "t_hat_DP_feasible",
                           "r_max_DP",
                           "t_hat_NC",
                           "t_hat_DC",
                           "rp_NP_r",
                           "rp_NP_t",
                           "rp_NP_v",
                           "rp_DP_feasible",
                           "rp_DP_r",
                           "rp_DP_t",
                           "rp_DP_v",
                           "fig4_gap",
                           "fig4_fraction",
                           "fig4_threshold_ttil"})
    CHECK(m->info().metric_index(name).has_value());
  for (const MetricSpec& s : m->info().metrics) CHECK(s.level == OutputLevel::Point);
}

TEST_CASE("plugin validates T and r (exactly one), d > c and the tariff domain") {
  const auto m = Registry::global().create("ederington_mccalman");
  CHECK_FALSE(m->check(make_point(*m, {})).has_value());
  CHECK_FALSE(m->check(make_point(*m, {{"T", 3.0}})).has_value());
  CHECK_FALSE(m->check(make_point(*m, {{"r", 0.4}})).has_value());
  const auto both = m->check(make_point(*m, {{"T", 3.0}, {"r", 0.4}}));
  REQUIRE(both.has_value());
  CHECK(both->status == 3);
  CHECK(both->params == std::vector<std::string>{"T", "r"});
  const auto slopes = m->check(make_point(*m, {{"c", 2.0}, {"d", 2.0}}));
  REQUIRE(slopes.has_value());
  CHECK(slopes->status == 2);
  const double tN = ederington_mccalman::nash_tariff({1, 1, 1, 2});
  CHECK_FALSE(m->check(make_point(*m, {{"ttil", tN}})).has_value());
  CHECK(m->check(make_point(*m, {{"ttil", 1.01 * tN}}))->status == 4);
  CHECK(m->check(
            make_point(*m, {{"t_coop", 0.9}, {"tariff_units", std::string("fraction_of_t_N")}})) ==
        std::nullopt);
  CHECK(
      m->check(make_point(*m, {{"t_coop", 1.1}, {"tariff_units", std::string("fraction_of_t_N")}}))
          ->status == 4);
}

TEST_CASE("plugin writes solve()'s values, and T and the equivalent r give the same point") {
  const auto m = Registry::global().create("ederington_mccalman");
  const auto& info = m->info();
  const double delta = 0.8, T = 2.5;
  const auto a = run_point(*m, make_point(*m, {{"delta", delta},
                                               {"T", T},
                                               {"ttil", 0.5},
                                               {"t_coop", 0.25},
                                               {"tariff_units", std::string("fraction_of_t_N")}}));
  const double tN = ederington_mccalman::nash_tariff({1, 1, 1, 2});
  const auto b = run_point(*m, make_point(*m, {{"delta", delta},
                                               {"r", std::pow(delta, T)},
                                               {"ttil", 0.5 * tN},
                                               {"t_coop", 0.25 * tN}}));
  const ederington_mccalman::Solution s =
      ederington_mccalman::solve({{1, 1, 1, 2}, delta, std::pow(delta, T), 0.5 * tN, 0.25 * tN});
  CHECK(a[*info.metric_index("t_hat_DP")] == s.t_hat_DP);
  CHECK(a[*info.metric_index("rp_DP_t")] == s.rp_DP_t);
  CHECK(std::abs(a[*info.metric_index("t_D_ttil")] - b[*info.metric_index("t_D_ttil")]) <= 1e-15);
  CHECK(std::abs(a[*info.metric_index("t_hat_NP")] - b[*info.metric_index("t_hat_NP")]) <= 1e-15);
  CHECK(a[*info.metric_index("r_eff")] == std::pow(delta, T));
  // T = 0: no punishment, so nothing beyond Nash is self-enforcing.
  const auto z = run_point(*m, make_point(*m, {{"T", 0.0}}));
  CHECK(z[*info.metric_index("t_hat_NP")] == z[*info.metric_index("t_N")]);
}
