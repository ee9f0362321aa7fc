#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <vector>

#include "tariffsim/stats.hpp"

using tariffsim::Accumulator;

TEST_CASE("Accumulator matches the textbook formulas on fixed data", "[stats]") {
  Accumulator acc;
  for (double x : {2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0}) acc.add(x);
  CHECK(acc.n() == 8);
  CHECK(acc.mean() == Approx(5.0).epsilon(1e-15));
  CHECK(acc.variance() == Approx(32.0 / 7.0).epsilon(1e-14));
  CHECK(acc.se() == Approx(std::sqrt(32.0 / 7.0 / 8.0)).epsilon(1e-14));
  CHECK(acc.min() == 2.0);
  CHECK(acc.max() == 9.0);
}

TEST_CASE("Accumulator skips non-finite values and reports NaN when empty", "[stats]") {
  Accumulator acc;
  CHECK(std::isnan(acc.mean()));
  acc.add(std::numeric_limits<double>::quiet_NaN());
  acc.add(std::numeric_limits<double>::infinity());
  CHECK(acc.n() == 0);
  acc.add(3.0);
  CHECK(acc.n() == 1);
  CHECK(acc.mean() == 3.0);
  CHECK(std::isnan(acc.variance()));
}

TEST_CASE("Chan merge equals a single pass, whatever the split", "[stats]") {
  std::vector<double> xs;
  for (int i = 0; i < 1000; ++i) xs.push_back(1e6 + std::sin(i) * 3.0 + i * 1e-3);
  Accumulator whole;
  for (double x : xs) whole.add(x);
  for (std::size_t split : {1u, 17u, 500u, 999u}) {
    Accumulator a, b;
    for (std::size_t i = 0; i < xs.size(); ++i) (i < split ? a : b).add(xs[i]);
    a.merge(b);
    CHECK(a.n() == whole.n());
    CHECK(a.mean() == Approx(whole.mean()).epsilon(1e-14));
    CHECK(a.variance() == Approx(whole.variance()).epsilon(1e-9));
    CHECK(a.min() == whole.min());
    CHECK(a.max() == whole.max());
  }
  Accumulator empty;
  Accumulator copy = whole;
  copy.merge(empty);
  CHECK(copy.mean() == whole.mean());
  empty.merge(whole);
  CHECK(empty.variance() == whole.variance());
}

TEST_CASE("quantiles interpolate like R type 7 and NumPy", "[stats]") {
  const std::vector<double> xs = {3, 1, 4, 1, 5, 9, 2, 6, std::numeric_limits<double>::quiet_NaN()};
  const std::vector<double> probs = {0.0, 0.25, 0.5, 0.9, 1.0};
  // numpy.quantile([3,1,4,1,5,9,2,6], [0,.25,.5,.9,1]) = [1, 1.75, 3.5, 6.9, 9]
  const auto q = tariffsim::quantiles(xs, probs);
  CHECK(q[0] == 1.0);
  CHECK(q[1] == Approx(1.75));
  CHECK(q[2] == Approx(3.5));
  CHECK(q[3] == Approx(6.9));
  CHECK(q[4] == 9.0);
  const std::vector<double> none = {std::numeric_limits<double>::quiet_NaN()};
  CHECK(std::isnan(tariffsim::quantiles(none, probs)[2]));
}
