// OLS, rank statistics and the regressions of the cross-section (spec §7).
#include <catch2/catch.hpp>
#include <cmath>
#include <vector>

#include "cross_section.hpp"
#include "economics.hpp"
#include "tariffsim/rng.hpp"

namespace cu = tariffsim::customs_union;

namespace {

// A cross-section drawn from a test stream (the plugin draws the same way from its named streams).
cu::CrossSectionDraws draw(std::uint64_t replication, std::size_t L, double amax, double me_mfn,
                           double me_cu) {
  tariffsim::Stream s(tariffsim::StreamKey{42, 7}, replication, "test_cross_section");
  cu::CrossSectionDraws d;
  for (std::size_t l = 0; l < L; ++l) {
    d.n_i.push_back(1 + std::floor(5 * s.uniform()));
    d.n_j.push_back(1 + std::floor(4 * s.uniform()));
    d.alpha_i.push_back(amax * s.uniform());
    d.alpha_j.push_back(amax * s.uniform());
    d.e_mfn_i.push_back(me_mfn * s.normal());
    d.e_mfn_j.push_back(me_mfn * s.normal());
    d.e_cu.push_back(me_cu * s.normal());
  }
  return d;
}

}  // namespace

TEST_CASE("ols recovers an exact linear relation and known standard errors",
          "[customs_union][ols]") {
  Eigen::MatrixXd X(5, 2);
  X << 1, 0, 1, 1, 1, 2, 1, 3, 1, 4;
  Eigen::VectorXd y(5);
  y << 1, 3, 5, 7, 9;
  cu::OlsResult r = cu::ols(X, y);
  REQUIRE(r.ok);
  CHECK(r.coef(0) == Approx(1).margin(1e-13));
  CHECK(r.coef(1) == Approx(2).margin(1e-13));
  CHECK(r.r2 == Approx(1));
  // y = (1, 2, 2, 5, 5): slope Sxy/Sxx = 11/10, RSS = 1.9, se(slope) = sqrt(RSS/(n-2)/Sxx).
  y << 1, 2, 2, 5, 5;
  r = cu::ols(X, y);
  CHECK(r.coef(1) == Approx(1.1).epsilon(1e-13));
  CHECK(std::sqrt(r.cov_h(1, 1)) == Approx(std::sqrt(1.9 / 3 / 10)).epsilon(1e-12));
  // Rank deficiency and too few rows are reported, not solved.
  Eigen::MatrixXd Xd(4, 2);
  Xd << 1, 2, 1, 2, 1, 2, 1, 2;
  CHECK_FALSE(cu::ols(Xd, Eigen::VectorXd::Ones(4)).ok);
  CHECK_FALSE(cu::ols(X.topRows(2), y.head(2)).ok);
}

TEST_CASE("average ranks, Spearman and top-decile retention", "[customs_union][ranks]") {
  const std::vector<double> x = {3.0, 1.0, 2.0, 2.0, 5.0};
  CHECK(cu::average_ranks(x) == std::vector<double>{4.0, 1.0, 2.5, 2.5, 5.0});
  std::vector<double> y;
  for (double v : x) y.push_back(std::exp(v));
  CHECK(cu::spearman(x, y) == Approx(1.0).epsilon(1e-15));
  std::vector<double> z;
  for (double v : x) z.push_back(-v);
  CHECK(cu::spearman(x, z) == Approx(-1.0).epsilon(1e-15));
  std::vector<double> a(20), b(20);
  for (std::size_t k = 0; k < 20; ++k) {
    a[k] = double(k);
    b[k] = k == 19 ? -1.0 : double(k);  // top 2 by a: {18, 19}; by b: {17, 18}
  }
  CHECK(cu::top_decile_retention(a, b) == Approx(0.5));
}

TEST_CASE("the structural regression recovers w exactly without noise",
          "[customs_union][regression]") {
  for (auto [a, b] : {std::pair{1.0, 1.0}, std::pair{3.0, 1.0}, std::pair{1.0, 4.0}}) {
    const double w = a / (a + b);
    const cu::CrossSectionStats s = cu::cross_section(draw(0, 300, 0.1, 0, 0), a, b);
    CAPTURE(a, b, s.n_interior);
    REQUIRE(s.n_interior > 100);
    CHECK(std::abs(s.w_struct - w) <= 1e-10);
    CHECK(s.struct_c_i == Approx(2 * w).margin(1e-10));
    CHECK(s.struct_c_j == Approx(2 * (1 - w)).margin(1e-10));
    CHECK(s.struct_const == Approx(-0.5).margin(1e-10));
    CHECK(s.se_w_struct <= 1e-10);
    // The naive regression is not exact: its weight misses w.
    CHECK(std::abs(s.w_naive - w) > 1e-6);
  }
}

TEST_CASE("with noise on the CU AVE the structural w is within 4 se of the truth",
          "[customs_union][regression][statistical]") {
  const double a = 2.0, b = 1.0, w = a / (a + b);
  const int R = 200;
  double sum = 0, sum2 = 0;
  int covered = 0;
  for (int r = 0; r < R; ++r) {
    const cu::CrossSectionStats s = cu::cross_section(draw(1000 + std::uint64_t(r), 300, 0.1, 0, 0.02), a, b);
    sum += s.w_struct;
    sum2 += s.w_struct * s.w_struct;
    covered += std::abs(s.w_struct - w) <= 4 * s.se_w_struct;
    if (r == 0) CHECK(std::abs(s.w_struct - w) <= 4 * s.se_w_struct);
  }
  const double mean = sum / R, sd = std::sqrt((sum2 - R * mean * mean) / (R - 1));
  const double se = sd / std::sqrt(double(R));
  CAPTURE(mean, sd, se);
  CHECK(std::abs(mean - w) <= 4 * se);
  // Four-se intervals cover (almost) always; 190 of 200 leaves room for a few misses.
  CHECK(covered >= 190);
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
