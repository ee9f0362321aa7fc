// Estimators for synthetic panels and cross-sections (DESIGN.md §10): OLS with robust
// covariances, probit and logit by Newton's method with robust and cluster-robust covariances and
// marginal effects at means, and rank statistics. Models use them on the data their replications
// simulate, so a regression is computed the same way in every model. No economics here.
#pragma once

#include <Eigen/Dense>
#include <cstdint>
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

// ---- Binary choice: Pr(y = 1 | x) = F(x'b), F the standard normal (probit) or logistic (logit)
// CDF, fitted by maximum likelihood with Newton's method (for the logit, Newton is IRLS).

enum class BinaryLink { Probit, Logit };

// Why a fit has no estimate. Every status but Ok leaves the coefficients and covariances NaN: a
// replication reports it, never a number from a likelihood without a finite maximum.
enum class FitStatus : int {
  Ok = 0,
  TooFewObservations = 1,  // fewer rows than columns + 1
  NonFiniteData = 2,       // a NaN or infinity in X or y, or y not 0/1
  NoVariation = 3,         // y is all 0 or all 1
  ConstantRegressor = 4,   // a column other than the first constant one does not vary
  Collinear = 5,           // the columns of X are linearly dependent
  Separation = 6,          // fitted probabilities reach 0 or 1: the MLE does not exist
  NotConverged = 7,        // no convergence within the iteration limit
};
const char* to_string(FitStatus s);

struct BinaryFitOptions {
  int max_iterations = 100;
  // Converged at b when every component of the Newton step from b is below
  // tolerance * max(1, |b_j|): b is then within that of the maximum (quadratic convergence makes
  // the last step far smaller than the one before).
  double tolerance = 1e-10;
};

struct BinaryFit {
  FitStatus status = FitStatus::NotConverged;
  BinaryLink link = BinaryLink::Probit;
  Eigen::VectorXd coef;
  Eigen::MatrixXd cov;          // model-based: inverse of the negative Hessian at the maximum
  Eigen::VectorXd score_resid;  // per observation r_i with score_i = r_i x_i (for sandwiches)
  double loglik = 0;
  int iterations = 0;  // Newton iterations on all rows (large fits start from a subsample's fit)
  bool ok() const { return status == FitStatus::Ok; }
};

// X holds the regressors with the intercept as a column (if wanted); y holds 0/1.
BinaryFit fit_binary(const Eigen::Ref<const Eigen::MatrixXd>& X,
                     const Eigen::Ref<const Eigen::VectorXd>& y, BinaryLink link,
                     const BinaryFitOptions& options = {});

// Heteroskedasticity-robust sandwich H^-1 (sum s_i s_i') H^-1 without a small-sample factor
// (statsmodels' HC0).
Eigen::MatrixXd robust_cov(const BinaryFit& fit, const Eigen::Ref<const Eigen::MatrixXd>& X);
// Cluster-robust sandwich with the factor G/(G-1) * (N-1)/(N-K) (statsmodels' default for
// cov_type="cluster", Stata's for regress). Clusters are labels; observations of one cluster
// need not be adjacent, though adjacent ones take a faster path. NaN if G < 2.
Eigen::MatrixXd cluster_cov(const BinaryFit& fit, const Eigen::Ref<const Eigen::MatrixXd>& X,
                            std::span<const std::int64_t> cluster);

// F(index), f(index) = F'(index), f'(index) for a link.
double link_cdf(BinaryLink link, double index);
double link_pdf(BinaryLink link, double index);

// The marginal effect at means of a direction c of the index, f(xbar'b) * c'b (for the j-th
// regressor c = e_j; for a regressor that also enters an interaction, c carries the interaction's
// slope at the means, as in Bown and Crowley's eq. 8), with its delta-method standard error under
// `cov`: the gradient f c + (c'b) f'(xbar'b) xbar.
struct Effect {
  double value = 0, se = 0;
};
Effect effect_at_means(const BinaryFit& fit, const Eigen::MatrixXd& cov,
                       const Eigen::VectorXd& xbar, const Eigen::VectorXd& c);
// Column means of X.
Eigen::VectorXd column_means(const Eigen::Ref<const Eigen::MatrixXd>& X);

}  // namespace tariffsim
