// Sobol indices from a Saltelli design: the design, the estimators and their bootstrap
// (tariffsim/sensitivity.hpp says which, and why the design is built as it is).
#include "tariffsim/sensitivity.hpp"

#include <Eigen/Core>
#include <algorithm>
#include <array>
#include <boost/math/distributions/students_t.hpp>
#include <boost/random/sobol.hpp>
#include <cmath>
#include <limits>

#include "parallel.hpp"
#include "tariffsim/rng.hpp"
#include "tariffsim/stats.hpp"

namespace tariffsim {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::uint64_t shift_word(std::uint64_t seed, std::uint64_t replicate, std::uint32_t dimension) {
  Stream stream(StreamKey{seed, 0}, replicate, "design.sobol_shift", dimension);
  const std::array<std::uint32_t, 4> block = stream.next_block();
  return (std::uint64_t{block[0]} << 32) | block[1];
}

// n points of the Sobol sequence in `dims` dimensions digitally shifted for `replicate`, from its
// zero point on (Boost's engine starts after it, so row 0 is the zero point, shifted). The top 53
// bits of a shifted coordinate make a double in [0, 1) exactly.
std::vector<double> shifted_sobol(std::uint64_t n, std::size_t dims, std::uint64_t seed,
                                  std::uint64_t replicate) {
  boost::random::sobol engine(dims);
  static_assert(boost::random::sobol::max() == std::numeric_limits<std::uint64_t>::max());
  std::vector<std::uint64_t> shift(dims);
  for (std::size_t d = 0; d < dims; ++d)
    shift[d] = shift_word(seed, replicate, static_cast<std::uint32_t>(d));
  std::vector<double> out(n * dims);
  for (std::uint64_t r = 0; r < n; ++r)
    for (std::size_t d = 0; d < dims; ++d) {
      const std::uint64_t x = r == 0 ? 0 : engine();
      out[r * dims + d] = std::ldexp(static_cast<double>((x ^ shift[d]) >> 11), -53);
    }
  return out;
}

// The design's rows j whose k + 2 values are all finite (a failed point gives NaN).
std::vector<std::size_t> finite_rows(std::span<const double> f, std::size_t k) {
  std::vector<std::size_t> rows;
  const std::size_t stride = k + 2;
  for (std::size_t j = 0; j < f.size() / stride; ++j) {
    bool finite = true;
    for (std::size_t c = 0; c < stride; ++c) finite = finite && std::isfinite(f[j * stride + c]);
    if (finite) rows.push_back(j);
  }
  return rows;
}

// The mean of f(A) and f(B) over `rows`: the centre the estimators subtract from f.
double output_mean(std::span<const double> f, std::size_t k, std::span<const std::size_t> rows) {
  const std::size_t stride = k + 2;
  double sum = 0;
  for (const std::size_t j : rows) sum += f[j * stride] + f[j * stride + 1];
  return rows.empty() ? 0.0 : sum / static_cast<double>(2 * rows.size());
}

// The terms every estimator sums, one row per kept design row t, f centred by `centre` (so the
// one-pass variance loses nothing to a large mean): column 0 a + b, 1 a^2 + b^2, 2 + i
// b (f(A_B^(i)) - f(A)), 2 + k + i that change squared, with a = f(A) - centre, b = f(B) - centre.
// A bootstrap resample weighs the same rows by their counts, so the table is built once.
Eigen::MatrixXd row_terms(std::span<const double> f, std::size_t k,
                          std::span<const std::size_t> kept, double centre) {
  const std::size_t stride = k + 2;
  Eigen::MatrixXd q(kept.size(), 2 + 2 * k);
  for (std::size_t t = 0; t < kept.size(); ++t) {
    const double* row = &f[kept[t] * stride];
    const double a = row[0] - centre, b = row[1] - centre;
    const auto r = static_cast<Eigen::Index>(t);
    q(r, 0) = a + b;
    q(r, 1) = a * a + b * b;
    for (std::size_t i = 0; i < k; ++i) {
      const double change = row[2 + i] - row[0];
      q(r, static_cast<Eigen::Index>(2 + i)) = b * change;
      q(r, static_cast<Eigen::Index>(2 + k + i)) = change * change;
    }
  }
  return q;
}

// First-order and total indices from the row terms' column sums, `count` rows summed (with
// their multiplicity), into first[i * step] and total[i * step].
void indices_from_sums(const Eigen::VectorXd& sums, double count, std::size_t k, double* first,
                       double* total, std::size_t step) {
  const double mean = sums[0] / (2 * count);
  const double v = count < 2 ? 0.0 : sums[1] / (2 * count) - mean * mean;
  for (std::size_t i = 0; i < k; ++i) {
    const auto s1 = static_cast<Eigen::Index>(2 + i), st = static_cast<Eigen::Index>(2 + k + i);
    first[i * step] = v > 0 ? sums[s1] / count / v : kNaN;
    total[i * step] = v > 0 ? sums[st] / (2 * count) / v : kNaN;
  }
}

// How often each of m kept rows is drawn in the b-th resample of m draws with replacement (`u`
// is scratch space). Eigen's own allocation keeps the vector's alignment, and with it the order
// of the sums taken over it, the same in every run.
void resample_counts(std::size_t m, std::uint64_t seed, std::uint64_t b, std::vector<double>& u,
                     Eigen::VectorXd& counts) {
  Stream stream(StreamKey{seed, 0}, b, "sensitivity.bootstrap");
  u.resize(m);
  stream.fill_uniform(u.data(), m);
  counts.setZero(static_cast<Eigen::Index>(m));
  for (const double x : u) counts[static_cast<Eigen::Index>(uniform_index(x, m))] += 1.0;
}

// The indices of the rows `kept`, each counted once, centred on their own mean.
void estimate_rows(std::span<const double> f, std::size_t k, std::span<const std::size_t> kept,
                   double* first, double* total, std::size_t step) {
  const Eigen::MatrixXd q = row_terms(f, k, kept, output_mean(f, k, kept));
  indices_from_sums(q.colwise().sum().transpose(), static_cast<double>(kept.size()), k, first,
                    total, step);
}

// estimate ± t s / sqrt(R') per input, s the standard deviation of the R' finite values among
// draws[i * R + r] (the Accumulator skips the others; NaN with fewer than 2).
void student_interval(const std::vector<double>& estimate, const std::vector<double>& draws,
                      double confidence, std::vector<double>& lo, std::vector<double>& hi) {
  const std::size_t k = estimate.size(), replicates = draws.size() / k;
  lo.assign(k, kNaN);
  hi.assign(k, kNaN);
  for (std::size_t i = 0; i < k; ++i) {
    Accumulator spread;
    for (std::size_t r = 0; r < replicates; ++r) spread.add(draws[i * replicates + r]);
    if (spread.n() < 2) continue;
    const double t = boost::math::quantile(
        boost::math::students_t_distribution<double>(static_cast<double>(spread.n() - 1)),
        (1 + confidence) / 2);
    const double half = t * spread.se();
    lo[i] = estimate[i] - half;
    hi[i] = estimate[i] + half;
  }
}

// The percentile interval of each input's B bootstrap estimates (draws[i * B + b]).
void percentile_interval(const std::vector<double>& draws, std::size_t k, double confidence,
                         std::vector<double>& lo, std::vector<double>& hi) {
  const std::size_t resamples = draws.size() / k;
  const std::array<double, 2> probs = {(1 - confidence) / 2, (1 + confidence) / 2};
  lo.assign(k, kNaN);
  hi.assign(k, kNaN);
  for (std::size_t i = 0; i < k; ++i) {
    const auto q = quantiles(std::span(draws).subspan(i * resamples, resamples), probs);
    lo[i] = q[0];
    hi[i] = q[1];
  }
}

}  // namespace

