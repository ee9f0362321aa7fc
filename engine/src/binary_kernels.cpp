#include "binary_kernels.hpp"

#include <cmath>
#include <cstring>
#include <numbers>

#include "tariffsim/kernel.hpp"
#include "tariffsim/vector_math.hpp"

namespace tariffsim::detail {

namespace {

// Below this z, Phi(z) = erfc(-z/sqrt 2)/2 nears erfc's underflow (z ~ -37.5); the asymptotic
// Mills-ratio series 1 - 1/x^2 + 3/x^4 - 15/x^6 (x = -z) is then accurate to 105/x^8 < 1e-10.
constexpr double kTailZ = -35.0;

}  // namespace

namespace {

// F(z) = f(z) series / x with x = -z: the asymptotic Mills ratio, for z < kTailZ.
double tail_series(double x) {
  const double inv_x2 = 1.0 / (x * x);
  return 1.0 - inv_x2 * (1.0 - inv_x2 * (3.0 - 15.0 * inv_x2));
}

}  // namespace

// The vectorised loop takes the erfc form for every lane; the rare lanes beyond kTailZ (a fitted
// probability below 1e-268) are redone in the tail form afterwards, so the common loop carries one
// division. The log is taken in a second pass over the selected argument: a log inside the first
// loop sent lanes to libm's slow scalar fallback.
TARIFFSIM_KERNEL double probit_terms(const double* eta, const double* y, std::size_t n, double* r,
                                     double* w) {
  const double inv_sqrt_2pi = 0.5 * std::numbers::inv_sqrtpi * std::numbers::sqrt2;
  const double half_log_2pi = 0.5 * std::log(2.0 * std::numbers::pi);
  int tail_lanes = 0;
#pragma omp simd reduction(+ : tail_lanes)
  for (std::size_t i = 0; i < n; ++i) {
    const double q = 2.0 * y[i] - 1.0;
    const double z = q * eta[i];
    const double cdf = 0.5 * erfc(-z * (0.5 * std::numbers::sqrt2));
    const double pdf = inv_sqrt_2pi * exp(-0.5 * z * z);
    const bool tail = z < kTailZ;
    tail_lanes += tail ? 1 : 0;
    r[i] = q * (pdf / (tail ? 1.0 : cdf));  // q f(z)/F(z)
    w[i] = tail ? 1.0 : cdf;                // F(z), whose log the second pass takes
  }
  double tail_terms = 0;
  for (std::size_t i = 0; tail_lanes > 0 && i < n; ++i) {
    const double q = 2.0 * y[i] - 1.0, z = q * eta[i];
    if (!(z < kTailZ)) continue;
    const double x = -z, series = tail_series(x);
    r[i] = q * x / series;
    w[i] = series / x;  // log F(z) = log(series/x) + log f(z)
    tail_terms += -0.5 * x * x - half_log_2pi;
    --tail_lanes;
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
    const double t = exp(-abs_e);  // in (0, 1]: no overflow
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

// K columns at a time in GCC vector types of 8 rows (lowered to whatever each clone's ISA has):
// each row's K values, weight and residual are loaded once and all K(K+1)/2 + K products
// accumulate in registers, where the blocked form reloads three values per product.
template <std::size_t K>
TARIFFSIM_KERNEL void cross_products_fixed(const double* X, std::size_t ld, std::size_t n,
                                           const double* w, const double* r, double* H, double* g) {
  using Lanes = double __attribute__((vector_size(64)));
  constexpr std::size_t kLanes = 8, kPairs = K * (K + 1) / 2;
  Lanes h[kPairs] = {}, gl[K] = {};
  const std::size_t whole = n - n % kLanes;
  for (std::size_t i = 0; i < whole; i += kLanes) {
    Lanes x[K], wv, rv;
    for (std::size_t j = 0; j < K; ++j) std::memcpy(&x[j], X + j * ld + i, sizeof(Lanes));
    std::memcpy(&wv, w + i, sizeof(Lanes));
    std::memcpy(&rv, r + i, sizeof(Lanes));
    std::size_t p = 0;
    for (std::size_t j = 0; j < K; ++j) {
      gl[j] += rv * x[j];
      const Lanes wx = wv * x[j];
      for (std::size_t l = j; l < K; ++l) h[p++] += wx * x[l];
    }
  }
  std::size_t p = 0;
  for (std::size_t j = 0; j < K; ++j) {
    for (std::size_t lane = 0; lane < kLanes; ++lane) g[j] += gl[j][lane];
    for (std::size_t l = j; l < K; ++l, ++p)
      for (std::size_t lane = 0; lane < kLanes; ++lane) H[l + j * K] += h[p][lane];
  }
  if (whole < n) cross_products_blocked(X + whole, ld, K, n - whole, w + whole, r + whole, H, g);
}

}  // namespace

void add_cross_products(const double* X, std::size_t ld, std::size_t k, std::size_t n,
                        const double* w, const double* r, double* H, double* g) {
  switch (k) {
    case 3:
      cross_products_fixed<3>(X, ld, n, w, r, H, g);
      break;
    case 4:
      cross_products_fixed<4>(X, ld, n, w, r, H, g);
      break;
    case 5:
      cross_products_fixed<5>(X, ld, n, w, r, H, g);
      break;
    case 6:
      cross_products_fixed<6>(X, ld, n, w, r, H, g);
      break;
    default:
      cross_products_blocked(X, ld, k, n, w, r, H, g);
  }
}

TARIFFSIM_KERNEL void linear_index(const double* X, std::size_t ld, std::size_t k, std::size_t n,
                                   const double* b, double* eta) {
#pragma omp simd
  for (std::size_t i = 0; i < n; ++i) eta[i] = X[i] * b[0];
  for (std::size_t j = 1; j < k; ++j) {
    const double* x = X + j * ld;
#pragma omp simd
    for (std::size_t i = 0; i < n; ++i) eta[i] += x[i] * b[j];
  }
}

}  // namespace tariffsim::detail
