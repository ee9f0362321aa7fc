// Stable point (§6), Remark 1 (§7), power shift (§8) and liberalization paths (§10) against
// numerical solutions built from the objectives.
#include <catch2/catch.hpp>
#include <cmath>
#include <vector>

#include "deremer_test_helpers.hpp"

using namespace deremer_test;
using dm::Countries;
using dm::Weights;

namespace {

// Numerical stable point: on the numerical frontier, the lam where Home's numerical reciprocal
// gain vanishes; returns {tx, ty, lam}.
struct NumStable {
  double tx, ty, lam;
};
NumStable stable_numeric(const Countries& g, dm::Reciprocity r, double lo, double hi) {
  const auto h = [&](double lam) {
    const auto [tx, ty] = frontier_numeric(g, lam);
    return phi_numeric(g, tx, ty, r);
  };
  const double lam = root(h, lo, hi);
  const auto [tx, ty] = frontier_numeric(g, lam);
  return {tx, ty, lam};
}

const std::vector<Countries> kAsym = {
    {{1.2, 1.1}, {1.2, 1.1}}, {{1.3, 1.2}, {1.1, 1.05}}, {{1.0, 1.2}, {1.3, 1.1}},
    {{1.1, 1.0}, {1.4, 1.2}}, {{1.0, 1.0}, {1.0, 1.0}},
};

}  // namespace

TEST_CASE("closed-form stable point equals the numerical one (ToT-neutral)", "[deremer][stable]") {
  const dm::StablePoint fig = dm::stable_point_tot({{1.2, 1.1}, {1.2, 1.1}});
  CHECK(fig.status == dm::kOk);
  CHECK(fig.tx == Approx(4.0 / 395.0).margin(1e-15));
  CHECK(fig.ty == Approx(4.0 / 395.0).margin(1e-15));
  CHECK(fig.lam == Approx(1.0).margin(1e-13));
  for (const Countries& g : kAsym) {
    const dm::StablePoint s = dm::stable_point_tot(g);
    REQUIRE(s.status == dm::kOk);
    // Root in lam of a function whose evaluations carry ~1e-13 stencil rounding: the position is
    // good to ~1e-12 since |dh/dlam| is O(0.1).
    const NumStable n = stable_numeric(g, dm::Reciprocity::Tot, 0.55, 1.95);
    CHECK(s.tx == Approx(n.tx).margin(1e-11));
    CHECK(s.ty == Approx(n.ty).margin(1e-11));
    CHECK(s.lam == Approx(n.lam).margin(1e-10));
    CHECK(psi_numeric(g, s.tx, s.ty, dm::Reciprocity::Tot) == Approx(0).margin(1e-12));
    CHECK(phi_numeric(g, s.tx, s.ty, dm::Reciprocity::Tot) == Approx(0).margin(1e-12));
    if (dm::symmetric(g)) CHECK(s.tx == Approx(dm::eq7(g.home).tau).margin(1e-14));
  }
}

TEST_CASE("stable point statuses", "[deremer][stable]") {
  const dm::StablePoint out = dm::stable_point_tot({{1.1, 1.3}, {1.4, 1.1}});
  CHECK(out.status == dm::kOutsideDomain);
  // Symmetric with 8gM + 9gE = 23: S == S*.
  CHECK(dm::stable_point_tot({{1.0, 15.0 / 9.0}, {1.0, 15.0 / 9.0}}).status ==
        dm::kDegenerateContinuum);
  const Countries deg{{1.0, 15.0 / 9.0}, {1.0, 15.0 / 9.0}};
  for (double tx : {-0.3, -0.2, -0.15})
    CHECK(dm::curve_S(deg, tx, dm::Reciprocity::Tot) ==
          Approx(dm::curve_Ss(deg, tx, dm::Reciprocity::Tot)).margin(1e-12));
}

TEST_CASE("volume reciprocity stable point equals the numerical one", "[deremer][stable]") {
  for (const Countries& g : kAsym) {
    const dm::StablePoint s = dm::stable_point_volume(g);
    REQUIRE(s.status == dm::kOk);
    const NumStable n = stable_numeric(g, dm::Reciprocity::Volume, 0.55, 1.95);
    CHECK(s.tx == Approx(n.tx).margin(1e-11));
    CHECK(s.ty == Approx(n.ty).margin(1e-11));
    CHECK(psi_numeric(g, s.tx, s.ty, dm::Reciprocity::Volume) == Approx(0).margin(1e-12));
    // The two notions agree when tx = ty (symmetric weights).
    if (dm::symmetric(g)) CHECK(s.tx == Approx(dm::stable_point_tot(g).tx).margin(1e-13));
  }
}

