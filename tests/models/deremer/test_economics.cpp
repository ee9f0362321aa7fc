// Closed forms of the DeRemer spec (§1-§5, §9) against numerical optimisation of the objectives.
#include <catch2/catch.hpp>
#include <cmath>
#include <vector>

#include "deremer_test_helpers.hpp"

using namespace deremer_test;
using dm::Countries;
using dm::Weights;

namespace {
// Weight sets spanning symmetric, asymmetric, weights below one and a subsidy region.
const std::vector<Countries> kCases = {
    {{1.2, 1.1}, {1.2, 1.1}}, {{1.0, 1.0}, {1.0, 1.0}}, {{1.3, 1.2}, {1.1, 1.05}},
    {{1.5, 1.4}, {1.2, 1.3}}, {{0.9, 0.8}, {1.1, 1.2}}, {{1.6, 1.0}, {1.0, 1.5}},
};
}  // namespace

TEST_CASE("prices and imports solve market clearing of the primitives", "[deremer][primitives]") {
  for (double t : {-0.9, -0.3, 0.0, 0.05, 0.1, 0.16}) {
    // Importer's demand minus import-competing supply = exporter's supply minus demand.
    const auto excess = [t](double pw) {
      const double p = pw + t;
      return (dm::demand(p) - dm::import_sector_supply(p)) -
             (dm::export_sector_supply(pw) - dm::demand(pw));
    };
    const double pw = root(excess, -2.0, 2.0);
    CHECK(dm::world_price(t) == Approx(pw).margin(1e-14));
    CHECK(dm::local_price(t) == Approx(pw + t).margin(1e-14));
    CHECK(dm::imports(t) ==
          Approx(dm::demand(pw + t) - dm::import_sector_supply(pw + t)).margin(1e-14));
  }
  // Above 1/6 a tariff acts as 1/6.
  CHECK(dm::imports(0.3) == 0.0);
  CHECK(dm::home_objective(0.3, 0.0, {1.2, 1.1}) == dm::home_objective(1.0 / 6.0, 0.0, {1.2, 1.1}));
}

TEST_CASE("objective slopes are the derivatives of the objectives", "[deremer][primitives]") {
  for (double g : {0.5, 1.0, 1.7, 3.0})
    for (double t : {-0.8, -0.2, 0.0, 0.1}) {
      CHECK(dm::import_objective_slope(t, g) ==
            Approx(deriv([g](double s) { return dm::import_objective(s, g); }, t)).margin(1e-12));
      CHECK(dm::export_objective_slope(t, g) ==
            Approx(deriv([g](double s) { return dm::export_objective(s, g); }, t)).margin(1e-12));
    }
}

TEST_CASE("Nash tariff is the numerical best response, whatever the partner does",
          "[deremer][nash]") {
  CHECK(dm::nash_tariff(1.2).t == Approx(23.0 / 292.0).margin(1e-15));
  CHECK(dm::nash_tariff(1.0).t == Approx(1.0 / 20.0).margin(1e-15));
  for (double gM : {0.5, 1.0, 1.2, 1.5, 1.7})
    for (double ty : {-0.5, 0.0, 0.1})
      for (double gE : {0.8, 1.1, 2.0}) {
        const double br = argmax_interior(
            [&](double tx) {
              return dm::home_objective(tx, ty, {gM, gE});
            },
            -0.999, 0.166);
        CHECK(dm::nash_tariff(gM).t == Approx(br).margin(1e-12));
        CHECK(dm::nash_tariff(gM).status == dm::kOk);
      }
  for (double gM : {1.75, 2.0, 9.0}) {
    const double br = argmax_brent(
        [&](double tx) {
          return dm::home_objective(tx, 0.0, {gM, 1.0});
        },
        -1.0, 1.0 / 6.0);
    CHECK(dm::nash_tariff(gM).t == 1.0 / 6.0);
    CHECK(dm::nash_tariff(gM).status == dm::kProhibitive);
    CHECK(br == Approx(1.0 / 6.0).margin(1e-7));
  }
}

