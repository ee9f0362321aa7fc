#include "binary_kernels.hpp"

#include <cmath>
#include <numbers>

#include "tariffsim/kernel.hpp"
#include "tariffsim/vector_math.hpp"

namespace tariffsim::detail {

namespace {

// Below this z, Phi(z) = erfc(-z/sqrt 2)/2 nears erfc's underflow (z ~ -37.5); the asymptotic
// Mills-ratio series 1 - 1/x^2 + 3/x^4 - 15/x^6 (x = -z) is then accurate to 105/x^8 < 1e-10.
constexpr double kTailZ = -35.0;

}  // namespace

// Computed for every lane on both branches and blended, so the loop vectorises; the tail branch
// clamps x so that the unused lanes stay finite. The log is taken in a second pass over a
// selected argument: a log inside the blended loop sent lanes to libm's slow scalar fallback.
TARIFFSIM_KERNEL double probit_terms(const double* eta, const double* y, std::size_t n, double* r,
                                     double* w) {
  const double inv_sqrt_2pi = 0.5 * std::numbers::inv_sqrtpi * std::numbers::sqrt2;
  const double half_log_2pi = 0.5 * std::log(2.0 * std::numbers::pi);
  double tail_terms = 0;
#pragma omp simd reduction(+ : tail_terms)
  for (std::size_t i = 0; i < n; ++i) {
    const double q = 2.0 * y[i] - 1.0;
    const double z = q * eta[i];
    const double cdf = 0.5 * erfc(-z * (0.5 * std::numbers::sqrt2));
    const double pdf = inv_sqrt_2pi * exp(-0.5 * z * z);
    const double x = -z > -kTailZ ? -z : -kTailZ;
    const double inv_x2 = 1.0 / (x * x);
    const double series = 1.0 - inv_x2 * (1.0 - inv_x2 * (3.0 - 15.0 * inv_x2));
    const bool tail = z < kTailZ;
    r[i] = q * (tail ? x / series : pdf / cdf);  // q f(z)/F(z)
    // log F(z) = log(series/x) + log f(z) in the tail.
    tail_terms += tail ? -0.5 * x * x - half_log_2pi : 0.0;
    w[i] = tail ? series / x : cdf;
  }
  double loglik = tail_terms;
#pragma omp simd reduction(+ : loglik)
  for (std::size_t i = 0; i < n; ++i) {
    loglik += log(w[i]);
    const double q = 2.0 * y[i] - 1.0;
    const double ratio = q * r[i], z = q * eta[i];
    w[i] = ratio * (ratio + z);
  }
  return loglik;
}

TARIFFSIM_KERNEL double logit_terms(const double* eta, const double* y, std::size_t n, double* r,
                                    double* w) {
  double loglik = 0;
#pragma omp simd reduction(+ : loglik)
  for (std::size_t i = 0; i < n; ++i) {
    const double e = eta[i];
    const double abs_e = e < 0.0 ? -e : e;
    const double t = exp(-abs_e);                        // in (0, 1]: no overflow
    const double mu = e >= 0.0 ? 1.0 / (1.0 + t) : t / (1.0 + t);
    const double z = (2.0 * y[i] - 1.0) * e;
    loglik += (z < 0.0 ? z : 0.0) - log1p(exp(-(z < 0.0 ? -z : z)));  // log F(z)
    r[i] = y[i] - mu;
    w[i] = mu * (1.0 - mu);
  }
  return loglik;
}

namespace {

// Blocks of rows stay in L1 while every pair of columns is multiplied: any k.
TARIFFSIM_KERNEL void cross_products_blocked(const double* X, std::size_t ld, std::size_t k,
                                             std::size_t n, const double* w, const double* r,
                                             double* H, double* g) {
  constexpr std::size_t kBlock = 512;
  for (std::size_t start = 0; start < n; start += kBlock) {
    const std::size_t m = n - start < kBlock ? n - start : kBlock;
    const double* wb = w + start;
    const double* rb = r + start;
    for (std::size_t j = 0; j < k; ++j) {
      const double* xj = X + j * ld + start;
      double gj = 0;
#pragma omp simd reduction(+ : gj)
      for (std::size_t i = 0; i < m; ++i) gj += rb[i] * xj[i];
      g[j] += gj;
      for (std::size_t l = j; l < k; ++l) {
        const double* xl = X + l * ld + start;
        double h = 0;
#pragma omp simd reduction(+ : h)
        for (std::size_t i = 0; i < m; ++i) h += wb[i] * xj[i] * xl[i];
        H[l + j * k] += h;
      }
    }
  }
}

}  // namespace

void weighted_cross_products(const double* X, std::size_t ld, std::size_t k, std::size_t n,
                             const double* w, const double* r, double* H, double* g) {
  for (std::size_t j = 0; j < k * k; ++j) H[j] = 0.0;
  for (std::size_t j = 0; j < k; ++j) g[j] = 0.0;
  cross_products_blocked(X, ld, k, n, w, r, H, g);
  for (std::size_t j = 0; j < k; ++j)
    for (std::size_t l = j + 1; l < k; ++l) H[j + l * k] = H[l + j * k];
}

}  // namespace tariffsim::detail
