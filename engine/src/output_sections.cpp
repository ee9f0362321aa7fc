// The reader's [output] and [precision]: what a run keeps and how precise it must be.
#include <limits>

#include "experiment_reader.hpp"
#include "experiment_rules.hpp"

namespace tariffsim {

namespace {

constexpr std::array<std::string_view, 7> kOutputKeys = {
    "file", "replications", "series", "quantiles", "metrics", "statistics", "compression"};
constexpr std::array<std::string_view, 2> kPrecisionKeys = {"target_se", "max_replications"};

}  // namespace

void ExperimentReader::read_output(const toml::table* t) {
  OutputOptions& out = experiment_.output;
  out.file = "results/" + experiment_.name + ".h5";
  out.file_where = SourceLocation{path_, 0, 0};
  for (const auto& e : entries(t, "output")) {
    note(e);
    if (e.key == "file") {
      if (auto s = string_of(e, kFileNameExpected)) {
        rules_.check_output_file(*s);
        out.file = *s;
        out.file_where = location_of(e.node->source());
      }
    } else if (e.key == "replications") {
      if (auto b = boolean_of(e)) out.keep_replications = *b;
    } else if (e.key == "series") {
      read_names(e, "an array of series names", "a series name", out.series,
                 &ExperimentRules::check_series);
    } else if (e.key == "quantiles") {
      read_quantiles(e);
    } else if (e.key == "metrics") {
      read_names(e, kMetricsExpected, "an output name", out.metrics,
                 &ExperimentRules::check_metric);
    } else if (e.key == "statistics") {
      read_names(e, kStatisticsExpected, "a statistic's name", out.statistics.emplace(),
                 &ExperimentRules::check_statistic);
    } else if (e.key == "compression") {
      if (auto level = unsigned_of(e, kMaxCompression, kCompressionExpected)) {
        rules_.check_compression(static_cast<int>(*level));
        out.compression = static_cast<int>(*level);
      }
    } else {
      unknown_key(e, "[output]", kOutputKeys);
    }
  }
}

// An array of names (series, outputs), each noted at its own key ("output.series[1]") and judged
// by `check` where the model is known.
void ExperimentReader::read_names(const TomlEntry& e, const std::string& what,
                                  const std::string& item, std::vector<std::string>& out,
                                  void (ExperimentRules::*check)(const std::string&,
                                                                 const std::string&)) {
  const auto* a = array_of(e, what);
  if (!a) return;
  for (std::size_t i = 0; i < a->size(); ++i) {
    const toml::node& n = *a->get(i);
    const std::string path = e.path + "[" + std::to_string(i) + "]";
    note(n, path);
    const auto* s = n.as_string();
    if (!s) {
      expected(n, path, item);
      continue;
    }
    if (info_) (rules_.*check)(path, s->get());
    out.push_back(s->get());
  }
}

void ExperimentReader::read_quantiles(const TomlEntry& e) {
  const auto* a = array_of(e, kQuantilesExpected);
  if (!a) return;
  std::vector<double> qs;
  for (const auto& n : *a) {
    const auto q = as_real(n);
    if (!q) {
      expected(e, kQuantilesExpected);
      return;
    }
    qs.push_back(*q);
  }
  rules_.check_quantiles(qs);
  experiment_.output.quantiles = std::move(qs);
}

void ExperimentReader::read_precision(const toml::table& t) {
  bool targets = false, cap = false;
  for (const auto& e : doc_.entries(t, "precision")) {
    note(e);
    if (e.key == "target_se") {
      targets = true;
      read_targets(e);
    } else if (e.key == "max_replications") {
      cap = true;
      if (auto x = unsigned_of(e, std::numeric_limits<std::uint64_t>::max(),
                               int_range_text(1, kMaxReplications))) {
        rules_.check_cap(*x);
        experiment_.precision.max_replications = *x;
      }
    } else {
      unknown_key(e, "[precision]", kPrecisionKeys);
    }
  }
  rules_.check_precision_given(targets, cap);
}

void ExperimentReader::read_targets(const TomlEntry& e) {
  const auto* t = e.node->as_table();
  if (!t) {
    expected(e, kTargetsExpected);
    return;
  }
  rules_.check_targets_given(t->size());
  for (const auto& m : doc_.entries(*t, e.path)) {
    note(m);
    if (const auto target = as_real(*m.node)) {
      rules_.check_target_value(m.path, *target);
      experiment_.precision.target_se.emplace_back(m.key, *target);
    } else {
      expected(m, kTargetExpected);
    }
    if (info_) rules_.check_target_metric(m.path, m.key);
  }
}

}  // namespace tariffsim
