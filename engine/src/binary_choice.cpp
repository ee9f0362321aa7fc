// Probit and logit by Newton's method (estimators.hpp). The per-observation terms are the
// vectorised kernels of binary_kernels.cpp; here are the checks, the damped Newton loop, the
// sandwiches and the marginal effects.
#include <algorithm>
#include <boost/math/distributions/normal.hpp>
#include <cmath>
#include <limits>
#include <numeric>

#include "binary_kernels.hpp"
#include "tariffsim/estimators.hpp"

namespace tariffsim {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// A scaled Gram matrix whose smallest eigenvalue is below this share of its largest has
// numerically dependent columns (condition number of X above ~1e6.5).
constexpr double kCollinearRatio = 1e-13;
// Reciprocal condition number of the Hessian, scaled to unit diagonal, below which it is treated
// as singular.
constexpr double kSingularRcond = 1e-13;
// |index| beyond which F rounds to 0 or 1 (probit: Phi(-8.3) ~ 5e-17; logit: e^-37 ~ 1e-16).
constexpr double kCertainProbit = 8.3, kCertainLogit = 37.0;

using ConstMatrix = Eigen::Ref<const Eigen::MatrixXd>;
using ConstVector = Eigen::Ref<const Eigen::VectorXd>;

// Early exit at the first value that differs from the first: one look at most columns.
bool column_constant(const ConstMatrix& X, Eigen::Index j) {
  return (X.col(j).array() == X(0, j)).all();
}

// Runs the kernels over X block by block: per block, `fill(start, m, w)` writes the block's
// weights and returns its residuals (which may live in a full-length vector), then the block's
// cross products are added. H (lower triangle) and g accumulate; H is symmetrised at the end.
template <typename FillBlock>
void blocked_cross_products(const ConstMatrix& X, Eigen::MatrixXd& H, Eigen::VectorXd& g,
                            FillBlock fill) {
  const auto n = static_cast<std::size_t>(X.rows()), k = static_cast<std::size_t>(X.cols());
  const auto ld = static_cast<std::size_t>(X.outerStride());
  H.setZero(X.cols(), X.cols());
  g.setZero(X.cols());
  double w[detail::kRowBlock];
  for (std::size_t start = 0; start < n; start += detail::kRowBlock) {
    const std::size_t m = std::min(detail::kRowBlock, n - start);
    const double* r = fill(start, m, w);
    detail::add_cross_products(X.data() + start, ld, k, m, w, r, H.data(), g.data());
  }
  H.triangularView<Eigen::StrictlyUpper>() = H.transpose();
}

// X' diag(v) X for a per-observation vector v.
Eigen::MatrixXd weighted_gram(const ConstMatrix& X, const Eigen::VectorXd& v) {
  Eigen::MatrixXd H;
  Eigen::VectorXd unused;
  blocked_cross_products(X, H, unused, [&](std::size_t start, std::size_t m, double* w) {
    std::copy_n(v.data() + start, m, w);
    return w;
  });
  return H;
}

Eigen::MatrixXd gram(const ConstMatrix& X) {
  Eigen::MatrixXd G;
  Eigen::VectorXd unused;
  blocked_cross_products(X, G, unused, [](std::size_t, std::size_t m, double* w) {
    std::fill_n(w, m, 1.0);
    return w;
  });
  return G;
}

// D M D with D = diag(M)^(-1/2): unit diagonal, so that conditioning tells dependence, not units.
Eigen::MatrixXd scaled_to_unit_diagonal(const Eigen::MatrixXd& M) {
  const Eigen::VectorXd d = M.diagonal().cwiseSqrt().cwiseInverse();
  return d.asDiagonal() * M * d.asDiagonal();
}

bool columns_dependent(const Eigen::MatrixXd& G) {
  const Eigen::MatrixXd C = scaled_to_unit_diagonal(G);
  const Eigen::VectorXd ev = Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd>(C).eigenvalues();
  return !(ev.minCoeff() > kCollinearRatio * ev.maxCoeff());
}

// What the checks of the data found: a status, and the intercept column (the one non-zero
// constant column; -1 if none), which sets the starting values.
struct DataCheck {
  FitStatus status = FitStatus::Ok;
  Eigen::Index intercept = -1;
};

FitStatus check_outcomes(const ConstMatrix& X, const ConstVector& y) {
  const Eigen::Index n = X.rows(), k = X.cols();
  if (k == 0 || n < k + 1 || y.size() != n) return FitStatus::TooFewObservations;
  Eigen::Index ones = 0, zeros = 0;
  for (Eigen::Index i = 0; i < n; ++i) {
    ones += y(i) == 1.0 ? 1 : 0;
    zeros += y(i) == 0.0 ? 1 : 0;
  }
  if (ones + zeros != n) return FitStatus::NonFiniteData;
  if (ones == 0 || zeros == 0) return FitStatus::NoVariation;
  return FitStatus::Ok;
}

// The Gram matrix X'X serves twice: its diagonal is finite exactly when every value of X is (up to
// values whose squares overflow, |x| > 1e154, which no fit could use either), so X needs no
// separate scan for NaN, and its conditioning shows dependent columns.
DataCheck check_data(const ConstMatrix& X, const ConstVector& y) {
  DataCheck check{check_outcomes(X, y), -1};
  if (check.status != FitStatus::Ok) return check;
  const Eigen::MatrixXd G = gram(X);
  if (!G.diagonal().allFinite()) return {FitStatus::NonFiniteData, -1};
  // One non-zero constant column is the intercept; any other constant column is a regressor that
  // does not vary.
  for (Eigen::Index j = 0; j < X.cols(); ++j) {
    if (!column_constant(X, j)) continue;
    if (check.intercept >= 0 || X(0, j) == 0.0) return {FitStatus::ConstantRegressor, -1};
    check.intercept = j;
  }
  if (columns_dependent(G)) check.status = FitStatus::Collinear;
  return check;
}

double link_quantile(BinaryLink link, double p) {
  if (link == BinaryLink::Logit) return std::log(p / (1.0 - p));
  return boost::math::quantile(boost::math::normal_distribution<double>(), p);
}

// b = 0 except the intercept, set to F^-1(mean y): Newton then starts at the intercept-only fit's
// index.
Eigen::VectorXd starting_values(const ConstMatrix& X, const ConstVector& y, BinaryLink link,
                                Eigen::Index intercept) {
  Eigen::VectorXd b = Eigen::VectorXd::Zero(X.cols());
  if (intercept >= 0) b(intercept) = link_quantile(link, y.mean()) / X(0, intercept);
  return b;
}

// The state of the Newton iteration at the current coefficients b: the log-likelihood, the
// score residuals r, the score g = X'r and the negative Hessian H, all from one pass over X.
struct NewtonState {
  Eigen::VectorXd b, r;
  Eigen::MatrixXd H;
  Eigen::VectorXd g;
  double loglik = 0;
};

void evaluate(const ConstMatrix& X, const ConstVector& y, BinaryLink link, NewtonState& s) {
  const auto ld = static_cast<std::size_t>(X.outerStride()), k = static_cast<std::size_t>(X.cols());
  double loglik = 0;
  blocked_cross_products(X, s.H, s.g, [&](std::size_t start, std::size_t m, double* w) {
    double eta[detail::kRowBlock];
    detail::linear_index(X.data() + start, ld, k, m, s.b.data(), eta);
    double* r = s.r.data() + start;
    loglik += link == BinaryLink::Probit ? detail::probit_terms(eta, y.data() + start, m, r, w)
                                         : detail::logit_terms(eta, y.data() + start, m, r, w);
    return r;
  });
  s.loglik = loglik;
}

// Fitted probabilities that round to 0 or 1 on the side of the observed outcome: a separating
// direction, along which the likelihood rises without bound.
bool certain_predictions(const ConstMatrix& X, const NewtonState& s, const ConstVector& y,
                         BinaryLink link) {
  const double limit = link == BinaryLink::Probit ? kCertainProbit : kCertainLogit;
  const Eigen::VectorXd eta = X * s.b;
  for (Eigen::Index i = 0; i < y.size(); ++i)
    if ((2.0 * y(i) - 1.0) * eta(i) > limit) return true;
  return false;
}

bool step_converged(const Eigen::VectorXd& step, const Eigen::VectorXd& b, double tolerance) {
  for (Eigen::Index j = 0; j < b.size(); ++j)
    if (!(std::abs(step(j)) <= tolerance * std::max(1.0, std::abs(b(j))))) return false;
  return true;
}

// Moves s along the Newton step, halving it until the log-likelihood does not fall (the
// likelihoods are concave, so the full step is taken near the maximum). False if no step helps.
// Only b and the log-likelihood of the start are needed again, so s is evaluated in place.
bool damped_step(const ConstMatrix& X, const ConstVector& y, BinaryLink link,
                 const Eigen::VectorXd& step, NewtonState& s) {
  const Eigen::VectorXd start = s.b;
  const double loglik = s.loglik, slack = 1e-12 * (1.0 + std::abs(loglik));
  for (double t = 1.0; t > 1e-10; t *= 0.5) {
    s.b = start + t * step;
    evaluate(X, y, link, s);
    if (std::isfinite(s.loglik) && s.loglik >= loglik - slack) return true;
  }
  return false;
}

// Whether H is far from singular once each regressor is scaled to unit information: a regressor
// in large units (x * 1e7) or far from zero (a year) makes H badly scaled but not singular, and
// the LDLT solve, which diagonal scaling does not disturb, handles it.
bool hessian_regular(const Eigen::MatrixXd& H) {
  const Eigen::MatrixXd scaled = scaled_to_unit_diagonal(H);
  if (!scaled.allFinite()) return false;
  const Eigen::LDLT<Eigen::MatrixXd> ldlt(scaled);
  return ldlt.info() == Eigen::Success && ldlt.isPositive() && ldlt.rcond() > kSingularRcond;
}

FitStatus newton(const ConstMatrix& X, const ConstVector& y, BinaryLink link,
                 const BinaryFitOptions& options, NewtonState& s, int& iterations) {
  evaluate(X, y, link, s);
  for (iterations = 1; iterations <= options.max_iterations; ++iterations) {
    const Eigen::LDLT<Eigen::MatrixXd> ldlt(s.H);
    const Eigen::VectorXd step = ldlt.solve(s.g);
    // A numerically singular Hessian: the weights of a separating direction have underflowed.
    if (ldlt.info() != Eigen::Success || !ldlt.isPositive() || !hessian_regular(s.H) ||
        !step.allFinite())
      break;
    // The maximum lies within the Newton step of b: take the step (its error is of the order of
    // the step squared) but keep H, r and the log-likelihood evaluated at b, which differ from
    // their values at the maximum by the order of the step, rather than pay a pass over X for them.
    if (step_converged(step, s.b, options.tolerance)) {
      s.b += step;
      return FitStatus::Ok;
    }
    if (!damped_step(X, y, link, step, s)) break;
  }
  return certain_predictions(X, s, y, link) ? FitStatus::Separation : FitStatus::NotConverged;
}

// Large fits start from the fit to every kSubsampleStride-th row (strided, so that data sorted by
// anything is still represented): its estimate lies within sampling error of the full one, so
// the full Newton needs about 3 iterations instead of 6, each a pass over all of X, for the cost
// of a few passes over an eighth of it. Without a finite MLE on the subsample, the plain start.
constexpr Eigen::Index kSubsampleStride = 8, kSubsampleMinRows = 20000;

Eigen::VectorXd warm_start(const ConstMatrix& X, const ConstVector& y, BinaryLink link,
                           const BinaryFitOptions& options, Eigen::Index intercept) {
  Eigen::VectorXd plain = starting_values(X, y, link, intercept);  // not const: returned by move
  if (X.rows() < kSubsampleMinRows) return plain;
  const Eigen::Index m = (X.rows() + kSubsampleStride - 1) / kSubsampleStride;
  Eigen::MatrixXd Xs(m, X.cols());
  Eigen::VectorXd ys(m);
  for (Eigen::Index i = 0; i < m; ++i) {
    Xs.row(i) = X.row(i * kSubsampleStride);
    ys(i) = y(i * kSubsampleStride);
  }
  const DataCheck check = check_data(Xs, ys);
  if (check.status != FitStatus::Ok) return plain;
  BinaryFitOptions loose = options;
  loose.tolerance = 1e-6;
  NewtonState s{starting_values(Xs, ys, link, check.intercept), Eigen::VectorXd(m), {}, {}, 0};
  int iterations = 0;
  return newton(Xs, ys, link, loose, s, iterations) == FitStatus::Ok ? s.b : plain;
}

}  // namespace

