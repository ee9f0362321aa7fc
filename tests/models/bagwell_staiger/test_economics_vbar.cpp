// The fixed point V̄ (spec §4): against an independent 50-digit reference, a brute-force search of
// the incentive constraints, the closed forms, and the invariances.
#include <array>
#include <boost/math/quadrature/gauss.hpp>
#include <boost/multiprecision/cpp_bin_float.hpp>
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "economics.hpp"

namespace bs = tariffsim::bagwell_staiger;
using bs::DistKind;
using bs::Distribution;

namespace {

using T = boost::multiprecision::cpp_bin_float_50;

// E[(Vf - v)+], E[(Vf - v)+²] and E[Vf²] in 50 digits, from the definitions: direct sums for
// atoms, exact polynomial integrals for the uniform, Gauss–Kronrod over the density (in the
// normal score s, i.e. x = x(s), dx·f(x) = φ(s)ds) for lognormal and truncnormal.
class Reference {
 public:
  explicit Reference(const Distribution& d) : d_(d) {
    if (d.kind() == DistKind::Lognormal) {
      const T m = d.p1, s = d.p2;
      const T s2 = boost::multiprecision::log1p(s * s / (m * m));
      sigma_ = sqrt(s2);
      mu_ = log(m) - s2 / 2;
    } else if (d.kind() == DistKind::TruncNormal) {
      mu_ = d.p1;
      sigma_ = d.p2;
      mass_ = integrate_scores(-mu_ / sigma_, T(0))[0];
    }
    second_moment_ = excess(T(0)).second;
  }

  T second_moment() const { return second_moment_; }

  // {E[(Vf − v)+], E[(Vf − v)+²]}.
  std::pair<T, T> excess(const T& v) const {
    switch (d_.kind()) {
      case DistKind::Degenerate:
      case DistKind::Discrete: {
        T e1 = 0, e2 = 0;
        for (std::size_t i = 0; i < d_.values.size(); ++i) {
          const T x = d_.values[i];
          if (x > v) {
            e1 += T(d_.probs[i]) * (x - v);
            e2 += T(d_.probs[i]) * (x - v) * (x - v);
          }
        }
        return {e1, e2};
      }
      case DistKind::Uniform: {
        const T lo = d_.p1, hi = d_.p2, w = hi - lo;
        if (v >= hi) return {T(0), T(0)};
        const T start = v > lo ? v : lo;
        const T a = hi - v, b = start - v;
        return {(a * a - b * b) / (2 * w), (a * a * a - b * b * b) / (3 * w)};
      }
      case DistKind::Lognormal: {
        const T z = v > 0 ? T((log(v) - mu_) / sigma_) : T(-1000);
        const auto m = integrate_scores(z, v);
        return {m[1], m[2]};
      }
      case DistKind::TruncNormal: {
        const T z0 = -mu_ / sigma_;
        T z = (v - mu_) / sigma_;
        if (z < z0) z = z0;
        const auto m = integrate_scores(z, v);
        return {m[1] / mass_, m[2] / mass_};
      }
    }
    return {T(0), T(0)};
  }

  T G(const T& v) const { return second_moment_ - excess(v).second; }

 private:
  T x_of(const T& s) const {
    return d_.kind() == DistKind::Lognormal ? T(exp(mu_ + sigma_ * s)) : T(mu_ + sigma_ * s);
  }

