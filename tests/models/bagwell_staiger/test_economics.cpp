// Static game primitives, partial moments and input validation of the Bagwell–Staiger economics.
#include <boost/math/tools/minima.hpp>
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "economics.hpp"
#include "economics_test_helpers.hpp"

namespace bs = tariffsim::bagwell_staiger;
using bs::Distribution;

namespace {

// argmax and max over τ* of Foreign's welfare, with Home's tax fixed, found numerically.
std::pair<double, double> maximise_foreign(double Vf, double a, double tau) {
  auto neg_w = [&](double ts) { return -bs::welfare_foreign(Vf, a, tau, ts); };
  const double span = 10.0 * (Vf + 1.0) / a;
  const auto r = boost::math::tools::brent_find_minima(neg_w, -span, span,
                                                       std::numeric_limits<double>::digits);
  return {r.first, -r.second};
}

bool close_rel(double x, double ref, double rel) {
  return std::abs(x - ref) <= rel * std::abs(ref);
}

struct Case {
  double Vf, a, tau;
};
const std::vector<Case> kStaticCases = {
    {1.0, 1.0, 0.0}, {1.0, 1.0, 0.3}, {2.5, 0.2, 1.0}, {0.7, 4.0, 0.05}, {10.0, 0.5, 3.0}};

}  // namespace

TEST_CASE("best_response and nash_tariff maximise Foreign welfare", "[bagwell_staiger][static]") {
  for (const auto& c : kStaticCases) {
    CAPTURE(c.Vf, c.a, c.tau);
    const auto [argmax, wmax] = maximise_foreign(c.Vf, c.a, c.tau);
    const double br = bs::best_response(c.Vf, c.a, c.tau);
    // The maximiser of a flat maximum is only determined to about sqrt(eps).
    CHECK(std::abs(argmax - br) <= 1e-6 * (c.Vf / c.a));
    CHECK(close_rel(bs::welfare_foreign(c.Vf, c.a, c.tau, br), wmax, 1e-13));
    CHECK(bs::welfare_foreign(c.Vf, c.a, c.tau, br) >= wmax * (1 - 1e-15));

    // Nash: each tariff is the best response to the other (the game is symmetric, so Home's
    // welfare is welfare_foreign with the roles swapped).
    const double tn = bs::nash_tariff(c.Vf, c.a);
    const auto [argmax_n, wmax_n] = maximise_foreign(c.Vf, c.a, tn);
    CHECK(std::abs(argmax_n - tn) <= 1e-6 * (c.Vf / c.a));
    CHECK(close_rel(bs::welfare_foreign(c.Vf, c.a, tn, tn), wmax_n, 1e-13));
    CHECK(bs::best_response(c.Vf, c.a, tn) == Approx(tn).epsilon(1e-14));
    CHECK(bs::volume(c.Vf, c.a, tn, tn) == Approx(c.Vf / 2).epsilon(1e-14));
    CHECK(bs::welfare_foreign(c.Vf, c.a, tn, tn) ==
          Approx(3 * c.Vf * c.Vf / (8 * c.a)).epsilon(1e-14));
  }
}

TEST_CASE("defection_gain and cooperation_gain agree with welfare_foreign",
          "[bagwell_staiger][static]") {
  for (const auto& c : kStaticCases) {
    CAPTURE(c.Vf, c.a, c.tau);
    const double tau_c = std::min(c.tau, bs::nash_tariff(c.Vf, c.a));
    const auto [argmax, wmax] = maximise_foreign(c.Vf, c.a, tau_c);
    (void)argmax;
    const double w_coop = bs::welfare_foreign(c.Vf, c.a, tau_c, tau_c);
    const double numeric_defection = wmax - w_coop;
    // Absolute error of the numerical max is ~eps·W*, the gain may be much smaller than W*.
    CHECK(std::abs(bs::defection_gain(c.Vf, c.a, tau_c) - numeric_defection) <=
          1e-12 * std::abs(wmax));

    const double tn = bs::nash_tariff(c.Vf, c.a);
    const double numeric_coop = w_coop - bs::welfare_foreign(c.Vf, c.a, tn, tn);
    CHECK(std::abs(bs::cooperation_gain(c.Vf, c.a, tau_c) - numeric_coop) <= 1e-13 * w_coop);
    CHECK(bs::cooperation_gain(c.Vf, c.a, tau_c) > 0.0);
  }
  // At the Nash tariff there is nothing to gain by defecting.
  CHECK(bs::defection_gain(2.0, 0.5, bs::nash_tariff(2.0, 0.5)) == 0.0);
}

