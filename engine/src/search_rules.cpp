// The rules of [search]: a real or integer parameter set nowhere else, a bracket inside its range,
// a scalar output, a positive tolerance, a confidence in (0, 1), a budget that pays for at least
// one stage of a noisy search (neither key for a point-level output), and none of the run options
// a search replaces.
#include <cmath>

#include "experiment_rules.hpp"
#include "tariffsim/search.hpp"
#include "toml_document.hpp"

namespace tariffsim {

namespace {

std::string shown_real(double x) {
  return describe(toml::value<double>(x));
}

std::string shown_bracket(const SearchSpec& s) {
  // Appended piece by piece: GCC 12 warns (-Wrestrict, a false positive) on "[" + a temporary.
  std::string text = "[";
  text += shown_real(s.lo);
  text += ", ";
  text += shown_real(s.hi);
  text += "]";
  return text;
}

bool is_integral(double x) {
  return std::isfinite(x) && x == std::floor(x);
}

}  // namespace

void ExperimentRules::check_search(const SearchSpec& search, const Experiment& experiment) {
  if (!info_) return;
  if (const ParamSpec* spec = searched_parameter(search)) check_search_bracket(*spec, search);
  check_search_output(search);
  check_search_values(search);
  check_search_alone(experiment);
}

// The parameter's spec if it can be searched, else null after saying why.
const ParamSpec* ExperimentRules::searched_parameter(const SearchSpec& search) {
  const std::string key = "search.parameter";
  const ParamSpec* spec = info_->find_param(search.parameter);
  if (!spec) {
    diagnostics_.report(origins_.where(key), key,
                        "unknown parameter of model '" + info_->name + "'; " +
                            suggest_parameter(*info_, search.parameter));
    return nullptr;
  }
  if (spec->type != ParamType::Real && spec->type != ParamType::Integer) {
    expected(
        key,
        "a real or integer parameter ('" + spec->name + "' is " + type_expectation(*spec) + ")",
        quoted(search.parameter));
    return nullptr;
  }
  if (const auto it = placed_.find(search.parameter); it != placed_.end()) {
    diagnostics_.report(origins_.where(key), key,
                        "expected a parameter in no other section (the search sets its value), "
                        "got it also in " +
                            it->second.section + " at " + it->second.where.str());
    return nullptr;
  }
  return spec;
}

void ExperimentRules::check_search_bracket(const ParamSpec& spec, const SearchSpec& search) {
  const bool integer = spec.type == ParamType::Integer;
  if (!(search.lo < search.hi) || (integer && !(is_integral(search.lo) && is_integral(search.hi))))
    return expected("search.bracket",
                    integer ? "[lo, hi] with integers lo < hi ('" + spec.name + "' is an integer)"
                            : kSearchBracketExpected,
                    shown_bracket(search));
  if (!ends_in_range(spec, search.lo, search.hi))
    expected("search.bracket",
             "[lo, hi] with lo < hi, both in " + spec.range.str() + " (the range of '" + spec.name +
                 "')",
             shown_bracket(search));
}

void ExperimentRules::check_search_output(const SearchSpec& search) {
  const std::string key = "search.output";
  if (info_->metric_index(search.output)) return;
  if (info_->series_index(search.output))
    return expected(
        key,
        "a scalar output (one value per point or replication); '" + search.output + "' is a series",
        quoted(search.output));
  std::vector<std::string> names;
  for (const auto& m : info_->metrics) names.push_back(m.name);
  diagnostics_.report(origins_.where(key), key,
                      "expected an output of model '" + info_->name + "', got '" + search.output +
                          "'; " + suggest_name(search.output, names, "outputs"));
}

void ExperimentRules::check_search_values(const SearchSpec& search) {
  if (!std::isfinite(search.level))
    expected("search.level", "a finite real", shown_real(search.level));
  if (!(search.tolerance > 0) || !std::isfinite(search.tolerance))
    expected("search.tolerance", "a positive real (the final width of the bracket or interval)",
             shown_real(search.tolerance));
  if (search.confidence && !(*search.confidence > 0 && *search.confidence < 1))
    expected("search.confidence", "a probability in (0, 1)", shown_real(*search.confidence));
  const auto output = info_->metric_index(search.output);
  if (!output) return;  // reported by check_search_output
  if (info_->metrics[*output].level == OutputLevel::Point) return check_search_not_noisy(search);
  if (!(search.lo < search.hi) || !(search.tolerance > 0)) return;  // reported above
  const SearchBracket bracket{search.lo, search.hi, search.level, search.tolerance,
                              info_->find_param(search.parameter) &&
                                  info_->find_param(search.parameter)->type == ParamType::Integer};
  const std::uint64_t first = stage_replications(bracket, kSearchFirstStage);
  if (search.max_replications < first)
    expected("search.max_replications",
             "an integer >= " + std::to_string(first) + " for a noisy output ('" + search.output +
                 "' is per replication): the first stage runs " +
                 std::to_string(kSearchFirstStage) + " replications at up to " +
                 std::to_string(first / kSearchFirstStage) + " trial values",
             search.max_replications ? std::to_string(search.max_replications) : "nothing");
}

// A point-level output is searched by TOMS 748, which takes neither key: given, they would be
// silently ignored, so a user who thinks the output noisy learns that it is not.
void ExperimentRules::check_search_not_noisy(const SearchSpec& search) {
  const auto refuse = [&](const std::string& key) {
    diagnostics_.report(origins_.where(key), key,
                        "expected no " + key + " (it applies to replication-level outputs only; '" +
                            search.output +
                            "' is a point-level output, searched deterministically)");
  };
  if (search.max_replications > 0) refuse("search.max_replications");
  if (search.confidence) refuse("search.confidence");
}

// A search writes its own six point-level outputs and sets its own replications.
void ExperimentRules::check_search_alone(const Experiment& experiment) {
  const std::string why = " with [search] (it writes the search's point-level outputs)";
  if (experiment.replications != 1)
    expected("experiment.replications",
             "1 with [search] (a noisy search sets its own, up to search.max_replications)",
             std::to_string(experiment.replications));
  if (!experiment.precision.target_se.empty() || experiment.precision.max_replications)
    diagnostics_.report(origins_.where("precision"), "precision", "expected no [precision]" + why);
  const OutputOptions& out = experiment.output;
  if (!out.series.empty())
    diagnostics_.report(origins_.where("output.series"), "output.series", "expected none" + why);
  if (!out.metrics.empty())
    diagnostics_.report(origins_.where("output.metrics"), "output.metrics", "expected none" + why);
  if (!out.quantiles.empty())
    diagnostics_.report(origins_.where("output.quantiles"), "output.quantiles",
                        "expected none" + why);
  if (out.keep_replications) expected("output.replications", "false" + why, "true");
}

}  // namespace tariffsim
