// Probit and logit against data with known answers: saturated models (closed-form MLE and
// information), data simulated from known coefficients, and every degenerate case as a status.
#include <boost/math/distributions/normal.hpp>
#include <catch2/catch.hpp>
#include <cmath>
#include <vector>

#include "tariffsim/estimators.hpp"
#include "tariffsim/rng.hpp"

using tariffsim::BinaryLink;
using tariffsim::FitStatus;

namespace {

double probit_quantile(double p) {
  return boost::math::quantile(boost::math::normal_distribution<double>(), p);
}

// One binary regressor: cell 0 has n0 observations with s0 ones, cell 1 has n1 with s1.
struct Cells {
  Eigen::MatrixXd X;
  Eigen::VectorXd y;
};
Cells two_cells(int n0, int s0, int n1, int s1) {
  Cells c{Eigen::MatrixXd::Ones(n0 + n1, 2), Eigen::VectorXd::Zero(n0 + n1)};
  for (int i = 0; i < n0 + n1; ++i) {
    c.X(i, 1) = i < n0 ? 0.0 : 1.0;
    c.y(i) = (i < n0 ? i < s0 : i - n0 < s1) ? 1.0 : 0.0;
  }
  return c;
}

// n observations of y = 1[x'b + e > 0], e standard normal (probit) or logistic (logit), with x =
// (1, normal, uniform); the normal regressor is shared within clusters of 5 observations.
Cells simulate(BinaryLink link, const Eigen::Vector3d& b, int n) {
  tariffsim::Stream s({20261204, 9}, 0, "binary");
  Cells c{Eigen::MatrixXd::Ones(n, 3), Eigen::VectorXd(n)};
  double shared = 0;
  for (int i = 0; i < n; ++i) {
    if (i % 5 == 0) shared = s.normal();
    c.X(i, 1) = 0.5 * shared + 0.8 * s.normal();
    c.X(i, 2) = s.uniform();
    const double u = s.uniform();
    const double e = link == BinaryLink::Probit ? s.normal() : std::log(u / (1.0 - u));
    c.y(i) = c.X.row(i).dot(b) + e > 0 ? 1.0 : 0.0;
  }
  return c;
}

std::vector<std::int64_t> clusters_of(int n, int size) {
  std::vector<std::int64_t> g(n);
  for (int i = 0; i < n; ++i) g[i] = i / size;
  return g;
}

}  // namespace

TEST_CASE("saturated probit: the MLE is Phi^-1 of the cell shares, the information closed form",
          "[estimators][binary]") {
  const Cells c = two_cells(400, 60, 300, 210);
  const auto fit = tariffsim::fit_binary(c.X, c.y, BinaryLink::Probit);
  REQUIRE(fit.ok());
  const double b0 = probit_quantile(0.15), b1 = probit_quantile(0.7) - b0;
  CHECK(fit.coef(0) == Approx(b0).epsilon(1e-10));
  CHECK(fit.coef(1) == Approx(b1).epsilon(1e-10));
  // At a saturated MLE the observed information of a cell's index is n p(1-p)... inverted:
  // Var(index) = p(1-p) / (n f(index)^2); b1 = index1 - index0 adds the two.
  const auto cell_var = [](double p, double n) {
    const double f = std::exp(-0.5 * probit_quantile(p) * probit_quantile(p)) / std::sqrt(2 * M_PI);
    return p * (1 - p) / (n * f * f);
  };
  CHECK(fit.cov(0, 0) == Approx(cell_var(0.15, 400)).epsilon(1e-9));
  CHECK(fit.cov(1, 1) == Approx(cell_var(0.15, 400) + cell_var(0.7, 300)).epsilon(1e-9));
  CHECK(fit.cov(0, 1) == Approx(-cell_var(0.15, 400)).epsilon(1e-9));
  // log-likelihood: sum over cells of n (p log p + (1-p) log(1-p)).
  const auto cell_ll = [](double p, double n) {
    return n * (p * std::log(p) + (1 - p) * std::log(1 - p));
  };
  CHECK(fit.loglik == Approx(cell_ll(0.15, 400) + cell_ll(0.7, 300)).epsilon(1e-12));
}

TEST_CASE("saturated logit: the MLE is the log odds of the cell shares", "[estimators][binary]") {
  const Cells c = two_cells(500, 50, 250, 200);
  const auto fit = tariffsim::fit_binary(c.X, c.y, BinaryLink::Logit);
  REQUIRE(fit.ok());
  CHECK(fit.coef(0) == Approx(std::log(0.1 / 0.9)).epsilon(1e-10));
  CHECK(fit.coef(1) == Approx(std::log(0.8 / 0.2) - std::log(0.1 / 0.9)).epsilon(1e-10));
  // Var(log odds) = 1/(n p (1-p)).
  CHECK(fit.cov(0, 0) == Approx(1 / (500 * 0.1 * 0.9)).epsilon(1e-9));
  CHECK(fit.cov(1, 1) == Approx(1 / (500 * 0.1 * 0.9) + 1 / (250 * 0.8 * 0.2)).epsilon(1e-9));
}

