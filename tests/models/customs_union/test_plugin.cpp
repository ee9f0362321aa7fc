// The plugin adapter: the parameter and output names, that a prepared point writes what the
// economics computes, that a replication is the cross-section of the named streams, the domain
// check.
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "cross_section.hpp"
#include "economics.hpp"
#include "tariffsim/model.hpp"
#include "tariffsim/registry.hpp"

using namespace tariffsim;
namespace cu = tariffsim::customs_union;

namespace {

Point make_point(const Model& m, const std::map<std::string, Value>& set) {
  std::vector<Value> values;
  for (const ParamSpec& p : m.info().params)
    values.push_back(set.count(p.name) ? set.at(p.name) : p.default_value);
  return Point(m.info(), 0, values);
}

std::size_t index_of(const Model& m, const std::string& name) {
  const auto k = m.info().metric_index(name);
  REQUIRE(k.has_value());
  return *k;
}

}  // namespace

TEST_CASE("plugin declares the issue's parameters and outputs", "[customs_union][plugin]") {
  const auto m = Registry::global().create("customs_union");
  CHECK(m->info().stochastic);
  for (const char* p : {"Gamma", "n_i", "n_j", "n_k", "alpha_i", "alpha_j", "a", "b", "L", "Nmax_i",
                        "Nmax_j", "amax", "rho", "me_sd_mfn", "me_sd_cu"})
    CHECK(m->info().find_param(p) != nullptr);
  for (const char* R : {"MFN_i", "MFN_j", "FTA_i", "FTA_j", "CU", "CU_ab"}) {
    const std::string r(R), c = r == "MFN_j" || r == "FTA_j" ? "j" : "i";
    for (const std::string& q : {"t_", "tau_", "status_", "t_formula_", "tau_formula_", "p_",
                                 "q_dom_", "q_partner_", "q_out_", "Q_", "CS_", "TR_"})
      CHECK(m->info().metric_index(q + r).has_value());
    CHECK(m->info().metric_index("PS_" + c + "_" + r).has_value());
    CHECK(m->info().metric_index("G_" + c + "_" + r).has_value());
  }
  for (const char* name : {"w", "order_i", "order_ab_j", "wFTA_i", "wMFN_j", "res_FTA_form",
                           "res_MFN_identity", "cens_any", "spearman_CU_mean", "spearman_CU_max",
                           "top_decile_retention", "share_CU_above_max", "w_naive", "se_w_naive",
                           "w_struct", "se_w_struct", "err_w_struct", "sq_err_w_naive"})
    CHECK(m->info().metric_index(name).has_value());
  // Point outputs come first, then the replication outputs of the cross-section.
  const auto& metrics = m->info().metrics;
  const std::size_t first_rep = index_of(*m, "cens_MFN_i");
  for (std::size_t k = 0; k < metrics.size(); ++k)
    CHECK((metrics[k].level == OutputLevel::Replication) == (k >= first_rep));
}