  // {∫φ, ∫(x(s) − v)φ, ∫(x(s) − v)²φ} over s in [s0, ∞), by 40-point Gauss–Legendre on pieces
  // over which the log of the integrand changes by at most ~8 (width 8/|s|, at most 4), where
  // the rule is exact to far beyond double precision.
  std::array<T, 3> integrate_scores(T s0, const T& v) const {
    using Rule = boost::math::quadrature::gauss<T, 40>;
    static const std::vector<T> nodes(Rule::abscissa().begin(), Rule::abscissa().end());
    static const std::vector<T> weights(Rule::weights().begin(), Rule::weights().end());
    if (s0 < -13) s0 = -13;  // φ(-13) ~ e^-84, far below the 1e-15 we need
    const T growth = d_.kind() == DistKind::Lognormal ? T(2 * sigma_) : T(0);
    const T top = (s0 > 0 ? s0 : T(0)) + growth;
    const T s_end = top > 8 ? T(top + 120 / top) : T(top + 13);
    const T inv_root_two_pi = 1 / sqrt(2 * boost::math::constants::pi<T>());
    std::array<T, 3> total{T(0), T(0), T(0)};
    auto add = [&](const T& s, const T& w) {
      const T f = w * exp(-s * s / 2) * inv_root_two_pi;
      const T e = x_of(s) - v;
      total[0] += f;
      total[1] += f * e;
      total[2] += f * e * e;
    };
    for (T s = s0; s < s_end;) {
      const T scale = abs(s) > 2 ? T(abs(s)) : T(2);
      T s_next = s + 8 / scale;
      if (s_next > s_end) s_next = s_end;
      const T half = (s_next - s) / 2, mid = (s_next + s) / 2;
      for (std::size_t i = 0; i < nodes.size(); ++i) {
        if (nodes[i] == 0) {
          add(mid, half * weights[i]);
        } else {
          add(mid - half * nodes[i], half * weights[i]);
          add(mid + half * nodes[i], half * weights[i]);
        }
      }
      s = s_next;
    }
    return total;
  }

  const Distribution& d_;
  T mu_ = 0, sigma_ = 1, mass_ = 1, second_moment_ = 0;
};

// The unique positive root of h(v) = κG(v) + φ − v², by Newton's method from hi = sqrt(κE[Vf²]+φ)
// (h is concave and h(hi) <= 0, so the iterates decrease monotonically), safeguarded by
// bisection on a bracket [lo, hi] with h(lo) > 0 >= h(hi).
T reference_vbar(const Reference& ref, double delta, double phi_d) {
  const T kap = T(3) * T(delta) / (T(4) * (T(1) - T(delta)));
  const T phi = phi_d;
  T hi = sqrt(kap * ref.second_moment() + phi);
  if (hi == 0) return T(0);
  auto h = [&](const T& v) { return kap * ref.G(v) + phi - v * v; };
  if (h(hi) >= 0) return hi;  // free trade: E[(Vf − hi)+²] = 0
  T lo = hi / 2;
  while (!(h(lo) > 0)) {
    hi = lo;
    lo /= 2;
  }
  T v = hi;
  for (int it = 0; it < 200; ++it) {
    const auto [e1, e2] = ref.excess(v);
    const T hv = kap * (ref.second_moment() - e2) + phi - v * v;
    if (hv > 0)
      lo = v;
    else
      hi = v;
    const T slope = 2 * kap * e1 - 2 * v;
    const T step = hv / slope;
    if (abs(step) <= T(1e-35) * v) return v - step;  // quadratic convergence: done
    T next = v - step;
    if (!(next > lo && next < hi)) next = (lo + hi) / 2;
    v = next;
  }
  return v;
}

struct NamedDist {
  std::string name;
  Distribution d;
};

std::vector<NamedDist> test_distributions() {
  return {{"degenerate(1.3)", Distribution::degenerate(1.3)},
          {"discrete 4-point", Distribution::discrete({0.0, 0.5, 1.0, 2.0}, {0.1, 0.3, 0.4, 0.2})},
          {"two-point", Distribution::discrete({0.2, 3.0}, {0.9, 0.1})},
          {"uniform(0.5,2)", Distribution::uniform(0.5, 2.0)},
          {"uniform(0,1)", Distribution::uniform(0.0, 1.0)},
          {"lognormal(1,0.3)", Distribution::lognormal(1.0, 0.3)},
          {"lognormal(2,3)", Distribution::lognormal(2.0, 3.0)},
          {"lognormal(1,0.01)", Distribution::lognormal(1.0, 0.01)},
          {"truncnormal(1,0.5)", Distribution::truncnormal(1.0, 0.5)},
          {"truncnormal(-1,1)", Distribution::truncnormal(-1.0, 1.0)}};
}

bool matches_reference(double got, const T& ref_t) {
  const double ref = static_cast<double>(ref_t);
  if (std::abs(ref) < 1e-3) return std::abs(got - ref) <= 1e-12;
  return std::abs(got - ref) <= 1e-9 * std::abs(ref);
}

}  // namespace

