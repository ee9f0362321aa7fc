// The single streaming HDF5 writer, format version 2 (engine/FORMAT.md). Models never touch HDF5:
// the runner hands this class finished batches of points and it writes them as columns.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "tariffsim/experiment.hpp"
#include "tariffsim/file_publish.hpp"  // for the drivers that prepare a run's file
#include "tariffsim/schema.hpp"
#include "tariffsim/stats.hpp"

namespace tariffsim {

// format_version = [major, minor]: readers check the major only, so a minor version may add
// what older readers of the same major can ignore.
inline constexpr int kFormatMajor = 2;
// Minor versions: 1 finished_utc; 2 [output] statistics, sensitivity/; 3 sensitivity/'s
// replicates, interval and rows; 4 status/replications 0 where no kept output needs replications,
// parameters the design does not vary stored as their columns' fill values.
inline constexpr int kFormatMinor = 4;
// The minor version from which a run of point-level outputs only runs no replications.
inline constexpr int kFormatNoReplicationsMinor = 4;
// Who reads a file of format version 1 (an integer format_version): the last release that wrote
// it, so that a refusal can say which build to use.
inline constexpr const char* kFormat1Reader = "tariffsim 0.1.0 (git commit 123c85f and earlier)";
// [output] compression when the config does not set it (chosen from measurements, FORMAT.md).
inline constexpr int kDefaultCompression = 1;

// Everything fixed about a file before the first point is written.
struct FileLayout {
  const ModelInfo* info = nullptr;
  const Experiment* experiment = nullptr;
  std::uint64_t n_points = 0;
  std::uint64_t stored_replications = 0;     // R of replications/ and series/ (0 = none)
  std::vector<std::size_t> series;           // indices into info->series to keep
  std::vector<std::uint64_t> series_length;  // T of each kept series
  std::string command_line;
  std::string path_origin;  // where the path came from, for errors: "exp.toml:12:8: output.file"
  // How messages name the options that continue or replace the file: the run's own words
  // (RunOptions' resume_origin and force_origin; the command line passes "--resume", "--force").
  std::string resume_origin = "RunOptions::resume";
  std::string force_origin = "RunOptions::force";
  std::uint64_t shard_index = 0;  // this file holds shard shard_index of shard_count
  std::uint64_t shard_count = 1;
  std::vector<std::size_t>
      metrics;  // indices into info->metrics of the outputs kept ([output] metrics)
  std::vector<std::size_t> replication_metrics;  // those of them kept in replications/
  std::vector<std::size_t> statistics;           // indices into kKeptStatistics, increasing
  // False when the points run no replications: every kept output is point-level, no series is
  // kept and no precision target asks for any; status/replications is then 0 at every point.
  bool runs_replications = true;
  int compression = kDefaultCompression;  // deflate level of replications/ and series/ (0 = none)
  // Point columns compressed too: only for a file built whole under a temporary name and never
  // written again in place (merge's output; FORMAT.md, "Compression").
  bool compress_point_columns = false;

  // True if the file has replications/ or series/: chunks allocated as they are written, whose
  // indexes a kill can tear (FORMAT.md, "Surviving a kill").
  bool has_per_replication() const { return !replication_metrics.empty() || !series.empty(); }
};

// One output's results over a batch's points, as the columns the writer stores: a point-level
// output (a closed form) has one value per point, a replication-level one its statistics.
struct MetricColumns {
  std::vector<double> value;       // [count], point-level only: the value (NaN if status != 0)
  std::vector<Accumulator> stats;  // [count], replication-level only
  std::vector<double> quantiles;   // [count][Q], replication-level only, with [output] quantiles
};

// A batch of finished points with contiguous indices [first, first + count).
struct PointBatch {
  std::uint64_t first = 0;
  std::uint64_t count = 0;
  // [count][varied], point-major: the values of the parameters the design varies, in the order of
  // varied_params(); the others are the experiment's, the same at every point.
  std::vector<Value> values;
  std::vector<std::int32_t> status;    // [count]
  std::vector<MetricColumns> metrics;  // [metrics], in the model's order
  // Per-replication data holds only the replications run (replications_run[i] at point i, 0 for
  // a failed point), not the cap: with adaptive precision most points stop far below it.
  std::vector<std::uint64_t> replications_run;    // [count]
  std::vector<std::vector<double>> replications;  // [count] -> [run][metrics]; empty if not kept
  std::vector<std::vector<std::vector<double>>> series;  // per kept series: [count] -> [run][T]
};

class ResultFile {
 public:
  enum class Mode {
    // Create the file and every dataset under a temporary name beside the path, then rename it
    // onto the path: the path never holds a half-made layout. `complete` = 0 until finish().
    Create,   // refuses a file that exists at the path by the time of the rename
    Replace,  // replaces one (--force), but only once the new layout is complete
    Resume,   // reopen a partial file of the same config (checked by config_sha256) to add points
  };
  // How a new file (Create, Replace) is made: whole in the constructor, or in two steps for a
  // caller with other work meanwhile (a run computes its first batches): the constructor checks
  // the path and opens the temporary file, which catches the usual mistakes (a bad path, a file in
  // the way, a file in use), and make_layout() writes the layout and renames the file onto its
  // path. Until make_layout() returns, no other call; a file destroyed before leaves nothing.
  enum class Making { Whole, InTwoSteps };
  ResultFile(const std::string& path, const FileLayout& layout, Mode mode = Mode::Create,
             Making making = Making::Whole);
  ~ResultFile();
  // The second step of Making::InTwoSteps, on any one thread. What it throws leaves no file at
  // the path and the temporary removed; the ResultFile is then good only for destruction.
  void make_layout();
  ResultFile(const ResultFile&) = delete;
  ResultFile& operator=(const ResultFile&) = delete;

  void write(const PointBatch& batch);  // writes the batch and marks its points done; flushes
  // Sets complete = 1 if every point of the experiment is done (a shard's file stays 0), closes.
  void finish();
  std::vector<std::uint8_t> done() const;  // the checkpoint bitmap status/done as on disk

  const std::string& path() const noexcept { return path_; }

 private:
  void abandon() noexcept;
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string path_;
  bool replace_ = false;
};

}  // namespace tariffsim
