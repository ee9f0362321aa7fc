// Independent numerical references for the Ederington–McCalman tests: markets cleared by a root
// search on excess demand, welfare integrated by Gauss–Kronrod from demand and supply curves,
// optima found by Brent and polished on the first-order condition. Nothing here uses the
// closed forms of economics.cpp.
#pragma once

#include <algorithm>
#include <boost/math/quadrature/gauss_kronrod.hpp>
#include <boost/math/tools/minima.hpp>
#include <boost/math/tools/roots.hpp>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <stdexcept>
#include <vector>

#include "economics.hpp"

namespace em_test {

using namespace tariffsim::ederington_mccalman;

// Root of f on [lo, hi] (f(lo), f(hi) of opposite signs) by TOMS 748 to full precision.
template <class F>
double root(F f, double lo, double hi) {
  const double flo = f(lo), fhi = f(hi);
  if (flo == 0) return lo;
  if (fhi == 0) return hi;
  if ((flo > 0) == (fhi > 0)) throw std::runtime_error("root: no sign change");
  std::uintmax_t iters = 300;
  const auto r = boost::math::tools::toms748_solve(
      f, lo, hi, flo, fhi, boost::math::tools::eps_tolerance<double>(52), iters);
  return 0.5 * (r.first + r.second);
}

// Central difference; exact up to rounding for the quadratic welfare functions of the model.
template <class F>
double slope(F f, double x, double h) {
  return (f(x + h) - f(x - h)) / (2 * h);
}

// Five-point central difference: O(h^4), for the non-quadratic value functions.
template <class F>
double slope5(F f, double x, double h) {
  return (-f(x + 2 * h) + 8 * f(x + h) - 8 * f(x - h) + f(x - 2 * h)) / (12 * h);
}

// Maximiser of a smooth single-peaked f on [lo, hi]: Brent locates it to ~sqrt(eps), then the
// first-order condition (central differences with step h) is solved by TOMS 748 to full precision.
template <class F>
double argmax(F f, double lo, double hi, double h, bool five_point = false) {
  const auto br = boost::math::tools::brent_find_minima([&](double x) { return -f(x); }, lo, hi,
                                                        std::numeric_limits<double>::digits / 2);
  const double x0 = br.first;
  auto foc = [&](double x) { return five_point ? slope5(f, x, h) : slope(f, x, h); };
  for (double w = 1e-6 * (hi - lo); w < 2 * (hi - lo); w *= 4) {
    const double a = x0 - w, b = x0 + w;
    if (foc(a) > 0 && foc(b) < 0) return root(foc, a, b);
  }
  throw std::runtime_error("argmax: no bracket for the first-order condition");
}

// ---- Primitives, written from the curves themselves.
inline double demand(const Primitives& p, double price) {
  return p.alpha - p.b * price;
}
inline double import_supply(const Primitives& p, double price) {
  return p.c * price;
}
inline double export_supply(const Primitives& p, double price) {
  return p.d * price;
}
inline double exports_at(const Primitives& p, double local) {
  return std::max(0.0, export_supply(p, local) - demand(p, local));
}

struct NumMarket {
  double p, qA, qB, EA, EB;
};

// Clears the importer's market: demand − own supply = exports of A + exports of B.
inline NumMarket num_market(const Primitives& pr, double tA, double tB) {
  auto excess = [&](double p) {
    return demand(pr, p) - import_supply(pr, p) - exports_at(pr, p - tA) - exports_at(pr, p - tB);
  };
  const double p = root(excess, 0.0, pr.alpha / pr.b);
  NumMarket m{p, p - tA, p - tB, exports_at(pr, p - tA), exports_at(pr, p - tB)};
  // A non-trading exporter's local price clears its own market: demand = supply.
  auto autarky = [&](double q) { return export_supply(pr, q) - demand(pr, q); };
  if (m.EA == 0) m.qA = root(autarky, 0.0, pr.alpha / pr.b);
  if (m.EB == 0) m.qB = root(autarky, 0.0, pr.alpha / pr.b);
  return m;
}

inline double integral(const std::function<double(double)>& f, double a, double b) {
  return boost::math::quadrature::gauss_kronrod<double, 15>::integrate(f, a, b, 0);
}

// Consumer surplus up to the choke price plus producer surplus with supply slope `supply`.
inline double surplus(const Primitives& pr, double price, double supply_slope) {
  const double cs = integral([&](double x) { return demand(pr, x); }, price, pr.alpha / pr.b);
  const double ps = integral([&](double x) { return supply_slope * x; }, 0.0, price);
  return cs + ps;
}

inline double num_importer_welfare(const Primitives& pr, double tA, double tB) {
  const NumMarket m = num_market(pr, tA, tB);
  return surplus(pr, m.p, pr.c) + tA * m.EA + tB * m.EB;
}

inline double num_exporter_welfare(const Primitives& pr, double q) {
  return surplus(pr, q, pr.d);
}

inline Welfare num_welfare(const Primitives& pr, const Profile& t) {
  const NumMarket x = num_market(pr, t.XY, t.XZ), y = num_market(pr, t.YX, t.YZ),
                  z = num_market(pr, t.ZX, t.ZY);
  Welfare w;
  w.X = num_importer_welfare(pr, t.XY, t.XZ) + num_exporter_welfare(pr, y.qA) +
        num_exporter_welfare(pr, z.qA);
  w.Y = num_importer_welfare(pr, t.YX, t.YZ) + num_exporter_welfare(pr, x.qA) +
        num_exporter_welfare(pr, z.qB);
  w.Z = num_importer_welfare(pr, t.ZX, t.ZY) + num_exporter_welfare(pr, x.qB) +
        num_exporter_welfare(pr, y.qB);
  w.G = w.X + w.Y + w.Z;
  return w;
}

// Smallest t in [0, tN] with g(t) >= 0 for a concave g, by a root search on g itself; NaN if none.
template <class G>
double smallest_nonnegative(G g, double tN) {
  if (g(0.0) >= 0) return 0.0;
  const double peak = argmax(g, 0.0, tN, 0.05 * tN);
  if (g(peak) < 0) return std::numeric_limits<double>::quiet_NaN();
  return root(g, 0.0, peak);
}

// Self-enforcement constraint written from the welfare functions (spec §5, times 1 − δ).
inline double constraint_from_welfare(const Primitives& pr, double delta, double r, double W_P,
                                      double t, bool numeric) {
  const Welfare wc =
      numeric ? num_welfare(pr, cooperation_profile(t)) : welfare(pr, cooperation_profile(t));
  const Welfare wd =
      numeric ? num_welfare(pr, deviation_profile(pr, t)) : welfare(pr, deviation_profile(pr, t));
  // The cancellation-free form δ(1 − r)[W^C − W^P] − (1 − δ)(W^D − W^C) of spec §5.
  return delta * (1 - r) * (wc.X - W_P) - (1 - delta) * (wd.X - wc.X);
}

inline std::vector<Primitives> primitive_cases() {
  return {{1.0, 1.0, 1.0, 2.0},
          {2.5, 0.7, 0.3, 1.9},
          {1.0, 3.0, 0.5, 0.6},
          {0.8, 0.2, 1.5, 6.0},
          {1.7, 1.3, 2.0, 2.2}};
}

}  // namespace em_test
