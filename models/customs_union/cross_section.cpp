#include "cross_section.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "economics.hpp"

namespace tariffsim::customs_union {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

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

// Indices of the k largest values (ties broken by position).
std::vector<std::size_t> top_k(std::span<const double> v, std::size_t k) {
  std::vector<std::size_t> idx(v.size());
  std::iota(idx.begin(), idx.end(), std::size_t{0});
  std::stable_sort(idx.begin(), idx.end(), [&](std::size_t l, std::size_t r) { return v[l] > v[r]; });
  idx.resize(k);
  std::sort(idx.begin(), idx.end());
  return idx;
}

}  // namespace

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
  std::stable_sort(idx.begin(), idx.end(), [&](std::size_t l, std::size_t r) { return x[l] < x[r]; });
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

CrossSectionStats cross_section(const CrossSectionDraws& d, double a, double b) {
  const std::size_t L = d.n_i.size();
  CrossSectionStats s;
  std::vector<double> mfn_i, mfn_j, cu, n_i, n_j;
  double c_mi = 0, c_mj = 0, c_fi = 0, c_fj = 0, c_cu = 0, c_any = 0;
  for (std::size_t l = 0; l < L; ++l) {
    const Sector x{1.0, d.n_i[l], d.n_j[l], 1.0, d.alpha_i[l], d.alpha_j[l], a, b};
    const auto prohibitive = [&](Regime r) {
      return optimal_tariff(x, r).status == Status::Prohibitive;
    };
    const bool pmi = prohibitive(Regime::MFN_i), pmj = prohibitive(Regime::MFN_j);
    const bool pfi = prohibitive(Regime::FTA_i), pfj = prohibitive(Regime::FTA_j);
    const bool pcu = prohibitive(Regime::CU_ab);
    c_mi += pmi;
    c_mj += pmj;
    c_fi += pfi;
    c_fj += pfj;
    c_cu += pcu;
    if (pmi || pmj || pfi || pfj || pcu) {
      c_any += 1;
      continue;
    }
    mfn_i.push_back(optimal_tariff(x, Regime::MFN_i).tau + d.e_mfn_i[l]);
    mfn_j.push_back(optimal_tariff(x, Regime::MFN_j).tau + d.e_mfn_j[l]);
    cu.push_back(optimal_tariff(x, Regime::CU_ab).tau + d.e_cu[l]);
    n_i.push_back(d.n_i[l]);
    n_j.push_back(d.n_j[l]);
  }
  const double dl = double(L);
  s.cens_MFN_i = c_mi / dl;
  s.cens_MFN_j = c_mj / dl;
  s.cens_FTA_i = c_fi / dl;
  s.cens_FTA_j = c_fj / dl;
  s.cens_CU = c_cu / dl;
  s.cens_any = c_any / dl;

  const std::size_t n = cu.size();
  s.n_interior = double(n);
  std::vector<double> mean(n), max(n);
  double above = 0;
  for (std::size_t k = 0; k < n; ++k) {
    mean[k] = 0.5 * (mfn_i[k] + mfn_j[k]);
    max[k] = std::max(mfn_i[k], mfn_j[k]);
    above += cu[k] > max[k];
  }
  s.spearman_CU_mean = spearman(cu, mean);
  s.spearman_CU_max = spearman(cu, max);
  s.spearman_CU_MFN_i = spearman(cu, mfn_i);
  s.spearman_CU_MFN_j = spearman(cu, mfn_j);
  s.top_decile_retention = top_decile_retention(mean, cu);
  s.share_CU_above_max = n > 0 ? above / double(n) : kNaN;

  const auto ni = static_cast<Eigen::Index>(n);
  Eigen::MatrixXd Xn(ni, 3), Xs(ni, 3);
  Eigen::VectorXd yn(ni), ys(ni);
  for (Eigen::Index k = 0; k < ni; ++k) {
    const auto u = static_cast<std::size_t>(k);
    Xn.row(k) << 1.0, mfn_i[u], mfn_j[u];
    yn(k) = cu[u];
    Xs.row(k) << 1.0, (1 + n_i[u]) * mfn_i[u], (1 + n_j[u]) * mfn_j[u];
    ys(k) = (1 + n_i[u] + n_j[u]) * cu[u];
  }
  const OlsResult naive = ols(Xn, yn), structural = ols(Xs, ys);
  s.naive_const = naive.coef(0);
  s.naive_b_i = naive.coef(1);
  s.naive_b_j = naive.coef(2);
  const ImpliedWeight wn = implied_weight(naive, 1);
  s.w_naive = wn.w;
  s.se_w_naive = wn.se;
  s.struct_const = structural.coef(0);
  s.struct_c_i = structural.coef(1);
  s.struct_c_j = structural.coef(2);
  const ImpliedWeight ws = implied_weight(structural, 1);
  s.w_struct = ws.w;
  s.se_w_struct = ws.se;
  return s;
}

}  // namespace tariffsim::customs_union
