// Every output of solve() (spec §6) against its definition, computed here from the rule and the
// density (quadrature) or the atoms (direct sums), never from the library's partial moments.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "economics.hpp"
#include "economics_test_helpers.hpp"

namespace bs = tariffsim::bagwell_staiger;
using bs::DistKind;
using bs::Distribution;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// Expectation of g(Vf) from the atoms or the density; continuous integrals are split at the
// rule's kink V̄.
template <class Fn>
double expect(const Distribution& d, double kink, Fn g) {
  if (d.kind() == DistKind::Discrete || d.kind() == DistKind::Degenerate) {
    double sum = 0;
    for (std::size_t i = 0; i < d.values.size(); ++i) sum += d.probs[i] * g(d.values[i]);
    return sum;
  }
  return bs_test::integrate_density(d, g, -1.0, kink) +
         bs_test::integrate_density(d, g, kink, kInf);
}

bool close(double got, double ref) {
  if (std::abs(ref) < 1e-3) return std::abs(got - ref) <= 1e-12;
  return std::abs(got - ref) <= 1e-9 * std::abs(ref);
}

void check_solution(const bs::Params& p) {
  const bs::Solution s = bs::solve(p);
  const Distribution& d = p.dist;
  const double a = p.a, vbar = s.Vbar;
  CAPTURE(static_cast<int>(d.kind()), d.p1, d.p2, p.delta, a, p.F, vbar);
  auto tau_c = [&](double x) { return bs::cooperative_tariff(x, vbar, a); };

  const double e_gain = expect(d, vbar, [&](double x) {
    const double t = tau_c(x), tn = bs::nash_tariff(x, a);
    return bs::welfare_foreign(x, a, t, t) - bs::welfare_foreign(x, a, tn, tn);
  });
  CHECK(close(s.E_gain, e_gain));
  CHECK(close(s.omega, p.delta / (1 - p.delta) * e_gain));
  // ω equals V̄²/(6a) − F except that, under free trade, V̄ = hi is not the tightest constraint.
  if (!s.free_trade_sustainable) CHECK(close(s.omega, vbar * vbar / (6 * a) - p.F));
  CHECK(close(s.P_protect, expect(d, vbar, [&](double x) { return tau_c(x) > 0 ? 1.0 : 0.0; })));
  CHECK(close(s.E_tau, expect(d, vbar, tau_c)));
  CHECK(close(s.E_tau2, expect(d, vbar, [&](double x) { return tau_c(x) * tau_c(x); })));
  CHECK(close(s.tau_N_at_mean, expect(d, vbar, [&](double x) { return bs::nash_tariff(x, a); })));
  CHECK(close(s.E_V,
              expect(d, vbar, [&](double x) { return bs::volume(x, a, tau_c(x), tau_c(x)); })));
  CHECK(s.free_trade_sustainable == (s.P_protect == 0.0 && vbar >= d.ess_sup()));

  if (d.kind() == DistKind::Discrete || d.kind() == DistKind::Degenerate) {
    // P(τ_t > τ_{t−1}) and P(τ_{t−1} = 0 < τ_t) over all pairs of i.i.d. states.
    double increase = 0, onset = 0;
    for (std::size_t i = 0; i < d.values.size(); ++i) {
      for (std::size_t j = 0; j < d.values.size(); ++j) {
        const double before = tau_c(d.values[i]), now = tau_c(d.values[j]);
        const double pij = d.probs[i] * d.probs[j];
        if (now > before) increase += pij;
        if (before == 0.0 && now > 0.0) onset += pij;
      }
    }
    CHECK(close(s.P_increase, increase));
    CHECK(close(s.P_onset, onset));
  } else {
    const double prot = s.P_protect;
    CHECK(close(s.P_increase, prot - prot * prot / 2));
    CHECK(close(s.P_onset, prot * (1 - prot)));
  }
}

}  // namespace

TEST_CASE("solve() outputs equal their definitions", "[bagwell_staiger][solution]") {
  const std::vector<Distribution> dists = {
      Distribution::degenerate(1.3),
      Distribution::discrete({0.0, 0.5, 1.0, 2.0, 2.0}, {0.1, 0.3, 0.3, 0.1, 0.2}),
      Distribution::discrete({0.2, 3.0}, {0.9, 0.1}),
      Distribution::uniform(0.5, 2.0),
      Distribution::lognormal(1.0, 0.3),
      Distribution::lognormal(2.0, 3.0),
      Distribution::truncnormal(1.0, 0.5),
      Distribution::truncnormal(-1.0, 1.0)};
  for (const auto& d : dists) {
    for (double delta : {0.0, 0.2, 0.6, 0.9, 0.99}) {
      check_solution({delta, 1.0, 0.0, d});
      check_solution({delta, 0.4, 0.03, d});
    }
  }
}

