// The vectorised inner loops of fit_binary (compiled with the fast-math flags of
// engine/CMakeLists.txt, multi-versioned): per-observation likelihood terms and the weighted
// cross products of a block of rows. fit_binary runs them block by block, so that one Newton
// iteration reads X once while the block's index, terms and products stay in L1.
#pragma once

#include <cstddef>

namespace tariffsim::detail {

// Rows per block: a block's index, weights and residuals (3 x 4 KB) stay in L1 with its rows.
inline constexpr std::size_t kRowBlock = 512;

// eta_i = sum_j X_ij b_j for the n rows of the column-major X (leading dimension ld).
void linear_index(const double* X, std::size_t ld, std::size_t k, std::size_t n, const double* b,
                  double* eta);

// For index eta_i and outcome y_i in {0, 1}: the score residual r_i (score_i = r_i x_i), the
// weight w_i of the negative Hessian (sum w_i x_i x_i'), and the log-likelihood, returned summed.
// The probit uses the observed Hessian (as statsmodels does); for the logit observed = expected.
double probit_terms(const double* eta, const double* y, std::size_t n, double* r, double* w);
double logit_terms(const double* eta, const double* y, std::size_t n, double* r, double* w);

// Adds sum_i w_i x_i x_i' to the lower triangle of H (k x k, column-major) and sum_i r_i x_i to
// g, over the n rows of the column-major X (leading dimension ld).
void add_cross_products(const double* X, std::size_t ld, std::size_t k, std::size_t n,
                        const double* w, const double* r, double* H, double* g);

}  // namespace tariffsim::detail
