// [search] as a model: SearchModel wraps the experiment's model, and its point is the rest of the
// design (the searched parameter removed). Its prepare() runs the wrapped model at trial values
// of the parameter until the output's crossing of the level is found (tariffsim/root_search.hpp),
// and writes the answer as ordinary point-level outputs:
//   <parameter>_star, <parameter>_star_lo, <parameter>_star_hi, <parameter>_evaluations,
//   <parameter>_replications, <parameter>_status (SearchStatus).
// So the engine runs a search as any deterministic experiment: threads, shards, MPI, resume,
// bitwise reproducibility, the readers and figures need nothing new.
//
// Common random numbers across the search: every trial value is run with the outer point's
// stream key, so replication r draws the same numbers at every value of the parameter (and the
// wrapped model's point-level draws are the same too). The outer key follows the experiment's
// common_random_numbers like any point's.
#pragma once

#include <memory>
#include <optional>

#include "tariffsim/experiment.hpp"
#include "tariffsim/model.hpp"
#include "tariffsim/outputs.hpp"
#include "tariffsim/root_search.hpp"

namespace tariffsim {

class Registry;

// Replications per trial value in a noisy search's first stage (each further stage doubles it).
inline constexpr std::uint64_t kSearchFirstStage = 64;
// A noisy search's confidence when [search] gives none.
inline constexpr double kSearchConfidence = 0.95;

class SearchModel final : public Model {
 public:
  // Throws InputError if the spec names no parameter or scalar output of `inner` (a validated
  // experiment never does).
  SearchModel(std::unique_ptr<Model> inner, SearchSpec spec);

  const ModelInfo& info() const override { return info_; }
  const Model& inner() const { return *inner_; }
  const SearchSpec& spec() const { return spec_; }
  bool noisy() const { return noisy_; }

  // The wrapped model's check at the bracket's lower end; a problem it blames on the searched
  // parameter alone is a per-point status, never a config error.
  std::optional<DomainProblem> check(const Point& p) const override;
  std::unique_ptr<PointState> make_state() const override;
  void prepare(const Point& p, PointOutputs& out, PointState& state) const override;

 private:
  struct State;
  // The wrapped model prepared at `x`; false if x is outside its domain (outputs NaN).
  bool solve_at(double x, const Point& outer, StreamKey key, State& s) const;
  double point_output_at(double x, const Point& outer, StreamKey key, State& s) const;
  NoisyMean noisy_output_at(double x, std::uint64_t n, const Point& outer, StreamKey key,
                            State& s) const;
  void inner_values(const Point& outer, double x, std::vector<Value>& values) const;

  std::unique_ptr<Model> inner_;
  SearchSpec spec_;
  std::size_t param_index_ = 0;   // of the searched parameter among the wrapped model's
  std::size_t output_index_ = 0;  // of the output among the wrapped model's metrics
  bool integer_ = false;
  bool noisy_ = false;
  ModelInfo info_;
  PointMetrics<SearchResult> outputs_;
};

// The model an experiment runs: its model from the registry, wrapped in a SearchModel when the
// experiment has [search].
std::unique_ptr<Model> experiment_model(const Experiment& exp, const Registry& registry);

// What the search does at each point, for `validate` and `info`: "search delta in [0.05, 0.95]
// where free_trade_sustainable crosses 0.5, to a width of 1e-06: deterministic (TOMS 748)", or
// for a noisy output its confidence and budget. The replications `validate` counts are the
// points', not the trials'.
std::string search_plan(const SearchModel& model);

// What an experiment's sections name parameters and outputs of: the wrapped model's info for a
// SearchModel, the model's own otherwise.
const ModelInfo& declared_info(const Model& model);

}  // namespace tariffsim
