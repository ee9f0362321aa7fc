#include "tariffsim/validate.hpp"

#include <algorithm>
#include <filesystem>
#include <optional>
#include <string>
#include <system_error>

#include "config_diagnostics.hpp"
#include "experiment_rules.hpp"
#include "tariffsim/design.hpp"
#include "tariffsim/search.hpp"
#include "value_origins.hpp"

namespace tariffsim {

namespace {

// Names the first of the problem's parameters that the experiment sets (file:line or --set); if
// it sets none of them, the model's defaults are at fault and the message says so.
std::string missing_domain_message(const Experiment& exp, const DomainProblem& p) {
  for (const auto& key : p.params)
    if (exp.fixed.count(key))
      return exp.where(key).str() + ": parameters." + key + ": " + p.message;
  return exp.config_path + ": parameters." + p.params.front() +
         " (the model's default): " + p.message;
}

// A domain problem (DomainProblem) at a point whose offending parameters are all fixed holds at
// every point: an input error, reported before any work starts.
void check_first_point(const Experiment& exp, const Model& model, ConfigDiagnostics& diagnostics) {
  const Design design(exp, model.info());
  if (design.size() == 0) {
    diagnostics.add(exp.config_path + ": the design has no points");
    return;
  }
  std::optional<DomainProblem> problem;
  try {
    problem = model.check(design.point(0));
  } catch (const std::exception&) {
    return;  // a model error: the point's status when it runs (model.hpp), not the input's fault
  }
  if (!problem || problem->params.empty()) return;
  const bool all_fixed = std::all_of(problem->params.begin(), problem->params.end(),
                                     [&](const std::string& p) { return !exp.varies(p); });
  if (all_fixed) diagnostics.add(missing_domain_message(exp, *problem));
}

void check_options(const RunOptions& options, ConfigDiagnostics& diagnostics) {
  if (options.shard_count == 0 || options.shard_index >= options.shard_count)
    diagnostics.add((options.shard_origin.empty() ? "shard" : options.shard_origin) +
                    ": expected i/N with 0 <= i < N, got '" + std::to_string(options.shard_index) +
                    "/" + std::to_string(options.shard_count) + "'");
}

void check_output_path(const Experiment& exp, const RunOptions& options,
                       ConfigDiagnostics& diagnostics) {
  const OutputTarget target = output_target(exp, options);
  if (target.path.empty()) return;  // the rules name a missing [output] file
  if (auto problem = output_path_problem(target.path, target.origin)) diagnostics.add(*problem);
}

}  // namespace

std::optional<std::string> output_path_problem(const std::string& path, const std::string& origin) {
  const std::filesystem::path p(path);
  std::error_code ec;  // a path that cannot be inspected is left to the file's creation to refuse
  if (std::filesystem::is_directory(p, ec) || !p.has_filename())
    return origin + ": '" + path + "' is a folder: expected a path to a file (e.g. " +
           (p / "results.h5").lexically_normal().string() + ")";
  for (auto above = p.parent_path(); !above.empty() && above != above.parent_path();
       above = above.parent_path()) {
    if (!std::filesystem::exists(above, ec) || std::filesystem::is_directory(above, ec)) continue;
    return origin + ": '" + path + "' is under '" + above.string() +
           "', which is a file: expected a path whose folders are folders";
  }
  return std::nullopt;
}

void validate(const Experiment& experiment, const Model& model, const RunOptions& options) {
  const ValueOrigins origins = origins_of(experiment);
  ConfigDiagnostics diagnostics(origins.fallback().file);
  ExperimentRules rules(origins, diagnostics);
  // A search's sections name the wrapped model's parameters and outputs (tariffsim/search.hpp).
  rules.set_model(&declared_info(model));
  rules.check(experiment);
  // A design is only built from an experiment that keeps its rules.
  if (diagnostics.empty()) check_first_point(experiment, model, diagnostics);
  check_options(options, diagnostics);
  check_output_path(experiment, options, diagnostics);
  diagnostics.throw_if_any();
}

}  // namespace tariffsim
