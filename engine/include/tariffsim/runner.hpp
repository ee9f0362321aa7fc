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
};

struct RunSummary {
  std::string file;
  std::uint64_t points = 0;
  std::uint64_t failed_points = 0;  // status != 0
  std::uint64_t replications = 0;   // run in total
  double seconds = 0;
};

// Checks that need the model as well as the schema: a domain problem (DomainProblem) at a point
// whose offending parameters are all fixed is an input error, reported before any work starts.
void check_experiment(const Experiment& experiment, const Model& model);

RunSummary run_experiment(const Experiment& experiment, const Model& model,
                          const RunOptions& options);

// Rough work estimate for `tariffsim validate`: replication-units at the initial replication count.
std::uint64_t estimated_replications(const Experiment& experiment, const Model& model);

}  // namespace tariffsim