TEST_CASE("solve_vbar matches a 50-digit reference", "[bagwell_staiger][vbar]") {
  const std::vector<double> deltas = {0.0, 0.01, 0.3, 4.0 / 7.0, 0.9, 0.99, 0.9999};
  struct AF {
    double a, F;
  };
  const std::vector<AF> a_f = {{1.0, 0.0}, {1.0, 0.02}, {3.0, 0.02}};
  for (const auto& nd : test_distributions()) {
    REQUIRE(nd.d.invalid_reason().empty());
    const Reference ref(nd.d);
    CHECK(matches_reference(nd.d.second_moment(), ref.second_moment()));
    for (double delta : deltas) {
      for (const auto& af : a_f) {
        const double phi = 6.0 * af.a * af.F;
        CAPTURE(nd.name, delta, af.a, af.F);
        const T expected = reference_vbar(ref, delta, phi);
        const double got = bs::solve_vbar(nd.d, delta, phi);
        CAPTURE(got, static_cast<double>(expected));
        CHECK(matches_reference(got, expected));
      }
    }
  }
}

TEST_CASE("solve_vbar at delta = 0 and its edge cases", "[bagwell_staiger][vbar]") {
  const Distribution d = Distribution::lognormal(1.0, 0.5);
  CHECK(bs::solve_vbar(d, 0.0, 0.0) == 0.0);
  CHECK(bs::solve_vbar(d, 0.0, 0.09) == Approx(0.3).epsilon(1e-15));
  CHECK(bs::solve_vbar(Distribution::degenerate(0.0), 0.9, 0.0) == 0.0);
  CHECK_THROWS_AS(bs::solve_vbar(d, 1.0, 0.0), std::invalid_argument);
  CHECK_THROWS_AS(bs::solve_vbar(d, -0.1, 0.0), std::invalid_argument);
  // With unbounded support V̄ stays below hi = sqrt(κE[Vf²]) however large δ is.
  const double delta = 0.999999;
  const double hi = std::sqrt(bs::kappa(delta) * d.second_moment());
  const double vbar = bs::solve_vbar(d, delta, 0.0);
  CHECK(vbar <= hi);
  CHECK(vbar == Approx(hi).epsilon(1e-12));
  CHECK(!bs::free_trade_sustainable(d, delta, 0.0));
}

