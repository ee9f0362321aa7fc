// The single streaming HDF5 writer, format version 1 (engine/FORMAT.md). Models never touch HDF5:
// the runner hands this class finished batches of points and it writes them as columns.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "tariffsim/experiment.hpp"
#include "tariffsim/schema.hpp"
#include "tariffsim/stats.hpp"

namespace tariffsim {

inline constexpr int kFormatVersion = 1;

// Everything fixed about a file before the first point is written.
struct FileLayout {
  const ModelInfo* info = nullptr;
  const Experiment* experiment = nullptr;
  std::uint64_t n_points = 0;
  std::uint64_t stored_replications = 0;       // R of replications/ and series/ (0 = none)
  std::vector<std::size_t> series;             // indices into info->series to keep
  std::vector<std::uint64_t> series_length;    // T of each kept series
  std::string command_line;
  std::string path_origin;  // where the path came from, for errors: "exp.toml:12:8: output.file"
};

// A batch of finished points with contiguous indices [first, first + count).
struct PointBatch {
  std::uint64_t first = 0;
  std::uint64_t count = 0;
  std::vector<std::vector<Value>> values;  // [count][params]
  std::vector<std::int32_t> status;        // [count]
  std::vector<Accumulator> stats;          // [count][metrics], point-major
  std::vector<double> quantiles;           // [count][metrics][Q]
  std::vector<double> replications;        // [count][R][metrics], NaN-padded
  std::vector<std::vector<double>> series; // per kept series: [count][R][T]
};

class ResultFile {
 public:
  // Creates (truncates) the file and every dataset; `complete` = 0 until finish().
  ResultFile(const std::string& path, const FileLayout& layout);
  ~ResultFile();
  ResultFile(const ResultFile&) = delete;
  ResultFile& operator=(const ResultFile&) = delete;

  void write(const PointBatch& batch);  // writes the batch and marks its points done; flushes
  void finish();                        // sets complete = 1 and closes the file

  const std::string& path() const noexcept { return path_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string path_;
};

std::string sha256_hex(const std::string& data);

}  // namespace tariffsim
