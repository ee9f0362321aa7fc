// Per-observation terms of the binary-choice likelihoods: the vectorised inner loop of
// fit_binary (compiled with the fast-math flags of engine/CMakeLists.txt, multi-versioned).
#pragma once

#include <cstddef>

namespace tariffsim::detail {

// For index eta_i and outcome y_i in {0, 1}: the score residual r_i (score_i = r_i x_i), the
// weight w_i of the negative Hessian (sum w_i x_i x_i'), and the log-likelihood, returned summed.
// The probit uses the observed Hessian (as statsmodels does); for the logit observed = expected.
double probit_terms(const double* eta, const double* y, std::size_t n, double* r, double* w);
double logit_terms(const double* eta, const double* y, std::size_t n, double* r, double* w);

}  // namespace tariffsim::detail

namespace tariffsim::detail {

// H = sum_i w_i x_i x_i' (all of it, k x k column-major) and g = sum_i r_i x_i for the n x k
// column-major X with leading dimension ld, in one pass over X: blocks of rows stay in L1 while
// every pair of columns is multiplied.
void weighted_cross_products(const double* X, std::size_t ld, std::size_t k, std::size_t n,
                             const double* w, const double* r, double* H, double* g);

}  // namespace tariffsim::detail