TEST_CASE("probit and logit recover simulated coefficients within 4 standard errors",
          "[estimators][binary]") {
  const Eigen::Vector3d b(-0.8, 0.9, 1.2);
  for (const BinaryLink link : {BinaryLink::Probit, BinaryLink::Logit}) {
    const Cells c = simulate(link, b, 20000);
    const auto fit = tariffsim::fit_binary(c.X, c.y, link);
    REQUIRE(fit.ok());
    const auto groups = clusters_of(20000, 5);
    const Eigen::MatrixXd robust = tariffsim::robust_cov(fit, c.X);
    const Eigen::MatrixXd clustered = tariffsim::cluster_cov(fit, c.X, groups);
    for (int j = 0; j < 3; ++j) {
      INFO("link " << int(link) << " coefficient " << j);
      CHECK(std::abs(fit.coef(j) - b(j)) < 4 * std::sqrt(clustered(j, j)));
      // The model is correctly specified and the errors independent, so the sandwiches estimate
      // the same variance as the information: within 10% at n = 20000.
      CHECK(robust(j, j) == Approx(fit.cov(j, j)).epsilon(0.1));
      CHECK(clustered(j, j) == Approx(fit.cov(j, j)).epsilon(0.15));
    }
  }
}

TEST_CASE("cluster covariance: singleton clusters are HC0 times n/(n-k), and label order is free",
          "[estimators][binary]") {
  const int n = 3000;
  const Cells c = simulate(BinaryLink::Probit, Eigen::Vector3d(0.2, -0.5, 0.3), n);
  const auto fit = tariffsim::fit_binary(c.X, c.y, BinaryLink::Probit);
  REQUIRE(fit.ok());
  const Eigen::MatrixXd robust = tariffsim::robust_cov(fit, c.X);
  const Eigen::MatrixXd single = tariffsim::cluster_cov(fit, c.X, clusters_of(n, 1));
  CHECK((single - robust * (double(n) / (n - 3))).cwiseAbs().maxCoeff() <
        1e-12 * robust.cwiseAbs().maxCoeff());
  // The same clusters labelled in a scrambled, non-adjacent order give the same matrix.
  std::vector<std::int64_t> grouped = clusters_of(n, 5), scrambled(n);
  for (int i = 0; i < n; ++i) scrambled[i] = (grouped[i] * 7919) % 601;  // 600 clusters, relabelled
  const Eigen::MatrixXd a = tariffsim::cluster_cov(fit, c.X, grouped);
  const Eigen::MatrixXd b = tariffsim::cluster_cov(fit, c.X, scrambled);
  CHECK((a - b).cwiseAbs().maxCoeff() < 1e-12 * a.cwiseAbs().maxCoeff());
  CHECK(std::isnan(tariffsim::cluster_cov(fit, c.X, std::vector<std::int64_t>(n, 4))(0, 0)));
  // K = 3 coefficients: 3 clusters leave the meat singular (NaN), 4 do not; an effect's error
  // from the NaN matrix is NaN, not 0.
  const Eigen::MatrixXd singular = tariffsim::cluster_cov(fit, c.X, clusters_of(n, n / 3));
  CHECK(std::isnan(singular(0, 0)));
  const Eigen::VectorXd xbar = tariffsim::column_means(c.X), unit = Eigen::VectorXd::Unit(3, 1);
  CHECK(std::isnan(tariffsim::effect_at_means(fit, singular, xbar, unit).se));
  CHECK(std::isfinite(tariffsim::cluster_cov(fit, c.X, clusters_of(n, n / 4))(0, 0)));
}

TEST_CASE("a regressor in large units or far from zero is the same model: the same fit, rescaled",
          "[estimators][binary]") {
  const Cells c = simulate(BinaryLink::Probit, Eigen::Vector3d(-0.3, 0.7, 0.5), 2000);
  const auto base = tariffsim::fit_binary(c.X, c.y, BinaryLink::Probit);
  REQUIRE(base.ok());
  // x1 -> s x1 + m: the coefficient of x1 becomes b1 / s and the constant b0 - m b1 / s.
  for (const auto& [scale, shift] :
       {std::pair{1e7, 0.0}, std::pair{1.0, 1e4}, std::pair{1.0, 2004.0}}) {
    INFO("x1 -> " << scale << " x1 + " << shift);
    Eigen::MatrixXd X = c.X;
    X.col(1) = scale * X.col(1).array() + shift;
    const auto fit = tariffsim::fit_binary(X, c.y, BinaryLink::Probit);
    REQUIRE(fit.status == FitStatus::Ok);
    CHECK(fit.loglik == Approx(base.loglik).epsilon(1e-10));
    CHECK(fit.coef(1) * scale == Approx(base.coef(1)).epsilon(1e-6));
    CHECK(fit.coef(0) + shift * fit.coef(1) == Approx(base.coef(0)).epsilon(1e-6));
    CHECK(fit.coef(2) == Approx(base.coef(2)).epsilon(1e-6));
  }
}