const char* to_string(FitStatus s) {
  switch (s) {
    case FitStatus::Ok:
      return "ok";
    case FitStatus::TooFewObservations:
      return "too few observations";
    case FitStatus::NonFiniteData:
      return "non-finite data or y not 0/1";
    case FitStatus::NoVariation:
      return "no variation in y";
    case FitStatus::ConstantRegressor:
      return "a regressor is constant";
    case FitStatus::Collinear:
      return "collinear regressors";
    case FitStatus::Separation:
      return "separation: fitted probabilities 0 or 1";
    case FitStatus::NotConverged:
      return "Newton's method did not converge";
  }
  return "unknown";
}

BinaryFit fit_binary(const ConstMatrix& X, const ConstVector& y, BinaryLink link,
                     const BinaryFitOptions& options) {
  BinaryFit fit;
  fit.link = link;
  const Eigen::Index n = X.rows(), k = X.cols();
  fit.coef = Eigen::VectorXd::Constant(k, kNaN);
  fit.cov = Eigen::MatrixXd::Constant(k, k, kNaN);
  fit.loglik = kNaN;
  const DataCheck check = check_data(X, y);
  fit.status = check.status;
  if (fit.status != FitStatus::Ok) return fit;
  NewtonState s{warm_start(X, y, link, options, check.intercept), Eigen::VectorXd(n), {}, {}, 0};
  fit.status = newton(X, y, link, options, s, fit.iterations);
  if (fit.status != FitStatus::Ok) return fit;
  // H, r and the log-likelihood are from the last evaluation, one step (below the tolerance)
  // before the coefficients.
  fit.coef = s.b;
  fit.cov = Eigen::LDLT<Eigen::MatrixXd>(s.H).solve(Eigen::MatrixXd::Identity(k, k));
  fit.loglik = s.loglik;
  fit.score_resid = std::move(s.r);
  return fit;
}

