// The static game (spec §2–4): markets, welfare, best responses, Nash, collusive tariffs and the
// regime closed forms, each against the numerical solution from the primitives (em_numeric.hpp).
#include <Eigen/Dense>
#include <catch2/catch.hpp>
#include <cmath>

#include "em_numeric.hpp"

using namespace em_test;

namespace {

// Relative closeness |a − b| <= tol·max(|b|, floor).
bool close(double a, double b, double tol, double floor = 0.0) {
  return std::abs(a - b) <= tol * std::max(std::abs(b), floor);
}

}  // namespace

TEST_CASE("market clears as the root search on excess demand finds, including corners") {
  for (const Primitives& pr : primitive_cases()) {
    const double tN = nash_tariff(pr), tp = prohibitive_tariff(pr);
    const double pairs[][2] = {
        {0, 0},   {tN, tN},         {0.3 * tN, 1.7 * tN},    {0, tp * 1.5}, {tp * 1.2, 0.1 * tN},
        {tp, tp}, {2 * tp, 3 * tp}, {tp * 0.999, tp * 0.999}};
    for (const auto& t : pairs) {
      const Market m = solve_market(pr, t[0], t[1]);
      const NumMarket n = num_market(pr, t[0], t[1]);
      INFO("b=" << pr.b << " c=" << pr.c << " d=" << pr.d << " tA=" << t[0] << " tB=" << t[1]);
      CHECK(close(m.p, n.p, 1e-12));
      CHECK(close(m.qA, n.qA, 1e-12));
      CHECK(close(m.qB, n.qB, 1e-12));
      CHECK(std::abs(m.EA - n.EA) <= 1e-12 * pr.alpha);
      CHECK(std::abs(m.EB - n.EB) <= 1e-12 * pr.alpha);
      CHECK(close(importer_welfare(pr, t[0], t[1]), num_importer_welfare(pr, t[0], t[1]), 1e-12));
    }
    // The common prohibitive tariff: exports vanish there and are positive just below.
    CHECK(solve_market(pr, tp * (1 + 1e-9), tp * (1 + 1e-9)).EA == 0);
    CHECK(num_market(pr, tp * (1 - 1e-6), tp * (1 - 1e-6)).EA > 0);
    CHECK(close(exporter_welfare(pr, 0.4), num_exporter_welfare(pr, 0.4), 1e-12));
  }
}

TEST_CASE("best response t^D(tau) maximises the importer's welfare (eq 4, Lemma 1)") {
  for (const Primitives& pr : primitive_cases()) {
    const double tN = nash_tariff(pr), kappa = best_response_slope(pr);
    CHECK(kappa > 0);
    CHECK(kappa < 1);
    CHECK(best_response(pr, 0) > 0);
    for (double frac : {0.0, 0.25, 0.6, 1.0}) {
      const double tau = frac * tN;
      const double num = argmax([&](double tA) { return num_importer_welfare(pr, tA, tau); }, 0.0,
                                2 * tN, 0.05 * tN);
      INFO("b=" << pr.b << " c=" << pr.c << " d=" << pr.d << " tau/tN=" << frac);
      CHECK(std::abs(best_response(pr, tau) - num) <= 1e-9 * tN);
      // Every equilibrium tariff is strictly below its prohibitive level.
      CHECK(solve_market(pr, best_response(pr, tau), tau).EA > 0);
    }
  }
}

TEST_CASE("Nash tariff is the joint maximiser of the importer's welfare (eq 7)") {
  for (const Primitives& pr : primitive_cases()) {
    const double tN = nash_tariff(pr), h = 0.05 * tN;
    auto W = [&](double a, double b) { return num_importer_welfare(pr, a, b); };
    // Gradient and Hessian by central differences (exact for the quadratic W), one Newton step.
    const Eigen::Vector2d x0(0.5 * tN, 0.5 * tN);
    Eigen::Vector2d g;
    g << (W(x0[0] + h, x0[1]) - W(x0[0] - h, x0[1])) / (2 * h),
        (W(x0[0], x0[1] + h) - W(x0[0], x0[1] - h)) / (2 * h);
    Eigen::Matrix2d H;
    H(0, 0) = (W(x0[0] + h, x0[1]) - 2 * W(x0[0], x0[1]) + W(x0[0] - h, x0[1])) / (h * h);
    H(1, 1) = (W(x0[0], x0[1] + h) - 2 * W(x0[0], x0[1]) + W(x0[0], x0[1] - h)) / (h * h);
    H(0, 1) = H(1, 0) = (W(x0[0] + h, x0[1] + h) - W(x0[0] + h, x0[1] - h) -
                         W(x0[0] - h, x0[1] + h) + W(x0[0] - h, x0[1] - h)) /
                        (4 * h * h);
    const Eigen::Vector2d x = x0 - H.ldlt().solve(g);
    INFO("b=" << pr.b << " c=" << pr.c << " d=" << pr.d);
    CHECK(std::abs(x[0] - tN) <= 1e-9 * tN);
    CHECK(std::abs(x[1] - tN) <= 1e-9 * tN);
    CHECK(H.determinant() > 0);
    CHECK(H(0, 0) < 0);
    CHECK(std::abs(best_response(pr, tN) - tN) <= 1e-12 * tN);
    const Market m = solve_market(pr, tN, tN);
    const double sum = 2 * pr.b + pr.c + pr.d;
    CHECK(close(m.p, 2 * pr.alpha / sum, 1e-12));
    CHECK(close(m.EA, pr.alpha * (pr.d - pr.c) / (2 * sum), 1e-12));
    CHECK(close(tN, m.EA / (pr.b + pr.d), 1e-12));
    CHECK(close(importer_welfare(pr, tN, tN), nash_importer_welfare_closed(pr), 1e-12));
  }
}