TEST_CASE("efficient frontier is the numerical argmax of lam G + G*", "[deremer][frontier]") {
  int interior = 0;  // the corners are checked below; most of these points must be interior
  for (const Countries& g : kCases)
    for (double lam : {0.6, 0.9, 1.0, 1.3, 2.0}) {
      const dm::FrontierPoint f = dm::frontier(g, lam);
      if (f.status() != dm::kOk) continue;
      ++interior;
      const auto [tx, ty] = frontier_numeric(g, lam);
      CHECK(f.tx == Approx(tx).margin(1e-12));
      CHECK(f.ty == Approx(ty).margin(1e-12));
      // Separability: the x-optimum does not move with ty.
      const double tx2 = argmax_interior(
          [&](double t) {
            return lam * dm::home_objective(t, 0.07, g.home) +
                   dm::foreign_objective(t, 0.07, g.foreign);
          },
          -0.999, 0.16);
      CHECK(tx2 == Approx(tx).margin(1e-12));
      // dtx/dlam: 5-point derivative of the numerical argmax (truncation O(h^4) ~ 1e-12).
      const double dtx = d_dlam([&](double l) { return frontier_numeric(g, l).first; }, lam);
      const double dty = d_dlam([&](double l) { return frontier_numeric(g, l).second; }, lam);
      CHECK(f.dtx_dlam == Approx(dtx).margin(1e-9));
      CHECK(f.dty_dlam == Approx(dty).margin(1e-9));
      // Implicit-function form with lam on G_xx: G_x / -(lam G_xx + G*_xx).
      const double Gx = dG_dtx(g.home, f.tx, f.ty, true);
      const double Gxx = deriv([&](double t) { return dG_dtx(g.home, t, f.ty, true); }, f.tx);
      const double Gsxx = deriv([&](double t) { return dG_dtx(g.foreign, t, f.ty, false); }, f.tx);
      CHECK(f.dtx_dlam == Approx(Gx / -(lam * Gxx + Gsxx)).margin(1e-8));
    }
  CHECK(interior >= 20);
  // As lam grows the frontier tends to Home's Nash tariff.
  const Countries g{{1.2, 1.1}, {1.2, 1.1}};
  CHECK(dm::frontier(g, 1e9).tx == Approx(23.0 / 292.0).margin(1e-8));
}

TEST_CASE("frontier corners match a bounded numerical maximisation", "[deremer][frontier]") {
  // Small lam: Home's tariff wants to go below -1; large lam with gM > 7/4: prohibitive.
  const Countries low{{1.2, 1.1}, {1.2, 2.0}};
  const double lam_low = 0.45;  // tx(lam) = -1 at lam = gEs/3 = 0.667; SOC still holds
  const dm::FrontierPoint f = dm::frontier(low, lam_low);
  const double tx = argmax_brent(
      [&](double t) {
        return lam_low * dm::home_objective(t, 0, low.home) +
               dm::foreign_objective(t, 0, low.foreign);
      },
      -1.0, 1.0 / 6.0);
  CHECK(f.tx == Approx(tx).margin(1e-7));
  CHECK(f.status_x != dm::kOk);
  const Countries high{{2.5, 1.1}, {1.2, 1.1}};
  const dm::FrontierPoint h = dm::frontier(high, 5.0);
  CHECK(h.tx == 1.0 / 6.0);
  CHECK(h.status_x == dm::kProhibitive);
  CHECK(h.dtx_dlam == 0.0);
}

TEST_CASE("eq. (7) is the numerical symmetric efficient tariff", "[deremer][eq7]") {
  CHECK(dm::eq7({1.2, 1.1}).tau == Approx(4.0 / 395.0).margin(1e-15));
  int valid = 0;
  for (double gM : {0.8, 1.0, 1.2, 1.5, 1.7})
    for (double gE : {0.9, 1.0, 1.1, 1.4, 2.0}) {
      const dm::Eq7 e = dm::eq7({gM, gE});
      const Countries g{{gM, gE}, {gM, gE}};
      // Where eq. (7) is declared prohibitive the numerical tariff is indeed >= 1/6.
      if (e.status == dm::kProhibitive)
        CHECK(argmax_brent(
                  [&](double t) {
                    return dm::home_objective(t, t, g.home) +
                           dm::foreign_objective(t, t, g.foreign);
                  },
                  -1.0, 1.0 / 6.0) == Approx(1.0 / 6.0).margin(1e-7));
      if (e.status != dm::kOk) continue;
      ++valid;
      const auto [tx, ty] = frontier_numeric(g, 1.0);
      CHECK(e.tau == Approx(tx).margin(1e-12));
      CHECK(e.tau == Approx(ty).margin(1e-12));
      const double h = 1e-3;
      const auto tau_num = [&](double m, double x) {
        return frontier_numeric({{m, x}, {m, x}}, 1.0).first;
      };
      const double dgM = (tau_num(gM - 2 * h, gE) - 8 * tau_num(gM - h, gE) +
                          8 * tau_num(gM + h, gE) - tau_num(gM + 2 * h, gE)) /
                         (12 * h);
      const double dgE = (tau_num(gM, gE - 2 * h) - 8 * tau_num(gM, gE - h) +
                          8 * tau_num(gM, gE + h) - tau_num(gM, gE + 2 * h)) /
                         (12 * h);
      CHECK(e.dtau_dgM == Approx(dgM).margin(1e-8));
      CHECK(e.dtau_dgE == Approx(dgE).margin(1e-8));
      CHECK((e.tau < 0) == (3 * gE > 1 + 2 * gM));
    }
  CHECK(valid >= 20);
  CHECK(dm::eq7({4.0, 4.0}).status == dm::kNoInteriorSolution);  // D = 59 - 36 - 32 < 0
  CHECK(dm::eq7({1.75, 0.2}).status == dm::kProhibitive);        // 8gM - 9gE = 12.2 >= 5
  CHECK(dm::eq7({1.0, 3.5}).status == dm::kOutsideDomain);       // tau < -1
}

