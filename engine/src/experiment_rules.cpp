#include "experiment_rules.hpp"

#include <algorithm>
#include <cmath>
#include <type_traits>

#include "tariffsim/stats.hpp"
#include "toml_document.hpp"

namespace tariffsim {

namespace {

// A sample, unlike a grid, is drawn up front and held as a table of doubles (one row per point,
// one column per dimension), and `validate` draws it too: this bound (128 MiB) keeps a large n
// from asking for gigabytes or minutes (found by tests/fuzz: n = 10^8 with 6 dimensions).
constexpr std::uint64_t kMaxSampleValues = std::uint64_t{1} << 24;

bool is_identifier(std::string_view s) {
  auto letter = [](char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; };
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  if (s.empty() || !letter(s.front())) return false;
  return std::all_of(s.begin(), s.end(), [&](char c) { return letter(c) || digit(c); });
}

// Whether a value has its parameter's type, ranges aside (a grid or a sample may cross them). An
// enum value outside its choices, and NaN, are no value of any point.
bool has_type(const ParamSpec& spec, const Value& v) {
  switch (spec.type) {
    case ParamType::Real:
      return std::holds_alternative<double>(v) && !std::isnan(std::get<double>(v));
    case ParamType::Integer:
      return std::holds_alternative<std::int64_t>(v);
    case ParamType::Bool:
      return std::holds_alternative<bool>(v);
    case ParamType::Enum:
      return std::holds_alternative<std::string>(v) && check_value(spec, v).empty();
    case ParamType::RealList: {
      const auto* xs = std::get_if<std::vector<double>>(&v);
      return xs && std::none_of(xs->begin(), xs->end(), [](double x) { return std::isnan(x); });
    }
  }
  return false;
}

// Values built in C++, shown as TOML would show them had they been written in a file.
std::string shown(const std::vector<double>& xs) {
  toml::array a;
  for (const double x : xs) a.push_back(x);
  return describe(a);
}

std::string shown(const Value& v) {
  return std::visit(
      [](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, std::vector<double>>)
          return shown(x);
        else
          return describe(toml::value<T>(x));
      },
      v);
}

std::string names_or_none(const std::vector<std::string>& names) {
  return names.empty() ? "it has none" : join(names);
}

}  // namespace

bool ends_in_range(const ParamSpec& spec, double lo, double hi) {
  const bool integer = spec.type == ParamType::Integer;
  for (const double end : {lo, hi}) {
    const Value v = integer ? Value{static_cast<std::int64_t>(end)} : Value{end};
    if (!check_value(spec, v).empty()) return false;
  }
  return true;
}

std::string spacing_expected(bool logarithmic) {
  return std::string(logarithmic ? "[lo, hi, n] with reals lo, hi > 0"
                                 : "[lo, hi, n] with finite reals lo, hi") +
         " and an integer n in [1, " + std::to_string(kMaxAxisLength) + "]";
}

std::string sample_range_expected(bool integer) {
  return std::string("[lo, hi] with ") + (integer ? "integers" : "finite reals") + " lo < hi";
}

std::string type_expectation(const ParamSpec& spec) {
  switch (spec.type) {
    case ParamType::Real:
      return "a real number";
    case ParamType::Integer:
      return "an integer";
    case ParamType::Bool:
      return "true or false";
    case ParamType::Enum:
      return check_value(spec, Value{std::int64_t{0}});  // "one of ..."
    case ParamType::RealList:
      return "an array of real numbers";
  }
  return "a value";
}

void ExperimentRules::expected(const std::string& key, const std::string& what,
                               const std::string& shown) {
  diagnostics_.expected(origins_.where(key), key, what, origins_.written(key).value_or(shown));
}