TEST_CASE("brute-force search of the incentive constraints on discrete distributions",
          "[bagwell_staiger][vbar]") {
  struct Setup {
    std::vector<double> x, p;
    double delta, a, F;
  };
  const std::vector<Setup> setups = {
      {{0.0, 0.5, 1.0, 2.0}, {0.1, 0.3, 0.4, 0.2}, 0.5, 1.0, 0.0},
      {{0.0, 0.5, 1.0, 2.0}, {0.1, 0.3, 0.4, 0.2}, 0.8, 2.0, 0.0},
      {{0.2, 3.0}, {0.9, 0.1}, 0.7, 1.0, 0.0},
      {{0.2, 3.0}, {0.9, 0.1}, 0.7, 0.5, 0.3},
      {{1.0, 1.5, 4.0, 7.0}, {0.4, 0.3, 0.2, 0.1}, 0.95, 1.5, 0.1},
      {{1.0, 2.0}, {0.5, 0.5}, 0.2, 1.0, 0.0},
      {{1.0, 2.0}, {0.5, 0.5}, 0.9, 1.0, 0.0},  // free trade
  };
  for (const auto& s : setups) {
    const Distribution d = Distribution::discrete(s.x, s.p);
    CAPTURE(s.delta, s.a, s.F, s.x.size());
    // Does the rule τc(Vf) = max(0, Vf − V̄)/(2a) satisfy Ω*(Vf, τc) − F <= ω in every state,
    // with ω the discounted expected gain of cooperating under that same rule?
    auto self_enforcing = [&](double vbar) {
      double expected_gain = 0.0;
      for (std::size_t i = 0; i < s.x.size(); ++i) {
        const double tau = std::max(0.0, s.x[i] - vbar) / (2 * s.a);
        const double tn = bs::nash_tariff(s.x[i], s.a);
        expected_gain += s.p[i] * (bs::welfare_foreign(s.x[i], s.a, tau, tau) -
                                   bs::welfare_foreign(s.x[i], s.a, tn, tn));
      }
      const double omega = s.delta / (1 - s.delta) * expected_gain;
      for (double x : s.x) {
        const double tau = std::max(0.0, x - vbar) / (2 * s.a);
        const double defect = bs::best_response(x, s.a, tau);
        const double gain =
            bs::welfare_foreign(x, s.a, tau, defect) - bs::welfare_foreign(x, s.a, tau, tau);
        if (gain - s.F > omega) return false;
      }
      return true;
    };
    const double top = *std::max_element(s.x.begin(), s.x.end());
    const double vbar = bs::solve_vbar(d, s.delta, 6 * s.a * s.F);
    if (self_enforcing(top)) {
      // Free trade (V̄ >= ess sup, τ ≡ 0) is self-enforcing: the solver must report it.
      CHECK(vbar >= top);
      CHECK(bs::free_trade_sustainable(d, s.delta, 6 * s.a * s.F));
      continue;
    }
    // Scan for the most cooperative self-enforcing rule: the largest V̄ (smallest tariffs).
    constexpr int kSteps = 4000;
    double best = -1.0;
    for (int k = 0; k <= kSteps; ++k) {
      const double v = top * k / kSteps;
      if (self_enforcing(v)) best = v;
    }
    REQUIRE(best >= 0.0);
    // The feasible set is an interval [0, V̄]: refine its end by bisection.
    double lo = best, hi = std::min(top, best + top / kSteps);
    for (int it = 0; it < 100; ++it) {
      const double mid = 0.5 * (lo + hi);
      (self_enforcing(mid) ? lo : hi) = mid;
    }
    CHECK(vbar == Approx(lo).epsilon(1e-9));
    CHECK(!bs::free_trade_sustainable(d, s.delta, 6 * s.a * s.F));
    // Every smaller V̄ on the scan grid is also self-enforcing (less cooperative rules).
    CHECK(self_enforcing(0.5 * lo));
  }
}

TEST_CASE("degenerate closed forms equal solve_vbar", "[bagwell_staiger][vbar]") {
  for (double c : {0.4, 1.0, 7.0}) {
    const Distribution d = Distribution::degenerate(c);
    for (double delta : {0.0, 0.1, 0.5, 4.0 / 7.0 - 1e-9, 4.0 / 7.0, 0.6, 0.9, 0.999}) {
      CAPTURE(c, delta);
      const double closed = delta < 4.0 / 7.0 ? 6 * delta * c / (4 - delta)
                                              : c * std::sqrt(3 * delta / (4 * (1 - delta)));
      CHECK(bs::vbar_degenerate(c, delta, 0.0) == Approx(closed).epsilon(1e-14));
      CHECK(bs::solve_vbar(d, delta, 0.0) == Approx(closed).epsilon(1e-12).margin(1e-15));
      CHECK(bs::free_trade_sustainable(d, delta, 0.0) == (delta >= 4.0 / 7.0));
      for (double phi : {0.01, 0.3, 5.0}) {
        CAPTURE(phi);
        const double k = 3 * delta / (4 * (1 - delta));
        const double root = (k * c + std::sqrt(k * k * c * c + (1 + k) * phi)) / (1 + k);
        const double expected = root < c ? root : std::sqrt(k * c * c + phi);
        CHECK(bs::vbar_degenerate(c, delta, phi) == Approx(expected).epsilon(1e-14));
        CHECK(bs::solve_vbar(d, delta, phi) == Approx(expected).epsilon(1e-12));
        CHECK(bs::free_trade_sustainable(d, delta, phi) == (k * c * c + phi >= c * c));
      }
    }
  }
}

