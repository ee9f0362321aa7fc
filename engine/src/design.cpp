// The experiment's points (DESIGN.md §6): grid crossed with a random or quasi-random sample.
#include "tariffsim/design.hpp"

#include <algorithm>
#include <boost/random/sobol.hpp>
#include <cmath>
#include <limits>
#include <numeric>

#include "tariffsim/error.hpp"
#include "tariffsim/rng.hpp"
#include "tariffsim/sensitivity.hpp"

namespace tariffsim {

namespace {

std::size_t param_index(const ModelInfo& info, const std::string& name) {
  for (std::size_t i = 0; i < info.params.size(); ++i)
    if (info.params[i].name == name) return i;
  throw InputError("model '" + info.name + "' has no parameter '" + name + "'");
}

std::uint64_t checked_product(std::uint64_t a, std::uint64_t b) {
  if (b != 0 && a > std::numeric_limits<std::uint64_t>::max() / b)
    throw InputError("the experiment has more than 2^64 points");
  return a * b;
}

// Unit-cube rows (n x d, row-major), one generator per method.

// Boost's Sobol engine already leaves out the all-zero first point of the sequence (its
// documentation: "sobol_engine skips trivial zeroes"), so the first row is (0.5, 0.5, ...): the
// zero point would put every sample dimension at its lower bound, a corner rather than a
// representative point. Each integer is mapped to [0, 1) by dividing by 2^64 (the engine's bit
// count); Sobol values have far fewer significant bits than a double holds, so this is exact.
std::vector<double> sobol_rows(std::size_t n, std::size_t d) {
  boost::random::sobol engine(d);
  static_assert(boost::random::sobol::max() == std::numeric_limits<std::uint64_t>::max());
  std::vector<double> rows(n * d);
  for (double& u : rows) u = std::ldexp(static_cast<double>(engine()), -64);
  return rows;
}

// Latin hypercube: in each dimension every one of the n strata [k/n, (k+1)/n) holds exactly one
// row. Per dimension, a Fisher–Yates permutation assigns strata to rows, then a jitter places the
// row inside its stratum; both come from the dimension's own stream, so adding a dimension never
// changes another's column. std::shuffle is avoided: its output differs across libraries.
std::vector<double> lhs_rows(std::size_t n, std::size_t d, std::uint64_t seed) {
  std::vector<double> rows(n * d);
  std::vector<std::size_t> strata(n);
  for (std::size_t j = 0; j < d; ++j) {
    Stream stream(StreamKey{seed, 0}, 0, "design.lhs", static_cast<std::uint32_t>(j));
    std::iota(strata.begin(), strata.end(), std::size_t{0});
    for (std::size_t i = n; i-- > 1;)
      std::swap(strata[i], strata[uniform_index(stream.uniform(), i + 1)]);
    for (std::size_t r = 0; r < n; ++r)
      rows[r * d + j] =
          (static_cast<double>(strata[r]) + stream.uniform()) / static_cast<double>(n);
  }
  return rows;
}

std::vector<double> uniform_rows(std::size_t n, std::size_t d, std::uint64_t seed) {
  std::vector<double> rows(n * d);
  for (std::size_t j = 0; j < d; ++j) {
    Stream stream(StreamKey{seed, 0}, 0, "design.uniform", static_cast<std::uint32_t>(j));
    for (std::size_t r = 0; r < n; ++r) rows[r * d + j] = stream.uniform();
  }
  return rows;
}

// Integers take each of the hi - lo + 1 values with equal share of [0, 1); u can round onto the
// upper edge, hence the clamp.
double scale(double u, const SampleRange& range, bool integer) {
  if (!integer) return range.lo + (range.hi - range.lo) * u;
  return std::min(std::floor(range.lo + (range.hi - range.lo + 1.0) * u), range.hi);
}

}  // namespace

// The ranges the design samples: a [sensitivity]'s, else a [sample]'s (none if neither).
const std::vector<SampleRange>* sampled_ranges(const Experiment& experiment) {
  if (experiment.sensitivity && !experiment.sensitivity->ranges.empty())
    return &experiment.sensitivity->ranges;
  if (experiment.sample && !experiment.sample->ranges.empty()) return &experiment.sample->ranges;
  return nullptr;
}

std::vector<std::size_t> varied_params(const Experiment& experiment, const ModelInfo& info) {
  std::vector<std::size_t> varied;
  for (const auto& axis : experiment.grid) varied.push_back(param_index(info, axis.name));
  if (const auto* ranges = sampled_ranges(experiment))
    for (const auto& range : *ranges) varied.push_back(param_index(info, range.name));
  return varied;
}

Value fixed_value(const Experiment& experiment, const ModelInfo& info, std::size_t param) {
  const auto it = experiment.fixed.find(info.params.at(param).name);
  return it != experiment.fixed.end() ? it->second.value : info.params[param].default_value;
}

Design::Design(const Experiment& experiment, const ModelInfo& info) : info_(&info) {
  for (const auto& entry : experiment.fixed) param_index(info, entry.first);  // throws if unknown
  for (std::size_t p = 0; p < info.params.size(); ++p)
    base_.push_back(fixed_value(experiment, info, p));

  for (const auto& axis : experiment.grid) {
    if (axis.size() == 0) throw InputError("grid axis '" + axis.name + "' has no values");
    axes_.emplace_back(param_index(info, axis.name), axis);
    grid_size_ = checked_product(grid_size_, axis.size());
  }

  if (experiment.sensitivity && !experiment.sensitivity->ranges.empty()) {
    const SensitivitySpec& s = *experiment.sensitivity;
    set_sample(s.ranges,
               saltelli_unit_rows(s.n, s.ranges.size(), experiment.seed, s.design_replicates()));
  } else if (experiment.sample && !experiment.sample->ranges.empty()) {
    const SampleSpec& sample = *experiment.sample;
    set_sample(sample.ranges, unit_rows(sample, experiment.seed));
  }
  varying_ = varied_params(experiment, info);
  for (std::size_t p = 0; p < base_.size(); ++p)
    if (std::find(varying_.begin(), varying_.end(), p) == varying_.end() &&
        !check_value(info.params[p], base_[p]).empty())
      fixed_in_range_ = false;
}

bool Design::in_range(const std::vector<Value>& values) const {
  if (!fixed_in_range_) return false;
  for (const std::size_t p : varying_)
    if (!check_value(info_->params[p], values[p]).empty()) return false;
  return true;
}

// The [sample]'s unit-cube rows, by its method.
std::vector<double> Design::unit_rows(const SampleSpec& sample, std::uint64_t seed) {
  const std::size_t n = sample.n;
  const std::size_t d = sample.ranges.size();
  switch (sample.method) {
    case SampleMethod::Sobol:
      return sobol_rows(n, d);
    case SampleMethod::Lhs:
      return lhs_rows(n, d, seed);
    case SampleMethod::Uniform:
      return uniform_rows(n, d, seed);
  }
  return {};
}

// The sampled dimensions: unit-cube rows (row-major, one column per range) scaled to the ranges.
void Design::set_sample(const std::vector<SampleRange>& ranges, std::vector<double> unit) {
  const std::size_t d = ranges.size();
  for (const auto& range : ranges) {
    const std::size_t i = param_index(*info_, range.name);
    sample_params_.push_back(i);
    sample_integer_.push_back(info_->params[i].type == ParamType::Integer);
  }
  sample_rows_ = std::move(unit);
  const std::size_t n = sample_rows_.size() / d;
  for (std::size_t r = 0; r < n; ++r)
    for (std::size_t j = 0; j < d; ++j)
      sample_rows_[r * d + j] = scale(sample_rows_[r * d + j], ranges[j], sample_integer_[j]);
  sample_size_ = n;
  checked_product(grid_size_, sample_size_);
}

std::vector<Value> Design::values(std::uint64_t index) const {
  std::vector<Value> out;
  values_into(index, out);
  return out;
}

void Design::values_into(std::uint64_t index, std::vector<Value>& out) const {
  out.assign(base_.begin(), base_.end());
  revalue_into(index, out);
}

void Design::revalue_into(std::uint64_t index, std::vector<Value>& out) const {
  if (index >= size())
    throw Error("point index " + std::to_string(index) + " is outside the design (size " +
                std::to_string(size()) + ")");
  std::uint64_t grid_index = index / sample_size_;
  for (auto axis = axes_.rbegin(); axis != axes_.rend(); ++axis) {  // last axis fastest
    const auto& [param, values] = *axis;
    out[param] = values.at(grid_index % values.size());
    grid_index /= values.size();
  }
  if (!sample_params_.empty()) {
    const std::size_t d = sample_params_.size();
    const std::size_t row = index % sample_size_;
    for (std::size_t j = 0; j < d; ++j) {
      const double x = sample_rows_[row * d + j];
      out[sample_params_[j]] = sample_integer_[j] ? Value{static_cast<std::int64_t>(x)} : Value{x};
    }
  }
}

}  // namespace tariffsim
