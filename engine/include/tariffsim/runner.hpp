// Runs an experiment: points in batches through a TBB pipeline (make batch -> compute in parallel
// -> write in index order), so memory is bounded by the work in flight, not by the size of the
// design.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "tariffsim/experiment.hpp"
#include "tariffsim/model.hpp"
#include "tariffsim/result_file.hpp"

namespace tariffsim {

struct RunOptions {
  std::string output_path;  // overrides [output] file when non-empty
  int threads = 0;          // 0 = every core
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

// Validates (tariffsim/validate.hpp), then runs.
RunSummary run_experiment(const Experiment& experiment, const Model& model,
                          const RunOptions& options);

// The points [first, last) of shard `index` of `count`: contiguous, sizes differing by at most 1.
std::pair<std::uint64_t, std::uint64_t> shard_range(std::uint64_t points, std::uint64_t index,
                                                    std::uint64_t count);

// What a result file of this experiment holds (shared by `run` and `merge`).
FileLayout file_layout(const Experiment& experiment, const ModelInfo& info, std::uint64_t points);

// The steps of a run, for drivers that place batches themselves (the MPI driver in tools/).
// run_experiment is these steps on one process; a batch's results depend only on its points, so
// any placement of batches gives the same file.

// Computes batches of points: the experiment's design and plan, built once per process.
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
  std::vector<Value> values(std::uint64_t index) const;  // a point's parameter values

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The batches of a run in index order: runs of consecutive points of [first, last) that are not
// done, each at most `size` points, so each batch writes as one slab.
class BatchQueue {
 public:
  BatchQueue(std::uint64_t first, std::uint64_t last, std::vector<std::uint8_t> done,
             std::uint64_t size);
  std::optional<std::pair<std::uint64_t, std::uint64_t>> next();  // (first, count)
  std::uint64_t todo() const noexcept { return todo_; }           // points in all batches
  std::uint64_t already_done() const noexcept { return last_ - first_ - todo_; }

 private:
  bool is_done(std::uint64_t i) const { return !done_.empty() && done_[i] != 0; }
  std::uint64_t first_, last_, next_, size_, todo_ = 0;
  std::vector<std::uint8_t> done_;
};

// The output file of a run: created (an existing file only with force), or reopened with
// --resume (then `done` is its bitmap; with no file yet, created); the path is -o, the shard's or
// [output] file. InputError names where the path came from.
std::unique_ptr<ResultFile> open_run_file(const Experiment& experiment, const ModelInfo& info,
                                          const RunOptions& options, std::uint64_t points);

// The batches this run computes: its shard's range, less the points a resumed file already has.
BatchQueue run_queue(const RunOptions& options, const ResultFile& file, std::uint64_t points,
                     std::uint64_t batch_points);
// The run's log lines and summary, the same whoever places the batches.
void log_run_start(const Experiment& experiment, const ModelInfo& info, const BatchQueue& queue,
                   std::uint64_t points, const std::string& workers, const std::string& path);
RunSummary start_summary(const std::string& path, std::uint64_t points, const BatchQueue& queue);
void add_to_summary(RunSummary& summary, const PointBatch& batch);
void finish_summary(RunSummary& summary, std::chrono::steady_clock::time_point started);
// The stop signal that cut the run short, or 0 (none, or it came once the share was all done).
int stopped_early(const RunSummary& summary);

// Rough work estimate for `tariffsim validate`: replication-units at the initial replication count.
std::uint64_t estimated_replications(const Experiment& experiment, const Model& model);

}  // namespace tariffsim