// ---------------------------------------------------------------------------------------------

namespace {

void check_partial_against_quadrature(const Distribution& d, double v) {
  CAPTURE(static_cast<int>(d.kind()), d.p1, d.p2, v);
  const bs::PartialMoments pm = d.partial(v);
  constexpr double inf = std::numeric_limits<double>::infinity();
  const double P = bs_test::integrate_density(
      d, [](double) { return 1.0; }, v, inf);
  const double E1 = bs_test::integrate_density(
      d, [](double x) { return x; }, v, inf);
  const double X1 = bs_test::integrate_density(
      d, [&](double x) { return x - v; }, v, inf);
  const double X2 = bs_test::integrate_density(
      d, [&](double x) { return (x - v) * (x - v); }, v, inf);
  const double B2 = bs_test::integrate_density(
      d, [](double x) { return x * x; }, -1.0, v);
  constexpr double rel = 1e-9;
  // Values that underflow double are compared absolutely.
  auto ok = [&](double got, double ref) {
    return std::abs(got - ref) <= rel * std::abs(ref) + 1e-300;
  };
  CHECK(ok(pm.p_above, P));
  CHECK(ok(pm.e_above, E1));
  CHECK(ok(pm.excess1, X1));
  CHECK(ok(pm.excess2, X2));
  CHECK(ok(pm.e2_below, B2));
  CHECK(pm.p_above > 0.0);  // every tested v is below an unbounded or upper end, P can't be 0
  // The complementary probability by the strict CDF: continuous, so P(Vf < v) = 1 − P(Vf > v).
  CHECK(std::abs(d.prob_below(v) - (1.0 - P)) <= 1e-12);
}

}  // namespace

TEST_CASE("uniform partial moments match quadrature", "[bagwell_staiger][moments]") {
  const Distribution d = Distribution::uniform(1.0, 3.0);
  REQUIRE(d.invalid_reason().empty());
  for (double v : {-1.0, 0.0, 0.5, 1.0, 1.7, 2.5, 2.999999}) check_partial_against_quadrature(d, v);
  const bs::PartialMoments above = d.partial(3.5);
  CHECK(above.p_above == 0.0);
  CHECK(above.excess2 == 0.0);
  CHECK(above.e2_below == Approx(13.0 / 3.0).epsilon(1e-15));
  CHECK(d.mean() == 2.0);
  CHECK(d.second_moment() == Approx(13.0 / 3.0).epsilon(1e-15));
  CHECK(d.ess_sup() == 3.0);
  const Distribution from_zero = Distribution::uniform(0.0, 2.0);
  for (double v : {0.0, 1e-8, 1.0, 1.99}) check_partial_against_quadrature(from_zero, v);
}

TEST_CASE("lognormal partial moments match quadrature", "[bagwell_staiger][moments]") {
  for (auto [m, s] : {std::pair{2.0, 0.6}, {1.0, 1e-3}, {1.0, 3.0}, {5.0, 0.05}}) {
    const Distribution d = Distribution::lognormal(m, s);
    REQUIRE(d.invalid_reason().empty());
    const double sigma = d.log_sigma, mu = d.log_mu;
    // Below the support, the lower bulk, the median, the upper bulk, and tails at z = 5, 8, 20.
    for (double z : {-3.0, -0.5, 0.0, 0.7, 2.0, 5.0, 8.0, 20.0}) {
      check_partial_against_quadrature(d, std::exp(mu + sigma * z));
    }
    check_partial_against_quadrature(d, -1.0);
    check_partial_against_quadrature(d, 0.0);
    // The full moments are the parameters themselves.
    CHECK(d.partial(0.0).e_above == Approx(m).epsilon(1e-14));
    CHECK(d.partial(0.0).excess2 == Approx(m * m + s * s).epsilon(1e-14));
  }
}

