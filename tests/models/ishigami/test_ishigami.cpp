// The Ishigami function's closed-form Sobol indices against quadrature, and the engine's
// [sensitivity] estimators against those indices: point estimates inside their intervals, the
// replicate intervals' coverage over seeds near nominal (the row bootstrap's: conservative on the
// Sobol design, nominal on independent rows), and the result independent of the thread count.
#include <tbb/task_arena.h>

#include <array>
#include <catch2/catch.hpp>
#include <cmath>
#include <numbers>
#include <vector>

#include "economics.hpp"
#include "tariffsim/rng.hpp"
#include "tariffsim/sensitivity.hpp"

using namespace tariffsim;
using namespace tariffsim::ishigami;

namespace {

constexpr double kPi = std::numbers::pi;
constexpr double kA = 7.0, kB = 0.1;

// The mean of g over [-pi, pi] by the midpoint rule on m cells (g smooth and periodic or
// polynomial: the error is far below the tolerances used).
template <typename G>
double mean_over_input(G g, int m = 4000) {
  double sum = 0;
  for (int i = 0; i < m; ++i) sum += g(-kPi + (i + 0.5) * 2 * kPi / m);
  return sum / m;
}

// The design's outputs: f at the n (k + 2) points of the Saltelli design on [-pi, pi]^3.
std::vector<double> design_outputs(std::uint64_t n, std::uint64_t seed,
                                   std::uint64_t replicates = 1) {
  const std::vector<double> unit = saltelli_unit_rows(n, 3, seed, replicates);
  std::vector<double> f(unit.size() / 3);
  for (std::size_t p = 0; p < f.size(); ++p) {
    const double* u = &unit[3 * p];
    f[p] = ishigami_function(-kPi + 2 * kPi * u[0], -kPi + 2 * kPi * u[1], -kPi + 2 * kPi * u[2],
                             kA, kB);
  }
  return f;
}

// The same outputs on a design whose rows are independent: A and B drawn uniformly (the
// bootstrap's own assumption), A_B^(i) built from them as in the Saltelli design.
std::vector<double> independent_outputs(std::uint64_t n, std::uint64_t seed, std::uint64_t) {
  Stream draws(StreamKey{seed, 1}, 0, "test.independent_rows");
  std::vector<double> f(n * 5);
  for (std::uint64_t j = 0; j < n; ++j) {
    std::array<double, 3> a{}, b{};
    for (double& x : a) x = -kPi + 2 * kPi * draws.uniform();
    for (double& x : b) x = -kPi + 2 * kPi * draws.uniform();
    f[j * 5] = ishigami_function(a[0], a[1], a[2], kA, kB);
    f[j * 5 + 1] = ishigami_function(b[0], b[1], b[2], kA, kB);
    for (std::size_t i = 0; i < 3; ++i) {
      std::array<double, 3> x = a;
      x[i] = b[i];
      f[j * 5 + 2 + i] = ishigami_function(x[0], x[1], x[2], kA, kB);
    }
  }
  return f;
}

bool inside(double x, double lo, double hi) {
  return lo <= x && x <= hi;
}

struct Coverage {
  std::array<int, 3> first{}, total{};
};

// How often the intervals of `repetitions` seeds hold the closed-form indices.
template <typename Outputs>
Coverage coverage(Outputs outputs, int repetitions, std::uint64_t n, std::uint64_t replicates,
                  double nominal) {
  const IshigamiIndices truth = ishigami_indices(kA, kB);
  Coverage hits;
  for (int r = 0; r < repetitions; ++r) {
    const auto seed = static_cast<std::uint64_t>(1000 + r);
    const SobolIndices est =
        sobol_indices(outputs(n, seed, replicates), 3, {replicates, 300, nominal, seed});
    for (std::size_t i = 0; i < 3; ++i) {
      hits.first[i] += inside(truth.first[i], est.first_lo[i], est.first_hi[i]);
      hits.total[i] += inside(truth.total[i], est.total_lo[i], est.total_hi[i]);
    }
  }
  return hits;
}

// Coverage within 3 binomial standard errors of nominal, on both sides.
void check_nominal(const Coverage& hits, int repetitions, double nominal) {
  const double tolerance = 3 * std::sqrt(nominal * (1 - nominal) / repetitions);
  for (std::size_t i = 0; i < 3; ++i) {
    INFO("input x" << i + 1 << ": first covered " << hits.first[i] << ", total " << hits.total[i]
                   << " of " << repetitions << ", nominal " << nominal << " +- " << tolerance);
    CHECK(std::abs(hits.first[i] / double(repetitions) - nominal) <= tolerance);
    CHECK(std::abs(hits.total[i] / double(repetitions) - nominal) <= tolerance);
  }
}

}  // namespace

