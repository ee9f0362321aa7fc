// What a typed experiment must satisfy, whether it was read from TOML or built in C++: values in
// range, each parameter in one section, series and metrics the model has, a sample that fits in
// memory. One function per value: the TOML reader calls each as it reads the value, so a file's
// problems come in the order of the file; check() calls them all for an experiment built in C++.
// The reader itself reports only what the struct cannot hold (syntax, unknown or missing keys,
// wrong types); a value it cannot hold for being out of a rule's range is reported in that rule's
// words, so that a rule reads the same either way.
#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "config_diagnostics.hpp"
#include "tariffsim/experiment.hpp"
#include "tariffsim/rng.hpp"
#include "value_origins.hpp"

namespace tariffsim {

// Replication indices are counted in 32 bits by Stream, so no run can use more than 2^32.
// Replication indices stay below kPointReplication, the counter of point-level streams.
inline constexpr auto kMaxReplications = static_cast<std::int64_t>(kPointReplication);
inline constexpr std::int64_t kMaxBlockSize = std::int64_t{1} << 20;
// Far beyond any sweep we plan (DESIGN: 10^7 points); stops a typo from allocating terabytes.
inline constexpr std::int64_t kMaxAxisLength = 100'000'000;
inline constexpr std::int64_t kInt64Max = std::numeric_limits<std::int64_t>::max();

// The words of the rules that the reader also uses for values it cannot hold.
inline const std::string kIdentifierExpected =
    "an identifier ([A-Za-z_][A-Za-z0-9_]*, it names the HDF5 group)";
inline const std::string kFileNameExpected = "a non-empty file name";
inline const std::string kQuantilesExpected = "an increasing array of probabilities in (0, 1)";
inline const std::string kTargetExpected = "a positive real";
inline const std::string kMetricsExpected = "an array of the model's output names";
inline const std::string kStatisticsExpected =
    "an array of statistics to keep besides the mean: \"sd\", \"se\", \"min\", \"max\", \"n\"";
inline constexpr std::int64_t kMaxCompression = 9;
inline const std::string kCompressionExpected =
    "an integer in [0, 9] (deflate level; 0 = no compression)";
inline const std::string kTargetsExpected =
    "a non-empty table { metric = target standard error, ... }";
inline const std::string kSearchBracketExpected = "[lo, hi] with real numbers lo < hi";
inline const std::string kSampleRangesExpected = "a non-empty table { param = [lo, hi], ... }";
inline constexpr std::uint64_t kMaxBootstrap = 1'000'000;
inline const std::string kSensitivityNExpected =
    "a power of two in [2, 2^26] (the Sobol net's balance)";
inline const std::string kBootstrapExpected = "an integer in [1, 1000000]";
inline const std::string kReplicatesExpected = "a power of two in [1, n / 2]";
inline const std::string kConfidenceExpected = "a probability in (0, 1)";
std::string spacing_expected(bool logarithmic);  // "[lo, hi, n] with ..."
// Whether lo and hi are both values the parameter takes (as integers for an integer parameter).
bool ends_in_range(const ParamSpec& spec, double lo, double hi);
std::string sample_range_expected(bool integer);  // "[lo, hi] with ..."
// What a value of the parameter's type is: "a real number", "one of \"a\" \"b\"", ...
std::string type_expectation(const ParamSpec& spec);

class ExperimentRules {
 public:
  ExperimentRules(const ValueOrigins& origins, ConfigDiagnostics& diagnostics)
      : origins_(origins), diagnostics_(diagnostics) {}

  // Null (a file naming no registered model): what depends on the model is not judged.
  void set_model(const ModelInfo* info) { info_ = info; }

  // Every rule, in the order a file is read.
  void check(const Experiment& experiment);

  // ---- [experiment] ----
  void check_name(const std::string& name);
  void check_model(const std::string& model);
  void check_replications(std::uint64_t replications);
  void check_block_size(std::uint64_t block_size);
  void check_deterministic_replications();  // once [experiment] is read

