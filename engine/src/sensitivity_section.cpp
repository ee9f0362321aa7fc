// The reader's [sensitivity]: a Saltelli design's inputs and the indices asked of it.
#include <limits>
#include <set>

#include "experiment_reader.hpp"
#include "experiment_rules.hpp"

namespace tariffsim {

namespace {
constexpr std::array<std::string_view, 7> kSensitivityKeys = {
    "method", "n", "ranges", "outputs", "replicates", "bootstrap", "confidence"};
}  // namespace

void ExperimentReader::read_sensitivity(const toml::table& t) {
  SensitivitySpec sensitivity;
  sensitivity.where = location_of(t.source());
  std::set<std::string> seen;
  for (const auto& e : doc_.entries(t, "sensitivity")) {
    seen.insert(e.key);
    note(e);
    read_sensitivity_key(e, sensitivity);
  }
  if (!seen.count("method")) diagnostics_.missing("sensitivity", "method", "\"sobol\"");
  if (!seen.count("n")) diagnostics_.missing("sensitivity", "n", kSensitivityNExpected);
  if (!seen.count("ranges"))
    diagnostics_.missing("sensitivity", "ranges", "{ param = [lo, hi], ... }");
  rules_.check_sensitivity_intervals(sensitivity);
  experiment_.sensitivity = std::move(sensitivity);
}

void ExperimentReader::read_sensitivity_key(const TomlEntry& e, SensitivitySpec& s) {
  if (e.key == "method") {
    if (const auto m = string_of(e, "\"sobol\""); m && *m != "sobol")
      expected(e, "\"sobol\" (the only method so far)");
  } else if (e.key == "n") {
    if (auto n = unsigned_of(e, std::numeric_limits<std::uint64_t>::max(), kSensitivityNExpected)) {
      rules_.check_sensitivity_n(*n);
      s.n = *n;
    }
  } else if (e.key == "ranges") {
    if (const auto* ranges = e.node->as_table()) {
      rules_.check_sensitivity_ranges_given(ranges->size());
      if (info_) {
        read_sample_ranges(*ranges, e.path, s.ranges, "[sensitivity].ranges");
        // Only declared, samplable parameters are read into s.ranges.
        for (const auto& range : s.ranges)
          rules_.check_sensitivity_range_in_domain(*info_->find_param(range.name),
                                                   e.path + "." + range.name, range.lo, range.hi);
      }
    } else {
      expected(e, kSampleRangesExpected);
    }
  } else if (e.key == "outputs") {
    read_names(e, "an array of scalar output names", "an output name", s.outputs,
               &ExperimentRules::check_sensitivity_output);
    // [] would read as "every output" (the default), where [output] statistics = [] means none.
    if (const auto* a = e.node->as_array(); a && a->empty())
      expected(e, "a non-empty array of scalar output names (leave outputs out for every output)");
  } else if (e.key == "replicates") {
    if (auto r = unsigned_of(e, std::numeric_limits<std::uint64_t>::max(), kReplicatesExpected))
      s.replicates = *r;
  } else if (e.key == "bootstrap") {
    if (auto b = unsigned_of(e, std::numeric_limits<std::uint64_t>::max(), kBootstrapExpected))
      s.bootstrap = *b;
  } else if (e.key == "confidence") {
    if (const auto c = as_real(*e.node)) {
      rules_.check_confidence(*c);
      s.confidence = *c;
    } else {
      expected(e, kConfidenceExpected);
    }
  } else {
    unknown_key(e, "[sensitivity]", kSensitivityKeys);
  }
}

}  // namespace tariffsim
