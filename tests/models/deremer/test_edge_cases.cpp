// Edge cases of spec §4, §6, §8, §10 and §11 against numerical checks on the objectives: statuses
// no_interior_solution and soc_violated, a stable point on the bound t = -1, the power-shift sign
// on its boundary B = 0, a frontier good whose SOC fails, and paths under volume reciprocity.
#include <catch2/catch.hpp>
#include <cmath>
#include <vector>

#include "deremer_test_helpers.hpp"

using namespace deremer_test;
using dm::Countries;
using dm::Weights;

namespace {

// Foreign's gM that makes the closed form's u-denominator -D_H beta_F - alpha_H D_F vanish, for
// Home (gM, gE) and Foreign's gEs: the spec's "any other zero denominator".
double gMs_with_zero_u_denominator(Weights h, double gEs) {
  const double aH = 63 * (h.gE - 1), DH = 59 - 9 * h.gE - 8 * h.gM;
  return (-98 * DH + aH * (59 - 9 * gEs)) / (-56 * DH + 8 * aH);
}

// Second derivative of lam G + G* in one tariff, by the stencil on the objectives.
double curvature_x(const Countries& g, double lam, double tx, double ty) {
  return deriv(
      [&](double t) {
        return deriv(
            [&](double s) {
              return lam * dm::home_objective(s, ty, g.home) +
                     dm::foreign_objective(s, ty, g.foreign);
            },
            t);
      },
      tx);
}
double curvature_y(const Countries& g, double lam, double tx, double ty) {
  return deriv(
      [&](double t) {
        return deriv(
            [&](double s) {
              return lam * dm::home_objective(tx, s, g.home) +
                     dm::foreign_objective(tx, s, g.foreign);
            },
            t);
      },
      ty);
}

}  // namespace

TEST_CASE("no_interior_solution: S and S* never meet on the frontier", "[deremer][stable][edge]") {
  const Weights home{1.2, 1.1};
  const Countries g{home, {gMs_with_zero_u_denominator(home, 1.1), 1.1}};
  CHECK(dm::stable_point_tot(g).status == dm::kNoInteriorSolution);
  // Numerically: Home's reciprocal gain keeps one sign along the numerical frontier, so no
  // frontier point is stable.
  int n = 0;
  for (double lam = 0.6; lam <= 2.5; lam += 0.05, ++n) {
    const auto [tx, ty] = frontier_numeric(g, lam);
    CHECK(phi_numeric(g, tx, ty, dm::Reciprocity::Tot) < -0.01);
  }
  CHECK(n > 30);
  // Next to it the closed form's u* runs off to infinity: outside the domain.
  for (double d : {-1e-4, 1e-4}) {
    const Countries near{home, {g.foreign.gM + d, 1.1}};
    CHECK(dm::stable_point_tot(near).status == dm::kOutsideDomain);
  }
}

TEST_CASE("soc_violated: the closed-form S and S* crossing is not a maximum",
          "[deremer][stable][edge]") {
  // Large weights: the crossing lies in the domain with lam_R > 0, but lam_R G + G* is convex in
  // tx there (lam_R (68 - 8gM) < 9(1 + gEs)), so it is not on the efficient frontier.
  const Countries g{{1.90539714, 2.56879237}, {4.97483043, 2.48473486}};
  const dm::StablePoint s = dm::stable_point_tot(g);
  CHECK(s.status == dm::kSocViolated);
  CHECK(s.lam > 0);
  CHECK(s.tx > -1);
  CHECK(s.tx < 1.0 / 6.0);
  CHECK(phi_numeric(g, s.tx, s.ty, dm::Reciprocity::Tot) == Approx(0).margin(1e-12));
  CHECK(psi_numeric(g, s.tx, s.ty, dm::Reciprocity::Tot) == Approx(0).margin(1e-12));
  const double cx = curvature_x(g, s.lam, s.tx, s.ty), cy = curvature_y(g, s.lam, s.tx, s.ty);
  CHECK(std::max(cx, cy) > 1e-3);  // a positive curvature: not a maximum
  // Where the SOC holds the same numerical curvatures are both negative.
  const Countries fig{{1.2, 1.1}, {1.2, 1.1}};
  const dm::StablePoint f = dm::stable_point_tot(fig);
  CHECK(curvature_x(fig, f.lam, f.tx, f.ty) < 0);
  CHECK(curvature_y(fig, f.lam, f.tx, f.ty) < 0);
}

