// Independent numerical references for the Bagwell–Staiger economics tests: densities written
// from the definitions and integrated by Gauss–Kronrod, never through the library's partial().
#pragma once

#include <algorithm>
#include <boost/math/constants/constants.hpp>
#include <boost/math/quadrature/gauss_kronrod.hpp>
#include <cmath>
#include <stdexcept>

#include "distributions.hpp"

namespace bs_test {

using tariffsim::bagwell_staiger::DistKind;
using tariffsim::bagwell_staiger::Distribution;

inline double std_normal_pdf(double s) {
  return std::exp(-0.5 * s * s) / std::sqrt(2.0 * boost::math::constants::pi<double>());
}

// Normalising mass of the truncated normal, by quadrature of the parent density over [0, inf).
inline double truncnormal_mass(double mu, double sigma);

// The density of a continuous distribution, from its parameters (normaliser computed once).
class Density {
 public:
  explicit Density(const Distribution& d) : d_(d) {
    if (d.kind() == DistKind::Lognormal) {
      const double s2 = std::log1p((d.p2 / d.p1) * (d.p2 / d.p1));
      log_sigma_ = std::sqrt(s2);
      log_mu_ = std::log(d.p1) - 0.5 * s2;
    } else if (d.kind() == DistKind::TruncNormal) {
      mass_ = truncnormal_mass(d.p1, d.p2);
    } else if (d.kind() != DistKind::Uniform) {
      throw std::logic_error("Density: not a continuous distribution");
    }
  }
  double operator()(double x) const {
    switch (d_.kind()) {
      case DistKind::Uniform:
        return (x >= d_.p1 && x <= d_.p2) ? 1.0 / (d_.p2 - d_.p1) : 0.0;
      case DistKind::Lognormal:
        if (x <= 0.0) return 0.0;
        return std_normal_pdf((std::log(x) - log_mu_) / log_sigma_) / (x * log_sigma_);
      default:
        if (x < 0.0) return 0.0;
        return std_normal_pdf((x - d_.p1) / d_.p2) / (d_.p2 * mass_);
    }
  }

 private:
  const Distribution& d_;
  double log_mu_ = 0, log_sigma_ = 1, mass_ = 1;
};

// x as a function of a standard-normal score s and back, used only to place quadrature
// breakpoints where the density changes on its own scale.
struct ScoreMap {
  double mu = 0, sigma = 1;
  bool log_scale = false;
  double x(double s) const { return log_scale ? std::exp(mu + sigma * s) : mu + sigma * s; }
  double s(double x) const {
    if (log_scale) return x > 0.0 ? (std::log(x) - mu) / sigma : -1e300;
    return (x - mu) / sigma;
  }
};

inline ScoreMap score_map(const Distribution& d) {
  if (d.kind() == DistKind::Lognormal) {
    const double s2 = std::log1p((d.p2 / d.p1) * (d.p2 / d.p1));
    return {std::log(d.p1) - 0.5 * s2, std::sqrt(s2), true};
  }
  return {d.p1, d.p2, false};
}

template <class F>
double gk(F f, double lo, double hi) {
  if (!(hi > lo)) return 0.0;
  return boost::math::quadrature::gauss_kronrod<double, 31>::integrate(f, lo, hi, 4, 1e-12);
}

// ∫ g(x) f(x) dx over x in (lo, hi), for a continuous distribution.
template <class Fn>
double integrate_density(const Distribution& d, Fn g, double lo, double hi) {
  const Density density(d);
  auto integrand = [&](double x) { return g(x) * density(x); };
  if (d.kind() == DistKind::Uniform) {
    return gk(integrand, std::max(lo, d.p1), std::min(hi, d.p2));
  }
  const ScoreMap m = score_map(d);
  const double sigma_lognormal = m.log_scale ? m.sigma : 0.0;
  // Below s = -12 the density is under e^-72 of its peak.
  const double s_floor = m.log_scale ? -12.0 : std::max(-12.0, -d.p1 / d.p2);
  double s0 = std::max(s_floor, m.s(std::max(lo, 0.0)));
  if (lo <= 0.0 && !m.log_scale) s0 = std::max(s_floor, m.s(0.0));
  // Beyond s_end the integrand (at most quadratic in x) is below e^-90 of its peak.
  const double s_top = std::max(s0, 0.0);
  double s_end = s_top > 8.0 ? s_top + 150.0 / s_top + 2.0 * sigma_lognormal
                             : s_top + 15.0 + 2.0 * sigma_lognormal;
  if (hi < INFINITY) s_end = std::min(s_end, m.s(hi));
  double total = 0.0;
  for (double s = s0; s < s_end;) {
    const double h = 0.25 / std::max(1.0, std::abs(s));
    const double s_next = std::min(s + h, s_end);
    const double a = (s == s0) ? std::max(lo, m.x(s)) : m.x(s);
    const double b = (s_next == s_end && hi < INFINITY) ? hi : m.x(s_next);
    total += gk(integrand, std::max(a, 0.0), b);
    s = s_next;
  }
  return total;
}

inline double truncnormal_mass(double mu, double sigma) {
  // Integrate the parent density in the score variable from s = -mu/sigma upward.
  const double s0 = -mu / sigma;
  const double s_top = std::max(s0, 0.0);
  const double s_end = s_top > 8.0 ? s_top + 150.0 / s_top : s_top + 15.0;
  double total = 0.0;
  for (double s = std::max(s0, -12.0); s < s_end;) {
    const double h = 0.25 / std::max(1.0, std::abs(s));
    const double s_next = std::min(s + h, s_end);
    total += gk(std_normal_pdf, s, s_next);
    s = s_next;
  }
  return total;
}

}  // namespace bs_test