Eigen::MatrixXd robust_cov(const BinaryFit& fit, const ConstMatrix& X) {
  if (!fit.ok()) return fit.cov;
  const Eigen::MatrixXd meat = weighted_gram(X, fit.score_resid.cwiseAbs2());
  return fit.cov * meat * fit.cov;
}

namespace {

// Row c of the result is u_c = sum of r_i x_i over the observations of the c-th cluster, the
// observations visited in the order `row(pos)`, a cluster being a run of equal labels in that
// order. Column by column, so that X is read down its contiguous columns.
template <typename RowAt>
Eigen::MatrixXd cluster_score_sums(const ConstMatrix& X, const Eigen::VectorXd& r,
                                   std::span<const std::int64_t> cluster, RowAt row) {
  const std::size_t n = cluster.size();
  std::vector<std::size_t> run_start{0};
  for (std::size_t pos = 1; pos < n; ++pos)
    if (cluster[row(pos)] != cluster[row(pos - 1)]) run_start.push_back(pos);
  run_start.push_back(n);
  const auto groups = static_cast<Eigen::Index>(run_start.size() - 1);
  Eigen::MatrixXd U(groups, X.cols());
  for (Eigen::Index j = 0; j < X.cols(); ++j) {
    const double* x = X.col(j).data();
    for (Eigen::Index c = 0; c < groups; ++c) {
      double u = 0;
      for (std::size_t pos = run_start[c]; pos < run_start[c + 1]; ++pos) {
        const std::size_t i = row(pos);
        u += r[static_cast<Eigen::Index>(i)] * x[i];
      }
      U(c, j) = u;
    }
  }
  return U;
}

// The usual panel layout has each cluster's observations in a run; other layouts are visited in
// the order of a stable sort by label.
Eigen::MatrixXd cluster_score_sums(const ConstMatrix& X, const Eigen::VectorXd& r,
                                   std::span<const std::int64_t> cluster) {
  if (std::is_sorted(cluster.begin(), cluster.end()))
    return cluster_score_sums(X, r, cluster, [](std::size_t pos) { return pos; });
  std::vector<std::size_t> order(cluster.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return cluster[a] < cluster[b]; });
  return cluster_score_sums(X, r, cluster, [&](std::size_t pos) { return order[pos]; });
}

}  // namespace

