// Distributions of Vf and their exact partial moments (spec §5).
//
// Numerical notes. The closed forms of §5 subtract nearly equal numbers in two places, and we
// avoid both:
//  * Truncnormal excess moments E[(Z - z)+^k] = phi(z) - zQ(z), (1+z²)Q(z) - zphi(z) lose about
//    z^(2k) relative digits in the upper tail. For z >= 1 we instead use the ratios
//    K_k = psi_k/psi_{k-1} of the Mills-ratio continued fraction, which are free of cancellation.
//  * Lognormal E[(Vf - v)+] = E¹Phi(d1) - vP loses about 1/sigma digits (its square for the second
//    moment), which is fatal for a nearly degenerate lognormal. Where more than 3 digits would be
//    lost and sigma < 1.5 we expand (e^{sigma(Z-z)} - 1)^n in powers of sigma: a series of
//    positive terms.
// Upper tails always use Q(z) = erfc(z/sqrt2)/2, never 1 - Phi(z).
#include "distributions.hpp"

#include <algorithm>
#include <array>
#include <boost/math/constants/constants.hpp>
#include <boost/math/quadrature/gauss_kronrod.hpp>
#include <boost/math/special_functions/erf.hpp>
#include <charconv>
#include <cmath>
#include <limits>
#include <numeric>
#include <utility>

