#include "simulate.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <vector>

namespace tariffsim::bagwell_staiger {

namespace {

constexpr std::size_t kChunk = 512;  // periods drawn at once: fits L1, long enough to vectorise

// Box–Muller on pairs: z[2i], z[2i+1] from u[2i], u[2i+1]. Written as a flat loop so the compiler
// can call the vector log/sincos of libmvec.
void box_muller(const double* u, double* z, std::size_t n) {
  for (std::size_t i = 0; i + 1 < n; i += 2) {
    const double r = std::sqrt(-2.0 * std::log(u[i]));
    const double angle = 2.0 * std::numbers::pi * u[i + 1];
    z[i] = r * std::cos(angle);
    z[i + 1] = r * std::sin(angle);
  }
}

}  // namespace

void draw_volumes(const Distribution& d, Stream& stream, double* out, std::size_t n) {
  switch (d.kind()) {
    case DistKind::Degenerate:
      std::fill(out, out + n, d.values.front());
      return;
    case DistKind::Uniform: {
      stream.fill_uniform(out, n);
      const double lo = d.p1, width = d.p2 - d.p1;
      for (std::size_t i = 0; i < n; ++i) out[i] = lo + width * out[i];
      return;
    }
    case DistKind::Lognormal: {
      if (d.log_sigma == 0.0) {
        std::fill(out, out + n, d.p1);
        return;
      }
      const std::size_t even = n + (n & 1);
      double u[kChunk + 1];
      for (std::size_t start = 0; start < n; start += kChunk) {
        const std::size_t m = std::min(kChunk, even - start);
        stream.fill_uniform(u, m);
        box_muller(u, u, m);
        const std::size_t keep = std::min(m, n - start);
        for (std::size_t i = 0; i < keep; ++i) out[start + i] = std::exp(d.log_mu + d.log_sigma * u[i]);
      }
      return;
    }
    case DistKind::Discrete:
    case DistKind::TruncNormal:
      stream.fill_uniform(out, n);
      for (std::size_t i = 0; i < n; ++i) out[i] = d.quantile(out[i]);
      return;
  }
}

PathSummary simulate_path(const PathSpec& spec, Stream& stream, PathSeries series) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inv_2a = 1.0 / (2.0 * spec.a);
  const double vbar = spec.vbar, a = spec.a, theta = spec.theta;
  double vf[kChunk];
  double prev_tau = 0, prev_v = 0;
  std::int64_t n_protect = 0, n_increase = 0, n_onset = 0, n_growth = 0;
  double sum_tau = 0, sum_tau2 = 0, sum_v = 0, sum_growth = 0;
  const auto T = static_cast<std::size_t>(spec.periods);
  for (std::size_t start = 0; start < T; start += kChunk) {
    const std::size_t m = std::min(kChunk, T - start);
    draw_volumes(*spec.dist, stream, vf, m);
    for (std::size_t i = 0; i < m; ++i) {
      const std::size_t t = start + i;
      const double actual_tau = vf[i] > vbar ? (vf[i] - vbar) * inv_2a : 0.0;
      const double v = vf[i] - a * actual_tau;
      const double tau = actual_tau > theta ? actual_tau : 0.0;  // the recorded tariff
      n_protect += tau > 0;
      sum_tau += tau;
      sum_tau2 += tau * tau;
      sum_v += v;
      double growth = nan;
      if (t > 0) {
        n_increase += tau > prev_tau;
        n_onset += (prev_tau == 0.0) & (tau > 0.0);
        if (prev_v != 0.0) {
          growth = v / prev_v - 1.0;
          sum_growth += growth;
          ++n_growth;
        }
      }
      if (!series.tariff.empty()) series.tariff[t] = tau;
      if (!series.volume.empty()) series.volume[t] = v;
      if (!series.growth.empty()) series.growth[t] = growth;
      prev_tau = tau;
      prev_v = v;
    }
  }
  PathSummary s;
  const double n = static_cast<double>(T);
  const double transitions = static_cast<double>(T - 1);
  s.share_protect = static_cast<double>(n_protect) / n;
  s.share_increase = T > 1 ? static_cast<double>(n_increase) / transitions : nan;
  s.share_onset = T > 1 ? static_cast<double>(n_onset) / transitions : nan;
  s.mean_tau = sum_tau / n;
  s.mean_tau2 = sum_tau2 / n;
  s.var_tau = T > 1 ? std::max(0.0, (sum_tau2 - n * s.mean_tau * s.mean_tau) / (n - 1)) : nan;
  s.mean_volume = sum_v / n;
  s.mean_growth = n_growth ? sum_growth / static_cast<double>(n_growth) : nan;
  return s;
}

}  // namespace tariffsim::bagwell_staiger