std::vector<double> saltelli_unit_rows(std::uint64_t n, std::size_t k, std::uint64_t seed,
                                       std::uint64_t replicates) {
  const std::size_t stride = k + 2;
  const std::uint64_t m = n / replicates;
  std::vector<double> rows(n * stride * k);
  for (std::uint64_t r = 0; r < replicates; ++r) {
    const std::vector<double> ab = shifted_sobol(m, 2 * k, seed, r);
    for (std::uint64_t t = 0; t < m; ++t) {
      const double* a = &ab[t * 2 * k];
      const double* b = a + k;
      for (std::size_t c = 0; c < stride; ++c) {
        double* row = &rows[((r * m + t) * stride + c) * k];
        for (std::size_t i = 0; i < k; ++i) row[i] = (c == 1 || c == 2 + i) ? b[i] : a[i];
      }
    }
  }
  return rows;
}

namespace {

// The intervals from the spread of the replicates' own estimates (kept: the rows used, sorted).
void replicate_intervals(std::span<const double> f, std::size_t k,
                         std::span<const std::size_t> kept, const SobolIntervalOptions& options,
                         SobolIndices& out) {
  const std::size_t replicates = options.replicates;
  const std::size_t rows_per_replicate = f.size() / (k + 2) / replicates;
  std::vector<double> first(k * replicates, kNaN), total(k * replicates, kNaN);
  auto begin = kept.begin();
  for (std::size_t r = 0; r < replicates; ++r) {
    const auto end =
        std::find_if(begin, kept.end(), [&](std::size_t j) { return j / rows_per_replicate != r; });
    if (end - begin >= 2) estimate_rows(f, k, {begin, end}, &first[r], &total[r], replicates);
    begin = end;
  }
  student_interval(out.first, first, options.confidence, out.first_lo, out.first_hi);
  student_interval(out.total, total, options.confidence, out.total_lo, out.total_hi);
}

void bootstrap_intervals(std::span<const double> f, std::size_t k,
                         std::span<const std::size_t> kept, const SobolIntervalOptions& options,
                         SobolIndices& out) {
  const Eigen::MatrixXd q = row_terms(f, k, kept, output_mean(f, k, kept));
  // Each resample writes its own slots: the result does not depend on the thread count.
  const std::size_t resamples = options.resamples;
  std::vector<double> first(k * resamples, kNaN), total(k * resamples, kNaN);
  if (!kept.empty())
    detail::parallel_for(std::size_t{0}, resamples, [&](std::size_t b) {
      std::vector<double> u;
      Eigen::VectorXd counts;
      resample_counts(kept.size(), options.seed, b, u, counts);
      const Eigen::VectorXd sums = q.transpose() * counts;
      indices_from_sums(sums, static_cast<double>(kept.size()), k, &first[b], &total[b], resamples);
    });
  percentile_interval(first, k, options.confidence, out.first_lo, out.first_hi);
  percentile_interval(total, k, options.confidence, out.total_lo, out.total_hi);
}

}  // namespace

SobolIndices sobol_indices(std::span<const double> f, std::size_t k,
                           const SobolIntervalOptions& options) {
  SobolIndices out;
  out.first.resize(k);
  out.total.resize(k);
  const std::vector<std::size_t> kept = finite_rows(f, k);
  out.rows = kept.size();
  estimate_rows(f, k, kept, out.first.data(), out.total.data(), 1);
  if (options.replicates >= 2)
    replicate_intervals(f, k, kept, options, out);
  else
    bootstrap_intervals(f, k, kept, options, out);
  return out;
}

}  // namespace tariffsim