namespace tariffsim::bagwell_staiger {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kSumTolerance = 1e-12;
// Boost.Math evaluates double functions in long double by default: 5x slower for erfc (140 vs
// 27 ns here) and no more accurate than ~1 ulp in the result, which is all the fixed point uses.
using DoublePrecision = boost::math::policies::policy<boost::math::policies::promote_double<false>>;

// Q(z) = P(Z > z) for standard normal Z, accurate in the upper tail.
double upper_normal(double z) {
  return 0.5 * boost::math::erfc(z * boost::math::constants::one_div_root_two<double>(),
                                 DoublePrecision());
}

double normal_density(double z) {
  return boost::math::constants::one_div_root_two_pi<double>() * std::exp(-0.5 * z * z);
}

// Standard normal quantile Phi^{-1}(u) for u in (0,1); each tail uses its own erfc_inv form so
// that u near 1 keeps its precision (1 - u is exact for u >= 1/2).
double normal_quantile(double u) {
  constexpr double kRootTwo = boost::math::constants::root_two<double>();
  if (u < 0.5) return -kRootTwo * boost::math::erfc_inv(2.0 * u, DoublePrecision());
  return kRootTwo * boost::math::erfc_inv(2.0 * (1.0 - u), DoublePrecision());
}

// Inverse of Q: the z with Q(z) = t, t in (0, 1).
double upper_normal_quantile(double t) {
  constexpr double kRootTwo = boost::math::constants::root_two<double>();
  return kRootTwo * boost::math::erfc_inv(2.0 * t, DoublePrecision());
}

// u[k] = s^k E[(Z - z)+^k] / k! for k = 0..n-1, Z standard normal.
// The psi_k = E[(Z - z)+^k] satisfy psi_k = (k-1) psi_{k-2} - z psi_{k-1}. Forward, that is
// stable for z < 1 (for z <= 0 every term is positive). For z >= 1 psi is the recurrence's
// minimal solution, so we run it backwards as the continued fraction K_k = k/(z + K_{k+1}).
template <std::size_t N>
void scaled_normal_excess(double z, double s, std::array<double, N>& u) {
  static_assert(N >= 2);
  const double q = upper_normal(z);
  u[0] = q;
  if (z < 1.0) {
    u[1] = s * (normal_density(z) - z * q);
    for (std::size_t k = 2; k < N; ++k) {
      const double kd = static_cast<double>(k);
      u[k] = (s * s * u[k - 2] - z * s * u[k - 1]) / kd;
    }
    return;
  }
  // The truncation error of the continued fraction decays like exp(-2z·sqrt(depth)): about
  // 1000/z² extra levels reach e^-60 (at z = 1, 200 levels would leave ~1e-12).
  const auto extra_depth = static_cast<std::size_t>(60.0 + 1000.0 / (z * z));
  std::array<double, N> ratio{};
  double k_next = 0.0;
  for (std::size_t k = N + extra_depth; k >= 1; --k) {
    k_next = static_cast<double>(k) / (z + k_next);
    if (k < N) ratio[k] = k_next;
  }
  for (std::size_t k = 1; k < N; ++k) {
    u[k] = u[k - 1] * s * ratio[k] / static_cast<double>(k);
  }
}

std::string format_number(double x) {
  std::array<char, 64> buf{};
  const auto result = std::to_chars(buf.data(), buf.data() + buf.size(), x);
  return std::string(buf.data(), result.ptr);
}

// E[Vf²; Vf <= v] for the normal(mu, sigma) truncated to [0, inf), by adaptive Gauss–Kronrod.
// No closed form of this lower part is free of cancellation when it is small compared to E[Vf²]
// (it is a difference of two nearly equal upper parts, or an alternating sum), while the
// integrand is smooth and positive, so quadrature gets it to a few ulps.
double truncnormal_lower_second_moment(double mu, double sigma, double v) {
  const double log_mass = std::log(upper_normal(-mu / sigma));
  const double log_norm =
      std::log(sigma) + 0.5 * std::log(2.0 * boost::math::constants::pi<double>());
  auto integrand = [&](double x) {
    const double z = (x - mu) / sigma;
    return x * x *
           std::exp(-0.5 * z * z - log_mass - log_norm);  // density in log space: Z may be ~1e-300
  };
  // The Kronrod error estimate is pessimistic for smooth integrands: 1e-13 leaves a few ulps.
  constexpr unsigned kMaxDepth = 15;
  constexpr double kTolerance = 1e-13;
  return boost::math::quadrature::gauss_kronrod<double, 31>::integrate(integrand, 0.0, v, kMaxDepth,
                                                                       kTolerance);
}

bool finite_nonnegative(double x) {
  return std::isfinite(x) && x >= 0.0;
}

// v <= 0 < support: all the mass is strictly above v, and every term below is non-negative.
PartialMoments full_moments_above(double v, double m1, double m2) {
  PartialMoments pm;
  pm.p_above = 1.0;
  pm.e_above = m1;
  pm.excess1 = m1 - v;
  pm.excess2 = m2 - 2.0 * v * m1 + v * v;
  pm.e2_below = 0.0;
  return pm;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Factories

Distribution Distribution::degenerate(double value) {
  Distribution d;
  d.kind_ = DistKind::Degenerate;
  d.p1 = value;
  d.values = {value};
  d.probs = {1.0};
  d.build_quantile_table();
  return d;
}

Distribution Distribution::discrete(std::vector<double> values, std::vector<double> probs) {
  Distribution d;
  d.kind_ = DistKind::Discrete;
  d.values = std::move(values);
  d.probs = std::move(probs);
  d.build_quantile_table();
  return d;
}

Distribution Distribution::uniform(double lo, double hi) {
  Distribution d;
  d.kind_ = DistKind::Uniform;
  d.p1 = lo;
  d.p2 = hi;
  return d;
}

Distribution Distribution::lognormal(double mean, double sd) {
  Distribution d;
  d.kind_ = DistKind::Lognormal;
  d.p1 = mean;
  d.p2 = sd;
  const double cv = sd / mean;
  const double var_log = std::log1p(cv * cv);
  d.log_sigma = std::sqrt(var_log);
  d.log_mu = std::log(mean) - 0.5 * var_log;
  return d;
}

Distribution Distribution::truncnormal(double mu, double sigma) {
  Distribution d;
  d.kind_ = DistKind::TruncNormal;
  d.p1 = mu;
  d.p2 = sigma;
  return d;
}

void Distribution::build_quantile_table() {
  sorted_values_.clear();
  cumulative_.clear();
  if (values.size() != probs.size()) return;
  std::vector<std::size_t> order(values.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [this](std::size_t i, std::size_t j) { return values[i] < values[j]; });
  double cum = 0.0;
  for (std::size_t i : order) {
    cum += probs[i];
    sorted_values_.push_back(values[i]);
    cumulative_.push_back(cum);
  }
}

// ---------------------------------------------------------------------------------------------
// Validation

std::string Distribution::invalid_reason() const {
  switch (kind_) {
    case DistKind::Degenerate:
      if (!finite_nonnegative(p1)) return "value must be finite and >= 0";
      return "";
    case DistKind::Discrete: {
      if (values.empty()) return "values must not be empty";
      if (values.size() != probs.size()) return "values and probs must have the same length";
      for (double x : values) {
        if (!finite_nonnegative(x)) return "values must be >= 0 (and finite)";
      }
      double sum = 0.0;
      for (double p : probs) {
        if (!finite_nonnegative(p)) return "probs must be >= 0 (and finite)";
        sum += p;
      }
      if (!(std::abs(sum - 1.0) <= kSumTolerance)) {
        return "probs must sum to 1 (got " + format_number(sum) + ")";
      }
      return "";
    }
    case DistKind::Uniform:
      if (!finite_nonnegative(p1)) return "lo must be finite and >= 0";
      if (!std::isfinite(p2) || !(p2 > p1)) return "hi must be > lo (and finite)";
      return "";
    case DistKind::Lognormal:
      if (!std::isfinite(p1) || !(p1 > 0.0)) return "mean must be > 0 (and finite)";
      if (!finite_nonnegative(p2)) return "sd must be >= 0 (and finite)";
      if (!std::isfinite(log_sigma) || !std::isfinite(second_moment())) {
        return "sd/mean is too large: E[Vf^2] overflows";
      }
      return "";
    case DistKind::TruncNormal: {
      if (!std::isfinite(p1)) return "mu must be finite";
      if (!std::isfinite(p2) || !(p2 > 0.0)) return "sigma must be > 0 (and finite)";
      // Below the smallest normal double the truncation mass has lost its relative precision.
      if (upper_normal(-p1 / p2) < std::numeric_limits<double>::min()) {
        return "Phi(mu/sigma) underflows: mu/sigma = " + format_number(p1 / p2) +
               " is too negative";
      }
      return "";
    }
  }
  return "unknown distribution kind";
}

// ---------------------------------------------------------------------------------------------
// Moments

double Distribution::mean() const {
  switch (kind_) {
    case DistKind::Degenerate:
    case DistKind::Discrete: {
      double m = 0.0;
      for (std::size_t i = 0; i < values.size(); ++i) m += probs[i] * values[i];
      return m;
    }
    case DistKind::Uniform:
      return 0.5 * (p1 + p2);
    case DistKind::Lognormal:
      return p1;  // the parameters are the moments of Vf itself
    case DistKind::TruncNormal:
      return partial_truncnormal(0.0).e_above;
  }
  return std::numeric_limits<double>::quiet_NaN();
}

double Distribution::second_moment() const {
  switch (kind_) {
    case DistKind::Degenerate:
    case DistKind::Discrete: {
      double m = 0.0;
      for (std::size_t i = 0; i < values.size(); ++i) m += probs[i] * values[i] * values[i];
      return m;
    }
    case DistKind::Uniform:
      return (p1 * p1 + p1 * p2 + p2 * p2) / 3.0;
    case DistKind::Lognormal:
      return p1 * p1 + p2 * p2;
    case DistKind::TruncNormal:
      return partial_truncnormal(0.0).excess2;  // E[(Vf - 0)+^2]
  }
  return std::numeric_limits<double>::quiet_NaN();
}

double Distribution::ess_sup() const {
  switch (kind_) {
    case DistKind::Degenerate:
    case DistKind::Discrete: {
      double s = 0.0;
      for (std::size_t i = 0; i < values.size(); ++i) {
        if (probs[i] > 0.0) s = std::max(s, values[i]);
      }
      return s;
    }
    case DistKind::Uniform:
      return p2;
    case DistKind::Lognormal:
      return log_sigma > 0.0 ? kInf : p1;
    case DistKind::TruncNormal:
      return kInf;
  }
  return std::numeric_limits<double>::quiet_NaN();
}

// ---------------------------------------------------------------------------------------------
// Partial moments

PartialMoments Distribution::partial(double v) const {
  switch (kind_) {
    case DistKind::Degenerate:
    case DistKind::Discrete:
      return partial_discrete(v);
    case DistKind::Uniform:
      return partial_uniform(v);
    case DistKind::Lognormal:
      return partial_lognormal(v);
    case DistKind::TruncNormal:
      return partial_truncnormal(v);
  }
  return {};
}

PartialMoments Distribution::partial_discrete(double v) const {
  PartialMoments pm;
  for (std::size_t i = 0; i < values.size(); ++i) {
    const double x = values[i];
    const double p = probs[i];
    if (x > v) {
      const double excess = x - v;
      pm.p_above += p;
      pm.e_above += p * x;
      pm.excess1 += p * excess;
      pm.excess2 += p * excess * excess;
    } else {
      pm.e2_below += p * x * x;
    }
  }
  return pm;
}

PartialMoments Distribution::partial_uniform(double v) const {
  const double lo = p1, hi = p2, w = hi - lo;
  PartialMoments pm;
  if (v >= hi) {
    pm.e2_below = second_moment();
    return pm;
  }
  if (v <= lo) {
    // ((U-v)^3 - (L-v)^3)/(3w) factored as (a² + ab + b²)/3: no cancellation.
    const double a = hi - v, b = lo - v;
    pm.p_above = 1.0;
    pm.e_above = mean();
    pm.excess1 = 0.5 * (a + b);
    pm.excess2 = (a * a + a * b + b * b) / 3.0;
    return pm;
  }
  const double above = hi - v, below = v - lo;
  pm.p_above = above / w;
  pm.e_above = above * (0.5 * (hi + v)) / w;
  pm.excess1 = above * above / (2.0 * w);
  pm.excess2 = above * above * above / (3.0 * w);
  pm.e2_below = below * (v * v + v * lo + lo * lo) / (3.0 * w);
  return pm;
}

PartialMoments Distribution::partial_lognormal(double v) const {
  const double m1 = p1;
  const double m2 = second_moment();
  const double sigma = log_sigma;
  if (sigma == 0.0) return degenerate(p1).partial(v);  // sd = 0: Vf == mean
  if (v <= 0.0) return full_moments_above(v, m1, m2);

  const double z = (std::log(v) - log_mu) / sigma;  // = -d0
  PartialMoments pm;
  pm.p_above = upper_normal(z);                      // Phi(d0)
  pm.e_above = m1 * upper_normal(z - sigma);         // E¹ Phi(d1)
  pm.e2_below = m2 * upper_normal(2.0 * sigma - z);  // E² Phi(-d2)

  // The closed forms, kept where they lose fewer than 3 of the ~16 digits to cancellation (the
  // excess moments are above 1e-3 of the terms they are made from): there they are accurate to
  // ~1e-13, and they cost a few erfc where the series costs hundreds of divisions.
  constexpr double kMaxCancellation = 1e-3;
  const double e2_above = m2 * upper_normal(z - 2.0 * sigma);
  const double closed1 = pm.e_above - v * pm.p_above;
  const double closed2 = e2_above - 2.0 * v * pm.e_above + v * v * pm.p_above;
  const bool mild =
      closed1 > kMaxCancellation * pm.e_above && closed2 > kMaxCancellation * e2_above;
  // Series in sigma where the closed form would cancel (see the file comment). Far below the
  // median (sigma·(-z) > 10, i.e. v < median·e^-10) the closed form has no cancellation.
  constexpr double kSeriesMaxSigma = 1.5;
  constexpr double kSeriesMaxLogDepth = 10.0;
  if (!mild && sigma < kSeriesMaxSigma && -z * sigma <= kSeriesMaxLogDepth) {
    std::array<double, 160> u{};
    scaled_normal_excess(z, sigma, u);
    double s1 = 0.0, s2 = 0.0, two_pow = 2.0;
    for (std::size_t k = 1; k < u.size(); ++k) {
      s1 += u[k];
      s2 += (two_pow - 2.0) * u[k];
      two_pow *= 2.0;
    }
    pm.excess1 = v * s1;
    pm.excess2 = v * v * s2;
  } else {
    pm.excess1 = std::max(0.0, closed1);
    pm.excess2 = std::max(0.0, closed2);
  }
  return pm;
}

PartialMoments Distribution::partial_truncnormal(double v) const {
  const double mu = p1, sigma = p2;
  const double w = std::max(v, 0.0);  // below 0 there is no mass: evaluate at 0, then shift
  std::array<double, 3> u0{}, u{};
  scaled_normal_excess(-mu / sigma, 1.0, u0);
  const double mass = u0[0];  // Z = Phi(mu/sigma)
  const double z = (w - mu) / sigma;
  scaled_normal_excess(z, 1.0, u);
  const double psi0 = u[0], psi1 = u[1], psi2 = 2.0 * u[2];

  // With mu = w - sigma·z every term below is a sum of non-negative parts.
  PartialMoments pm;
  pm.p_above = psi0 / mass;
  pm.e_above = (w * psi0 + sigma * psi1) / mass;
  pm.excess1 = sigma * psi1 / mass;
  pm.excess2 = sigma * sigma * psi2 / mass;
  const double e2_above = (sigma * sigma * psi2 + 2.0 * w * sigma * psi1 + w * w * psi0) / mass;
  const double m2 = sigma * sigma * 2.0 * u0[2] / mass;
  // E[Vf²] − E[Vf²;Vf>v] cancels once the lower part is the smaller one; then integrate it.
  pm.e2_below = (e2_above > 0.5 * m2 && w > 0.0) ? truncnormal_lower_second_moment(mu, sigma, w)
                                                 : m2 - e2_above;
  if (v < 0.0) {
    // P(Vf > v) = 1; shift the excess moments from threshold 0 to v (all terms >= 0).
    const double d = -v;
    pm.excess2 = pm.excess2 + 2.0 * d * pm.excess1 + d * d;
    pm.excess1 = pm.excess1 + d;
    pm.e2_below = 0.0;
  }
  return pm;
}

// ---------------------------------------------------------------------------------------------
// CDF and quantile

double Distribution::prob_below(double x) const {
  switch (kind_) {
    case DistKind::Degenerate:
    case DistKind::Discrete: {
      double p = 0.0;
      for (std::size_t i = 0; i < values.size(); ++i) {
        if (values[i] < x) p += probs[i];
      }
      return p;
    }
    case DistKind::Uniform:
      return std::clamp((x - p1) / (p2 - p1), 0.0, 1.0);
    case DistKind::Lognormal:
      if (log_sigma == 0.0) return x > p1 ? 1.0 : 0.0;
      if (x <= 0.0) return 0.0;
      return upper_normal(-(std::log(x) - log_mu) / log_sigma);
    case DistKind::TruncNormal: {
      if (x <= 0.0) return 0.0;
      const double z0 = -p1 / p2, z = (x - p1) / p2;
      const double mass = upper_normal(z0);
      // Lower tail as a difference of two lower-tail values; upper tail as 1 - upper tail.
      if (z <= 0.0) return (upper_normal(-z) - upper_normal(-z0)) / mass;
      return 1.0 - upper_normal(z) / mass;
    }
  }
  return std::numeric_limits<double>::quiet_NaN();
}

double Distribution::quantile(double u) const {
  switch (kind_) {
    case DistKind::Degenerate:
    case DistKind::Discrete: {
      if (sorted_values_.empty()) return std::numeric_limits<double>::quiet_NaN();
      const auto it = std::lower_bound(cumulative_.begin(), cumulative_.end(), u);
      // Rounding can leave the last cumulative value a hair below 1.
      if (it == cumulative_.end()) return sorted_values_.back();
      return sorted_values_[static_cast<std::size_t>(it - cumulative_.begin())];
    }
    case DistKind::Uniform:
      return p1 + std::clamp(u, 0.0, 1.0) * (p2 - p1);
    case DistKind::Lognormal:
      if (log_sigma == 0.0) return p1;
      if (u <= 0.0) return 0.0;
      if (u >= 1.0) return kInf;
      return std::exp(log_mu + log_sigma * normal_quantile(u));
    case DistKind::TruncNormal: {
      if (u <= 0.0) return 0.0;
      if (u >= 1.0) return kInf;
      const double mu = p1, sigma = p2;
      const double mass = upper_normal(-mu / sigma);
      const double tail = (1.0 - u) * mass;  // Q(z) = P(parent > x)
      double z;
      if (tail < 0.5) {
        z = upper_normal_quantile(tail);
      } else {
        // Below the parent median: Phi(z) = Phi(z0) + u·Z, both parts computed as lower tails.
        const double lower = upper_normal(mu / sigma) + u * mass;
        z = -upper_normal_quantile(lower);
      }
      return std::max(0.0, mu + sigma * z);
    }
  }
  return std::numeric_limits<double>::quiet_NaN();
}

}  // namespace tariffsim::bagwell_staiger
