#include "simulate.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <numbers>
#include <stdexcept>
#include <vector>

#include "tariffsim/kernel.hpp"
#include "tariffsim/vector_math.hpp"

// This file is compiled with -O3 -ffast-math -fno-finite-math-only -fopenmp-simd (see
// CMakeLists.txt): fast-math lets GCC call glibc's vector log/sincos/exp (libmvec) and vectorise
// the reductions; NaN semantics are kept because growth is NaN where it is undefined. Results are
// a pure function of the stream, so they are the same for any thread count.

namespace tariffsim::bagwell_staiger {

namespace {

constexpr std::size_t kChunk = 1024;  // periods per chunk: fits L1 with its work arrays, vectorises

// Box–Muller on the pairs (u[i], u[i + n/2]), then Vf = exp(log_mu + log_sigma z), in place.
// Pairing the two halves rather than neighbours keeps every access unit-stride. n is even.
TARIFFSIM_KERNEL void lognormal_in_place(double* u, std::size_t n, double log_mu,
                                         double log_sigma) {
  const std::size_t h = n / 2;
  const double two_pi = 2.0 * std::numbers::pi;
#pragma omp simd
  for (std::size_t i = 0; i < h; ++i) {
    const double r = log_sigma * std::sqrt(-2.0 * std::log(u[i]));
    const double angle = two_pi * u[i + h];
    // cos written as a shifted sin: GCC fuses sin and cos of one angle into a scalar sincos,
    // which has no vector variant.
    u[i] = std::exp(log_mu + r * std::sin(angle + 0.5 * std::numbers::pi));
    u[i + h] = std::exp(log_mu + r * std::sin(angle));
  }
}

// Standard normals by the same Box–Muller pairing, in place (n even).
TARIFFSIM_KERNEL void normal_in_place(double* u, std::size_t n) {
  const std::size_t h = n / 2;
  const double two_pi = 2.0 * std::numbers::pi;
#pragma omp simd
  for (std::size_t i = 0; i < h; ++i) {
    const double r = std::sqrt(-2.0 * std::log(u[i]));
    const double angle = two_pi * u[i + h];
    u[i] = r * std::sin(angle + 0.5 * std::numbers::pi);
    u[i + h] = r * std::sin(angle);
  }
}

// z[i] -> exp(mu[i] + sigma[i] z[i]).
TARIFFSIM_KERNEL void exp_affine_in_place(double* z, const double* mu, const double* sigma,
                                          std::size_t n) {
#pragma omp simd
  for (std::size_t i = 0; i < n; ++i) z[i] = std::exp(mu[i] + sigma[i] * z[i]);
}

TARIFFSIM_KERNEL void affine_in_place(double* u, std::size_t n, double lo, double width) {
#pragma omp simd
  for (std::size_t i = 0; i < n; ++i) u[i] = lo + width * u[i];
}

// Inverse CDF of a discrete distribution: the atom whose cumulative interval holds u.
void discrete_in_place(const Distribution& d, double* u, std::size_t n) {
  const std::size_t atoms = d.values.size();
  double cum[64];
  if (atoms > 64) {
    for (std::size_t i = 0; i < n; ++i) u[i] = d.quantile(u[i]);
    return;
  }
  double acc = 0;
  for (std::size_t j = 0; j < atoms; ++j) cum[j] = acc += d.probs[j];
  for (std::size_t i = 0; i < n; ++i) {
    std::size_t idx = 0;
    for (std::size_t j = 0; j + 1 < atoms; ++j) idx += u[i] > cum[j];
    u[i] = d.values[idx];
  }
}

struct Totals {
  double protect = 0, increase = 0, onset = 0, growth_n = 0;
  double sum_tau = 0, sum_tau2 = 0, sum_v = 0, sum_growth = 0;
  double tau_n = 0, tau_mean = 0, tau_m2 = 0;  // the tariff's variance, merged chunk by chunk
};

// Adds a chunk's (n, mean, M2) of the tariff (Chan et al.): the one-pass sum(x^2) - n mean^2 loses
// every digit when the tariff's mean is large against its spread.
void merge_tariff_variance(Totals& t, double n, double mean, double m2) {
  const double total = t.tau_n + n, delta = mean - t.tau_mean;
  t.tau_mean += delta * n / total;
  t.tau_m2 += m2 + delta * delta * t.tau_n * n / total;
  t.tau_n = total;
}

// One chunk of a path. excess[0] and volume[0] carry the previous period (t − 1); excess[1..m]
// and volume[1..m] are written here. `first` = 1 when the chunk starts at t = 0, which has no
// predecessor. Increases compare recorded excesses Vf − V-bar rather than tariffs, so they do not
// depend on a when theta = 0 (spec §8 invariance), and V = min(Vf, (Vf + V-bar)/2) for the same
// reason.
TARIFFSIM_KERNEL void path_chunk(const double* vf, std::size_t m, double vbar, double inv_2a,
                                 double theta, std::size_t first, double* excess, double* volume,
                                 double* tau, double* growth, Totals& t) {
  double protect = 0, sum_tau = 0, sum_tau2 = 0, sum_v = 0;
#pragma omp simd reduction(+ : protect, sum_tau, sum_tau2, sum_v)
  for (std::size_t i = 0; i < m; ++i) {
    // Plain conditionals, not std::max/min: those return references, which stops vectorisation.
    const double diff = vf[i] - vbar;
    const double e = diff > 0.0 ? diff : 0.0;
    const double recorded = e * inv_2a > theta ? e : 0.0;
    const double midpoint = 0.5 * (vf[i] + vbar);
    const double v = vf[i] < midpoint ? vf[i] : midpoint;
    const double tariff = recorded * inv_2a;
    excess[i + 1] = recorded;
    volume[i + 1] = v;
    tau[i] = tariff;
    protect += recorded > 0.0 ? 1.0 : 0.0;
    sum_tau += tariff;
    sum_tau2 += tariff * tariff;
    sum_v += v;
  }
  const double chunk_mean = sum_tau / static_cast<double>(m);
  double chunk_m2 = 0;
#pragma omp simd reduction(+ : chunk_m2)
  for (std::size_t i = 0; i < m; ++i) {
    const double d = tau[i] - chunk_mean;
    chunk_m2 += d * d;
  }
  merge_tariff_variance(t, static_cast<double>(m), chunk_mean, chunk_m2);
  double increase = 0, onset = 0, growth_n = 0, sum_growth = 0;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  if (first) growth[0] = nan;
#pragma omp simd reduction(+ : increase, onset, growth_n, sum_growth)
  for (std::size_t i = first; i < m; ++i) {
    const double prev = excess[i], cur = excess[i + 1];
    increase += cur > prev ? 1.0 : 0.0;
    onset += (prev == 0.0 && cur > 0.0) ? 1.0 : 0.0;
    const bool defined = volume[i] != 0.0;
    const double g = defined ? volume[i + 1] / volume[i] - 1.0 : nan;
    growth[i] = g;
    growth_n += defined ? 1.0 : 0.0;
    sum_growth += defined ? g : 0.0;
  }
  t.protect += protect;
  t.sum_tau += sum_tau;
  t.sum_tau2 += sum_tau2;
  t.sum_v += sum_v;
  t.increase += increase;
  t.onset += onset;
  t.growth_n += growth_n;
  t.sum_growth += sum_growth;
}

void copy_into(std::span<double> dst, std::size_t offset, const double* src, std::size_t n) {
  if (!dst.empty()) std::memcpy(dst.data() + offset, src, n * sizeof(double));
}

}  // namespace

void draw_volumes(const Distribution& d, Stream& stream, double* out, std::size_t n) {
  switch (d.kind()) {
    case DistKind::Degenerate:
      std::fill(out, out + n, d.values.front());
      return;
    case DistKind::Uniform:
      stream.fill_uniform(out, n);
      affine_in_place(out, n, d.p1, d.p2 - d.p1);
      return;
    case DistKind::Lognormal: {
      if (d.log_sigma == 0.0) {
        std::fill(out, out + n, d.p1);
        return;
      }
      // Box–Muller needs pairs: an odd n draws one extra uniform and drops its partner.
      double buffer[kChunk];
      for (std::size_t start = 0; start < n; start += kChunk) {
        const std::size_t m = std::min(kChunk, n - start);
        const std::size_t even = m + (m & 1);
        stream.fill_uniform(buffer, even);
        lognormal_in_place(buffer, even, d.log_mu, d.log_sigma);
        std::memcpy(out + start, buffer, m * sizeof(double));
      }
      return;
    }
    case DistKind::Discrete:
      stream.fill_uniform(out, n);
      discrete_in_place(d, out, n);
      return;
    case DistKind::TruncNormal:
      stream.fill_uniform(out, n);
      for (std::size_t i = 0; i < n; ++i) out[i] = d.quantile(out[i]);
      return;
  }
}

namespace {

// The rule over one path, chunk by chunk: `volumes(start, m, buffer)` returns the free-trade
// volumes of periods [start, start + m), drawn into `buffer` or found elsewhere.
template <typename Volumes>
Totals run_path(const PathSpec& spec, PathSeries series, Volumes volumes) {
  const double inv_2a = 1.0 / (2.0 * spec.a);
  const auto T = static_cast<std::size_t>(spec.periods);
  double buffer[kChunk], excess[kChunk + 1], volume[kChunk + 1], tau[kChunk], growth[kChunk];
  excess[0] = 0.0;
  volume[0] = 0.0;
  Totals totals;
  for (std::size_t start = 0; start < T; start += kChunk) {
    const std::size_t m = std::min(kChunk, T - start);
    const double* vf = volumes(start, m, buffer);
    path_chunk(vf, m, spec.vbar, inv_2a, spec.theta, start == 0 ? 1 : 0, excess, volume, tau,
               growth, totals);
    copy_into(series.tariff, start, tau, m);
    copy_into(series.volume, start, volume + 1, m);
    copy_into(series.growth, start, growth, m);
    excess[0] = excess[m];
    volume[0] = volume[m];
  }
  return totals;
}

PathSummary summarize(const Totals& totals, std::size_t T) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  PathSummary s;
  const double n = static_cast<double>(T);
  const double transitions = static_cast<double>(T) - 1.0;
  s.share_protect = totals.protect / n;
  s.share_increase = T > 1 ? totals.increase / transitions : nan;
  s.share_onset = T > 1 ? totals.onset / transitions : nan;
  s.mean_tau = totals.sum_tau / n;
  s.mean_tau2 = totals.sum_tau2 / n;
  s.var_tau = T > 1 ? totals.tau_m2 / (n - 1) : nan;
  s.mean_volume = totals.sum_v / n;
  s.mean_growth = totals.growth_n > 0 ? totals.sum_growth / totals.growth_n : nan;
  return s;
}

}  // namespace

