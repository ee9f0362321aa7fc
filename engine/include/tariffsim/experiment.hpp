// An experiment (DESIGN.md §6): read from a TOML file by load_experiment()/parse_experiment(), or
// built in C++. Either way, validate() (tariffsim/validate.hpp) is what a run checks it with.
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "tariffsim/schema.hpp"
#include "tariffsim/value.hpp"

namespace tariffsim {

class Registry;

struct LocatedValue {
  Value value;
  SourceLocation where;
};

// { linspace | logspace = [lo, hi, n] }: values computed from their index on demand, so a long
// axis costs no memory. The end values are exactly lo and hi; logspace is even in log10.
struct AxisSpacing {
  double lo = 0;
  double hi = 0;
  std::uint64_t n = 0;
  bool logarithmic = false;
  double at(std::uint64_t i) const;
};

struct GridAxis {
  std::string name;
  std::vector<Value> values;           // an explicit list, typed per the ParamSpec; or empty and
  std::optional<AxisSpacing> spacing;  // a spacing (real parameters only)
  SourceLocation where;

  std::uint64_t size() const { return spacing ? spacing->n : values.size(); }
  Value at(std::uint64_t i) const { return spacing ? Value{spacing->at(i)} : values[i]; }
  std::vector<Value> expanded() const;  // every value, for small axes and tests
};

enum class SampleMethod { Sobol, Lhs, Uniform };

struct SampleRange {
  std::string name;
  double lo = 0.0;
  double hi = 1.0;
  SourceLocation where;
};

struct SampleSpec {
  SampleMethod method = SampleMethod::Sobol;
  std::uint64_t n = 0;
  std::vector<SampleRange> ranges;  // in file order; Real or Integer parameters only
  SourceLocation where;
};

// [sensitivity]: a Saltelli design on a scrambled Sobol sequence (n (k + 2) points for k inputs),
// run as an ordinary design, then first-order and total Sobol indices with bootstrap intervals
// (tariffsim/sensitivity.hpp; FORMAT.md, "Sensitivity").
struct SensitivitySpec {
  std::uint64_t n = 0;               // base sample size, a power of two >= 2
  std::vector<SampleRange> ranges;   // the inputs, in file order; Real or Integer parameters
  std::vector<std::string> outputs;  // scalar outputs analysed; empty = every output kept
  // Independent random shifts of the design, a power of two in [1, n / 2]; unset = 1 when
  // `bootstrap` is given (it asks for the row bootstrap), else 16, or n / 2 when smaller
  // (design_replicates()). The intervals come from their spread (Student t); with 1, from the row
  // bootstrap.
  std::optional<std::uint64_t> replicates;
  std::optional<std::uint64_t> bootstrap;  // bootstrap resamples of the n rows (replicates = 1)
  double confidence = 0.95;                // of the intervals
  SourceLocation where;

  static constexpr std::uint64_t kDefaultReplicates = 16;
  static constexpr std::uint64_t kDefaultBootstrap = 1000;
  std::uint64_t design_replicates() const {
    if (replicates) return *replicates;
    return bootstrap ? 1 : std::max<std::uint64_t>(1, std::min(kDefaultReplicates, n / 2));
  }
};

struct OutputOptions {
  std::string file;  // relative paths are relative to the working directory
  SourceLocation file_where;
  bool keep_replications = false;   // write replications/<metric> [P,R]
  std::vector<std::string> series;  // names from the model's SeriesSpec
  std::vector<double> quantiles;    // probabilities in (0,1), increasing
  std::vector<std::string>
      metrics;  // the outputs kept in the file, in the model's order; empty = all
  // The statistics kept of each replication-level output besides its mean (names of
  // kKeptStatistics); unset = all of them.
  std::optional<std::vector<std::string>> statistics;
  // Deflate level (0 = none, 1..9 with HDF5's shuffle) of the datasets that can be compressed
  // without weakening kill safety (FORMAT.md, "Compression"); unset = kDefaultCompression.
  std::optional<int> compression;
};

// Adaptive precision: add replication blocks to a point until every listed metric's standard error
// is at or below its target, or max_replications is reached.
struct PrecisionOptions {
  std::vector<std::pair<std::string, double>> target_se;  // metric name -> target
  std::uint64_t max_replications = 0;                     // 0 = no adaptive precision
};

// [search]: at every point of the rest of the design, where `output` crosses `level` as
// `parameter` goes over [lo, hi] (tariffsim/search.hpp runs it; tariffsim/root_search.hpp says
// how).
struct SearchSpec {
  std::string parameter;  // a Real or Integer parameter in no other section
  std::string output;     // a scalar output; replication-level ones are searched as noisy
  double lo = 0, hi = 1;  // the bracket, lo < hi, both in the parameter's range
  double level = 0;
  double tolerance = 0;  // > 0: the bracket's or the interval's final width
  // Noisy (replication-level) outputs only; 0 and nullopt: not given (a point-level output
  // refuses both, a noisy one needs the budget and takes kSearchConfidence).
  std::uint64_t max_replications = 0;  // replications over all trial values
  std::optional<double> confidence;    // of the interval, in (0, 1)
  SourceLocation where;                // of the [search] table
};

struct Experiment {
  std::string config_path;  // as given, for messages
  std::string config_text;  // the effective config (after --set) as TOML: stored in result files
  std::string name;
  std::string model;
  std::string description;
  std::uint64_t seed = 0;
  std::uint64_t replications = 1;  // for adaptive precision: the initial count
  std::uint32_t block_size = 64;   // replications per work unit; part of the results' identity
  bool common_random_numbers = false;
  std::map<std::string, LocatedValue> fixed;  // [parameters], typed per the ParamSpec
  std::vector<GridAxis> grid;
  std::optional<SampleSpec> sample;
  std::optional<SensitivitySpec> sensitivity;
  OutputOptions output;
  PrecisionOptions precision;
  std::optional<SearchSpec> search;

  // The source location of a parameter's value (fixed, grid or sample), or {} if defaulted.
  SourceLocation where(const std::string& param) const;
  bool varies(const std::string& param) const;  // on the grid or in the sample
};

// Reads, applies `--set key=value` overrides (dotted keys: "parameters.delta=0.5",
// "experiment.seed=3"; a bare key means parameters.<key>), and checks against the model found in
// the registry: the file's syntax, keys and types, and validate()'s rules on its values. Throws
// InputError with every problem found, each naming file, line, key and what was expected. What
// validate() adds (the run options, the model's domain at the first point) is left to the run.
Experiment load_experiment(const std::string& path, const std::vector<std::string>& overrides,
                           const Registry& registry);
Experiment parse_experiment(const std::string& text, const std::string& path,
                            const std::vector<std::string>& overrides, const Registry& registry);

}  // namespace tariffsim