Eigen::MatrixXd cluster_cov(const BinaryFit& fit, const ConstMatrix& X,
                            std::span<const std::int64_t> cluster) {
  const Eigen::Index n = X.rows(), k = X.cols();
  if (!fit.ok() || static_cast<Eigen::Index>(cluster.size()) != n)
    return Eigen::MatrixXd::Constant(k, k, kNaN);
  // The meat sums u_c u_c' over clusters c, u_c the cluster's score sum.
  const Eigen::MatrixXd U = cluster_score_sums(X, fit.score_resid, cluster);
  const auto groups = static_cast<double>(U.rows());
  // The score sums of the clusters add up to the score, zero at the estimate, so the meat has rank
  // at most G - 1: with G <= K clusters the sandwich is singular and no z from it means anything.
  if (groups <= double(k)) return Eigen::MatrixXd::Constant(k, k, kNaN);
  const double factor = groups / (groups - 1) * double(n - 1) / double(n - k);
  const Eigen::MatrixXd meat = U.transpose() * U;
  return factor * (fit.cov * meat * fit.cov);
}

double link_cdf(BinaryLink link, double index) {
  if (link == BinaryLink::Logit) return 1.0 / (1.0 + std::exp(-index));
  return 0.5 * std::erfc(-index / std::numbers::sqrt2);
}