TEST_CASE("stable point on the bound t = -1 (gE = 3) is valid and equals eq. (7)",
          "[deremer][stable][edge]") {
  // 1 + tau^G = 21(3 - gE)/D: exactly -1 at gE = 3, u* = 7. Rounding must not flip its status.
  for (double gM : {0.6, 0.65, 0.7, 0.85, 0.95, 1.2, 1.45, 1.7}) {
    const Countries g{{gM, 3.0}, {gM, 3.0}};
    const dm::StablePoint s = dm::stable_point_tot(g);
    CHECK(s.status == dm::kOk);
    CHECK(s.tx == -1.0);
    CHECK(s.ty == -1.0);
    CHECK(dm::eq7(g.home).tau == -1.0);
    CHECK(dm::eq7(g.home).status == dm::kOk);
    // Both countries are indifferent to reciprocal changes there (numerically).
    CHECK(phi_numeric(g, -1.0, -1.0, dm::Reciprocity::Tot) == Approx(0).margin(1e-12));
    CHECK(psi_numeric(g, -1.0, -1.0, dm::Reciprocity::Tot) == Approx(0).margin(1e-12));
  }
}

TEST_CASE("power shift on its boundary B = 0 has dW/dlam = 0, and the sign flips across it",
          "[deremer][power][edge]") {
  const Weights pub{1.0, 1.0};
  const Weights on{1.48, 1.08};  // B = 4.32 - 27 + 5.92 - 16 + 17.76 - 12 + 27 = 0
  CHECK(dm::power_B(on, pub) == Approx(0).margin(1e-13));
  const Countries g{on, on}, w{pub, pub};
  const dm::FrontierPoint f = dm::frontier(g, 1.0);
  const dm::PowerShift p = dm::power_shift(g, w, f.tx, f.ty, f.dtx_dlam, f.dty_dlam);
  CHECK(p.dW == 0.0);  // the two terms cancel to rounding: no sign
  const double num = d_dlam(
      [&](double l) {
        const auto [x, y] = frontier_numeric(g, l);
        return dm::home_objective(x, y, pub);
      },
      1.0);
  CHECK(num == Approx(0).margin(1e-9));
  for (double d : {-0.02, 0.02}) {
    const Weights gov{on.gM + d, on.gE};
    const Countries gg{gov, gov};
    const dm::FrontierPoint ff = dm::frontier(gg, 1.0);
    const dm::PowerShift pp = dm::power_shift(gg, w, ff.tx, ff.ty, ff.dtx_dlam, ff.dty_dlam);
    const double B = dm::power_B(gov, pub);
    CHECK(std::abs(B) > 0.01);
    CHECK((pp.dW > 0) == (B < 0));
    CHECK(pp.dW == Approx(dm::dW_dlam_symmetric(gov, pub)).margin(1e-13));
  }
}

TEST_CASE("frontier: a good whose SOC fails takes the better endpoint",
          "[deremer][frontier][edge]") {
  // lam (68 - 8gM) = 11.68 < 9 (1 + gEs) = 18.9: lam g_M(tx) + g*_E(tx) is convex in tx.
  const Countries g{{1.2, 1.1}, {1.2, 1.1}};
  const double lam = 0.2;
  CHECK_FALSE(dm::frontier_soc(g, lam));
  const auto obj = [&](double t) {
    return lam * dm::home_objective(t, 0.0, g.home) + dm::foreign_objective(t, 0.0, g.foreign);
  };
  CHECK(deriv([&](double t) { return deriv(obj, t); }, 0.0) > 0);  // convex, numerically
  const dm::FrontierPoint f = dm::frontier(g, lam);
  CHECK(f.status_x == dm::kSocViolated);
  CHECK(f.status() == dm::kSocViolated);
  CHECK(std::isnan(f.dtx_dlam));
  const double best = obj(-1.0) >= obj(1.0 / 6.0) ? -1.0 : 1.0 / 6.0;
  CHECK(f.tx == best);
  for (double t = -1.0; t <= 1.0 / 6.0; t += 0.01) CHECK(obj(t) <= obj(f.tx) + 1e-15);
  // tx(lam) = -1 at lam = gEs/3 (spec §4): the bounded numerical argmax sits on the bound.
  const Countries h{{1.2, 1.1}, {1.2, 2.4}};
  const double lam_h = 2.4 / 3;
  REQUIRE(dm::frontier_soc(h, lam_h));
  const double tx_num = argmax_brent(
      [&](double t) {
        return lam_h * dm::home_objective(t, 0.0, h.home) +
               dm::foreign_objective(t, 0.0, h.foreign);
      },
      -1.0, 1.0 / 6.0);
  CHECK(dm::frontier(h, lam_h).tx == Approx(tx_num).margin(1e-7));
  CHECK(dm::frontier_tx_interior(h, lam_h) == Approx(-1.0).margin(1e-14));
}