TEST_CASE("Remark 1: exact condition against numerical stable points", "[deremer][remark1]") {
  // Figure 1's public point with gE^W = 1.0, gM^W = 1.2.
  CHECK(dm::eq7({1.2, 1.0}).tau == Approx(4.0 / 101.0).margin(1e-15));
  // Counterexample to the paper's rule.
  CHECK(dm::eq7({1.21, 1.0}).tau == Approx(1.0 / 24.0).margin(1e-14));
  CHECK(dm::eq7({1.5, 1.2}).tau == Approx(8.0 / 181.0).margin(1e-14));
  CHECK(dm::remark1_paper({1.5, 1.2}, {1.21, 1.0}));
  CHECK_FALSE(dm::remark1_exact({1.5, 1.2}, {1.21, 1.0}));
  int n = 0;
  for (double gM : {1.0, 1.2, 1.5})
    for (double gE : {1.0, 1.1, 1.3})
      for (double gMW : {0.9, 1.0, 1.2, 1.4})
        for (double gEW : {0.9, 1.0, 1.2}) {
          const Weights G{gM, gE}, W{gMW, gEW};
          const double tG = frontier_numeric({G, G}, 1.0).first;
          const double tW = frontier_numeric({W, W}, 1.0).first;
          if (std::abs(tW - tG) < 1e-9) continue;
          CHECK(dm::remark1_exact(G, W) == (tW > tG));
          if (gMW == gM && gEW < gE)
            CHECK(tW - tG == Approx(168 * (4 - gM) * (gE - gEW) /
                                    ((59 - 9 * gEW - 8 * gMW) * (59 - 9 * gE - 8 * gM)))
                                 .margin(1e-11));
          ++n;
        }
  CHECK(n > 80);
  // At the symmetric stable point with gM^W = gM, the public's gain from a reciprocal increase.
  const Countries G{{1.2, 1.1}, {1.2, 1.1}}, W{{1.2, 1.0}, {1.2, 1.0}};
  const double t = 4.0 / 395.0;
  CHECK(dm::home_reciprocal_gain(W, t, t, dm::Reciprocity::Tot) ==
        Approx(phi_numeric(W, t, t, dm::Reciprocity::Tot)).margin(1e-12));
  CHECK(phi_numeric(W, t, t, dm::Reciprocity::Tot) ==
        Approx(-3.0 / 7.0 * (1.0 - 1.1) * dm::world_price(t)).margin(1e-12));
}

TEST_CASE("power-shift derivatives and decomposition against numerical ones", "[deremer][power]") {
  const std::vector<std::pair<Countries, Countries>> cases = {
      {{{1.2, 1.1}, {1.2, 1.1}}, {{1.2, 1.0}, {1.2, 1.0}}},
      {{{1.3, 1.2}, {1.1, 1.05}}, {{1.0, 1.0}, {1.0, 1.0}}},
      {{{1.5, 1.01}, {1.5, 1.01}}, {{1.0, 1.0}, {1.0, 1.0}}},
  };
  for (const auto& [gov, pub] : cases)
    for (double lam : {0.8, 1.0, 1.25}) {
      const dm::FrontierPoint f = dm::frontier(gov, lam);
      REQUIRE(f.status() == dm::kOk);
      const dm::PowerShift p = dm::power_shift(gov, pub, f.tx, f.ty, f.dtx_dlam, f.dty_dlam);
      const auto along = [&](auto fn) {
        return d_dlam(
            [&](double l) {
              const auto [x, y] = frontier_numeric(gov, l);
              return fn(x, y);
            },
            lam);
      };
      CHECK(p.dG == Approx(along([&](double x, double y) {
                      return dm::home_objective(x, y, gov.home);
                    })).margin(1e-9));
      CHECK(p.dGs == Approx(along([&](double x, double y) {
                       return dm::foreign_objective(x, y, gov.foreign);
                     })).margin(1e-9));
      CHECK(p.dW == Approx(along([&](double x, double y) {
                      return dm::home_objective(x, y, pub.home);
                    })).margin(1e-9));
      CHECK(p.dWs == Approx(along([&](double x, double y) {
                       return dm::foreign_objective(x, y, pub.foreign);
                     })).margin(1e-9));
      CHECK(p.dGs == Approx(-lam * p.dG).margin(1e-13));  // envelope on the frontier
      // Rents = derivative of the sectors' profits; ToT at fixed volumes.
      CHECK(p.import_rents == Approx(along([](double x, double) {
                                const double q = dm::local_price(x);
                                return q * q / 4;
                              })).margin(1e-9));
      CHECK(p.export_rents == Approx(along([](double, double y) {
                                const double q = dm::world_price(y);
                                return q * q / 2;
                              })).margin(1e-9));
      const double Mx = dm::imports(f.tx), My = dm::imports(f.ty);
      CHECK(p.tot == Approx(along([&](double x, double y) {
                       return -Mx * dm::world_price(x) + My * dm::world_price(y);
                     })).margin(1e-9));
      // dG = (gM-1) import rents + (gE-1) export rents + ToT + tx dM_x.
      const double dMx = -6.0 / 7.0 * f.dtx_dlam;
      CHECK(p.dG == Approx((gov.home.gM - 1) * p.import_rents + (gov.home.gE - 1) * p.export_rents +
                           p.tot + f.tx * dMx)
                        .margin(1e-13));
      if (gov.home.gM >= 1 && gov.home.gE >= 1) {  // Remark 2 signs in the valid region
        CHECK(f.dtx_dlam > 0);
        CHECK(f.dty_dlam < 0);
        CHECK(p.import_rents > 0);
        CHECK(p.export_rents > 0);
        CHECK(p.tot > 0);
      }
      if (dm::symmetric(gov) && dm::symmetric(pub) && lam == 1.0)
        CHECK(dm::dW_dlam_symmetric(gov.home, pub.home) == Approx(p.dW).margin(1e-13));
    }
  CHECK(dm::power_B({1.5, 1.01}, {1.0, 1.0}) == Approx(1.79).margin(1e-12));
  CHECK(dm::dW_dlam_symmetric({1.5, 1.01}, {1.0, 1.0}) < 0);
  CHECK(dm::dW_dlam_symmetric({1.2, 1.1}, {1.2, 1.0}) > 0);
}