double link_pdf(BinaryLink link, double index) {
  if (link == BinaryLink::Logit) {
    const double F = link_cdf(link, index);
    return F * (1.0 - F);
  }
  return std::exp(-0.5 * index * index) * 0.5 * std::numbers::inv_sqrtpi * std::numbers::sqrt2;
}

namespace {

// d f(index) / d index.
double link_pdf_slope(BinaryLink link, double index) {
  if (link == BinaryLink::Logit) return link_pdf(link, index) * (1.0 - 2.0 * link_cdf(link, index));
  return -index * link_pdf(link, index);
}

}  // namespace

Effect effect_at_means(const BinaryFit& fit, const Eigen::MatrixXd& cov,
                       const Eigen::VectorXd& xbar, const Eigen::VectorXd& c) {
  if (!fit.ok()) return {kNaN, kNaN};
  const double index = xbar.dot(fit.coef), slope = c.dot(fit.coef);
  const double f = link_pdf(fit.link, index);
  const Eigen::VectorXd grad = f * c + slope * link_pdf_slope(fit.link, index) * xbar;
  // Rounding can take a zero variance below 0; a NaN covariance (a singular sandwich) stays NaN.
  const double variance = grad.dot(cov * grad);
  return {f * slope, std::sqrt(variance < 0.0 ? 0.0 : variance)};
}

Eigen::VectorXd column_means(const ConstMatrix& X) {
  return X.colwise().mean().transpose();
}

}  // namespace tariffsim
