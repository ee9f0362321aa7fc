// Independent numerical references for the DeRemer tests: derivatives by a 5-point stencil of the
// objectives themselves, maxima by a root search on those derivatives (TOMS 748) or by Brent, never
// through the closed forms' coefficients.
#pragma once

#include <boost/math/tools/minima.hpp>
#include <boost/math/tools/roots.hpp>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <utility>

#include "economics.hpp"

namespace deremer_test {

namespace dm = tariffsim::deremer;

// The objectives are quadratic in each tariff, so the stencil's truncation error is zero and only
// rounding remains (about eps |f| / h ~ 1e-13 with h = 1e-3).
template <class F>
double deriv(F f, double x, double h = 1e-3) {
  return (f(x - 2 * h) - 8 * f(x - h) + 8 * f(x + h) - f(x + 2 * h)) / (12 * h);
}

template <class F>
double root(F f, double lo, double hi) {
  std::uintmax_t it = 300;
  const auto tol = [](double a, double b) { return std::abs(a - b) <= 1e-15; };
  const double flo = f(lo), fhi = f(hi);
  if (flo == 0) return lo;
  if (fhi == 0) return hi;
  if ((flo > 0) == (fhi > 0)) throw std::runtime_error("root: no sign change");
  const auto r = boost::math::tools::toms748_solve(f, lo, hi, flo, fhi, tol, it);
  return 0.5 * (r.first + r.second);
}

// Interior maximiser of a smooth concave objective: root of its numerical derivative.
template <class F>
double argmax_interior(F f, double lo, double hi) {
  return root([&](double t) { return deriv(f, t); }, lo, hi);
}

// Brent on [lo, hi]: position to about 1e-8 (sqrt of eps), used where the maximum may be a corner.
template <class F>
double argmax_brent(F f, double lo, double hi) {
  return boost::math::tools::brent_find_minima([&](double t) { return -f(t); }, lo, hi, 52).first;
}

// Numerical efficient frontier: argmax over each tariff of lam G + G* (the other tariff fixed:
// the problem separates by good, which the test of separability checks).
inline std::pair<double, double> frontier_numeric(const dm::Countries& g, double lam) {
  const auto obj_x = [&](double tx) {
    return lam * dm::home_objective(tx, 0.0, g.home) + dm::foreign_objective(tx, 0.0, g.foreign);
  };
  const auto obj_y = [&](double ty) {
    return lam * dm::home_objective(0.0, ty, g.home) + dm::foreign_objective(0.0, ty, g.foreign);
  };
  return {argmax_interior(obj_x, -0.999, 0.16), argmax_interior(obj_y, -0.999, 0.16)};
}

// Gradients from the objectives by the stencil.
inline double dG_dtx(dm::Weights w, double tx, double ty, bool home) {
  return deriv(
      [&](double t) {
        return home ? dm::home_objective(t, ty, w) : dm::foreign_objective(t, ty, w);
      },
      tx);
}
inline double dG_dty(dm::Weights w, double tx, double ty, bool home) {
  return deriv(
      [&](double t) {
        return home ? dm::home_objective(tx, t, w) : dm::foreign_objective(tx, t, w);
      },
      ty);
}

// Reciprocal change dty/dtx from the primitives: ToT-neutral M_x/M_y, or volume p_x^w/p_y^w.
inline double reciprocal_ratio(double tx, double ty, dm::Reciprocity r) {
  return r == dm::Reciprocity::Tot ? dm::imports(tx) / dm::imports(ty)
                                   : dm::world_price(tx) / dm::world_price(ty);
}
inline double phi_numeric(const dm::Countries& g, double tx, double ty, dm::Reciprocity r) {
  return dG_dtx(g.home, tx, ty, true) + dG_dty(g.home, tx, ty, true) * reciprocal_ratio(tx, ty, r);
}
inline double psi_numeric(const dm::Countries& g, double tx, double ty, dm::Reciprocity r) {
  return dG_dty(g.foreign, tx, ty, false) +
         dG_dtx(g.foreign, tx, ty, false) / reciprocal_ratio(tx, ty, r);
}

// 5-point derivative in lam of any function of the numerical frontier; truncation O(h^4) = 1e-12.
template <class F>
double d_dlam(F f, double lam, double h = 1e-3) {
  return (f(lam - 2 * h) - 8 * f(lam - h) + 8 * f(lam + h) - f(lam + 2 * h)) / (12 * h);
}

}  // namespace deremer_test