TEST_CASE("Figure 1 curves satisfy their defining conditions numerically", "[deremer][figure]") {
  const Countries g{{1.2, 1.1}, {1.2, 1.1}};
  const auto r = dm::Reciprocity::Tot;
  const double txN = 23.0 / 292.0;
  const double phiN = phi_numeric(g, txN, txN, r), psiN = psi_numeric(g, txN, txN, r);
  CHECK(dm::home_reciprocal_gain(g, txN, txN, r) == Approx(phiN).margin(1e-12));
  int checked = 0;
  for (double tx = -0.05; tx <= 0.12; tx += 0.01) {
    const double s = dm::curve_S(g, tx, r), ss = dm::curve_Ss(g, tx, r);
    const double n = dm::curve_N(g, tx, phiN, r), ns = dm::curve_Ns(g, tx, psiN, r);
    const double ef = dm::curve_EF(g, tx);
    // Every curve must be checked at several grid points, not only S.
    checked += std::isfinite(s) + std::isfinite(ss) + std::isfinite(n) + std::isfinite(ns) +
               std::isfinite(ef);
    if (std::isfinite(s)) CHECK(phi_numeric(g, tx, s, r) == Approx(0).margin(1e-11));
    if (std::isfinite(ss)) CHECK(psi_numeric(g, tx, ss, r) == Approx(0).margin(1e-11));
    if (std::isfinite(n)) CHECK(phi_numeric(g, tx, n, r) == Approx(phiN).margin(1e-11));
    if (std::isfinite(ns)) CHECK(psi_numeric(g, tx, ns, r) == Approx(psiN).margin(1e-11));
    if (std::isfinite(ef)) {
      const double Gx = dG_dtx(g.home, tx, ef, true), Gy = dG_dty(g.home, tx, ef, true);
      const double Fx = dG_dtx(g.foreign, tx, ef, false), Fy = dG_dty(g.foreign, tx, ef, false);
      CHECK(Gx * Fy - Gy * Fx == Approx(0).margin(1e-12));  // gradients anti-parallel
      CHECK(-Fx / Gx > 0);
    }
    // The spec's u-v form of S, and the mirror symmetry of the figure.
    const double u = 1 - 6 * tx;
    const double aH = 63 * 0.1, bH = 56 * 1.2 - 98, DH = 59 - 9.9 - 9.6;
    if (std::isfinite(s)) {
      CHECK(1 - 6 * s == Approx(aH * u / (bH + DH * u)).margin(1e-12));
      const double mirror = dm::curve_Ss(g, s, r);
      if (std::isfinite(mirror)) CHECK(mirror == Approx(tx).margin(1e-12));
    }
  }
  CHECK(checked > 50);  // 18 grid points x 5 curves, a few outside the domain
  // S, S*, EF and N meet where they should: S and S* cross at eq. (7).
  CHECK(dm::curve_S(g, 4.0 / 395.0, r) == Approx(4.0 / 395.0).margin(1e-13));
  CHECK(dm::curve_EF(g, 4.0 / 395.0) == Approx(4.0 / 395.0).margin(1e-13));
  CHECK(dm::curve_N(g, txN, phiN, r) == Approx(txN).margin(1e-13));
  // Volume reciprocity: the same linear solve, checked against the primitives' p^w ratio.
  const Countries a{{1.3, 1.2}, {1.1, 1.05}};
  int finite = 0;
  for (double tx : {-0.02, 0.03, 0.08}) {
    const double s = dm::curve_S(a, tx, dm::Reciprocity::Volume);
    const double ss = dm::curve_Ss(a, tx, dm::Reciprocity::Volume);
    finite += std::isfinite(s) + std::isfinite(ss);
    if (std::isfinite(s))
      CHECK(phi_numeric(a, tx, s, dm::Reciprocity::Volume) == Approx(0).margin(1e-11));
    if (std::isfinite(ss))
      CHECK(psi_numeric(a, tx, ss, dm::Reciprocity::Volume) == Approx(0).margin(1e-11));
  }
  CHECK(finite >= 4);
}
