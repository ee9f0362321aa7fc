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
// clamps x so that the unused lanes stay finite.
TARIFFSIM_KERNEL double probit_terms(const double* eta, const double* y, std::size_t n, double* r,
                                     double* w) {
  const double inv_sqrt_2pi = 0.5 * std::numbers::inv_sqrtpi * std::numbers::sqrt2;
  const double half_log_2pi = 0.5 * std::log(2.0 * std::numbers::pi);
  double loglik = 0;
#pragma omp simd reduction(+ : loglik)
  for (std::size_t i = 0; i < n; ++i) {
    const double q = 2.0 * y[i] - 1.0;
    const double z = q * eta[i];
    const double cdf = 0.5 * erfc(-z * (0.5 * std::numbers::sqrt2));
    const double pdf = inv_sqrt_2pi * exp(-0.5 * z * z);
    const double x = -z > -kTailZ ? -z : -kTailZ;
    const double inv_x2 = 1.0 / (x * x);
    const double series = 1.0 - inv_x2 * (1.0 - inv_x2 * (3.0 - 15.0 * inv_x2));
    const bool tail = z < kTailZ;
    const double ratio = tail ? x / series : pdf / cdf;  // f(z)/F(z)
    loglik += tail ? -0.5 * x * x - log(x) - half_log_2pi + log(series) : log(cdf);
    r[i] = q * ratio;
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

}  // namespace tariffsim::detail