  // ---- parameters in [parameters], [grid], [sample].ranges (these need a model) ----
  // The parameter's spec, or null after reporting an unknown parameter.
  const ParamSpec* declared(const std::string& param, const std::string& key);
  // False (after reporting) if the parameter already appeared in another section.
  bool place(const std::string& param, const std::string& key, const std::string& section);
  void check_fixed(const ParamSpec& spec, const std::string& key, const Value& value);
  void check_grid_values(const ParamSpec& spec, const std::string& key,
                         const std::vector<Value>& values);
  bool check_spacing_allowed(const ParamSpec& spec, const std::string& key);
  void check_spacing(const std::string& key, const AxisSpacing& spacing);  // grid.x.linspace
  void check_sample_n(std::uint64_t n);
  void check_sample_ranges_given(std::size_t count);
  bool check_sampling_allowed(const ParamSpec& spec, const std::string& key);
  void check_sample_bounds(const ParamSpec& spec, const std::string& key, double lo, double hi);
  void check_sample_size(const SampleSpec& sample);  // once [sample] is read

  // ---- [sensitivity] ----
  void check_sensitivity_n(std::uint64_t n);
  void check_sensitivity_ranges_given(std::size_t count);
  void check_bootstrap(std::uint64_t resamples);
  void check_sensitivity_intervals(const SensitivitySpec& sensitivity);
  void check_sensitivity_range_in_domain(const ParamSpec& spec, const std::string& key, double lo,
                                         double hi);
  void check_confidence(double confidence);
  void check_sensitivity_output(const std::string& key, const std::string& name);
  // Once the whole file is read: alone as the design, small enough, its outputs kept in the file.
  void check_sensitivity_design(const Experiment& experiment);

  // ---- [output] ----
  void check_output_file(const std::string& file);
  void check_series(const std::string& key, const std::string& name);
  void check_quantiles(const std::vector<double>& quantiles);
  void check_metric(const std::string& key, const std::string& name);     // output.metrics[i]
  void check_statistic(const std::string& key, const std::string& name);  // output.statistics[i]
  void check_compression(int level);

  // ---- [precision] ----
  void check_targets_given(std::size_t count);
  void check_target_value(const std::string& key, double target);
  void check_target_metric(const std::string& key, const std::string& metric);
  void check_cap(std::uint64_t max_replications);
  void check_precision_given(bool targets, bool cap);  // once [precision] is read

  // ---- [search] (search_rules.cpp), once it is read, after every other section ----
  void check_search(const SearchSpec& search, const Experiment& experiment);

 private:
  struct Placement {
    std::string section;
    SourceLocation where;
  };

  // "expected <what>, got <the value as written, or as `shown` for a value built in C++>".
  void expected(const std::string& key, const std::string& what, const std::string& shown);
  bool varies(const std::string& param) const;
  void check_parameters(const Experiment& experiment);
  void check_axis(const GridAxis& axis);
  void check_sample(const SampleSpec& sample);
  void check_sensitivity(const SensitivitySpec& sensitivity);
  void check_output(const OutputOptions& output);
  void check_precision(const PrecisionOptions& precision);
  const ParamSpec* searched_parameter(const SearchSpec& search);
  void check_search_bracket(const ParamSpec& spec, const SearchSpec& search);
  void check_search_output(const SearchSpec& search);
  void check_search_values(const SearchSpec& search);
  void check_search_not_noisy(const SearchSpec& search);
  void check_search_alone(const Experiment& experiment);

  const ValueOrigins& origins_;
  ConfigDiagnostics& diagnostics_;
  const ModelInfo* info_ = nullptr;
  std::map<std::string, Placement> placed_;  // each parameter's first section
  std::vector<std::string> series_named_;
  std::vector<std::string> metrics_named_;
  std::vector<std::string> sensitivity_outputs_named_;
  std::vector<std::string> statistics_named_;
  // The count a cap is held to: an invalid count is reported once, not again beside the cap.
  std::uint64_t valid_replications_ = 1;
};

}  // namespace tariffsim
