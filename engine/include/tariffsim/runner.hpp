// Runs an experiment: points in batches through a TBB pipeline (make batch -> compute in parallel ->
// write in index order), so memory is bounded by the work in flight, not by the size of the design.
#pragma once

#include <cstdint>
#include <string>

#include "tariffsim/experiment.hpp"
#include "tariffsim/model.hpp"

namespace tariffsim {

struct RunOptions {
  std::string output_path;  // overrides [output] file when non-empty
  int threads = 0;          // 0 = every core
  std::string command_line;
  bool progress = true;     // live bar on a terminal, periodic log lines otherwise
  // Job arrays: compute shard shard_index of shard_count, a contiguous block of points, into a
  // shard file that `tariffsim merge` combines (DESIGN.md §8).
  std::uint64_t shard_index = 0;
  std::uint64_t shard_count = 1;
  // Reopen the partial output file of an interrupted run and compute only the points not done.
  bool resume = false;
};

struct RunSummary {
  std::string file;
  std::uint64_t points = 0;          // in the experiment
  std::uint64_t computed_points = 0; // by this run (a shard's share, less those already done)
  std::uint64_t failed_points = 0;   // status != 0, among the computed
  std::uint64_t replications = 0;   // run in total
  double seconds = 0;
};

// Checks that need the model as well as the schema: a domain problem (DomainProblem) at a point
// whose offending parameters are all fixed is an input error, reported before any work starts.
void check_experiment(const Experiment& experiment, const Model& model);

RunSummary run_experiment(const Experiment& experiment, const Model& model,
                          const RunOptions& options);

// The points [first, last) of shard `index` of `count`: contiguous, sizes differing by at most 1.
std::pair<std::uint64_t, std::uint64_t> shard_range(std::uint64_t points, std::uint64_t index,
                                                    std::uint64_t count);

// What a result file of this experiment holds (shared by `run` and `merge`).
struct FileLayout;
FileLayout file_layout(const Experiment& experiment, const ModelInfo& info, std::uint64_t points);

// Rough work estimate for `tariffsim validate`: replication-units at the initial replication count.
std::uint64_t estimated_replications(const Experiment& experiment, const Model& model);

}  // namespace tariffsim
