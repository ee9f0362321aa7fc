// The point functions of bench_engine's bare loops: each model's economics for one point, called
// as the plugin calls it, with the plugin's defaults for the parameters not on the grid. Each
// returns a sum of what it computed, so the compiler cannot drop the work.
#include <cmath>

#include "bagwell_staiger/economics.hpp"
#include "customs_union/economics.hpp"
#include "deremer/economics.hpp"

namespace bench_engine {

namespace {

// NaN-safe: a status-coded NaN output must not poison the checksum.
double live(double x) {
  return std::isfinite(x) ? x : 0.0;
}

}  // namespace

// What the deremer plugin computes per point: its prepare()'s solve_point and Nash reciprocal
// gains, and the closed forms its getters evaluate (G at Nash, the public weights' eq. (7),
// Remark 1, Foreign's gain at the stable point): gM, gE on the grid, the other weights at their
// defaults (the public ones symmetric, the governments' not), lam = 1, ToT reciprocity.
double deremer_point(double gM, double gE) {
  using namespace tariffsim::deremer;
  const Countries gov{{gM, gE}, {1.2, 1.1}}, pub{{1.2, 1.0}, {1.2, 1.0}};
  const Reciprocity r = Reciprocity::Tot;
  const Tariff nx = nash_tariff(gov.home.gM), ny = nash_tariff(gov.foreign.gM);
  double s = home_reciprocal_gain(gov, nx.t, ny.t, r) + foreign_reciprocal_gain(gov, nx.t, ny.t, r);
  s += home_objective(nx.t, ny.t, pub.home) + home_objective(nx.t, ny.t, gov.home);
  if (symmetric(gov)) s += live(eq7(gov.home).tau);
  if (symmetric(pub)) s += live(eq7(pub.home).tau);
  // Remark 1 holds where eq. (7)'s denominator D = 59 - 9 gE - 8 gM is positive for both.
  const auto positive_d = [](Weights w) { return 59.0 - 9.0 * w.gE - 8.0 * w.gM > 0.0; };
  if (positive_d(gov.home) && positive_d(pub.home))
    s += remark1_exact(gov.home, pub.home) + remark1_paper(gov.home, pub.home);
  const StablePoint st = stable_point(gov, r), pp = stable_point(pub, r);
  s += live(pp.tx);
  if (st.status == kOk) {
    s += home_objective(st.tx, st.ty, pub.home) + home_reciprocal_gain(pub, st.tx, st.ty, r) +
         foreign_reciprocal_gain(pub, st.tx, st.ty, r);
    const FrontierPoint f = frontier(gov, st.lam);
    s += live(power_shift(gov, pub, st.tx, st.ty, f.dtx_dlam, f.dty_dlam).dW);
  }
  const FrontierPoint f = frontier(gov, 1.0);
  s += live(power_shift(gov, pub, f.tx, f.ty, f.dtx_dlam, f.dty_dlam).dW);
  s += live(liberalization_endpoint(gov, r, PathMode::Reciprocity).tx);
  s += live(liberalization_endpoint(gov, r, PathMode::OneForOne).tx);
  return s;
}

// The customs_union plugin's point-level work: every regime's optimum and outcome, the
// combinations and the CU weight (the plugin's defaults, alpha_i and alpha_j on the grid).
double customs_union_point(double alpha_i, double alpha_j) {
  using namespace tariffsim::customs_union;
  const Sector x{1.0, 2, 2, 2, alpha_i, alpha_j, 1.0, 1.0};
  double s = weight_i(x);
  for (const Regime r : kRegimes) {
    const RegimeOutcome o = regime_outcome(x, r);
    s += live(o.tariff.tau) + live(o.G);
  }
  return s + live(combination(x).res_FTA_identity);
}

// The bagwell_staiger plugin's point-level work: the solution at V-bar, lognormal Vf of mean 1.
// Returns V-bar, so the checksum / points is the mean V-bar that numpy_vbar.py prints.
double bagwell_staiger_point(double delta, double sd) {
  using namespace tariffsim::bagwell_staiger;
  return solve(Params{delta, 1.0, 0.0, Distribution::lognormal(1.0, sd)}).Vbar;
}

}  // namespace bench_engine
