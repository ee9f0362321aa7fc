// The regressions and rank statistics of the cross-section (spec §7); the estimators themselves
// are tested in tests/engine/test_estimators.cpp.
#include <algorithm>
#include <boost/math/distributions/normal.hpp>
#include <catch2/catch.hpp>
#include <cmath>
#include <numbers>
#include <numeric>
#include <vector>

#include "cross_section.hpp"
#include "economics.hpp"
#include "tariffsim/rng.hpp"

namespace cu = tariffsim::customs_union;

namespace {

// Three test streams standing in for the plugin's named streams `sectors`, `bias`, `measurement`.
struct TestStreams {
  tariffsim::Stream sectors, bias, measurement;
  explicit TestStreams(std::uint64_t replication)
      : sectors({42, 7}, replication, "sectors"),
        bias({42, 7}, replication, "bias"),
        measurement({42, 7}, replication, "measurement") {}
};

cu::CrossSectionDesign design(std::size_t L, double amax, double me_mfn, double me_cu,
                              double rho = 0.5) {
  return {L, 5, 4, amax, rho, me_mfn, me_cu};
}

// A cross-section drawn the way the plugin draws it.
cu::CrossSectionDraws draw(std::uint64_t replication, const cu::CrossSectionDesign& dz) {
  TestStreams s(replication);
  return cu::draw_cross_section(dz, s.sectors, s.bias, s.measurement);
}

cu::CrossSectionDraws draw(std::uint64_t replication, std::size_t L, double amax, double me_mfn,
                           double me_cu) {
  return draw(replication, design(L, amax, me_mfn, me_cu));
}

// Mean, SD and standard error of the mean of R values.
struct Moments {
  double mean = 0, sd = 0, se = 0;
};
Moments moments(const std::vector<double>& v) {
  const double R = double(v.size());
  double sum = 0, sum2 = 0;
  for (double x : v) sum += x;
  const double mean = sum / R;
  for (double x : v) sum2 += (x - mean) * (x - mean);
  const double sd = std::sqrt(sum2 / (R - 1));
  return {mean, sd, sd / std::sqrt(R)};
}

// The structural weight and its computed standard error over R replications of one design.
struct StructuralRun {
  std::vector<double> w, se;
};
StructuralRun structural_run(const cu::CrossSectionDesign& dz, double a, double b, int R) {
  StructuralRun out;
  for (int r = 0; r < R; ++r) {
    const cu::CrossSectionStats s = cu::cross_section(draw(1000 + std::uint64_t(r), dz), a, b);
    out.w.push_back(s.structural.w);
    out.se.push_back(s.structural.se_w);
  }
  return out;
}

}  // namespace

TEST_CASE("the structural regression recovers w exactly without noise",
          "[customs_union][regression]") {
  for (auto [a, b] : {std::pair{1.0, 1.0}, std::pair{3.0, 1.0}, std::pair{1.0, 4.0}}) {
    const double w = a / (a + b);
    const cu::CrossSectionStats s = cu::cross_section(draw(0, 300, 0.1, 0, 0), a, b);
    CAPTURE(a, b, s.n_interior);
    REQUIRE(s.n_interior > 100);
    CHECK(std::abs(s.structural.w - w) <= 1e-10);
    CHECK(s.structural.slope_i == Approx(2 * w).margin(1e-10));
    CHECK(s.structural.slope_j == Approx(2 * (1 - w)).margin(1e-10));
    CHECK(s.structural.constant == Approx(-0.5).margin(1e-10));
    CHECK(s.structural.se_w <= 1e-10);
    // The naive regression is not exact: its weight misses w.
    CHECK(std::abs(s.naive.w - w) > 1e-6);
  }
}

TEST_CASE("with noise on the CU AVE the structural w is within its standard error of the truth",
          "[customs_union][regression][statistical]") {
  const double a = 2.0, b = 1.0, w = a / (a + b);
  // R = 4000 makes the se-calibration tolerances below 4.5%: the homoskedastic se, about 5.5% off
  // in this design (the structural y scales the CU error by 1+n), fails them; HC1 passes.
  const int R = 4000;
  const StructuralRun run = structural_run(design(300, 0.1, 0, 0.02), a, b, R);
  std::vector<double> err, z;
  for (int r = 0; r < R; ++r) {
    err.push_back(run.w[r] - w);
    z.push_back((run.w[r] - w) / run.se[r]);
  }
  const Moments e = moments(err), zm = moments(z), se = moments(run.se);
  CAPTURE(e.mean, e.sd, e.se, zm.mean, zm.sd, se.mean);
  // Unbiased: the mean error is within 4 standard errors of the mean.
  CHECK(std::abs(e.mean) <= 4 * e.se);
  // Each replication's error is within its own computed standard error times the normal quantile
  // that R values all stay below with probability 0.999 (Bonferroni) ...
  const double bound = boost::math::quantile(boost::math::normal(), 1 - 0.0005 / R);
  for (int r = 0; r < R; ++r) CHECK(std::abs(z[r]) <= bound);
  // ... and the computed standard error is the right size: the errors standardised by it have
  // unit SD. An SD of R normal values has standard error about 1/sqrt(2(R-1)).
  CHECK(std::abs(zm.sd - 1) <= 4 / std::sqrt(2.0 * (R - 1)));
  // The same, without standardising: the average computed se matches the SD across replications.
  CHECK(std::abs(se.mean / e.sd - 1) <= 4 / std::sqrt(2.0 * (R - 1)));
}