void ExperimentRules::check(const Experiment& exp) {
  check_name(exp.name);
  check_model(exp.model);
  check_replications(exp.replications);
  check_block_size(exp.block_size);
  check_deterministic_replications();
  if (info_) check_parameters(exp);
  if (exp.sample) check_sample(*exp.sample);
  if (exp.sensitivity) check_sensitivity(*exp.sensitivity);
  check_output(exp.output);
  check_precision(exp.precision);
  check_sensitivity_design(exp);
  if (exp.search) check_search(*exp.search, exp);
}

// ---- [experiment] ----

void ExperimentRules::check_name(const std::string& name) {
  if (!is_identifier(name)) expected("experiment.name", kIdentifierExpected, quoted(name));
}

// A file's model is the one it names; one built in C++ must name the model it is checked against.
void ExperimentRules::check_model(const std::string& model) {
  if (info_ && model != info_->name)
    expected("experiment.model", quoted(info_->name) + ", the model it is checked against",
             quoted(model));
}

void ExperimentRules::check_replications(std::uint64_t replications) {
  if (replications < 1 || replications > kMaxReplications)
    expected("experiment.replications", int_range_text(1, kMaxReplications),
             std::to_string(replications));
  else
    valid_replications_ = replications;
}

void ExperimentRules::check_block_size(std::uint64_t block_size) {
  if (block_size < 1 || block_size > kMaxBlockSize)
    expected("experiment.block_size", int_range_text(1, kMaxBlockSize), std::to_string(block_size));
}

void ExperimentRules::check_deterministic_replications() {
  if (info_ && !info_->stochastic && valid_replications_ != 1)
    expected("experiment.replications", "1 (model '" + info_->name + "' is deterministic)",
             std::to_string(valid_replications_));
}

// ---- parameters ----

const ParamSpec* ExperimentRules::declared(const std::string& param, const std::string& key) {
  if (const ParamSpec* spec = info_->find_param(param)) return spec;
  diagnostics_.report(
      origins_.where_key(key), key,
      "unknown parameter of model '" + info_->name + "'; " + suggest_parameter(*info_, param));
  return nullptr;
}

bool ExperimentRules::place(const std::string& param, const std::string& key,
                            const std::string& section) {
  const SourceLocation here = origins_.where(key);
  const auto [it, inserted] = placed_.emplace(param, Placement{section, here});
  if (inserted) return true;
  diagnostics_.report(
      here, key,
      "expected a parameter in at most one of [parameters], [grid], [sample].ranges, "
      "[sensitivity].ranges, got it also in " +
          it->second.section + " at " + it->second.where.str());
  return false;
}

bool ExperimentRules::varies(const std::string& param) const {
  const auto it = placed_.find(param);
  return it != placed_.end() && it->second.section != "[parameters]";
}

void ExperimentRules::check_fixed(const ParamSpec& spec, const std::string& key,
                                  const Value& value) {
  if (const std::string what = check_value(spec, value); !what.empty())
    expected(key, what, shown(value));
}

// Values on a grid are typed but not range-checked: an out-of-range point gets NaN and a status
// code at run time (DESIGN §10), so a sweep may deliberately cross the edge of the domain.
void ExperimentRules::check_grid_values(const ParamSpec& spec, const std::string& key,
                                        const std::vector<Value>& values) {
  if (values.empty()) expected(key, "a non-empty array of values", "[]");
  for (std::size_t i = 0; i < values.size(); ++i)
    if (!has_type(spec, values[i]))
      diagnostics_.expected(origins_.where(key), key + "[" + std::to_string(i) + "]",
                            type_expectation(spec), shown(values[i]));
}

bool ExperimentRules::check_spacing_allowed(const ParamSpec& spec, const std::string& key) {
  if (spec.type == ParamType::Real) return true;
  expected(key,
           "an array of values (linspace and logspace need a real parameter; '" + spec.name +
               "' is " + to_string(spec.type) + ")",
           "a spacing");
  return false;
}

void ExperimentRules::check_spacing(const std::string& key, const AxisSpacing& s) {
  const bool valid = std::isfinite(s.lo) && std::isfinite(s.hi) && s.n >= 1 &&
                     s.n <= kMaxAxisLength && (!s.logarithmic || (s.lo > 0 && s.hi > 0));
  if (!valid)
    expected(key, spacing_expected(s.logarithmic),
             describe(toml::array{s.lo, s.hi, static_cast<std::int64_t>(s.n)}));
}

