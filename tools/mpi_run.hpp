// `mpirun -n K tariffsim run EXP.toml` (DESIGN.md §8): rank 0 runs the engine's RunSession (the
// validation, the one result file, progress, the summary, stop signals) with its batches placed on
// ranks 1..K-1, which compute them with their threads; this file is only the MPI transport
// (assigning batches, moving their bytes, the ranks' agreement on setup errors and on the kernel
// code path). A batch's numbers depend only on its points, so the file equals a single-process
// run's.
#pragma once

#include <exception>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "tariffsim/error.hpp"
#include "tariffsim/runner.hpp"

namespace tariffsim::cli {

// True when an MPI launcher started this process as one of several (Open MPI, MPICH/Hydra, PMIx
// or PMI, e.g. srun --mpi=pmix), from its environment: read before MPI_Init, so a plain run never
// initialises MPI.
bool launched_under_mpi();

bool built_with_mpi();

// MPI_Init on construction and MPI_Finalize on destruction (or finalize()), when the process was
// launched as one of several; otherwise does nothing.
class MpiSession {
 public:
  MpiSession(int* argc, char*** argv);
  ~MpiSession();
  void finalize();  // once; for a process about to end without running its destructors
  MpiSession(const MpiSession&) = delete;
  MpiSession& operator=(const MpiSession&) = delete;
  bool active() const noexcept { return active_; }
  int rank() const noexcept { return rank_; }
  int size() const noexcept { return size_; }

 private:
  bool initialised_ = false;
  bool active_ = false;
  int rank_ = 0;
  int size_ = 1;
};

// What `run` needs to set itself up on every rank; set up by the caller's own code path.
struct DistributedRun {
  const Experiment* experiment = nullptr;
  const Model* model = nullptr;
  RunOptions options;
};

// Runs the experiment over the MPI job. Every rank calls it after reading the experiment;
// `setup_error` holds this rank's failure to read it (exit code and messages) if any, so that all
// ranks agree to stop before any work is handed out, as they do on rank 0's RunSession set-up
// (validation, the file) and the workers'. Returns the exit code of this rank.
struct SetupError {
  int code = 0;
  std::vector<std::string> messages;
};

// Runs a setup step, turning its failure into what the ranks agree on: 2 for bad input, 1 else.
template <class F>
SetupError try_setup(F&& f) {
  try {
    f();
  } catch (const InputError& e) {
    return {2, e.problems()};
  } catch (const std::exception& e) {
    return {1, {e.what()}};
  }
  return {};
}
// `report` prints the summary on rank 0 (the one line of a run stopped by a signal) and returns
// rank 0's exit code. A stop signal is rank 0's to act on: it hands out no more batches, writes
// the ones in flight and stops the workers, which ignore the signal (see interrupt.hpp).
using RunReport = std::function<int(const RunSummary&)>;
int run_distributed(const MpiSession& mpi, const DistributedRun& run, const SetupError& setup_error,
                    const RunReport& report);

}  // namespace tariffsim::cli
