// The one driver of a run, whoever computes its batches (DESIGN.md §8): RunSession validates the
// experiment, opens the output file (create, resume or replace), queues the batches not done,
// logs the start, shows progress, writes every finished batch, finishes the file and reports the
// summary, with the stop signal's outcome. Where batches are computed is a BatchPlacement: this
// process's threads (LocalPlacement, a TBB pipeline) or other processes (the MPI driver in
// tools/). A batch's results depend only on its points, so every placement writes the same file.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "tariffsim/experiment.hpp"
#include "tariffsim/model.hpp"
#include "tariffsim/result_file.hpp"
#include "tariffsim/runner.hpp"

namespace tariffsim {

// Points [first, first + count): consecutive points not done, written as one slab.
struct BatchRange {
  std::uint64_t first = 0;
  std::uint64_t count = 0;
};

// What a run hands its placement: the batches to compute and the writer of finished ones.
class BatchFeed {
 public:
  // The next batch to compute, in index order; none once every batch is handed out or the run
  // is stopped: after a stop signal (interrupt.hpp), or a failure to make the file, no batch
  // starts.
  virtual std::optional<BatchRange> next() = 0;
  // A stop signal came (or the file could not be made): a batch handed out but not started is
  // left to a resumed run.
  virtual bool stopped() const = 0;
  // Writes a finished batch to the file (its rows, then its done bits: FORMAT.md, "Surviving a
  // kill"), counts it in the summary and the progress. Calls must not overlap.
  virtual void write(const PointBatch& batch) = 0;
  // The run's experiment and design; computes any batch, and gives any point's parameter values.
  virtual const BatchComputer& computer() const = 0;

 protected:
  ~BatchFeed() = default;
};

// Where a run's batches are computed.
class BatchPlacement {
 public:
  virtual ~BatchPlacement() = default;
  // Threads computing, on every process together: this sizes the batches.
  virtual std::uint64_t threads() const = 0;
  // Who computes, for the run's first log line, e.g. "2 threads".
  virtual std::string workers() const = 0;
  // Computes every batch the feed hands out and writes each finished one through the feed. An
  // exception ends the run (the file keeps what was written; a resumed run computes the rest).
  virtual void place(BatchFeed& feed) = 0;
  // Whether a sweep of point-level outputs may make its new file's layout while the placement
  // computes the first batches (a failure to make it then stops the run as a stop signal does, and
  // run() throws it, at the first write or as it finishes the file, not before the run starts). A
  // placement whose processes agree on their set-up before computing (MPI) needs it made first.
  virtual bool computes_while_file_is_made() const { return false; }
};

// `threads` threads for the engine's parallel loops (0: one per CPU in the affinity mask), even
// where the affinity mask shows fewer CPUs: TBB sizes its default arena from the mask, so a
// machine whose mask shows one CPU would otherwise run every loop on one thread.
class ComputeThreads {
 public:
  explicit ComputeThreads(int threads);
  ~ComputeThreads();
  ComputeThreads(const ComputeThreads&) = delete;
  ComputeThreads& operator=(const ComputeThreads&) = delete;

  int count() const noexcept;
  // Runs `work` on these threads (its parallel loops use them all) and returns when it is done.
  void run(const std::function<void()>& work);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// This process computes the batches: a TBB pipeline takes batches in order, computes several at
// once and writes each as it finishes, in index order, so memory holds the batches in flight,
// not the run. After a stop signal no batch starts; those being computed are written.
class LocalPlacement : public BatchPlacement {
 public:
  explicit LocalPlacement(int threads);  // 0: one per CPU in the affinity mask
  std::uint64_t threads() const override;
  std::string workers() const override;
  void place(BatchFeed& feed) override;
  bool computes_while_file_is_made() const override { return true; }

 private:
  ComputeThreads threads_;
};

class RunSession {
 public:
  // Validates (tariffsim/validate.hpp), builds the design, opens the file and queues the batches
  // of this run's share (its shard, less the points a resumed file has done). InputError for bad
  // input or a file the options do not allow touching, named in the options' words (RunOptions'
  // *_origin fields). The new file of a run without replications, whose placement
  // computes_while_file_is_made(), gets its layout on a thread of its own, started here; what
  // making it throws comes from run(). The experiment, the model and the placement must outlive
  // the session; the options are copied.
  RunSession(const Experiment& experiment, const Model& model, const RunOptions& options,
             BatchPlacement& placement);
  ~RunSession();
  RunSession(const RunSession&) = delete;
  RunSession& operator=(const RunSession&) = delete;

  // Logs the start, has the placement compute and write every batch, finishes the file (complete
  // = 1 once every point of the experiment is done) and returns the summary; stopped_by names a
  // stop signal that cut the run short. Called once. What the placement throws passes through,
  // the file left incomplete.
  RunSummary run();
  const std::string& path() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Runs the experiment on this process's threads (options.threads): a RunSession with a
// LocalPlacement.
RunSummary run_experiment(const Experiment& experiment, const Model& model,
                          const RunOptions& options);

}  // namespace tariffsim