void ExperimentRules::check_sample_n(std::uint64_t n) {
  if (n < 1 || n > kMaxAxisLength)
    expected("sample.n", int_range_text(1, kMaxAxisLength), std::to_string(n));
}

void ExperimentRules::check_sample_ranges_given(std::size_t count) {
  if (count == 0) expected("sample.ranges", kSampleRangesExpected, "none");
}

bool ExperimentRules::check_sampling_allowed(const ParamSpec& spec, const std::string& key) {
  if (spec.type == ParamType::Real || spec.type == ParamType::Integer) return true;
  expected(key, "a real or integer parameter ('" + spec.name + "' is " + to_string(spec.type) + ")",
           "a range");
  return false;
}

// Bounds outside the declared range are allowed, as on a grid: those points get a status code.
void ExperimentRules::check_sample_bounds(const ParamSpec& spec, const std::string& key, double lo,
                                          double hi) {
  const bool integer = spec.type == ParamType::Integer;
  const bool whole = !integer || (std::trunc(lo) == lo && std::trunc(hi) == hi);
  if (!whole || !std::isfinite(lo) || !std::isfinite(hi) || !(lo < hi))
    expected(key, sample_range_expected(integer), shown({lo, hi}));
}

// Checked only for a sample with no other problem, whose n and dimensions are what they say.
void ExperimentRules::check_sample_size(const SampleSpec& sample) {
  if (diagnostics_.has_problem_in("sample")) return;
  const std::uint64_t values = sample.n * sample.ranges.size();
  if (values <= kMaxSampleValues) return;
  diagnostics_.report(origins_.where("sample.n"), "sample.n",
                      std::to_string(sample.n) + " points x " +
                          std::to_string(sample.ranges.size()) +
                          " dimensions = " + std::to_string(values) +
                          " values; a sample is held in "
                          "memory and may have at most " +
                          std::to_string(kMaxSampleValues) +
                          " (128 MiB): use fewer points or dimensions (a grid is computed on "
                          "demand and has no such bound)");
}

// ---- [sensitivity] ----

void ExperimentRules::check_sensitivity_n(std::uint64_t n) {
  if (n < 2 || n > static_cast<std::uint64_t>(kMaxAxisLength) || (n & (n - 1)) != 0)
    expected("sensitivity.n", kSensitivityNExpected, std::to_string(n));
}

void ExperimentRules::check_sensitivity_ranges_given(std::size_t count) {
  if (count == 0) expected("sensitivity.ranges", kSampleRangesExpected, "none");
}

void ExperimentRules::check_bootstrap(std::uint64_t resamples) {
  if (resamples < 1 || resamples > kMaxBootstrap)
    expected("sensitivity.bootstrap", kBootstrapExpected, std::to_string(resamples));
}

// The intervals' source: the replicates' spread, or (one replicate) the row bootstrap. The n
// rows split into replicates of a power-of-two size (each a net), at least 2 rows each.
void ExperimentRules::check_sensitivity_intervals(const SensitivitySpec& s) {
  const bool n_valid = s.n >= 2 && (s.n & (s.n - 1)) == 0;
  if (s.replicates && n_valid) {
    const std::uint64_t r = *s.replicates, most = std::max<std::uint64_t>(1, s.n / 2);
    if (r < 1 || r > most || (r & (r - 1)) != 0)
      expected("sensitivity.replicates",
               "a power of two in [1, " + std::to_string(most) + "] (n / 2: two rows a replicate)",
               std::to_string(r));
  }
  if (!s.bootstrap) return;
  check_bootstrap(*s.bootstrap);
  if (const std::uint64_t r = s.design_replicates(); n_valid && r >= 2)
    diagnostics_.report(
        origins_.where("sensitivity.bootstrap"), "sensitivity.bootstrap",
        "expected no bootstrap with replicates = " + std::to_string(r) +
            ": the intervals come from the replicates' spread (Student t); leave replicates out "
            "(or set it to 1) for the row bootstrap, whose intervals are conservative on the "
            "Sobol design");
}

