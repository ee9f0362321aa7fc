// The simulated paths of spec §8 against the analytic outputs of spec §6, with tolerances from the
// computed standard errors, and the invariance of everything but the tariff level to a.
#include <catch2/catch.hpp>
#include <cmath>
#include <vector>

#include "economics.hpp"
#include "simulate.hpp"
#include "tariffsim/stats.hpp"

using namespace tariffsim::bagwell_staiger;
using tariffsim::Accumulator;
using tariffsim::Stream;

namespace {

struct Moments {
  Accumulator protect, increase, onset, tau, tau2, volume;
};

// Independent replications of short paths: per-path shares are i.i.d. across replications, so the
// standard error of their mean is honest even though periods within a path are compared in pairs.
Moments simulate_many(const Distribution& d, double delta, double a, int reps, int periods) {
  const Solution sol = solve({delta, a, 0.0, d});
  Moments m;
  for (int r = 0; r < reps; ++r) {
    Stream s({2026, 1}, static_cast<std::uint64_t>(r), "shocks");
    const PathSummary p = simulate_path({&d, sol.Vbar, a, 0.0, periods}, s, {});
    m.protect.add(p.share_protect);
    m.increase.add(p.share_increase);
    m.onset.add(p.share_onset);
    m.tau.add(p.mean_tau);
    m.tau2.add(p.mean_tau2);
    m.volume.add(p.mean_volume);
  }
  return m;
}

void check_within_4se(const Accumulator& sim, double truth) {
  INFO("simulated " << sim.mean() << " +- " << sim.se() << ", analytic " << truth);
  // <=, so a quantity without sampling variation (se = 0) must match exactly.
  CHECK(std::abs(sim.mean() - truth) <= 4.0 * sim.se());
}

}  // namespace

TEST_CASE("simulated frequencies and means match the analytic outputs within 4 se",
          "[simulation]") {
  const std::vector<std::pair<const char*, Distribution>> cases = {
      {"lognormal", Distribution::lognormal(1.0, 0.4)},
      {"uniform", Distribution::uniform(0.2, 1.8)},
      {"truncnormal", Distribution::truncnormal(1.0, 0.6)},
      {"discrete", Distribution::discrete({0.5, 1.0, 2.0}, {0.5, 0.3, 0.2})},
  };
  for (const auto& [name, d] : cases) {
    for (double delta : {0.3, 0.6}) {
      DYNAMIC_SECTION(name << " delta=" << delta) {
        const double a = 1.7;
        const Solution sol = solve({delta, a, 0.0, d});
        REQUIRE(sol.P_protect > 0.01);  // otherwise the frequencies test nothing
        const Moments m = simulate_many(d, delta, a, 400, 250);
        check_within_4se(m.protect, sol.P_protect);
        check_within_4se(m.increase, sol.P_increase);
        check_within_4se(m.onset, sol.P_onset);
        check_within_4se(m.tau, sol.E_tau);
        check_within_4se(m.tau2, sol.E_tau2);
        check_within_4se(m.volume, sol.E_V);
      }
    }
  }
}

TEST_CASE("changing only a leaves protection, increases and volumes bit-identical",
          "[simulation]") {
  const Distribution d = Distribution::lognormal(2.0, 1.0);
  const double delta = 0.5;
  const int T = 300;
  std::vector<double> tau1(T), vol1(T), g1(T), tau2(T), vol2(T), g2(T);
  const double vbar1 = solve({delta, 1.0, 0.0, d}).Vbar;
  const double vbar2 = solve({delta, 4.0, 0.0, d}).Vbar;
  REQUIRE(vbar1 == vbar2);  // V-bar does not depend on a when F = 0 (spec §4)
  Stream s1({7, 7}, 0, "shocks"), s2({7, 7}, 0, "shocks");
  const PathSummary p1 = simulate_path({&d, vbar1, 1.0, 0.0, T}, s1, {tau1, vol1, g1});
  const PathSummary p2 = simulate_path({&d, vbar2, 4.0, 0.0, T}, s2, {tau2, vol2, g2});
  CHECK(p1.share_protect == p2.share_protect);
  CHECK(p1.share_increase == p2.share_increase);
  CHECK(p1.share_onset == p2.share_onset);
  int protected_periods = 0;
  for (int t = 0; t < T; ++t) {
    CHECK(vol1[t] == vol2[t]);
    if (t > 0) CHECK(g1[t] == g2[t]);
    CHECK((tau1[t] > 0) == (tau2[t] > 0));
    CHECK(tau2[t] == Approx(tau1[t] / 4.0).epsilon(1e-14));
    protected_periods += tau1[t] > 0;
  }
  CHECK(protected_periods > 0);
  CHECK(std::isnan(g1[0]));
}

