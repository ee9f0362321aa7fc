// Estimators for synthetic panels and cross-sections (DESIGN.md §10): OLS with robust
// covariances and rank statistics. Models use them on the data their replications simulate, so
// a regression is computed the same way in every model.
#pragma once

#include <Eigen/Dense>
#include <span>
#include <vector>

namespace tariffsim {

// Ordinary least squares with an intercept already in X; homoskedastic and HC1 (White)
// covariances. Undefined (NaN) when X has fewer rows than columns + 1 or is rank deficient.
struct OlsResult {
  Eigen::VectorXd coef;
  Eigen::MatrixXd cov;    // HC1 robust covariance
  Eigen::MatrixXd cov_h;  // homoskedastic covariance, s^2 (X'X)^-1
  double r2 = 0;
  bool ok = false;
};
OlsResult ols(const Eigen::MatrixXd& X, const Eigen::VectorXd& y);

// The implied weight c_1/(c_1 + c_2) of two slope coefficients and its delta-method standard error.
struct ImpliedWeight {
  double w = 0, se = 0;
};
ImpliedWeight implied_weight(const OlsResult& r, Eigen::Index first_slope);

// Ranks 1..n with ties given their average rank.
std::vector<double> average_ranks(std::span<const double> x);
// Spearman's rank correlation (Pearson correlation of average ranks); NaN if n < 2 or constant.
double spearman(std::span<const double> x, std::span<const double> y);
// Share of the top ceil(n/10) observations by `by` that are also in the top ceil(n/10) by `of`
// (ties broken by position).
double top_decile_retention(std::span<const double> by, std::span<const double> of);

// Pearson's correlation; NaN if n < 2 or either series is constant.
double pearson(std::span<const double> x, std::span<const double> y);

}  // namespace tariffsim
