// Variance-based global sensitivity analysis (DESIGN.md §11; FORMAT.md, "Sensitivity"): the
// Saltelli design of an experiment's [sensitivity], and the Sobol indices of an output over it.
//
// Design: n points of a scrambled Sobol sequence in 2k dimensions (k inputs) make the matrices A
// (dimensions 1..k) and B (k+1..2k); A_B^(i) is A with column i taken from B. Point
// p = j (k + 2) + c is row j of A (c = 0), of B (c = 1) or of A_B^(i) (c = 2 + i), so a run's
// points of one row j sit together. The sequence is Boost.Random's Sobol (Joe–Kuo direction
// numbers) from its zero point on, scrambled by a random digital shift: every coordinate's 64
// bits are XORed with one word per dimension drawn from the Philox stream "design.sobol_shift"
// keyed by the experiment seed. A digital shift keeps the first 2^m points a (t, m, 2k)-net
// (hence n a power of two) and makes the design, and so each index estimate, random with the seed.
//
// Indices of an output f (for a replication-level output: its point means), with V the variance
// (divisor 2n) of the 2n values f(A), f(B) and c their mean:
//   first S_i  = mean_j (f(B)_j - c) (f(A_B^(i))_j - f(A)_j) / V    (Saltelli et al. 2010, b)
//   total ST_i = mean_j (f(A)_j - f(A_B^(i))_j)^2 / (2 V)            (Jansen 1999, f)
// Centring f(B) by c (as SALib does by standardising f) makes S_i invariant to a shift of f; in a
// bootstrap resample c stays the full sample's, and V and the means are the resample's.
// Intervals: the percentile bootstrap over the n rows j (resampled with replacement, each
// resample b from the Philox stream "sensitivity.bootstrap", replication b, keyed by the seed:
// the same resamples for every output, bitwise reproducible). Rows with a non-finite value (a
// failed point) are left out; fewer than 2 rows left, or V = 0, give NaN.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace tariffsim {

// The unit-cube points of the design, n (k + 2) rows x k columns, row-major, in [0, 1).
std::vector<double> saltelli_unit_rows(std::uint64_t n, std::size_t k, std::uint64_t seed);

struct SobolIndices {
  std::vector<double> first, first_lo, first_hi;  // [k] each
  std::vector<double> total, total_lo, total_hi;
  std::size_t rows = 0;  // design rows used: those whose k + 2 points are all finite
};

struct BootstrapOptions {
  std::uint64_t resamples = 1000;
  double confidence = 0.95;
  std::uint64_t seed = 0;
};

// `f`: the output at the n (k + 2) points of the design, in point order.
SobolIndices sobol_indices(std::span<const double> f, std::size_t k,
                           const BootstrapOptions& bootstrap);

}  // namespace tariffsim
