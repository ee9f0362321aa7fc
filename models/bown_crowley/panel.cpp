#include "panel.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "economics.hpp"

namespace tariffsim::bown_crowley {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kCritical = 1.959963984540054;  // two-sided 5%

double sample_sd(std::span<const double> x) {
  double mean = 0;
  for (double v : x) mean += v;
  mean /= double(x.size());
  double m2 = 0;
  for (double v : x) m2 += (v - mean) * (v - mean);
  return std::sqrt(m2 / double(x.size() - 1));
}

Estimates failed(FitStatus status, double mean_y, double n_obs) {
  Estimates e;
  e.status = status;
  e.b.fill(kNaN);
  e.z.fill(kNaN);
  e.me_growth = e.me_lne = e.me_sd_g = e.z_me_growth = e.z_me_lne = e.z_me_sd_g = kNaN;
  e.pct_growth = e.pct_lne = e.pct_sd_g = kNaN;
  e.reject_g = e.reject_lne = e.reject_sd_g = kNaN;
  e.loglik = e.iterations = kNaN;
  e.mean_y = mean_y;
  e.n_obs = n_obs;
  return e;
}

// 1 when the two-sided 5% test of z rejects with the given sign, 0 when it does not, NaN when there
// is no z (a singular clustered covariance): no test is not a test that failed to reject.
double rejects(double z, int sign) {
  if (std::isnan(z)) return kNaN;
  return sign * z > kCritical ? 1.0 : 0.0;
}

// % change of the predicted probability at means when the index moves by `shift`.
double percent_change(BinaryLink link, double index, double shift) {
  return 100.0 * (link_cdf(link, index + shift) / link_cdf(link, index) - 1.0);
}

}  // namespace

Sectors make_sectors(const DesignParams& p, std::span<const double> z_volume,
                     std::span<const double> u_cv, std::span<const double> z_lne) {
  const std::size_t n = z_volume.size();
  Sectors s;
  for (auto* column : {&s.mean_volume, &s.cv, &s.lne, &s.slope, &s.vbar}) column->resize(n);
  s.volume.reserve(n);
  for (std::size_t k = 0; k < n; ++k) {
    const double m = std::exp(p.log_volume_sd * z_volume[k]);
    const double cv = p.cv_lo + (p.cv_hi - p.cv_lo) * u_cv[k];
    const double lne = p.lne_mean + p.lne_sd * z_lne[k];
    const double a = m / (2.0 * std::exp(lne));
    s.volume.push_back(bagwell_staiger::Distribution::lognormal(m, cv * m));
    s.mean_volume[k] = m;
    s.cv[k] = cv;
    s.lne[k] = lne;
    s.slope[k] = a;
    s.vbar[k] =
        bagwell_staiger::solve_vbar(s.volume[k], p.delta, 6.0 * a * p.defect_cost_share * m);
  }
  return s;
}

std::int64_t simulated_periods(const PanelSpec& spec) {
  return spec.periods + (spec.timing == Timing::Lagged ? 2 : 1);
}

void PanelData::resize(Eigen::Index rows) {
  X.resize(rows, kColumns);
  y.resize(rows);
  sector.resize(static_cast<std::size_t>(rows));
}

void record_sector(const PanelSpec& spec, std::size_t k, double lne, std::span<const double> tariff,
                   std::span<const double> growth, PanelData& out) {
  const auto T = static_cast<std::size_t>(spec.periods);
  const std::size_t lag = spec.timing == Timing::Lagged ? 1 : 0;
  const double sd = sample_sd(growth.subspan(1, T));
  const auto first = static_cast<Eigen::Index>(k * T);
  for (std::size_t r = 0; r < T; ++r) {
    const std::size_t t = r + 1 + lag;  // the outcome's period; the regressor is g_{r+1}
    const double before = tariff[t - 1], now = tariff[t];
    const bool y = spec.outcome == Outcome::Increase ? now > before : (before == 0.0 && now > 0.0);
    const Eigen::Index i = first + static_cast<Eigen::Index>(r);
    const double g = growth[r + 1];
    out.X(i, kConst) = 1.0;
    out.X(i, kGrowth) = g;
    out.X(i, kLne) = lne;
    out.X(i, kGrowthLne) = g * lne;
    out.X(i, kSdGrowth) = sd;
    out.y(i) = y ? 1.0 : 0.0;
    out.sector[static_cast<std::size_t>(i)] = static_cast<std::int64_t>(k);
  }
}

Estimates estimate(const PanelData& data, BinaryLink link) {
  const double n = static_cast<double>(data.y.size());
  const double mean_y = data.y.mean();
  const BinaryFit fit = fit_binary(data.X, data.y, link);
  if (!fit.ok()) return failed(fit.status, mean_y, n);
  const Eigen::MatrixXd V = cluster_cov(fit, data.X, data.sector);
  Estimates e;
  e.status = fit.status;
  e.mean_y = mean_y;
  e.n_obs = n;
  e.loglik = fit.loglik;
  e.iterations = fit.iterations;
  for (Eigen::Index j = 0; j < kColumns; ++j) {
    e.b[j] = fit.coef(j);
    e.z[j] = fit.coef(j) / std::sqrt(V(j, j));
  }
  // Eq. 8: a regressor that enters the interaction moves the index by its own slope plus the
  // interaction's times the other regressor's mean.
  const Eigen::VectorXd xbar = column_means(data.X);
  Eigen::VectorXd c_growth = Eigen::VectorXd::Zero(kColumns), c_lne = c_growth, c_sd = c_growth;
  c_growth(kGrowth) = 1.0;
  c_growth(kGrowthLne) = xbar(kLne);
  c_lne(kLne) = 1.0;
  c_lne(kGrowthLne) = xbar(kGrowth);
  c_sd(kSdGrowth) = 1.0;
  const Effect growth = effect_at_means(fit, V, xbar, c_growth);
  const Effect elasticity = effect_at_means(fit, V, xbar, c_lne);
  const Effect sd = effect_at_means(fit, V, xbar, c_sd);
  e.me_growth = growth.value;
  e.me_lne = elasticity.value;
  e.me_sd_g = sd.value;
  e.z_me_growth = growth.value / growth.se;
  e.z_me_lne = elasticity.value / elasticity.se;
  e.z_me_sd_g = sd.value / sd.se;
  // +1 s.d. (over the observations) of each regressor, the others at their means.
  const double index = xbar.dot(fit.coef);
  const auto sd_of = [&](Column j) {
    return std::sqrt((data.X.col(j).array() - xbar(j)).square().mean());
  };
  e.pct_growth = percent_change(link, index, sd_of(kGrowth) * c_growth.dot(fit.coef));
  e.pct_lne = percent_change(link, index, sd_of(kLne) * c_lne.dot(fit.coef));
  e.pct_sd_g = percent_change(link, index, sd_of(kSdGrowth) * c_sd.dot(fit.coef));
  e.reject_g = rejects(e.z_me_growth, +1);
  e.reject_lne = rejects(e.z_me_lne, +1);
  e.reject_sd_g = rejects(e.z_me_sd_g, -1);
  return e;
}

double outcome_probability(const Sectors& s, std::size_t k, const PanelSpec& spec) {
  const double threshold = s.vbar[k] + 2.0 * s.slope[k] * spec.theta;
  const double p = s.volume[k].partial(threshold).p_above;
  return spec.outcome == Outcome::Increase ? p - 0.5 * p * p : p * (1.0 - p);
}

}  // namespace tariffsim::bown_crowley
