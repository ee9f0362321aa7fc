// Summary statistics of one metric at one point. Accumulators keep the sufficient statistics
// (n, mean, M2, min, max) so blocks of replications merge exactly and in a fixed order (Chan et
// al.), independent of how many threads computed them.
#pragma once

#include <array>
#include <cstdint>
#include <limits>
#include <span>
#include <string_view>
#include <vector>

namespace tariffsim {

class Accumulator {
 public:
  // Non-finite values are not counted: NaN marks "undefined in this replication".
  void add(double x);
  void merge(const Accumulator& other);

  std::uint64_t n() const noexcept { return n_; }
  double mean() const;      // NaN when n = 0
  double variance() const;  // sample variance (n − 1); NaN when n < 2
  double sd() const;
  double se() const;  // sd / sqrt(n)
  double min() const;
  double max() const;

 private:
  std::uint64_t n_ = 0;
  double mean_ = 0.0;
  double m2_ = 0.0;
  double min_ = std::numeric_limits<double>::infinity();
  double max_ = -std::numeric_limits<double>::infinity();
};

// The statistics a result file can keep of a replication-level output besides its mean, in file
// order ([output] statistics chooses among them; FORMAT.md). `n` is a count, the rest are reals.
struct KeptStatistic {
  std::string_view name;
  std::string_view what;                // the start of the dataset's description
  double (Accumulator::*real)() const;  // null for the count
};
inline constexpr std::array<KeptStatistic, 5> kKeptStatistics = {{
    {"sd", "sample standard deviation", &Accumulator::sd},
    {"se", "standard error of the mean", &Accumulator::se},
    {"min", "minimum", &Accumulator::min},
    {"max", "maximum", &Accumulator::max},
    {"n", "count of finite values", nullptr},
}};

// Quantiles of the finite values (linear interpolation between order statistics, R type 7 and
// NumPy's default). `values` is copied; NaN for every probability when there is no finite value.
std::vector<double> quantiles(std::span<const double> values, std::span<const double> probs);

}  // namespace tariffsim