TEST_CASE("a prepared point writes the economics' optimum and outcomes",
          "[customs_union][plugin]") {
  const auto m = Registry::global().create("customs_union");
  const std::map<std::string, Value> set = {{"Gamma", 2.0}, {"n_i", 5.0},      {"n_j", 1.0},
                                            {"n_k", 2.0},   {"alpha_i", 0.09}, {"alpha_j", 0.0},
                                            {"a", 1.0},     {"b", 10.0}};
  std::vector<double> out(m->info().metrics.size(), std::numeric_limits<double>::quiet_NaN());
  PointOutputs po(out);
  const auto state = m->make_state();
  REQUIRE(state);
  m->prepare(make_point(*m, set), po, *state);
  const cu::Sector x{2.0, 5.0, 1.0, 2.0, 0.09, 0.0, 1.0, 10.0};
  const auto at = [&](const std::string& name) { return out[index_of(*m, name)]; };
  // Spec §5's example: unequal weights put the CU tariff below member i's MFN tariff.
  CHECK(at("tau_CU_ab") == Approx(26.0 / 55.0).epsilon(1e-14));
  CHECK(at("tau_MFN_i") == Approx(119.0 / 120.0).epsilon(1e-14));
  CHECK(at("dtau_CU_ab_MFN_i") < 0);
  CHECK(at("order_ab_i") == 0);
  CHECK(at("w") == Approx(1.0 / 11.0));
  for (cu::Regime r : cu::kRegimes) {
    const std::string R(cu::regime_name(r)), c = cu::regime_of_j(r) ? "j" : "i";
    CAPTURE(R);
    const cu::RegimeOutcome o = cu::regime_outcome(x, r);
    CHECK(at("t_" + R) == o.tariff.t);
    CHECK(at("tau_" + R) == o.tariff.tau);
    CHECK(at("status_" + R) == double(o.tariff.status));
    CHECK(at("p_" + R) == o.p);
    CHECK(at("q_out_" + R) == o.q_out);
    CHECK(at("G_" + c + "_" + R) == o.G);
  }
  const cu::Combination comb = cu::combination(x);
  CHECK(at("wMFN_j") == comb.wMFN_j);
  CHECK(at("res_MFN_identity") == comb.res_MFN_identity);
  // Every point output is written (replication outputs are the cross-section's).
  const auto& metrics = m->info().metrics;
  for (std::size_t k = 0; k < metrics.size(); ++k)
    if (metrics[k].level == OutputLevel::Point) CHECK_FALSE(std::isnan(out[k]));
}

TEST_CASE("a replication is the cross-section drawn from the named streams",
          "[customs_union][plugin]") {
  const auto m = Registry::global().create("customs_union");
  const std::map<std::string, Value> set = {
      {"L", std::int64_t{300}}, {"a", 3.0}, {"me_sd_mfn", 0.01}, {"me_sd_cu", 0.02}, {"rho", -0.4}};
  std::vector<double> point(m->info().metrics.size(), 0.0);
  PointOutputs po(point);
  const auto state = m->make_state();
  m->prepare(make_point(*m, set), po, *state);
  std::vector<double> metrics(m->info().metrics.size(), std::numeric_limits<double>::quiet_NaN());
  const StreamKey key{99, 12345};
  Replication rep(key, 3, metrics, {});
  m->replicate(*state, rep);

  Stream sectors(key, 3, "sectors"), bias(key, 3, "bias"), measurement(key, 3, "measurement");
  const cu::CrossSectionDesign dz{300, 5, 5, 0.1, -0.4, 0.01, 0.02};
  const cu::CrossSectionStats s =
      cu::cross_section(cu::draw_cross_section(dz, sectors, bias, measurement), 3.0, 1.0);
  const auto at = [&](const std::string& name) { return metrics[index_of(*m, name)]; };
  CHECK(at("n_interior") == s.n_interior);
  CHECK(at("cens_CU") == s.cens_CU);
  CHECK(at("spearman_CU_max") == s.spearman_CU_max);
  CHECK(at("w_naive") == s.naive.w);
  CHECK(at("struct_c_j") == s.structural.slope_j);
  CHECK(at("se_w_struct") == s.structural.se_w);
  CHECK(at("err_w_struct") == s.structural.w - 0.75);
  CHECK(at("sq_err_w_naive") == (s.naive.w - 0.75) * (s.naive.w - 0.75));
}

TEST_CASE("plugin rejects a + b = 0 with its status code", "[customs_union][plugin]") {
  const auto m = Registry::global().create("customs_union");
  CHECK_FALSE(m->check(make_point(*m, {{"a", 0.0}})).has_value());  // w = 0 is allowed
  const auto none = m->check(make_point(*m, {{"a", 0.0}, {"b", 0.0}}));
  REQUIRE(none.has_value());
  CHECK(none->status == 2);
  CHECK(none->params == std::vector<std::string>{"a", "b"});
}
