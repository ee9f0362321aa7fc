// What a run is asked and what it reports (RunOptions, RunSummary), and the computation of its
// points: BatchComputer prepares, replicates (in replication blocks on the engine's threads, one
// accumulator per metric per block, merged in block order) and summarises a batch of points.
// The run itself (file, queue, progress, signals) is RunSession's (tariffsim/run_session.hpp).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "tariffsim/experiment.hpp"
#include "tariffsim/model.hpp"
#include "tariffsim/result_file.hpp"

namespace tariffsim {

struct RunOptions {
  std::string output_path;  // overrides [output] file when non-empty
  int threads = 0;          // 0: one per CPU in the affinity mask (more are honoured)
  std::string command_line;
  bool progress = true;  // live bar on a terminal, periodic log lines otherwise
  // Job arrays: compute shard shard_index of shard_count, a contiguous block of points, into a
  // shard file that `tariffsim merge` combines (DESIGN.md §8).
  std::uint64_t shard_index = 0;
  std::uint64_t shard_count = 1;
  std::string shard_origin;  // names the shard in messages ("--shard 3/8"); empty: "shard"
  // Reopen the partial output file of an interrupted run and compute only the points not done;
  // with no file yet (a run killed before creating it), start the run.
  bool resume = false;
  // Replace an existing output file (only once the new one's layout is complete); without it,
  // and without resume, an existing file is refused.
  bool force = false;
  // How messages name output_path, resume and force, so that each caller's users read their own
  // words: the command line passes its flags ("--output", "--resume", "--force").
  std::string output_origin = "RunOptions::output_path";
  std::string resume_origin = "RunOptions::resume";
  std::string force_origin = "RunOptions::force";
};

struct RunSummary {
  std::string file;
  std::uint64_t points = 0;           // in the experiment
  std::uint64_t computed_points = 0;  // by this run (a shard's share, less those already done)
  std::uint64_t failed_points = 0;    // status != 0, among the computed
  std::uint64_t replications = 0;     // run in total
  double seconds = 0;
  std::uint64_t share_points = 0;  // this run's share: the experiment's points, or its shard's
  std::uint64_t done_points = 0;   // of the share, done in the file when the run ended
  int stopped_by = 0;              // the signal that stopped the run early (interrupt.hpp), or 0
};

// The file a run writes, and how messages name it: the options' output_path (named by their
// output_origin), else the experiment's [output] file (named by its file:line:col).
struct OutputTarget {
  std::string path;
  std::string origin;
};
OutputTarget output_target(const Experiment& experiment, const RunOptions& options);

// The points [first, last) of shard `index` of `count`: contiguous, sizes differing by at most 1.
std::pair<std::uint64_t, std::uint64_t> shard_range(std::uint64_t points, std::uint64_t index,
                                                    std::uint64_t count);

// Whether a run of this experiment runs replications at all: not when every output it keeps
// ([output] metrics) is point-level, it keeps no series and no precision target asks for any. A
// sweep of closed forms then never calls Model::replicate().
bool runs_replications(const Experiment& experiment, const ModelInfo& info);

// What a result file of this experiment holds (shared by `run` and `merge`).
FileLayout file_layout(const Experiment& experiment, const ModelInfo& info, std::uint64_t points);

// Computes batches of points: the experiment's design and plan, built once per process, for any
// placement of batches (tariffsim/run_session.hpp); an experiment that passed validate().
class BatchComputer {
 public:
  // `parallelism` (threads on all processes together) only sizes the batches.
  BatchComputer(const Experiment& experiment, const Model& model, std::uint64_t parallelism);
  ~BatchComputer();
  BatchComputer(const BatchComputer&) = delete;
  BatchComputer& operator=(const BatchComputer&) = delete;

  std::uint64_t points() const;
  std::uint64_t batch_points() const;  // points per batch
  // Prepares, replicates (adaptively) and summarises points [first, first + count).
  PointBatch compute(std::uint64_t first, std::uint64_t count) const;
  // Hands a written batch back: a later compute() fills its columns instead of allocating new
  // ones. Optional (a batch never handed back is simply freed).
  void recycle(PointBatch&& written) const;
  // Sets batch.values (the values the design varies at points [first, first + count)) as
  // compute() does: for a batch that was computed elsewhere and sent without them.
  void fill_values(PointBatch& batch) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Rough work estimate for `tariffsim validate`: replication-units at the initial replication count.
std::uint64_t estimated_replications(const Experiment& experiment, const Model& model);

}  // namespace tariffsim