TEST_CASE("liberalization paths", "[deremer][path]") {
  using dm::PathMode;
  using dm::Reciprocity;
  const Countries sym{{1.2, 1.1}, {1.2, 1.1}};
  for (PathMode m : {PathMode::Reciprocity, PathMode::OneForOne}) {
    const dm::PathEnd e = dm::liberalization_endpoint(sym, Reciprocity::Tot, m);
    CHECK(e.stopped_by == dm::kStoppedByBoth);
    CHECK(e.tx == Approx(4.0 / 395.0).margin(1e-12));
    CHECK(e.ty == Approx(4.0 / 395.0).margin(1e-12));
  }
  for (const Countries& g : {Countries{{1.3, 1.2}, {1.1, 1.05}}, Countries{{1.5, 1.4}, {1.2, 1.3}}})
    for (PathMode m : {PathMode::Reciprocity, PathMode::OneForOne}) {
      const dm::PathEnd e = dm::liberalization_endpoint(g, Reciprocity::Tot, m);
      const double txN = dm::nash_tariff(g.home.gM).t, tyN = dm::nash_tariff(g.foreign.gM).t;
      // Stays on its path: v^2 - u^2 (or ty - tx) as at Nash.
      if (m == PathMode::Reciprocity) {
        const auto inv = [](double x, double y) {
          return std::pow(1 - 6 * y, 2) - std::pow(1 - 6 * x, 2);
        };
        CHECK(inv(e.tx, e.ty) == Approx(inv(txN, tyN)).margin(1e-13));
      } else {
        CHECK(e.ty - e.tx == Approx(tyN - txN).margin(1e-15));
      }
      // The stopping country's numerical gain is zero; the other's is still negative.
      const double ratio =
          m == PathMode::Reciprocity ? reciprocal_ratio(e.tx, e.ty, Reciprocity::Tot) : 1.0;
      const double ph = dG_dtx(g.home, e.tx, e.ty, true) + dG_dty(g.home, e.tx, e.ty, true) * ratio;
      const double ps =
          dG_dty(g.foreign, e.tx, e.ty, false) + dG_dtx(g.foreign, e.tx, e.ty, false) / ratio;
      REQUIRE((e.stopped_by == dm::kStoppedByHome || e.stopped_by == dm::kStoppedByForeign));
      CHECK((e.stopped_by == dm::kStoppedByHome ? ph : ps) == Approx(0).margin(1e-12));
      CHECK((e.stopped_by == dm::kStoppedByHome ? ps : ph) < 0);
      // Generally not the stable point.
      CHECK(std::abs(e.tx - dm::stable_point_tot(g).tx) > 1e-6);
      // Both gain strictly at the path's midpoint.
      const double mid = 0.5 * (txN + e.tx);
      const double ymid = dm::path_ty(g, mid, txN, tyN, Reciprocity::Tot, m);
      CHECK(dm::path_home_gain(g, mid, ymid, Reciprocity::Tot, m) < 0);
      CHECK(dm::path_foreign_gain(g, mid, ymid, Reciprocity::Tot, m) < 0);
    }
  // Prohibitive Nash: the path starts just inside and still ends on S or S*.
  const Countries pro{{2.0, 1.5}, {1.2, 1.1}};
  const dm::PathEnd e = dm::liberalization_endpoint(pro, Reciprocity::Tot, PathMode::Reciprocity);
  CHECK(e.status == dm::kOk);
  CHECK(e.tx_start < 1.0 / 6.0);
  // With gM = 2 Home's own-tariff gain is positive at 1/6: no reciprocal cut helps Home.
  CHECK(e.tx == e.tx_start);
  CHECK(e.stopped_by == dm::kStoppedByHome);
  const Countries pro_f{{1.2, 1.1}, {2.0, 1.5}};  // Foreign prohibitive: v = 0 at Nash
  const dm::PathEnd ef =
      dm::liberalization_endpoint(pro_f, Reciprocity::Tot, PathMode::Reciprocity);
  CHECK(ef.status == dm::kOk);
  CHECK(ef.stopped_by == dm::kStoppedByForeign);
  // The series: n points from the start to the end.
  std::vector<double> tx(11), ty(11), phi(11), psi(11);
  dm::liberalization_path(sym, Reciprocity::Tot, PathMode::Reciprocity, tx, ty, phi, psi);
  CHECK(tx.front() == Approx(23.0 / 292.0).margin(1e-15));
  CHECK(tx.back() == Approx(4.0 / 395.0).margin(1e-12));
  CHECK(phi.back() == Approx(0).margin(1e-12));
  for (std::size_t i = 0; i + 1 < tx.size(); ++i) CHECK(phi[i] < 0);
}

