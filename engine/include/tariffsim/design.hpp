// The experiment's points: the cartesian grid crossed with the random design (DESIGN.md §6).
// Points are computed on demand from their index, so a 10^7-point sweep costs no memory up front.
//
// Index order: index = grid_index * sample_size + sample_index, where the grid index is mixed-radix
// over the axes in file order with the LAST axis varying fastest. With no [sample], sample_size =
// 1; with no [grid], grid_size = 1. A [sensitivity] is a sample of n (k + 2) points in the order
// of its Saltelli design (tariffsim/sensitivity.hpp), and has no grid beside it.
#pragma once

#include <cstdint>
#include <vector>

#include "tariffsim/experiment.hpp"
#include "tariffsim/point.hpp"
#include "tariffsim/schema.hpp"

namespace tariffsim {

// The parameters a design of this experiment varies (its grid axes, and its [sensitivity] or
// [sample] ranges), as indices into info.params; every point has the same value of each other
// one, fixed_value: its [parameters] value, else the model's default.
std::vector<std::size_t> varied_params(const Experiment& experiment, const ModelInfo& info);
Value fixed_value(const Experiment& experiment, const ModelInfo& info, std::size_t param);

class Design {
 public:
  Design(const Experiment& experiment, const ModelInfo& info);

  std::uint64_t size() const noexcept { return grid_size_ * sample_size_; }
  // Values aligned with info.params: defaults, overridden by [parameters], grid and sample.
  std::vector<Value> values(std::uint64_t index) const;
  // The same into `out`, reusing its storage: the engine fills one buffer per point in flight.
  void values_into(std::uint64_t index, std::vector<Value>& out) const;
  // The same into `out` that already holds this design's values of some point (from values_into or
  // this): only the values the design varies are rewritten, the others are the same at every
  // point. The engine's per-point path.
  void revalue_into(std::uint64_t index, std::vector<Value>& out) const;
  // Whether every value is inside its parameter's declared range: the values the design varies
  // are checked point by point, the others (defaults and [parameters]) once, by the constructor.
  bool in_range(const std::vector<Value>& values) const;
  Point point(std::uint64_t index) const { return Point(*info_, index, values(index)); }

 private:
  static std::vector<double> unit_rows(const SampleSpec& sample, std::uint64_t seed);
  void set_sample(const std::vector<SampleRange>& ranges, std::vector<double> unit);

  const ModelInfo* info_;
  std::vector<Value> base_;                             // defaults + fixed
  std::vector<std::pair<std::size_t, GridAxis>> axes_;  // param index, axis
  std::vector<std::size_t> sample_params_;              // param index per sample dimension
  std::vector<bool> sample_integer_;                    // round to integer?
  std::vector<double> sample_rows_;                     // sample_size_ x dims, row-major, scaled
  std::vector<std::size_t> varying_;  // param indices of the axes and sample dimensions
  bool fixed_in_range_ = true;        // every value the design does not vary
  std::uint64_t grid_size_ = 1;
  std::uint64_t sample_size_ = 1;
};

}  // namespace tariffsim