TEST_CASE("truncnormal partial moments match quadrature", "[bagwell_staiger][moments]") {
  for (auto [mu, sigma] : {std::pair{1.0, 0.5}, {-1.0, 0.5}, {3.0, 0.2}, {-2.0, 0.1}}) {
    const Distribution d = Distribution::truncnormal(mu, sigma);
    REQUIRE(d.invalid_reason().empty());
    const double lo_score = std::max(-mu / sigma, -6.0);
    for (double z : {lo_score, lo_score + 1e-3, -1.0, 0.0, 1.0, 3.0, 8.0, 25.0}) {
      const double v = mu + sigma * z;
      if (v < 0.0) continue;
      check_partial_against_quadrature(d, v);
    }
    check_partial_against_quadrature(d, -0.5);
    const double mass = bs_test::truncnormal_mass(mu, sigma);
    CHECK(d.mean() == Approx(bs_test::integrate_density(
                                 d, [](double x) { return x; }, 0.0, INFINITY))
                          .epsilon(1e-12));
    CHECK(mass > 0.0);
  }
}

TEST_CASE("discrete partial moments equal direct sums, strict above v",
          "[bagwell_staiger][moments]") {
  const std::vector<double> x = {0.0, 1.0, 2.0, 2.0, 5.0};
  const std::vector<double> p = {0.1, 0.2, 0.25, 0.15, 0.3};
  const Distribution d = Distribution::discrete(x, p);
  REQUIRE(d.invalid_reason().empty());
  for (double v : {-1.0, 0.0, 0.5, 1.0, 2.0, 3.0, 5.0, 6.0}) {
    CAPTURE(v);
    double P = 0, E1 = 0, X1 = 0, X2 = 0, B2 = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
      if (x[i] > v) {
        P += p[i];
        E1 += p[i] * x[i];
        X1 += p[i] * (x[i] - v);
        X2 += p[i] * (x[i] - v) * (x[i] - v);
      } else {
        B2 += p[i] * x[i] * x[i];
      }
    }
    const bs::PartialMoments pm = d.partial(v);
    CHECK(pm.p_above == Approx(P).margin(1e-15));
    CHECK(pm.e_above == Approx(E1).margin(1e-15));
    CHECK(pm.excess1 == Approx(X1).margin(1e-15));
    CHECK(pm.excess2 == Approx(X2).margin(1e-15));
    CHECK(pm.e2_below == Approx(B2).margin(1e-15));
  }
  CHECK(d.partial(2.0).p_above == Approx(0.3));  // atoms at exactly v are not above v
  CHECK(d.prob_below(2.0) == Approx(0.3));       // strict: the atoms at 2 are not below 2
  CHECK(d.ess_sup() == 5.0);
  CHECK(d.quantile(0.1) == 0.0);
  CHECK(d.quantile(0.1000001) == 1.0);
  CHECK(d.quantile(0.55) == 2.0);
  CHECK(d.quantile(0.71) == 5.0);
  CHECK(d.quantile(1.0) == 5.0);

  const Distribution deg = Distribution::degenerate(1.5);
  CHECK(deg.partial(1.0).excess2 == Approx(0.25));
  CHECK(deg.partial(1.5).p_above == 0.0);
  CHECK(deg.quantile(0.3) == 1.5);
  // Lognormal with sd = 0 is the same point mass.
  const Distribution ln0 = Distribution::lognormal(1.5, 0.0);
  REQUIRE(ln0.invalid_reason().empty());
  CHECK(ln0.ess_sup() == 1.5);
  CHECK(ln0.partial(1.0).excess2 == Approx(0.25));
  CHECK(ln0.partial(1.5).p_above == 0.0);
  CHECK(ln0.quantile(0.99) == 1.5);
}