TEST_CASE("noise on the MFN AVEs attenuates the structural w towards 1/2 (errors in variables)",
          "[customs_union][regression][statistical]") {
  // The regressors (1+n_c)tau_MFN_c carry the error, so OLS is inconsistent (errors in
  // variables). In this design the implied w = c_i/(c_i+c_j) moves towards 1/2 (measured, not a
  // general result). Per replication the bias is small against the computed se; over many
  // replications it shows. This is why "within its standard error" is claimed per estimate only.
  const int R = 200;
  for (auto [a, b] : {std::pair{9.0, 1.0}, std::pair{1.0, 9.0}}) {
    const double w = a / (a + b);
    const StructuralRun run = structural_run(design(300, 0.1, 0.02, 0), a, b, R);
    std::vector<double> err;
    for (int r = 0; r < R; ++r) err.push_back(run.w[r] - w);
    const Moments e = moments(err), se = moments(run.se);
    CAPTURE(w, e.mean, e.se, se.mean);
    CHECK((0.5 - w) * e.mean > 0);       // towards 1/2
    CHECK(std::abs(e.mean) > 4 * e.se);  // detectably biased over R replications
    CHECK(std::abs(e.mean) < se.mean);   // but within one se of a single replication
  }
}

TEST_CASE("censoring shares count the prohibitive regimes", "[customs_union][regression]") {
  // With amax = 0 nothing is prohibitive; with a large bias most MFN tariffs are.
  const cu::CrossSectionStats none = cu::cross_section(draw(3, 200, 0.0, 0, 0), 1, 1);
  CHECK(none.cens_any == 0);
  CHECK(none.n_interior == 200);
  const cu::CrossSectionStats many = cu::cross_section(draw(3, 200, 2.0, 0, 0), 1, 1);
  CHECK(many.cens_MFN_i > 0.5);
  CHECK(many.cens_any >= many.cens_MFN_i);
  CHECK(many.n_interior == Approx(200 * (1 - many.cens_any)));
}

TEST_CASE("cross-section draws: uniform firm counts, a Gaussian copula of biases, classical errors",
          "[customs_union][draws][statistical]") {
  const std::size_t L = 500;
  const int R = 200;
  for (double rho : {-0.5, 0.0, 0.9}) {
    CAPTURE(rho);
    std::vector<double> spearman_alpha;
    std::vector<int> count_i(6, 0);
    std::vector<double> e;
    for (int r = 0; r < R; ++r) {
      const cu::CrossSectionDraws d = draw(std::uint64_t(r), design(L, 0.1, 0.02, 0, rho));
      spearman_alpha.push_back(tariffsim::spearman(d.alpha_i, d.alpha_j));
      const auto within = [](const std::vector<double>& v, double lo, double hi) {
        return std::all_of(v.begin(), v.end(), [&](double x) { return lo <= x && x <= hi; });
      };
      REQUIRE(within(d.n_i, 1, 5));
      REQUIRE(within(d.n_j, 1, 4));
      REQUIRE(std::all_of(d.n_i.begin(), d.n_i.end(), [](double n) { return n == std::floor(n); }));
      // Phi maps onto (0, 1): the biases lie in [0, amax] (0 and amax only in the far tails).
      REQUIRE(within(d.alpha_i, 0, 0.1));
      REQUIRE(within(d.alpha_j, 0, 0.1));
      REQUIRE(within(d.e_cu, 0, 0));
      for (std::size_t l = 0; l < L; ++l) {
        ++count_i[std::size_t(d.n_i[l])];
        e.push_back(d.e_mfn_i[l] / 0.02);
      }
    }
    // The copula's rank correlation: Spearman of a bivariate normal is (6/pi) asin(rho/2).
    const Moments sp = moments(spearman_alpha);
    CHECK(std::abs(sp.mean - 6 / std::numbers::pi * std::asin(rho / 2)) <= 4 * sp.se);
    // Each firm count 1..5 has probability 1/5.
    const double N = double(L) * R, p = 0.2;
    for (int k = 1; k <= 5; ++k)
      CHECK(std::abs(count_i[std::size_t(k)] / N - p) <= 4 * std::sqrt(p * (1 - p) / N));
    // Standardised errors: mean 0, SD 1.
    const Moments em = moments(e);
    CHECK(std::abs(em.mean) <= 4 / std::sqrt(N));
    CHECK(std::abs(em.sd - 1) <= 4 / std::sqrt(2 * N));
  }
}

TEST_CASE("each kind of draw has its own stream", "[customs_union][draws]") {
  // Measurement error and the bias correlation change only their own draws (DESIGN §4).
  const cu::CrossSectionDraws base = draw(5, design(200, 0.1, 0, 0, 0.5));
  const cu::CrossSectionDraws noisy = draw(5, design(200, 0.1, 0.02, 0.03, 0.5));
  const cu::CrossSectionDraws other_rho = draw(5, design(200, 0.1, 0, 0, -0.3));
  CHECK(noisy.n_i == base.n_i);
  CHECK(noisy.n_j == base.n_j);
  CHECK(noisy.alpha_i == base.alpha_i);
  CHECK(noisy.alpha_j == base.alpha_j);
  CHECK(other_rho.n_i == base.n_i);
  CHECK(other_rho.alpha_i == base.alpha_i);  // alpha_i = amax Phi(z_i) whatever rho
  CHECK(other_rho.alpha_j != base.alpha_j);
  CHECK(noisy.e_cu != base.e_cu);
  // Firm counts at the edges of the unit interval.
  CHECK(cu::firm_count(1e-300, 5) == 1);
  CHECK(cu::firm_count(1 - 1e-16, 5) == 5);
  CHECK(cu::bias_of_z(0, 0.1) == Approx(0.05).epsilon(1e-15));
}