PathSummary simulate_path(const PathSpec& spec, Stream& stream, PathSeries series) {
  const Totals totals = run_path(spec, series, [&](std::size_t, std::size_t m, double* buffer) {
    draw_volumes(*spec.dist, stream, buffer, m);
    return static_cast<const double*>(buffer);
  });
  return summarize(totals, static_cast<std::size_t>(spec.periods));
}

void simulate_lognormal_paths(std::span<const PathSpec> specs, Stream& stream,
                              std::span<double> tariff, std::span<double> growth) {
  if (specs.empty()) return;
  const auto P = static_cast<std::size_t>(specs.front().periods);
  const std::size_t n = specs.size() * P;
  // One panel per thread at a time: the batch's buffers are reused across its panels.
  thread_local std::vector<double> vf, mu, sigma;
  vf.resize(n + (n & 1));  // Box–Muller needs pairs: an odd batch draws one spare
  mu.resize(n);
  sigma.resize(n);
  stream.fill_uniform(vf.data(), vf.size());
  normal_in_place(vf.data(), vf.size());
  for (std::size_t k = 0; k < specs.size(); ++k) {
    if (specs[k].dist->kind() != DistKind::Lognormal || specs[k].periods != specs[0].periods)
      throw std::invalid_argument("simulate_lognormal_paths: every path lognormal, of one length");
    std::fill_n(mu.data() + k * P, P, specs[k].dist->log_mu);
    std::fill_n(sigma.data() + k * P, P, specs[k].dist->log_sigma);
  }
  exp_affine_in_place(vf.data(), mu.data(), sigma.data(), n);
  for (std::size_t k = 0; k < specs.size(); ++k) {
    const double* path = vf.data() + k * P;
    run_path(specs[k], {tariff.subspan(k * P, P), {}, growth.subspan(k * P, P)},
             [&](std::size_t start, std::size_t, double*) { return path + start; });
  }
}

}  // namespace tariffsim::bagwell_staiger
