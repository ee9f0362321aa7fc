#include "tariffsim/estimators.hpp"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <limits>
#include <numeric>

namespace tariffsim {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Indices of the k largest values (ties broken by position).
std::vector<std::size_t> top_k(std::span<const double> v, std::size_t k) {
  std::vector<std::size_t> idx(v.size());
  std::iota(idx.begin(), idx.end(), std::size_t{0});
  std::stable_sort(idx.begin(), idx.end(),
                   [&](std::size_t l, std::size_t r) { return v[l] > v[r]; });
  idx.resize(k);
  std::sort(idx.begin(), idx.end());
  return idx;
}

}  // namespace

double pearson(std::span<const double> x, std::span<const double> y) {
  const std::size_t n = x.size();
  if (n < 2) return kNaN;
  const double mx = std::accumulate(x.begin(), x.end(), 0.0) / double(n);
  const double my = std::accumulate(y.begin(), y.end(), 0.0) / double(n);
  double sxy = 0, sxx = 0, syy = 0;
  for (std::size_t k = 0; k < n; ++k) {
    sxy += (x[k] - mx) * (y[k] - my);
    sxx += (x[k] - mx) * (x[k] - mx);
    syy += (y[k] - my) * (y[k] - my);
  }
  if (sxx == 0 || syy == 0) return kNaN;
  return sxy / std::sqrt(sxx * syy);
}

OlsResult ols(const Eigen::MatrixXd& X, const Eigen::VectorXd& y) {
  OlsResult r;
  const Eigen::Index n = X.rows(), k = X.cols();
  r.coef = Eigen::VectorXd::Constant(k, kNaN);
  r.cov = r.cov_h = Eigen::MatrixXd::Constant(k, k, kNaN);
  r.r2 = kNaN;
  if (n < k + 1) return r;
  const Eigen::ColPivHouseholderQR<Eigen::MatrixXd> qr(X);
  if (qr.rank() < k) return r;
  r.coef = qr.solve(y);
  const Eigen::VectorXd e = y - X * r.coef;
  const Eigen::MatrixXd XtX_inv = (X.transpose() * X).inverse();
  const double rss = e.squaredNorm();
  r.cov_h = XtX_inv * (rss / double(n - k));
  const Eigen::MatrixXd meat = X.transpose() * e.cwiseAbs2().asDiagonal() * X;
  r.cov = XtX_inv * meat * XtX_inv * (double(n) / double(n - k));
  const double tss = (y.array() - y.mean()).square().sum();
  r.r2 = tss > 0 ? 1 - rss / tss : kNaN;
  r.ok = true;
  return r;
}

ImpliedWeight implied_weight(const OlsResult& r, Eigen::Index s) {
  if (!r.ok) return {kNaN, kNaN};
  const double c1 = r.coef(s), c2 = r.coef(s + 1), sum = c1 + c2;
  Eigen::Vector2d grad(c2 / (sum * sum), -c1 / (sum * sum));
  const Eigen::Matrix2d V = r.cov.block(s, s, 2, 2);
  return {c1 / sum, std::sqrt(std::max(0.0, double(grad.transpose() * V * grad)))};
}

std::vector<double> average_ranks(std::span<const double> x) {
  const std::size_t n = x.size();
  std::vector<std::size_t> idx(n);
  std::iota(idx.begin(), idx.end(), std::size_t{0});
  std::stable_sort(idx.begin(), idx.end(),
                   [&](std::size_t l, std::size_t r) { return x[l] < x[r]; });
  std::vector<double> rank(n);
  for (std::size_t lo = 0; lo < n;) {
    std::size_t hi = lo + 1;
    while (hi < n && x[idx[hi]] == x[idx[lo]]) ++hi;
    const double avg = 0.5 * double(lo + 1 + hi);  // mean of ranks lo+1..hi
    for (std::size_t k = lo; k < hi; ++k) rank[idx[k]] = avg;
    lo = hi;
  }
  return rank;
}

double spearman(std::span<const double> x, std::span<const double> y) {
  const auto rx = average_ranks(x), ry = average_ranks(y);
  return pearson(rx, ry);
}

double top_decile_retention(std::span<const double> by, std::span<const double> of) {
  const std::size_t n = by.size();
  if (n == 0) return kNaN;
  const std::size_t k = (n + 9) / 10;
  const auto a = top_k(by, k), b = top_k(of, k);
  std::vector<std::size_t> both;
  std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(both));
  return double(both.size()) / double(k);
}

}  // namespace tariffsim