TEST_CASE("Ishigami partial variances agree with quadrature") {
  const IshigamiVariances v = ishigami_variances(kA, kB);
  // E[f | x1] = sin x1 (1 + b E[x3^4]) + a E[sin^2 x2]; E[f | x2] = a sin^2 x2 (E[sin x1] = 0).
  const double m4 = mean_over_input([](double x) { return std::pow(x, 4); });
  const double s2 = mean_over_input([](double x) { return std::pow(std::sin(x), 2); });
  const double mean = kA * s2;
  const double v1 = mean_over_input(
      [&](double x) { return std::pow(std::sin(x) * (1 + kB * m4) + kA * s2 - mean, 2); });
  const double v2 =
      mean_over_input([&](double x) { return std::pow(kA * std::pow(std::sin(x), 2) - mean, 2); });
  // Var f by a product midpoint rule; f's terms separate, so 400^3 points are exact to ~1e-6.
  const int m = 400;
  double sum = 0, squares = 0;
  for (int i = 0; i < m; ++i)
    for (int j = 0; j < m; ++j)
      for (int l = 0; l < m; ++l) {
        const auto at = [&](int c) { return -kPi + (c + 0.5) * 2 * kPi / m; };
        const double f = ishigami_function(at(i), at(j), at(l), kA, kB);
        sum += f;
        squares += f * f;
      }
  const double count = static_cast<double>(m) * m * m;
  const double var = squares / count - (sum / count) * (sum / count);
  CHECK(v.v1 == Approx(v1).epsilon(1e-6));
  CHECK(v.v2 == Approx(v2).epsilon(1e-6));
  CHECK(v.total() == Approx(var).epsilon(1e-4));
  // The indices the literature quotes for a = 7, b = 0.1 (Saltelli et al. 2010), to 4 digits.
  const IshigamiIndices s = ishigami_indices(kA, kB);
  CHECK(s.first[0] == Approx(0.3139).margin(5e-5));
  CHECK(s.total[2] == Approx(0.2437).margin(5e-5));
}

TEST_CASE("Saltelli design: B rows, A_B^(i) rows, and a digitally shifted Sobol net") {
  const std::uint64_t n = 256;
  const std::size_t k = 3;
  const auto rows = saltelli_unit_rows(n, k, 11);
  REQUIRE(rows.size() == n * (k + 2) * k);
  std::vector<int> strata(n, 0);
  for (std::uint64_t j = 0; j < n; ++j) {
    const double* a = &rows[(j * (k + 2)) * k];
    const double* b = a + k;
    for (std::size_t i = 0; i < k; ++i) {
      const double* ab = &rows[(j * (k + 2) + 2 + i) * k];
      for (std::size_t c = 0; c < k; ++c) REQUIRE(ab[c] == (c == i ? b[c] : a[c]));
    }
    for (std::size_t c = 0; c < 2 * k; ++c) {
      const double u = c < k ? a[c] : b[c - k];
      REQUIRE((u >= 0 && u < 1));
    }
    ++strata[static_cast<std::size_t>(a[0] * n)];
  }
  // The first 2^m points of a digitally shifted Sobol sequence put one point in each stratum.
  for (int count : strata) REQUIRE(count == 1);
  CHECK(saltelli_unit_rows(n, k, 12) != rows);
  CHECK(saltelli_unit_rows(n, k, 11) == rows);
}

TEST_CASE("Saltelli design in replicates: each a net of its own, independently shifted") {
  const std::uint64_t n = 256, replicates = 4, m = n / replicates;
  const std::size_t k = 3, values_per_row = (k + 2) * k;
  const auto rows = saltelli_unit_rows(n, k, 11, replicates);
  REQUIRE(rows.size() == n * values_per_row);
  // Replicate 0 is the one-replicate design of m rows; the others are shifted otherwise.
  const auto first = saltelli_unit_rows(m, k, 11);
  CHECK(std::equal(first.begin(), first.end(), rows.begin()));
  for (std::uint64_t r = 0; r < replicates; ++r) {
    std::vector<int> strata(m, 0);
    for (std::uint64_t t = 0; t < m; ++t) {
      const double a0 = rows[(r * m + t) * values_per_row];
      ++strata[static_cast<std::size_t>(a0 * m)];
      if (r > 0) CHECK(a0 != rows[t * values_per_row]);
    }
    for (int count : strata) REQUIRE(count == 1);
  }
}