// A design point outside a parameter's range has no output, and the indices would rest on the
// rows that happen to lie inside, conditional and misleading: the ranges must lie inside.
void ExperimentRules::check_sensitivity_range_in_domain(const ParamSpec& spec,
                                                        const std::string& key, double lo,
                                                        double hi) {
  if (!ends_in_range(spec, lo, hi))
    expected(key,
             "[lo, hi] with both ends in " + spec.range.str() + " (the range of '" + spec.name +
                 "'; a design row with a point outside it is left out)",
             shown({lo, hi}));
}

void ExperimentRules::check_confidence(double confidence) {
  if (!(confidence > 0.0 && confidence < 1.0))
    expected("sensitivity.confidence", kConfidenceExpected, real_text(confidence));
}

// Indices are of scalar outputs: a series has no single value per point to decompose.
void ExperimentRules::check_sensitivity_output(const std::string& key, const std::string& name) {
  if (info_->metric_index(name)) {
    const auto& named = sensitivity_outputs_named_;
    if (std::find(named.begin(), named.end(), name) != named.end())
      return expected(key, "each output named once", quoted(name));
    sensitivity_outputs_named_.push_back(name);
    return;
  }
  std::vector<std::string> names;
  for (const auto& spec : info_->metrics) names.push_back(spec.name);
  const bool series = info_->series_index(name).has_value();
  diagnostics_.report(origins_.where(key), key,
                      "expected a scalar output of model '" + info_->name + "', got '" + name +
                          (series ? "', a series (series have no Sobol indices)" : "'; ") +
                          (series ? "" : suggest_name(name, names, "outputs")));
}

void ExperimentRules::check_sensitivity_design(const Experiment& exp) {
  if (!exp.sensitivity) return;
  const auto alone = [&](bool other, const std::string& section, const std::string& why) {
    if (other)
      diagnostics_.report(origins_.where(section), section,
                          "expected no [" + section + "] with [sensitivity] (" + why + ")");
  };
  alone(!exp.grid.empty(), "grid", "the Saltelli design is the whole design");
  alone(exp.sample.has_value(), "sample", "the Saltelli design is the whole design");
  alone(exp.search.has_value(), "search",
        "indices of a searched threshold are not supported: run the search over a grid instead");
  const auto& s = *exp.sensitivity;
  const auto& kept = exp.output.metrics;
  for (std::size_t i = 0; i < s.outputs.size(); ++i)
    if (!kept.empty() && std::find(kept.begin(), kept.end(), s.outputs[i]) == kept.end())
      expected("sensitivity.outputs[" + std::to_string(i) + "]",
               "an output that [output] metrics keeps", quoted(s.outputs[i]));
  const std::uint64_t k = s.ranges.size();
  if (diagnostics_.has_problem_in("sensitivity") || s.n * (k + 2) * k <= kMaxSampleValues) return;
  diagnostics_.report(origins_.where("sensitivity.n"), "sensitivity.n",
                      "n (k + 2) points x k inputs exceeds " + std::to_string(kMaxSampleValues) +
                          " values held in memory: use a smaller n");
}

// ---- [output] ----

void ExperimentRules::check_output_file(const std::string& file) {
  if (file.empty()) expected("output.file", kFileNameExpected, quoted(file));
}

