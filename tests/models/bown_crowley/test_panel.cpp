// The Bown–Crowley panels against the theory they are drawn from: rows built from paths by hand,
// the share of y against the closed form (spec §6, §9), the invariances of the linear model
// (spec §4, §8) and the statuses of degenerate designs.
#include <catch2/catch.hpp>
#include <cmath>

#include "economics.hpp"
#include "panel_test_helpers.hpp"

using namespace bc_test;
namespace bs = tariffsim::bagwell_staiger;

TEST_CASE("record_sector turns a path into rows: outcome, growth regressor, ln e and sd",
          "[bown_crowley][panel]") {
  // P = T + 1 aligned, T + 2 lagged; growth[0] undefined.
  const std::vector<double> tariff = {0.0, 0.3, 0.2, 0.0, 0.5};
  const std::vector<double> growth = {NAN, 0.5, -0.1, -0.3, 0.8};
  const double sd3 =
      std::sqrt(((0.5 - 1.0 / 30) * (0.5 - 1.0 / 30) + (-0.1 - 1.0 / 30) * (-0.1 - 1.0 / 30) +
                 (-0.3 - 1.0 / 30) * (-0.3 - 1.0 / 30)) /
                2.0);
  PanelSpec spec;
  spec.periods = 3;
  PanelData d;
  d.resize(6);
  spec.timing = Timing::Lagged;  // outcomes at t = 2, 3, 4 on g_1, g_2, g_3
  record_sector(spec, 1, -2.0, tariff, growth, d);
  CHECK(d.y.segment(3, 3) == Eigen::Vector3d(0, 0, 1));
  CHECK(d.X.col(kGrowth).segment(3, 3) == Eigen::Vector3d(0.5, -0.1, -0.3));
  CHECK(d.X(4, kGrowthLne) == -0.1 * -2.0);
  CHECK(d.X(5, kSdGrowth) == Approx(sd3).epsilon(1e-14));
  CHECK(d.sector[3] == 1);
  spec.timing = Timing::Aligned;  // outcomes at t = 1, 2, 3 on g_1, g_2, g_3
  record_sector(spec, 0, 1.0, tariff, growth, d);
  CHECK(d.y.head(3) == Eigen::Vector3d(1, 0, 0));
  spec.outcome = Outcome::Onset;  // 0 -> 0.3 starts; 0.3 -> 0.2 and 0.2 -> 0 do not
  record_sector(spec, 0, 1.0, tariff, growth, d);
  CHECK(d.y.head(3) == Eigen::Vector3d(1, 0, 0));
  spec.timing = Timing::Lagged;  // 0.3 -> 0.2, 0.2 -> 0, 0 -> 0.5
  record_sector(spec, 0, 1.0, tariff, growth, d);
  CHECK(d.y.head(3) == Eigen::Vector3d(0, 0, 1));
  CHECK(d.X.col(kConst).head(3) == Eigen::Vector3d::Ones());
}

TEST_CASE("sectors: a = m/(2e) and V-bar is the Bagwell-Staiger fixed point with phi = 3 f m^2/e",
          "[bown_crowley][panel]") {
  DesignParams p;
  p.defect_cost_share = 0.4;
  const std::vector<double> zv = {-1.0, 0.0, 2.0}, u = {0.1, 0.5, 0.99}, zl = {0.3, -1.0, 1.2};
  const Sectors s = make_sectors(p, zv, u, zl);
  for (std::size_t k = 0; k < 3; ++k) {
    const double m = std::exp(0.5 * zv[k]), cv = 0.15 + 0.75 * u[k], lne = -2.0 + 1.5 * zl[k];
    CHECK(s.mean_volume[k] == Approx(m).epsilon(1e-15));
    CHECK(s.slope[k] == Approx(m / (2 * std::exp(lne))).epsilon(1e-15));
    CHECK(s.volume[k].mean() == Approx(m).epsilon(1e-14));
    CHECK(std::sqrt(s.volume[k].second_moment() - m * m) == Approx(cv * m).epsilon(1e-12));
    const double phi = 3.0 * 0.4 * m * m / std::exp(lne);
    CHECK(s.vbar[k] ==
          Approx(bs::solve_vbar(bs::Distribution::lognormal(m, cv * m), 0.7, phi)).epsilon(1e-15));
  }
}