TEST_CASE("marginal effect at means and its delta-method error match finite differences",
          "[estimators][binary]") {
  for (const BinaryLink link : {BinaryLink::Probit, BinaryLink::Logit}) {
    const Cells c = simulate(link, Eigen::Vector3d(-0.3, 0.6, -0.4), 5000);
    auto fit = tariffsim::fit_binary(c.X, c.y, link);
    REQUIRE(fit.ok());
    const Eigen::VectorXd xbar = tariffsim::column_means(c.X);
    const Eigen::Vector3d dir(0.0, 1.0, 0.5);
    const auto effect = tariffsim::effect_at_means(fit, fit.cov, xbar, dir);
    const auto value_at = [&](const Eigen::VectorXd& b) {
      return tariffsim::link_pdf(link, xbar.dot(b)) * dir.dot(b);
    };
    CHECK(effect.value == Approx(value_at(fit.coef)).epsilon(1e-14));
    Eigen::Vector3d grad;
    const Eigen::VectorXd b = fit.coef;
    for (int j = 0; j < 3; ++j) {
      Eigen::VectorXd up = b, down = b;
      up(j) += 1e-6;
      down(j) -= 1e-6;
      grad(j) = (value_at(up) - value_at(down)) / 2e-6;
    }
    CHECK(effect.se == Approx(std::sqrt(grad.dot(fit.cov * grad))).epsilon(1e-6));
  }
}

TEST_CASE("degenerate data are statuses with NaN estimates, never numbers",
          "[estimators][binary]") {
  const auto status_of = [](const Eigen::MatrixXd& X, const Eigen::VectorXd& y) {
    const auto fit = tariffsim::fit_binary(X, y, BinaryLink::Probit);
    if (!fit.ok()) CHECK(std::isnan(fit.coef(0)));
    return fit.status;
  };
  Cells c = two_cells(50, 10, 50, 30);
  CHECK(status_of(c.X, Eigen::VectorXd::Zero(100)) == FitStatus::NoVariation);
  CHECK(status_of(c.X, Eigen::VectorXd::Ones(100)) == FitStatus::NoVariation);
  CHECK(status_of(c.X.topRows(2), c.y.head(2)) == FitStatus::TooFewObservations);
  Eigen::MatrixXd constant = c.X;
  constant.col(1).setConstant(3.0);
  CHECK(status_of(constant, c.y) == FitStatus::ConstantRegressor);
  Eigen::MatrixXd dependent(100, 3);
  dependent << c.X, (2.0 * c.X.col(1)).array() - 1.0;
  CHECK(status_of(dependent, c.y) == FitStatus::Collinear);
  Eigen::MatrixXd bad = c.X;
  bad(7, 1) = std::nan("");
  CHECK(status_of(bad, c.y) == FitStatus::NonFiniteData);
  Eigen::VectorXd not_binary = c.y;
  not_binary(3) = 0.5;
  CHECK(status_of(c.X, not_binary) == FitStatus::NonFiniteData);
  // Complete separation: y = 1 exactly when x > 0.
  Eigen::MatrixXd Xs = Eigen::MatrixXd::Ones(40, 2);
  Eigen::VectorXd ys(40);
  for (int i = 0; i < 40; ++i) {
    Xs(i, 1) = i - 19.5;
    ys(i) = Xs(i, 1) > 0 ? 1.0 : 0.0;
  }
  CHECK(status_of(Xs, ys) == FitStatus::Separation);
  // Quasi-complete separation: y = 1 for every x > 0, mixed at x = 0.
  for (int i = 0; i < 40; ++i) Xs(i, 1) = i < 20 ? 0.0 : 1.0 + i;
  for (int i = 0; i < 20; ++i) ys(i) = i % 2;
  for (int i = 20; i < 40; ++i) ys(i) = 1.0;
  CHECK(status_of(Xs, ys) == FitStatus::Separation);
  CHECK(tariffsim::fit_binary(Xs, ys, BinaryLink::Logit).status == FitStatus::Separation);
}