TEST_CASE("Ishigami: the analytic indices lie inside their 99% intervals") {
  // 99%, not 95%: six intervals each miss with probability 1 - confidence, and this is one seed.
  const IshigamiIndices truth = ishigami_indices(kA, kB);
  for (const std::uint64_t replicates : {16, 1}) {
    const SobolIndices est =
        sobol_indices(design_outputs(4096, 2026, replicates), 3, {replicates, 1000, 0.99, 2026});
    for (std::size_t i = 0; i < 3; ++i) {
      INFO("input x" << i + 1 << ", " << replicates << " replicate(s)");
      CHECK(inside(truth.first[i], est.first_lo[i], est.first_hi[i]));
      CHECK(inside(truth.total[i], est.total_lo[i], est.total_hi[i]));
      CHECK(inside(est.first[i], est.first_lo[i], est.first_hi[i]));
      CHECK(inside(est.total[i], est.total_lo[i], est.total_hi[i]));
    }
  }
}

// Independent replicates of the scrambled design give i.i.d. estimates: their Student t interval
// covers nominally, where the row bootstrap on one net cannot (below).
TEST_CASE("Ishigami: 95% intervals from 16 replicates of the Sobol design cover nominally") {
  const int repetitions = 400;
  check_nominal(coverage(design_outputs, repetitions, 2048, 16, 0.95), repetitions, 0.95);
}

// On one net the bootstrap, which resamples rows as if independent, is conservative: a digitally
// shifted net's estimates vary far less over seeds than independent rows' would, so the intervals
// cover at least nominally (the bound below) and in practice nearly always.
TEST_CASE("Ishigami: 95% bootstrap intervals on one Sobol net cover at least nominally") {
  const int repetitions = 100;
  const double nominal = 0.95;
  const double bound = nominal - 3 * std::sqrt(nominal * (1 - nominal) / repetitions);
  const Coverage hits = coverage(design_outputs, repetitions, 1024, 1, nominal);
  for (std::size_t i = 0; i < 3; ++i) {
    INFO("input x" << i + 1 << ": first covered " << hits.first[i] << ", total " << hits.total[i]
                   << " of " << repetitions << ", bound " << bound);
    CHECK(hits.first[i] >= bound * repetitions);
    CHECK(hits.total[i] >= bound * repetitions);
  }
}

// Where the bootstrap's assumption holds (independent rows) its intervals are calibrated.
TEST_CASE("Ishigami: 95% bootstrap intervals on independent rows cover nominally") {
  const int repetitions = 400;
  check_nominal(coverage(independent_outputs, repetitions, 512, 1, 0.95), repetitions, 0.95);
}

TEST_CASE("Sobol indices do not depend on the thread count") {
  const auto f = design_outputs(512, 7);
  const auto with_threads = [&](int threads) {
    tbb::task_arena arena(threads);
    SobolIndices out;
    arena.execute([&] { out = sobol_indices(f, 3, {1, 300, 0.9, 7}); });
    return out;
  };
  const SobolIndices one = with_threads(1), two = with_threads(2);
  CHECK(one.first == two.first);
  CHECK(one.first_lo == two.first_lo);
  CHECK(one.total_hi == two.total_hi);
}

TEST_CASE("Sobol indices leave out rows with a failed point and are NaN with too few rows") {
  auto f = design_outputs(64, 3);
  const SobolIndices all = sobol_indices(f, 3, {1, 50, 0.9, 3});
  f[5 * 7 + 2] = std::nan("");  // row 7's A_B^(1): the row is left out
  const SobolIndices fewer = sobol_indices(f, 3, {1, 50, 0.9, 3});
  CHECK(std::isfinite(fewer.first[0]));
  CHECK(fewer.first[0] != all.first[0]);
  std::vector<double> constant(5 * 4, 1.0);  // V = 0: no variance to decompose
  CHECK(std::isnan(sobol_indices(constant, 3, {1, 20, 0.9, 1}).total[0]));
}