void ExperimentRules::check_series(const std::string& key, const std::string& name) {
  const auto index = info_->series_index(name);
  if (!index) {
    std::vector<std::string> names;
    for (const auto& spec : info_->series) names.push_back(spec.name);
    return expected(key, "a series of model '" + info_->name + "' (" + names_or_none(names) + ")",
                    quoted(name));
  }
  const std::string& length = info_->series[*index].length_param;
  if (varies(length))
    return expected(key,
                    "a series whose length parameter is fixed ('" + name + "' has length '" +
                        length + "', which varies in " + placed_.at(length).section + ")",
                    quoted(name));
  if (std::find(series_named_.begin(), series_named_.end(), name) != series_named_.end())
    return expected(key, "each series named once", quoted(name));
  series_named_.push_back(name);
}

void ExperimentRules::check_quantiles(const std::vector<double>& qs) {
  for (std::size_t i = 0; i < qs.size(); ++i)
    if (!(qs[i] > 0.0 && qs[i] < 1.0) || (i > 0 && !(qs[i] > qs[i - 1])))
      return expected("output.quantiles", kQuantilesExpected, shown(qs));
}

// An output the model does not have is a typo more often than not: name the closest one.
void ExperimentRules::check_metric(const std::string& key, const std::string& name) {
  if (!info_->metric_index(name)) {
    std::vector<std::string> names;
    for (const auto& spec : info_->metrics) names.push_back(spec.name);
    diagnostics_.report(origins_.where(key), key,
                        "expected an output of model '" + info_->name + "', got '" + name + "'; " +
                            suggest_name(name, names, "outputs"));
    return;
  }
  if (std::find(metrics_named_.begin(), metrics_named_.end(), name) != metrics_named_.end())
    return expected(key, "each output named once", quoted(name));
  metrics_named_.push_back(name);
}

// The mean is the output's value and always kept, so it is not among the choices.
void ExperimentRules::check_statistic(const std::string& key, const std::string& name) {
  const bool known = std::any_of(kKeptStatistics.begin(), kKeptStatistics.end(),
                                 [&](const KeptStatistic& s) { return s.name == name; });
  if (!known)
    return expected(key, "one of \"sd\", \"se\", \"min\", \"max\", \"n\" (the mean is always kept)",
                    quoted(name));
  if (std::find(statistics_named_.begin(), statistics_named_.end(), name) !=
      statistics_named_.end())
    return expected(key, "each statistic named once", quoted(name));
  statistics_named_.push_back(name);
}

void ExperimentRules::check_compression(int level) {
  if (level < 0 || level > kMaxCompression)
    expected("output.compression", kCompressionExpected, std::to_string(level));
}

// ---- [precision] ----

void ExperimentRules::check_targets_given(std::size_t count) {
  if (count == 0) expected("precision.target_se", kTargetsExpected, "none");
}

void ExperimentRules::check_target_value(const std::string& key, double target) {
  if (!std::isfinite(target) || !(target > 0.0)) expected(key, kTargetExpected, real_text(target));
}

void ExperimentRules::check_target_metric(const std::string& key, const std::string& metric) {
  const auto index = info_->metric_index(metric);
  if (index && info_->metrics[*index].level == OutputLevel::Replication) return;
  std::vector<std::string> names;
  for (const auto& spec : info_->metrics)
    if (spec.level == OutputLevel::Replication) names.push_back(spec.name);
  diagnostics_.report(origins_.where_key(key), key,
                      "expected a replication-level metric of model '" + info_->name + "' (" +
                          names_or_none(names) + "), got '" + metric + "'");
}

void ExperimentRules::check_cap(std::uint64_t cap) {
  const std::string key = "precision.max_replications";
  if (cap < 1 || cap > kMaxReplications)
    expected(key, int_range_text(1, kMaxReplications), std::to_string(cap));
  else if (cap < valid_replications_)
    expected(key,
             "an integer >= experiment.replications (" + std::to_string(valid_replications_) + ")",
             std::to_string(cap));
}

// `targets` and `cap`: whether target_se and max_replications were given, even if unreadable.
void ExperimentRules::check_precision_given(bool targets, bool cap) {
  if (targets && !cap)
    diagnostics_.missing("precision", "max_replications",
                         "an integer >= replications, given with target_se");
  if (cap && !targets)
    diagnostics_.missing("precision", "target_se",
                         "{ metric = target, ... }, given with max_replications");
  if ((targets || cap) && info_ && !info_->stochastic)
    diagnostics_.report(
        origins_.where("precision"), "precision",
        "expected no [precision] (model '" + info_->name + "' is deterministic), got a table");
}

