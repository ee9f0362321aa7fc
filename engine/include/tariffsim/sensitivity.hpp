// Variance-based global sensitivity analysis (DESIGN.md §11; FORMAT.md, "Sensitivity"): the
// Saltelli design of an experiment's [sensitivity], and the Sobol indices of an output over it.
//
// Design: R replicates (R a power of two dividing n) of m = n / R rows each. Replicate r is the
// first m points of a scrambled Sobol sequence in 2k dimensions (k inputs): dimensions 1..k make
// the matrix A, k+1..2k the matrix B; A_B^(i) is A with column i taken from B. Row j = r m + t is
// point t of replicate r, and point p = j (k + 2) + c is row j of A (c = 0), of B (c = 1) or of
// A_B^(i) (c = 2 + i), so a run's points of one row sit together. The sequence is Boost.Random's
// Sobol (Joe–Kuo direction numbers) from its zero point on, scrambled by a random digital shift:
// every coordinate's 64 bits are XORed with one word per dimension drawn from the Philox stream
// "design.sobol_shift", replication r, keyed by the experiment seed. A digital shift keeps the
// first 2^m points a (t, m, 2k)-net (hence powers of two) and makes each replicate, and so each
// index estimate, random; the R shifts are independent, so the replicates' estimates are too.
// R = 1 is one shifted net of n rows.
//
// Indices of an output f (for a replication-level output: its point means), with V the variance
// (divisor 2n) of the 2n values f(A), f(B) and c their mean:
//   first S_i  = mean_j (f(B)_j - c) (f(A_B^(i))_j - f(A)_j) / V    (Saltelli et al. 2010, b)
//   total ST_i = mean_j (f(A)_j - f(A_B^(i))_j)^2 / (2 V)            (Jansen 1999, f)
// over all n rows. Centring f(B) by c (as SALib does by standardising f) makes S_i invariant to a
// shift of f.
// Intervals, R >= 2: the estimate ± t_{R'-1} s / sqrt(R'), s the standard deviation of the same
// estimators applied to each replicate alone (with its own c and V) and R' the replicates with a
// finite estimate: randomised quasi-Monte Carlo's interval (the replicates are independent and
// identically distributed), near nominal where a row bootstrap is not.
// R = 1: the percentile bootstrap over the n rows (resampled with replacement, each resample b
// from the Philox stream "sensitivity.bootstrap", replication b, keyed by the seed: the same
// resamples for every output; c stays the full sample's, V and the means are the resample's). It
// treats the rows of the net as independent, so on the Sobol design its intervals are
// conservative (they state the precision of n independent rows).
// Rows with a non-finite value (a failed point) are left out; fewer than 2 rows left, or V = 0,
// give NaN.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace tariffsim {

// The unit-cube points of the design, n (k + 2) rows x k columns, row-major, in [0, 1).
std::vector<double> saltelli_unit_rows(std::uint64_t n, std::size_t k, std::uint64_t seed,
                                       std::uint64_t replicates = 1);

struct SobolIndices {
  std::vector<double> first, first_lo, first_hi;  // [k] each
  std::vector<double> total, total_lo, total_hi;
  std::size_t rows = 0;  // design rows used: those whose k + 2 points are all finite
};

struct SobolIntervalOptions {
  std::uint64_t replicates = 1;    // the design's; >= 2: Student t over them, 1: row bootstrap
  std::uint64_t resamples = 1000;  // bootstrap resamples (replicates = 1 only)
  double confidence = 0.95;
  std::uint64_t seed = 0;
};

// `f`: the output at the n (k + 2) points of the design, in point order.
SobolIndices sobol_indices(std::span<const double> f, std::size_t k,
                           const SobolIntervalOptions& options);

}  // namespace tariffsim
