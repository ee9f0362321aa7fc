#include "cross_section.hpp"

#include <algorithm>
#include <boost/math/special_functions/erf.hpp>
#include <cmath>
#include <limits>
#include <numbers>
#include <numeric>

#include "economics.hpp"

namespace tariffsim::customs_union {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

}  // namespace

double firm_count(double u, std::int64_t nmax) {
  const double n = std::floor(u * double(nmax));
  return 1.0 + std::min(n, double(nmax - 1));  // guards u * nmax rounding up to nmax
}

double bias_of_z(double z, double amax) {
  return amax * 0.5 * boost::math::erfc(-z / std::numbers::sqrt2);
}

namespace {

// Censoring shares (spec §7: a sector is dropped when any of its tariffs is prohibitive) and the
// observed AVEs of the sectors kept, into `out`.
void censor(const CrossSectionDraws& d, double a, double b, CrossSectionStats& s,
            InteriorSample& out) {
  const std::size_t L = d.n_i.size();
  for (auto* v : {&out.mfn_i, &out.mfn_j, &out.cu, &out.n_i, &out.n_j}) v->clear();
  double c_mi = 0, c_mj = 0, c_fi = 0, c_fj = 0, c_cu = 0, c_any = 0;
  for (std::size_t l = 0; l < L; ++l) {
    // n_k = 1: no AVE depends on it, and with n_k > 0 every regime taxes someone.
    const Sector x{1.0, d.n_i[l], d.n_j[l], 1.0, d.alpha_i[l], d.alpha_j[l], a, b};
    const Tariff mi = optimal_tariff(x, Regime::MFN_i), mj = optimal_tariff(x, Regime::MFN_j);
    const Tariff cu = optimal_tariff(x, Regime::CU_ab);
    const auto prohibitive = [](const Tariff& t) { return t.status == Status::Prohibitive; };
    const bool pmi = prohibitive(mi), pmj = prohibitive(mj), pcu = prohibitive(cu);
    const bool pfi = prohibitive(optimal_tariff(x, Regime::FTA_i));
    const bool pfj = prohibitive(optimal_tariff(x, Regime::FTA_j));
    c_mi += pmi;
    c_mj += pmj;
    c_fi += pfi;
    c_fj += pfj;
    c_cu += pcu;
    if (pmi || pmj || pfi || pfj || pcu) {
      c_any += 1;
      continue;
    }
    out.mfn_i.push_back(mi.tau + d.e_mfn_i[l]);
    out.mfn_j.push_back(mj.tau + d.e_mfn_j[l]);
    out.cu.push_back(cu.tau + d.e_cu[l]);
    out.n_i.push_back(d.n_i[l]);
    out.n_j.push_back(d.n_j[l]);
  }
  const double dl = double(L);
  s.cens_MFN_i = c_mi / dl;
  s.cens_MFN_j = c_mj / dl;
  s.cens_FTA_i = c_fi / dl;
  s.cens_FTA_j = c_fj / dl;
  s.cens_CU = c_cu / dl;
  s.cens_any = c_any / dl;
  s.n_interior = double(out.cu.size());
}

void rank_statistics(InteriorSample& x, CrossSectionStats& s) {
  const std::size_t n = x.cu.size();
  x.mean.resize(n);
  x.max.resize(n);
  double above = 0;
  for (std::size_t k = 0; k < n; ++k) {
    x.mean[k] = 0.5 * (x.mfn_i[k] + x.mfn_j[k]);
    x.max[k] = std::max(x.mfn_i[k], x.mfn_j[k]);
    above += x.cu[k] > x.max[k];
  }
  s.spearman_CU_mean = spearman(x.cu, x.mean);
  s.spearman_CU_max = spearman(x.cu, x.max);
  s.spearman_CU_MFN_i = spearman(x.cu, x.mfn_i);
  s.spearman_CU_MFN_j = spearman(x.cu, x.mfn_j);
  s.top_decile_retention = top_decile_retention(x.mean, x.cu);
  s.share_CU_above_max = n > 0 ? above / double(n) : kNaN;
}

// y = scale_cu * tau_CU on 1, scale_i * tau_MFN_i and scale_j * tau_MFN_j; the scales are 1 for
// the naive regression and the firm-count factors 1+n of spec §7 for the structural one.
template <class ScaleI, class ScaleJ, class ScaleCu>
RegressionStats regress(const InteriorSample& x, ScaleI scale_i, ScaleJ scale_j, ScaleCu scale_cu) {
  const auto n = static_cast<Eigen::Index>(x.cu.size());
  Eigen::MatrixXd X(n, 3);
  Eigen::VectorXd y(n);
  for (Eigen::Index k = 0; k < n; ++k) {
    const auto u = static_cast<std::size_t>(k);
    X.row(k) << 1.0, scale_i(u) * x.mfn_i[u], scale_j(u) * x.mfn_j[u];
    y(k) = scale_cu(u) * x.cu[u];
  }
  const OlsResult r = ols(X, y);
  const ImpliedWeight w = implied_weight(r, 1);
  return {r.coef(0), r.coef(1), r.coef(2), w.w, w.se};
}

}  // namespace

CrossSectionStats cross_section(const CrossSectionDraws& d, double a, double b, InteriorSample& x) {
  CrossSectionStats s;
  censor(d, a, b, s, x);
  rank_statistics(x, s);
  const auto one = [](std::size_t) { return 1.0; };
  s.naive = regress(x, one, one, one);
  s.structural = regress(
      x, [&](std::size_t u) { return 1 + x.n_i[u]; }, [&](std::size_t u) { return 1 + x.n_j[u]; },
      [&](std::size_t u) { return 1 + x.n_i[u] + x.n_j[u]; });
  return s;
}

CrossSectionStats cross_section(const CrossSectionDraws& d, double a, double b) {
  InteriorSample x;
  return cross_section(d, a, b, x);
}

}  // namespace tariffsim::customs_union