// ---- the whole experiment, section by section ----

void ExperimentRules::check_parameters(const Experiment& exp) {
  for (const auto& [name, located] : exp.fixed) {
    const std::string key = "parameters." + name;
    const ParamSpec* spec = declared(name, key);
    if (spec && place(name, key, "[parameters]")) check_fixed(*spec, key, located.value);
  }
  for (const auto& axis : exp.grid) check_axis(axis);
}

void ExperimentRules::check_axis(const GridAxis& axis) {
  const std::string key = "grid." + axis.name;
  const ParamSpec* spec = declared(axis.name, key);
  if (!spec || !place(axis.name, key, "[grid]")) return;
  if (!axis.spacing)
    check_grid_values(*spec, key, axis.values);
  else if (check_spacing_allowed(*spec, key))
    check_spacing(key + (axis.spacing->logarithmic ? ".logspace" : ".linspace"), *axis.spacing);
}

void ExperimentRules::check_sample(const SampleSpec& sample) {
  check_sample_n(sample.n);
  if (info_) {
    check_sample_ranges_given(sample.ranges.size());
    for (const auto& range : sample.ranges) {
      const std::string key = "sample.ranges." + range.name;
      const ParamSpec* spec = declared(range.name, key);
      if (spec && place(range.name, key, "[sample].ranges") && check_sampling_allowed(*spec, key))
        check_sample_bounds(*spec, key, range.lo, range.hi);
    }
  }
  check_sample_size(sample);
}

void ExperimentRules::check_sensitivity(const SensitivitySpec& sensitivity) {
  check_sensitivity_n(sensitivity.n);
  check_sensitivity_intervals(sensitivity);
  check_confidence(sensitivity.confidence);
  if (!info_) return;
  check_sensitivity_ranges_given(sensitivity.ranges.size());
  for (const auto& range : sensitivity.ranges) {
    const std::string key = "sensitivity.ranges." + range.name;
    const ParamSpec* spec = declared(range.name, key);
    if (spec && place(range.name, key, "[sensitivity].ranges") &&
        check_sampling_allowed(*spec, key)) {
      check_sample_bounds(*spec, key, range.lo, range.hi);
      check_sensitivity_range_in_domain(*spec, key, range.lo, range.hi);
    }
  }
  for (std::size_t i = 0; i < sensitivity.outputs.size(); ++i)
    check_sensitivity_output("sensitivity.outputs[" + std::to_string(i) + "]",
                             sensitivity.outputs[i]);
}

void ExperimentRules::check_output(const OutputOptions& output) {
  check_output_file(output.file);
  if (info_)
    for (std::size_t i = 0; i < output.series.size(); ++i)
      check_series("output.series[" + std::to_string(i) + "]", output.series[i]);
  check_quantiles(output.quantiles);
  if (info_)
    for (std::size_t i = 0; i < output.metrics.size(); ++i)
      check_metric("output.metrics[" + std::to_string(i) + "]", output.metrics[i]);
  if (output.compression) check_compression(*output.compression);
  if (output.statistics)
    for (std::size_t i = 0; i < output.statistics->size(); ++i)
      check_statistic("output.statistics[" + std::to_string(i) + "]", (*output.statistics)[i]);
}

void ExperimentRules::check_precision(const PrecisionOptions& precision) {
  for (const auto& [metric, target] : precision.target_se) {
    const std::string key = "precision.target_se." + metric;
    check_target_value(key, target);
    if (info_) check_target_metric(key, metric);
  }
  const bool cap = precision.max_replications > 0;
  if (cap) check_cap(precision.max_replications);
  check_precision_given(!precision.target_se.empty(), cap);
}

}  // namespace tariffsim