TEST_CASE("volume stable point: the first valid root of a dense scan in lam", "[deremer][stable]") {
  // The reference scans G_x a(ty) + G_y a(tx) along the interior frontier in 20,000 log steps
  // and refines each sign change; the model brackets the roots by the condition's analytic shape.
  const auto valid = [](const Countries& g, double tx, double ty) {
    const double lam = dm::lam_of_frontier_point(g, tx, ty);
    return tx >= -1 && tx < 1.0 / 6 && ty >= -1 && ty < 1.0 / 6 && lam > 0 &&
           dm::frontier_soc(g, lam);
  };
  int ok = 0, compared = 0;
  const double weights[] = {0.7, 1.0, 1.3, 1.9, 3.5};
  for (double gM : weights)
    for (double gE : weights)
      for (double gMs : weights)
        for (double gEs : weights) {
          const Countries g{{gM, gE}, {gMs, 1.05 * gEs}};
          const double lo =
              std::max(g.foreign.gE / 3, 9 * (1 + g.foreign.gE) / (68 - 8 * gM)) * (1 + 1e-12);
          const double hi = std::min(3 / gE, (68 - 8 * gMs) / (9 * (1 + gE))) * (1 - 1e-12);
          const auto h = [&](double lam) {
            const double tx = dm::frontier_tx_interior(g, lam),
                         ty = dm::frontier_ty_interior(g, lam);
            const dm::Gradient d = dm::home_gradient(tx, ty, g.home);
            return d.x * (4 - 3 * ty) + d.y * (4 - 3 * tx);
          };
          double ref_tx = NAN;
          constexpr int kSteps = 20000;
          for (int k = 1; lo < hi && k <= kSteps && std::isnan(ref_tx); ++k) {
            const double a = lo * std::pow(hi / lo, double(k - 1) / kSteps);
            const double b = k == kSteps ? hi : lo * std::pow(hi / lo, double(k) / kSteps);
            if ((h(a) <= 0) == (h(b) <= 0)) continue;
            const double lam = root(h, a, b);
            const double tx = dm::frontier_tx_interior(g, lam),
                         ty = dm::frontier_ty_interior(g, lam);
            if (valid(g, tx, ty)) ref_tx = tx;
          }
          const dm::StablePoint s = dm::stable_point_volume(g);
          INFO("gM " << gM << " gE " << gE << " gMs " << gMs << " gEs " << 1.05 * gEs);
          CHECK((s.status == dm::kOk) == !std::isnan(ref_tx));
          if (s.status == dm::kOk && !std::isnan(ref_tx)) {
            CHECK(s.tx == Approx(ref_tx).margin(1e-11));
            ++ok;
          }
          ++compared;
        }
  CHECK(compared == 625);
  CHECK(ok > 50);
}