TEST_CASE("delta_free_trade is the switching point of free_trade_sustainable",
          "[bagwell_staiger][vbar]") {
  const std::vector<Distribution> dists = {
      Distribution::uniform(0.5, 2.0), Distribution::uniform(0.0, 1.0),
      Distribution::discrete({0.0, 0.5, 1.0, 2.0}, {0.1, 0.3, 0.4, 0.2}),
      Distribution::discrete({0.2, 3.0}, {0.9, 0.1}), Distribution::degenerate(2.0)};
  for (const auto& d : dists) {
    double lo = 0.0, hi = 1.0 - 1e-16;
    REQUIRE(!bs::free_trade_sustainable(d, lo, 0.0));
    REQUIRE(bs::free_trade_sustainable(d, hi, 0.0));
    for (int it = 0; it < 200 && hi - lo > 1e-15; ++it) {
      const double mid = 0.5 * (lo + hi);
      (bs::free_trade_sustainable(d, mid, 0.0) ? hi : lo) = mid;
    }
    const double s = d.ess_sup();
    const double expected = 4 * s * s / (4 * s * s + 3 * d.second_moment());
    CHECK(bs::delta_free_trade(d) == Approx(expected).epsilon(1e-15));
    CHECK(bs::delta_free_trade(d) == Approx(hi).epsilon(1e-12));
    // At δ_FT the solver returns V̄ = ess sup (up to rounding) and nobody is protected.
    const bs::Solution sol = bs::solve({bs::delta_free_trade(d), 1.0, 0.0, d});
    CHECK(sol.Vbar == Approx(s).epsilon(1e-12));
    CHECK(sol.P_protect == 0.0);
    CHECK(sol.free_trade_sustainable);
  }
  CHECK(bs::delta_free_trade(Distribution::degenerate(1.0)) == Approx(4.0 / 7.0).epsilon(1e-15));
  CHECK(std::isinf(bs::delta_free_trade(Distribution::lognormal(1.0, 0.2))));
  CHECK(std::isinf(bs::delta_free_trade(Distribution::truncnormal(1.0, 0.2))));
}

TEST_CASE("V-bar does not depend on a when F = 0, and tariffs scale as 1/a",
          "[bagwell_staiger][vbar]") {
  for (const auto& nd : test_distributions()) {
    for (double delta : {0.3, 0.9}) {
      CAPTURE(nd.name, delta);
      const bs::Solution s1 = bs::solve({delta, 1.0, 0.0, nd.d});
      const bs::Solution s2 = bs::solve({delta, 2.5, 0.0, nd.d});
      CHECK(s1.Vbar == s2.Vbar);
      CHECK(s1.P_protect == s2.P_protect);
      CHECK(s1.P_increase == s2.P_increase);
      CHECK(s1.E_V == s2.E_V);
      CHECK(s2.E_tau == Approx(s1.E_tau / 2.5).epsilon(1e-15));
      CHECK(s2.E_tau2 == Approx(s1.E_tau2 / (2.5 * 2.5)).epsilon(1e-15));
      CHECK(s2.tau_N_at_mean == Approx(s1.tau_N_at_mean / 2.5).epsilon(1e-15));
      // With F > 0, a larger a·F raises V̄ (fewer, smaller tariffs).
      const bs::Solution f1 = bs::solve({delta, 1.0, 0.05, nd.d});
      const bs::Solution f2 = bs::solve({delta, 2.5, 0.05, nd.d});
      CHECK(f2.Vbar > f1.Vbar);
      CHECK(f1.Vbar > s1.Vbar);
    }
  }
}
