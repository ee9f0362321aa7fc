// The engine's estimators against hand computations.
#include <catch2/catch.hpp>
#include <cmath>
#include <vector>

#include "tariffsim/estimators.hpp"

TEST_CASE("ols recovers an exact linear relation and known standard errors", "[estimators]") {
  Eigen::MatrixXd X(5, 2);
  X << 1, 0, 1, 1, 1, 2, 1, 3, 1, 4;
  Eigen::VectorXd y(5);
  y << 1, 3, 5, 7, 9;
  tariffsim::OlsResult r = tariffsim::ols(X, y);
  REQUIRE(r.ok);
  CHECK(r.coef(0) == Approx(1).margin(1e-13));
  CHECK(r.coef(1) == Approx(2).margin(1e-13));
  CHECK(r.r2 == Approx(1));
  // y = (1, 2, 2, 5, 5): slope Sxy/Sxx = 11/10, RSS = 1.9, se(slope) = sqrt(RSS/(n-2)/Sxx).
  y << 1, 2, 2, 5, 5;
  r = tariffsim::ols(X, y);
  CHECK(r.coef(1) == Approx(1.1).epsilon(1e-13));
  CHECK(std::sqrt(r.cov_h(1, 1)) == Approx(std::sqrt(1.9 / 3 / 10)).epsilon(1e-12));
  // HC1 for a simple regression: n/(n-2) sum (x - xbar)^2 e^2 / Sxx^2, with residuals
  // e = (0.2, 0.1, -1, 0.9, -0.2): 5/3 * 1.14/100.
  CHECK(r.cov(1, 1) == Approx(5.0 / 3.0 * 1.14 / 100).epsilon(1e-12));
  // Rank deficiency and too few rows are reported, not solved.
  Eigen::MatrixXd Xd(4, 2);
  Xd << 1, 2, 1, 2, 1, 2, 1, 2;
  CHECK_FALSE(tariffsim::ols(Xd, Eigen::VectorXd::Ones(4)).ok);
  CHECK_FALSE(tariffsim::ols(X.topRows(2), y.head(2)).ok);
}

TEST_CASE("average ranks, Spearman and top-decile retention", "[estimators]") {
  const std::vector<double> x = {3.0, 1.0, 2.0, 2.0, 5.0};
  CHECK(tariffsim::average_ranks(x) == std::vector<double>{4.0, 1.0, 2.5, 2.5, 5.0});
  std::vector<double> y;
  for (double v : x) y.push_back(std::exp(v));
  CHECK(tariffsim::spearman(x, y) == Approx(1.0).epsilon(1e-15));
  std::vector<double> z;
  for (double v : x) z.push_back(-v);
  CHECK(tariffsim::spearman(x, z) == Approx(-1.0).epsilon(1e-15));
  std::vector<double> a(20), b(20);
  for (std::size_t k = 0; k < 20; ++k) {
    a[k] = double(k);
    b[k] = k == 19 ? -1.0 : double(k);  // top 2 by a: {18, 19}; by b: {17, 18}
  }
  CHECK(tariffsim::top_decile_retention(a, b) == Approx(0.5));
}

TEST_CASE("implied weight and its delta-method standard error", "[estimators]") {
  tariffsim::OlsResult r;
  r.ok = true;
  r.coef = Eigen::Vector3d(0.5, 1.0, 3.0);
  r.cov = Eigen::Matrix3d::Zero();
  r.cov.block(1, 1, 2, 2) << 0.04, 0.01, 0.01, 0.09;
  // w = 1/4; gradient (c2, -c1)/(c1 + c2)^2 = (3, -1)/16, so se^2 = (9a - 6c + b)/256.
  const auto w = tariffsim::implied_weight(r, 1);
  CHECK(w.w == Approx(0.25).epsilon(1e-15));
  CHECK(w.se == Approx(std::sqrt((9 * 0.04 - 6 * 0.01 + 0.09) / 256)).epsilon(1e-14));
  r.ok = false;
  CHECK(std::isnan(tariffsim::implied_weight(r, 1).w));
}

TEST_CASE("Pearson correlation, and NaN where it is undefined", "[estimators]") {
  const std::vector<double> x = {1, 2, 3, 4}, y = {2, 4, 5, 9}, c = {1, 1, 1, 1};
  // deviations (-1.5, -0.5, 0.5, 1.5) and (-3, -1, 0, 4): Sxy = 11, Sxx = 5, Syy = 26
  CHECK(tariffsim::pearson(x, y) == Approx(11 / std::sqrt(5.0 * 26)).epsilon(1e-14));
  CHECK(std::isnan(tariffsim::pearson(x, c)));
  CHECK(std::isnan(tariffsim::pearson(std::vector<double>{1.0}, std::vector<double>{2.0})));
}