TEST_CASE("quantile inverts prob_below, including far tails", "[bagwell_staiger][moments]") {
  const std::vector<Distribution> dists = {
      Distribution::uniform(0.5, 2.0), Distribution::lognormal(1.0, 0.4),
      Distribution::lognormal(2.0, 5.0), Distribution::truncnormal(1.0, 0.5),
      Distribution::truncnormal(-3.0, 1.0)};
  for (const auto& d : dists) {
    for (double u : {1e-12, 0.01, 0.3, 0.5, 0.77, 0.999, 1.0 - 1e-12}) {
      CAPTURE(static_cast<int>(d.kind()), d.p1, d.p2, u);
      const double x = d.quantile(u);
      CHECK(x >= 0.0);
      // x itself carries a rounding error of a few ulps of the scale it is computed from
      // (|x| + |p1| + p2); that moves the probability by up to density·error.
      const bs_test::Density f(d);
      const double rounding = f(x) * 8.0 * std::numeric_limits<double>::epsilon() *
                              (std::abs(x) + std::abs(d.p1) + d.p2);
      // Compare in the smaller tail, where the probability keeps its relative precision.
      if (u < 0.5) {
        CHECK(std::abs(d.prob_below(x) - u) <= 1e-9 * u + rounding);
      } else {
        CHECK(std::abs(d.partial(x).p_above - (1.0 - u)) <= 1e-9 * (1.0 - u) + rounding);
      }
    }
  }
}

TEST_CASE("invalid_reason catches each invalid input", "[bagwell_staiger][validation]") {
  auto reason_contains = [](const Distribution& d, const std::string& needle) {
    const std::string r = d.invalid_reason();
    INFO("reason: '" << r << "', expected to contain '" << needle << "'");
    return r.find(needle) != std::string::npos;
  };
  CHECK(reason_contains(Distribution::degenerate(-1.0), ">= 0"));
  CHECK(reason_contains(Distribution::discrete({1.0, -0.5}, {0.5, 0.5}), "values must be >= 0"));
  CHECK(reason_contains(Distribution::discrete({1.0, 2.0}, {0.5, 0.4}),
                        "probs must sum to 1 (got 0.9)"));
  CHECK(reason_contains(Distribution::discrete({1.0, 2.0}, {1.0}),
                        "values and probs must have the same length"));
  CHECK(reason_contains(Distribution::discrete({1.0, 2.0}, {1.5, -0.5}), "probs must be >= 0"));
  CHECK(reason_contains(Distribution::discrete({}, {}), "values"));
  CHECK(reason_contains(Distribution::uniform(2.0, 2.0), "hi must be > lo"));
  CHECK(reason_contains(Distribution::uniform(3.0, 1.0), "hi must be > lo"));
  CHECK(reason_contains(Distribution::uniform(-1.0, 1.0), "lo must be"));
  CHECK(reason_contains(Distribution::lognormal(0.0, 1.0), "mean must be > 0"));
  CHECK(reason_contains(Distribution::lognormal(-1.0, 1.0), "mean must be > 0"));
  CHECK(reason_contains(Distribution::lognormal(1.0, -0.1), "sd must be >= 0"));
  CHECK(reason_contains(Distribution::truncnormal(-40.0, 1.0),
                        "Phi(mu/sigma) underflows: mu/sigma = -40 is too negative"));
  CHECK(reason_contains(Distribution::truncnormal(1.0, 0.0), "sigma must be > 0"));
  CHECK(reason_contains(Distribution::truncnormal(NAN, 1.0), "mu"));

  // Valid inputs, including the edge cases the spec allows.
  CHECK(Distribution::degenerate(0.0).invalid_reason().empty());
  CHECK(Distribution::discrete({0.0, 2.0}, {0.5, 0.5}).invalid_reason().empty());
  CHECK(Distribution::discrete({1.0, 2.0, 3.0}, {0.1, 0.2, 0.7}).invalid_reason().empty());
  CHECK(Distribution::discrete({1.0, 2.0}, {0.5, 0.5 + 5e-13}).invalid_reason().empty());
  CHECK(!Distribution::discrete({1.0, 2.0}, {0.5, 0.5 + 5e-12}).invalid_reason().empty());
  CHECK(Distribution::uniform(0.0, 1.0).invalid_reason().empty());
  CHECK(Distribution::lognormal(1.0, 0.0).invalid_reason().empty());
  CHECK(Distribution::truncnormal(-30.0, 1.0).invalid_reason().empty());
}