TEST_CASE(
    "the outcome's probability does not depend on e when f = theta = 0, and rises with e "
    "otherwise (spec §4, §9)",
    "[bown_crowley][panel]") {
  const std::vector<double> zv(5, 0.4), u(5, 0.6), zl = {-2, -1, 0, 1, 2};
  for (const auto& [f, theta] : {std::pair{0.0, 0.0}, {0.3, 0.0}, {0.0, 0.02}}) {
    DesignParams p;
    p.defect_cost_share = f;
    PanelSpec spec;
    spec.theta = theta;
    const Sectors s = make_sectors(p, zv, u, zl);
    for (std::size_t k = 1; k < 5; ++k) {
      CAPTURE(f, theta, k);
      if (f == 0.0 && theta == 0.0) {
        CHECK(outcome_probability(s, k, spec) == outcome_probability(s, 0, spec));
      } else {
        CHECK(outcome_probability(s, k, spec) > outcome_probability(s, k - 1, spec));
      }
    }
  }
}

TEST_CASE("the panel's share of y matches the closed form within 4 standard errors",
          "[bown_crowley][panel]") {
  struct Case {
    Timing timing;
    Outcome outcome;
    double f, theta;
  };
  const Case cases[] = {{Timing::Aligned, Outcome::Increase, 0.0, 0.0},
                        {Timing::Lagged, Outcome::Increase, 0.3, 0.0},
                        {Timing::Aligned, Outcome::Onset, 0.0, 0.02},
                        {Timing::Lagged, Outcome::Onset, 0.2, 0.01}};
  for (const Case& c : cases) {
    DesignParams p;
    p.defect_cost_share = c.f;
    // 200 panels of 2,000 x 10: a standard error of ~1.6e-4 on shares near 0.1, so that a
    // probability off by 5% of its p^2/2 term (8e-4) is caught.
    PanelSpec spec{10, c.timing, c.outcome, c.theta, tariffsim::BinaryLink::Probit};
    const Sectors s = draw_sectors(p, 2000, Streams{});
    double truth = 0;
    for (std::size_t k = 0; k < s.size(); ++k) truth += outcome_probability(s, k, spec);
    truth /= double(s.size());
    std::vector<double> shares;
    for (std::uint64_t r = 0; r < 200; ++r) shares.push_back(panel(s, spec, r).data.y.mean());
    CAPTURE(int(c.timing), int(c.outcome), c.f, c.theta, truth, mean(shares));
    CHECK(std::abs(mean(shares) - truth) < 4 * std::sqrt(variance(shares) / 200));
  }
}

TEST_CASE(
    "with f = theta = 0, ln e does not touch y, g or sd, and shifting it reparametrises the "
    "probit",
    "[bown_crowley][panel]") {
  DesignParams base, shifted, wider;
  shifted.lne_mean = base.lne_mean + 1.25;
  wider.lne_sd = 0.4;
  const PanelSpec spec;
  const auto a = panel(draw_sectors(base, 400, Streams{}), spec, 3);
  const auto b = panel(draw_sectors(shifted, 400, Streams{}), spec, 3);
  const auto c = panel(draw_sectors(wider, 400, Streams{}), spec, 3);
  for (const auto* other : {&b, &c}) {
    CHECK(other->data.y == a.data.y);
    CHECK(other->data.X.col(kGrowth) == a.data.X.col(kGrowth));
    CHECK(other->data.X.col(kSdGrowth) == a.data.X.col(kSdGrowth));
  }
  const Estimates ea = estimate(a.data, tariffsim::BinaryLink::Probit);
  const Estimates eb = estimate(b.data, tariffsim::BinaryLink::Probit);
  REQUIRE(ea.status == tariffsim::FitStatus::Ok);
  REQUIRE(eb.status == tariffsim::FitStatus::Ok);
  // ln e + c: b0 - b2 c, b1 - b3 c, the rest and every effect at means unchanged.
  const double tol = 1e-7;
  CHECK(eb.b[kLne] == Approx(ea.b[kLne]).epsilon(tol).margin(tol));
  CHECK(eb.b[kGrowthLne] == Approx(ea.b[kGrowthLne]).epsilon(tol).margin(tol));
  CHECK(eb.b[kSdGrowth] == Approx(ea.b[kSdGrowth]).epsilon(tol));
  CHECK(eb.b[kGrowth] == Approx(ea.b[kGrowth] - 1.25 * ea.b[kGrowthLne]).epsilon(tol));
  CHECK(eb.b[kConst] == Approx(ea.b[kConst] - 1.25 * ea.b[kLne]).epsilon(tol));
  CHECK(eb.me_growth == Approx(ea.me_growth).epsilon(tol));
  CHECK(eb.me_lne == Approx(ea.me_lne).epsilon(tol).margin(1e-12));
  CHECK(eb.z_me_growth == Approx(ea.z_me_growth).epsilon(tol));
  CHECK(eb.pct_sd_g == Approx(ea.pct_sd_g).epsilon(tol));
  CHECK(eb.loglik == Approx(ea.loglik).epsilon(1e-12));
}

