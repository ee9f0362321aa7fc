// Where a function of one parameter crosses a level: the algorithms behind [search]
// (tariffsim/search.hpp), free of models so they can be tested and benchmarked on plain functions.
//
// Deterministic functions: Boost.Math's TOMS 748 on f(x) − level over [lo, hi] until the bracket
// is at most `tolerance` wide; an integer parameter is bisected to the smallest integer past the
// crossing (the first k, going up from lo, where f(k) − level has the sign it has at hi).
//
// Noisy functions (a mean over replications, each replication r using the same random stream at
// every x: common random numbers): bisections on the mean and on its confidence bounds, in stages
// of n, 2n, 4n ... replications per trial value (NoisySearch below says what the interval means).
#pragma once

#include <cstdint>
#include <functional>

namespace tariffsim {

// The search's status output, <parameter>_status.
enum class SearchStatus : int {
  Converged = 0,        // the bracket (deterministic) or the confidence interval (noisy) is at
                        // most `tolerance` wide
  NoSignChange = 1,     // the output does not cross the level inside the bracket (noisy: both
                        // ends are on one side at the stated confidence); outputs NaN
  BudgetExhausted = 2,  // deterministic: the iteration cap; noisy: max_replications would be
                        // passed by the next stage: the interval is still valid, only wider
  Undefined = 3,        // the output is NaN at an end of the bracket or a trial value
};

struct SearchResult {
  double star = 0;                 // the crossing's estimate
  double lo = 0, hi = 0;           // final bracket (deterministic) or confidence interval (noisy)
  std::uint64_t evaluations = 0;   // trial values of the parameter evaluated
  std::uint64_t replications = 0;  // replications run over all trial values (noisy only)
  SearchStatus status = SearchStatus::Converged;
};

struct SearchBracket {
  double lo = 0, hi = 1;
  double level = 0;
  double tolerance = 1e-6;
  bool integer = false;  // only integers between lo and hi are trial values
};

SearchResult deterministic_search(const std::function<double(double)>& f,
                                  const SearchBracket& bracket);

// The mean of a noisy output over replications 0 .. n − 1 at x, and its standard error.
struct NoisyMean {
  double mean = 0;
  double se = 0;
};
using NoisyFunction = std::function<NoisyMean(double x, std::uint64_t n)>;

// A noisy search: stages of n0, 2 n0, 4 n0 ... replications per trial value. In each stage,
// with z the normal quantile of (1 + confidence)/2 and s = +1 if the mean rises from lo to hi
// (−1 if it falls), bisection finds where s·(mean − level) + z·se, s·(mean − level) and
// s·(mean − level) − z·se first become ≥ 0 going up from lo: the interval's lower end, the
// estimate and the interval's upper end. The interval is the set of x where the test of
// "mean(x) = level" is not rejected at 1 − confidence (a test inversion), so it covers the true
// crossing with probability ≈ confidence whenever the mean is monotone: no slope estimate needed.
// Bisection resolves each end to tolerance/16 and rounds it outwards. Stops when the interval is
// at most `tolerance` wide, or when the next stage would pass `budget` replications in all.
struct NoisySearch {
  double confidence = 0.95;
  std::uint64_t budget = 0;
  std::uint64_t first_stage = 64;  // replications per trial value in the first stage
};

SearchResult noisy_search(const NoisyFunction& f, const SearchBracket& bracket,
                          const NoisySearch& options);

// Replications one noisy stage of n per trial value may use (at most): its bisection steps times
// three, plus both ends, times n. A budget below stage_replications(first_stage) is refused.
std::uint64_t stage_replications(const SearchBracket& bracket, std::uint64_t n);

}  // namespace tariffsim