TEST_CASE("the recording threshold zeroes small tariffs before counting them", "[simulation]") {
  const Distribution d = Distribution::uniform(0.0, 2.0);
  const double vbar = solve({0.5, 1.0, 0.0, d}).Vbar;
  const int T = 2000;
  std::vector<double> raw(T), vol_raw(T), recorded(T), vol_rec(T);
  Stream s1({3, 3}, 0, "shocks"), s2({3, 3}, 0, "shocks");
  simulate_path({&d, vbar, 1.0, 0.0, T}, s1, {raw, vol_raw, {}});
  const double theta = 0.1;
  const PathSummary p = simulate_path({&d, vbar, 1.0, theta, T}, s2, {recorded, vol_rec, {}});
  int kept = 0;
  for (int t = 0; t < T; ++t) {
    CHECK(recorded[t] == (raw[t] > theta ? raw[t] : 0.0));
    CHECK(vol_rec[t] == vol_raw[t]);  // the threshold is measurement: volumes are unchanged
    kept += recorded[t] > 0;
  }
  CHECK(p.share_protect == Approx(static_cast<double>(kept) / T).epsilon(1e-15));
}

TEST_CASE("growth is NaN after a zero volume and excluded from its mean", "[simulation]") {
  const Distribution d = Distribution::discrete({0.0, 1.0}, {0.5, 0.5});
  const int T = 400;
  std::vector<double> vol(T), growth(T);
  Stream s({1, 1}, 0, "shocks");
  const PathSummary p = simulate_path({&d, 10.0, 1.0, 0.0, T}, s, {{}, vol, growth});
  Accumulator acc;
  for (int t = 1; t < T; ++t) {
    if (vol[t - 1] == 0.0) CHECK(std::isnan(growth[t]));
    acc.add(growth[t]);
  }
  CHECK(acc.n() > 0);
  CHECK(p.mean_growth == Approx(acc.mean()).epsilon(1e-12));
}

TEST_CASE("the tariff's variance keeps its digits when the mean is large against the spread",
          "[simulation]") {
  // delta = 0: the tariff is Vf/(2a) in every period, mean ~500 and sd ~5e-7, so a one-pass
  // sum(x^2) - n mean^2 would be dominated by rounding of order 500^2 * 1e-16.
  const Distribution d = Distribution::lognormal(1000.0, 1e-6);
  const Solution sol = solve({0.0, 1.0, 0.0, d});
  const int periods = 3000;  // several chunks, so the chunk merge is exercised
  std::vector<double> tariff(periods);
  Stream s({7, 7}, 0, "shocks");
  const PathSummary p = simulate_path({&d, sol.Vbar, 1.0, 0.0, periods}, s, {tariff, {}, {}});
  long double mean = 0;
  for (double x : tariff) mean += x;
  mean /= periods;
  long double m2 = 0;
  for (double x : tariff) m2 += (x - mean) * (x - mean);
  const double reference = static_cast<double>(m2 / (periods - 1));
  REQUIRE(reference > 0);
  CHECK(p.var_tau == Approx(reference).epsilon(1e-6));
}