TEST_CASE("free trade maximises global welfare") {
  for (const Primitives& pr : primitive_cases()) {
    const double h = 0.05 * nash_tariff(pr);
    const Welfare w0 = num_welfare(pr, cooperation_profile(0));
    for (int k = 0; k < 6; ++k) {
      auto G = [&](double x) {
        Profile t = cooperation_profile(0);
        double* fields[] = {&t.XY, &t.XZ, &t.YX, &t.YZ, &t.ZX, &t.ZY};
        *fields[k] = x;
        return num_welfare(pr, t).G;
      };
      CHECK(std::abs(slope(G, 0.0, h)) <= 1e-10 * w0.G / nash_tariff(pr));
      CHECK(G(h) < w0.G);
    }
    CHECK(close(w0.X, coop_welfare_closed(pr, 0), 1e-12));
    CHECK(close(solve_market(pr, 0, 0).p, 3 * pr.alpha / shorthands(pr).K, 1e-12));
  }
}

TEST_CASE("collusive tariffs maximise the non-deviators' joint welfare (eqs 17, 18)") {
  for (const Primitives& pr : primitive_cases()) {
    const double tN = nash_tariff(pr), h = 0.05 * tN;
    const double nc = argmax(
        [&](double t) {
          const Welfare w = num_welfare(pr, {tN, tN, t, t, t, t});
          return w.Y + w.Z;
        },
        0.0, tN, h);
    INFO("b=" << pr.b << " c=" << pr.c << " d=" << pr.d);
    CHECK(std::abs(collusive_mfn_tariff(pr) - nc) <= 1e-9 * tN);
    CHECK(collusive_mfn_tariff(pr) < tN);
    for (double frac : {0.0, 0.5, 1.0}) {
      const double tau = frac * tN;
      const double dc = argmax(
          [&](double t) {
            const Welfare w = num_welfare(pr, {tN, tN, t, tau, t, tau});
            return w.Y + w.Z;
          },
          0.0, 3 * tN, h);
      CHECK(std::abs(collusive_discriminatory_tariff(pr, tau) - dc) <= 1e-9 * tN);
      CHECK(collusive_discriminatory_tariff(pr, tau) > best_response(pr, tau));
    }
  }
}

TEST_CASE("regime welfare: closed forms against the welfare of the profiles") {
  for (const Primitives& pr : primitive_cases()) {
    const auto sh = shorthands(pr);
    const double tN = nash_tariff(pr);
    const double WN = num_welfare(pr, nash_profile(pr)).X;
    INFO("b=" << pr.b << " c=" << pr.c << " d=" << pr.d);
    for (double frac : {0.0, 0.3, 0.8, 1.0}) {
      const double t = frac * tN;
      const double wc = num_welfare(pr, cooperation_profile(t)).X;
      const double wd = num_welfare(pr, deviation_profile(pr, t)).X;
      CHECK(close(coop_welfare_closed(pr, t), wc, 1e-12));
      CHECK(close(welfare(pr, cooperation_profile(t)).X, wc, 1e-12));
      CHECK(std::abs(omega_closed(pr, t) - (wd - wc)) <= 1e-9 * omega_closed(pr, t) + 1e-13 * WN);
      CHECK(close(welfare(pr, deviation_profile(pr, t)).X, wd, 1e-12));
      CHECK(close(
          slope([&](double x) { return num_welfare(pr, cooperation_profile(x)).X; }, t, 0.05 * tN),
          -2 * sh.s * sh.m * t / sh.K, 1e-9, sh.s * sh.m * tN / sh.K));

      const double tau = t;
      const Welfare dp = num_welfare(pr, dp_profile(pr, tau));
      const Welfare lib = welfare(pr, dp_profile(pr, tau));
      CHECK(close(lib.X, dp.X, 1e-12));
      CHECK(close(lib.Y, dp.Y, 1e-12));
      CHECK(close(lib.Z, dp.Z, 1e-12));
      CHECK(close(solve_market(pr, best_response(pr, tau), tau).EA,
                  dp_deviator_exports_closed(pr, tau), 1e-12));
      const double wdp =
          nash_importer_welfare_closed(pr) +
          2 * exporter_welfare(pr, (pr.alpha + dp_deviator_exports_closed(pr, tau)) / sh.m);
      CHECK(close(dp.X, wdp, 1e-12));
      if (frac < 1) CHECK(dp.X > WN);  // Lemma 3
      // Collusive discrimination: exports independent of tau, deviator below Nash (Prop 2).
      const double edc = pr.alpha * (pr.d - pr.c) / (5 * pr.b + 2 * pr.c + 3 * pr.d);
      CHECK(close(solve_market(pr, collusive_discriminatory_tariff(pr, tau), tau).EA, edc, 1e-12));
      CHECK(num_welfare(pr, dc_profile(pr, tau)).X < WN);
    }
    CHECK(close(WN, coop_welfare_closed(pr, tN), 1e-12));
    CHECK(num_welfare(pr, nc_profile(pr)).X > WN);
    // Lemma 4: d(W^DP_Y − W^DP_X)/dτ at t^N.
    auto diff = [&](double tau) {
      const Welfare w = num_welfare(pr, dp_profile(pr, tau));
      return w.Y - w.X;
    };
    const double lemma4 = -pr.alpha * sh.s * (pr.d - pr.c) * (3 * pr.b + 2 * pr.c + pr.d) /
                          (2 * (2 * pr.b + pr.c + pr.d) * sh.Q);
    CHECK(close(slope(diff, tN, 0.05 * tN), lemma4, 1e-9));
    CHECK(lemma4 < 0);
  }
}