TEST_CASE("P_increase for a uniform equals the double integral of the indicator",
          "[bagwell_staiger][solution]") {
  const Distribution d = Distribution::uniform(0.5, 2.0);
  for (double delta : {0.2, 0.5, 0.7}) {
    const bs::Solution s = bs::solve({delta, 1.0, 0.0, d});
    REQUIRE(s.P_protect > 0.0);
    const double vbar = s.Vbar;
    auto tau = [&](double x) { return bs::cooperative_tariff(x, vbar, 1.0); };
    const bs_test::Density f(d);
    // ∫∫ 1[τ(x_t) > τ(x_{t−1})] f(x_{t−1}) f(x_t); the inner integrand jumps where the two
    // tariffs are equal, so the inner integral is split at that point (x_{t−1} = x_t when
    // x_t > V̄) and at the kink V̄.
    auto inner = [&](double xt) {
      auto indicator = [&](double xp) { return tau(xt) > tau(xp) ? f(xp) : 0.0; };
      std::vector<double> cuts = {d.p1, std::clamp(vbar, d.p1, d.p2), std::clamp(xt, d.p1, d.p2),
                                  d.p2};
      std::sort(cuts.begin(), cuts.end());
      double sum = 0;
      for (std::size_t k = 0; k + 1 < cuts.size(); ++k) {
        sum += bs_test::gk(indicator, cuts[k], cuts[k + 1]);
      }
      return sum * f(xt);
    };
    const double kink = std::clamp(vbar, d.p1, d.p2);
    const double p_increase = bs_test::gk(inner, d.p1, kink) + bs_test::gk(inner, kink, d.p2);
    CAPTURE(delta, vbar);
    CHECK(s.P_increase == Approx(p_increase).epsilon(1e-9));
    CHECK(s.P_onset == Approx((1 - s.P_protect) * s.P_protect).epsilon(1e-15));
  }
}

TEST_CASE("solve() at the edges: delta = 0, delta near 1, invalid inputs",
          "[bagwell_staiger][solution]") {
  // δ = 0: Nash tariffs in every state.
  const Distribution ln = Distribution::lognormal(1.0, 0.3);
  const bs::Solution nash = bs::solve({0.0, 2.0, 0.0, ln});
  CHECK(nash.Vbar == 0.0);
  CHECK(nash.E_tau == Approx(1.0 / 4.0).epsilon(1e-14));
  CHECK(nash.P_protect == 1.0);

  // δ → 1 with unbounded support: protection is rare but must not vanish by cancellation.
  // Reference: P(Vf > V̄) = Q((ln V̄ − μ)/σ) by quadrature of the density above V̄.
  for (double delta : {0.99, 0.999}) {
    const bs::Solution s = bs::solve({delta, 1.0, 0.0, ln});
    const double tail = bs_test::integrate_density(
        ln, [](double) { return 1.0; }, s.Vbar, kInf);
    CAPTURE(delta, s.Vbar, tail);
    CHECK(tail > 0.0);
    CHECK(s.P_protect == Approx(tail).epsilon(1e-9));
    CHECK(s.E_tau > 0.0);
    CHECK(!s.free_trade_sustainable);
  }
  const bs::Solution tiny = bs::solve({0.99, 1.0, 0.0, ln});
  CHECK(tiny.P_protect < 1e-10);

  CHECK_THROWS_AS(bs::solve({1.0, 1.0, 0.0, ln}), std::invalid_argument);
  CHECK_THROWS_AS(bs::solve({-0.5, 1.0, 0.0, ln}), std::invalid_argument);
  CHECK_THROWS_AS(bs::solve({0.5, 0.0, 0.0, ln}), std::invalid_argument);
  CHECK_THROWS_AS(bs::solve({0.5, 1.0, -1.0, ln}), std::invalid_argument);
  CHECK_THROWS_AS(bs::solve({0.5, 1.0, 0.0, Distribution::uniform(2.0, 1.0)}),
                  std::invalid_argument);
}