TEST_CASE(
    "the elasticity test has its nominal size where the truth is zero, and power where it is "
    "not",
    "[bown_crowley][panel]") {
  // f = theta = 0: ln e is independent of (y, g, sd), so its pseudo-true coefficients are 0 and the
  // clustered z of its effect is asymptotically N(0, 1) -- over designs: one fixed design's chance
  // correlation of ln e with CV persists over its replications, so each replication draws its own
  // sectors (resample_sectors). R = 300 replications: the mean of z is within 4/sqrt(R), its
  // variance within 4 sqrt(2/R) of 1, and the one-sided 2.5% rejection rate within 4 binomial
  // errors.
  const PanelSpec spec;
  std::vector<double> z, rejects;
  for (std::uint64_t r = 0; r < 300; ++r) {
    const Sectors design = draw_sectors(DesignParams{}, 400, Streams{{20261204, 77}, r});
    const Estimates e = estimate(panel(design, spec, r).data, spec.link);
    REQUIRE(e.status == tariffsim::FitStatus::Ok);
    z.push_back(e.z_me_lne);
    rejects.push_back(e.reject_lne);
  }
  CAPTURE(mean(z), variance(z), mean(rejects));
  CHECK(std::abs(mean(z)) < 4 / std::sqrt(300.0));
  CHECK(std::abs(variance(z) - 1) < 4 * std::sqrt(2 / 300.0));
  CHECK(std::abs(mean(rejects) - 0.025) < 4 * std::sqrt(0.025 * 0.975 / 300));
  // A defection cost makes less elastic sectors protect more often (spec §9): the effect is
  // positive and the test finds it.
  DesignParams costly;
  costly.defect_cost_share = 0.5;
  const Sectors design = draw_sectors(costly, 400, Streams{});
  for (std::uint64_t r = 0; r < 5; ++r) {
    const Estimates e = estimate(panel(design, spec, r).data, spec.link);
    CHECK(e.z_me_lne > 4.0);
    CHECK(e.reject_lne == 1.0);
  }
}

TEST_CASE(
    "timing: growth raises the chance of an increase in the same period and lowers it in "
    "the next (mean reversion under i.i.d. shocks)",
    "[bown_crowley][panel]") {
  const Sectors s = draw_sectors(DesignParams{}, 600, Streams{});
  PanelSpec aligned, lagged;
  lagged.timing = Timing::Lagged;
  std::vector<double> z_aligned, z_lagged;
  for (std::uint64_t r = 0; r < 40; ++r) {
    z_aligned.push_back(estimate(panel(s, aligned, r).data, aligned.link).z_me_growth);
    z_lagged.push_back(estimate(panel(s, lagged, r).data, lagged.link).z_me_growth);
  }
  CHECK(mean(z_aligned) > 4 * std::sqrt(variance(z_aligned) / 40) + 3.0);
  CHECK(mean(z_lagged) < -4 * std::sqrt(variance(z_lagged) / 40));
}

TEST_CASE("a design without variation in ln e is a status with NaN estimates, not a number",
          "[bown_crowley][panel]") {
  DesignParams flat;
  flat.lne_sd = 0.0;
  const PanelSpec spec;
  const Estimates e = estimate(panel(draw_sectors(flat, 50, Streams{}), spec, 0).data, spec.link);
  CHECK(e.status == tariffsim::FitStatus::ConstantRegressor);
  CHECK(std::isnan(e.b[kGrowth]));
  CHECK(std::isnan(e.reject_g));
  CHECK(e.n_obs == 500);
}

TEST_CASE("with no more sectors than coefficients the clustered z are NaN, and so are the tests",
          "[bown_crowley][panel]") {
  // The clustered meat has rank at most S - 1 < K = 5 at S = 5: no z, and no test is not a test
  // that failed to reject (reject_* NaN, not 0). At S = 6 both are numbers again.
  PanelSpec spec;
  spec.periods = 20;
  for (const std::size_t sectors : {std::size_t{5}, std::size_t{6}}) {
    const Sectors s = draw_sectors(DesignParams{}, sectors, Streams{});
    const Estimates e = estimate(panel(s, spec, 0).data, spec.link);
    INFO(sectors << " sectors");
    REQUIRE(e.status == tariffsim::FitStatus::Ok);
    CHECK(std::isfinite(e.b[kGrowth]));
    CHECK(std::isfinite(e.me_growth));
    CHECK(std::isnan(e.z[kGrowth]) == (sectors == 5));
    CHECK(std::isnan(e.reject_g) == (sectors == 5));
    CHECK(std::isnan(e.reject_lne) == (sectors == 5));
    CHECK(std::isnan(e.reject_sd_g) == (sectors == 5));
  }
}