TEST_CASE("liberalization paths under volume reciprocity", "[deremer][path][edge]") {
  using dm::PathMode;
  using dm::Reciprocity;
  const auto r = Reciprocity::Volume;
  const Countries sym{{1.2, 1.1}, {1.2, 1.1}};
  const dm::PathEnd s = dm::liberalization_endpoint(sym, r, PathMode::Reciprocity);
  CHECK(s.stopped_by == dm::kStoppedByBoth);  // on the diagonal the two notions agree
  CHECK(s.tx == Approx(4.0 / 395.0).margin(1e-12));
  int checked = 0;
  for (const Countries& g :
       {Countries{{1.3, 1.2}, {1.1, 1.05}}, Countries{{1.0, 1.2}, {1.3, 1.1}}}) {
    const dm::PathEnd e = dm::liberalization_endpoint(g, r, PathMode::Reciprocity);
    REQUIRE(e.status == dm::kOk);
    REQUIRE((e.stopped_by == dm::kStoppedByHome || e.stopped_by == dm::kStoppedByForeign));
    // On the level set of (4 - 3ty)^2 - (4 - 3tx)^2 through Nash: dty/dtx = p_x^w / p_y^w.
    const double txN = dm::nash_tariff(g.home.gM).t, tyN = dm::nash_tariff(g.foreign.gM).t;
    const auto inv = [](double x, double y) {
      return std::pow(4 - 3 * y, 2) - std::pow(4 - 3 * x, 2);
    };
    CHECK(inv(e.tx, e.ty) == Approx(inv(txN, tyN)).margin(1e-13));
    const double slope =
        deriv([&](double x) { return dm::path_ty(g, x, txN, tyN, r, PathMode::Reciprocity); }, e.tx,
              1e-5);
    CHECK(slope == Approx(reciprocal_ratio(e.tx, e.ty, r)).margin(1e-9));
    const double ph = phi_numeric(g, e.tx, e.ty, r), ps = psi_numeric(g, e.tx, e.ty, r);
    CHECK((e.stopped_by == dm::kStoppedByHome ? ph : ps) == Approx(0).margin(1e-12));
    CHECK((e.stopped_by == dm::kStoppedByHome ? ps : ph) < 0);
    ++checked;
  }
  CHECK(checked == 2);
}

namespace {
// The first tx going down from `start` where gain >= 0, by a dense scan and TOMS 748: the
// reference for the endpoint's bracketing (which evaluates the gain at a few points only).
template <class F>
double first_zero_by_scan(F gain, double start, double bound) {
  constexpr int kSteps = 20000;
  if (gain(start) >= 0) return start;
  double prev = start;
  for (int k = 1; k <= kSteps; ++k) {
    const double t = start + (bound - start) * k / kSteps;
    if (gain(t) >= 0) return root(gain, t, prev);
    prev = t;
  }
  return -INFINITY;
}
}  // namespace

TEST_CASE("liberalization endpoints match a dense scan of the gains", "[deremer][path][edge]") {
  using dm::PathMode;
  using dm::Reciprocity;
  int compared = 0, stopped_by_country = 0, inside = 0;
  const double weights[] = {0.8, 1.15, 1.6, 2.1};  // 2.1: prohibitive Nash (gM >= 7/4)
  for (const Reciprocity r : {Reciprocity::Tot, Reciprocity::Volume})
    for (const PathMode m : {PathMode::Reciprocity, PathMode::OneForOne})
      for (double gM : weights)
        for (double gE : weights)
          for (double gMs : weights)
            for (double gEs : weights) {
              const Countries g{{gM, gE}, {gMs, 0.9 * gEs}};
              const dm::PathEnd e = dm::liberalization_endpoint(g, r, m);
              const double txN = dm::nash_tariff(gM).t, tyN = dm::nash_tariff(gMs).t;
              const auto ty = [&](double tx) { return dm::path_ty(g, tx, txN, tyN, r, m); };
              const auto home = [&](double tx) { return dm::path_home_gain(g, tx, ty(tx), r, m); };
              const auto foreign = [&](double tx) {
                return dm::path_foreign_gain(g, tx, ty(tx), r, m);
              };
              // The path ends where tx or ty reaches -1 (ty rises with tx along the path).
              const double bound =
                  ty(-1.0) >= -1.0 ? -1.0 : root([&](double x) { return ty(x) + 1.0; }, -1.0, txN);
              const double th = first_zero_by_scan(home, e.tx_start, bound);
              const double tf = first_zero_by_scan(foreign, e.tx_start, bound);
              INFO("gM " << gM << " gE " << gE << " gMs " << gMs << " gEs " << 0.9 * gEs);
              if (e.stopped_by == dm::kStoppedByBound) {
                CHECK(th == -INFINITY);
                CHECK(tf == -INFINITY);
                continue;
              }
              const double ref = std::max(th, tf);
              CHECK(e.tx == Approx(ref).margin(1e-12));
              if (std::abs(th - tf) > 1e-9)
                CHECK(e.stopped_by == (th > tf ? dm::kStoppedByHome : dm::kStoppedByForeign));
              stopped_by_country += e.stopped_by != dm::kStoppedByBoth;
              inside += e.tx < e.tx_start;
              ++compared;
            }
  CHECK(compared > 700);
  CHECK(stopped_by_country > 500);
  CHECK(inside > 400);  // the rest stop at the start: a gain is >= 0 at Nash
}
