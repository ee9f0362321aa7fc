#include "tariffsim/search.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include "tariffsim/error.hpp"
#include "tariffsim/registry.hpp"
#include "tariffsim/stats.hpp"

namespace tariffsim {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::size_t param_index(const ModelInfo& info, const std::string& name) {
  for (std::size_t i = 0; i < info.params.size(); ++i)
    if (info.params[i].name == name) return i;
  throw InputError("search.parameter: model '" + info.name + "' has no parameter '" + name + "'");
}

std::size_t output_index(const ModelInfo& info, const std::string& name) {
  if (const auto i = info.metric_index(name)) return *i;
  throw InputError("search.output: model '" + info.name + "' has no scalar output '" + name + "'");
}

// The wrapped model's declaration less the searched parameter and every output (the search's
// outputs are appended by SearchModel::outputs_). Name and version stay the wrapped model's: the
// file records which model computed it, and its config records the search.
ModelInfo search_info(const ModelInfo& inner, const SearchSpec& spec) {
  ModelInfo info = inner;
  info.stochastic = false;  // one prepare() per point does the whole search
  std::erase_if(info.params, [&](const ParamSpec& p) { return p.name == spec.parameter; });
  info.metrics.clear();
  info.series.clear();
  info.description = "search for " + spec.parameter + " where " + spec.output +
                     " crosses the level, on " + inner.name + ": " + inner.description;
  return info;
}

std::vector<Metric<SearchResult>> search_metrics(const std::string& p, const std::string& unit) {
  return {
      {p + "_star", unit, "where the output crosses the level (noisy: the estimate)",
       field<&SearchResult::star>},
      {p + "_star_lo", unit, "lower end of the final bracket (noisy: of the confidence interval)",
       field<&SearchResult::lo>},
      {p + "_star_hi", unit, "upper end of the final bracket (noisy: of the confidence interval)",
       field<&SearchResult::hi>},
      {p + "_evaluations", "1", "trial values of the parameter the search evaluated",
       field<&SearchResult::evaluations>},
      {p + "_replications", "1", "replications run over all trial values (0: deterministic)",
       field<&SearchResult::replications>},
      {p + "_status", "1",
       "0 converged, 1 no crossing in the bracket, 2 budget (iterations or max_replications) "
       "exhausted, 3 output undefined at a trial value",
       [](const SearchResult& r) { return static_cast<double>(r.status); }},
  };
}

}  // namespace

// What one point's search reuses from point to point: the wrapped model's state and buffers.
struct SearchModel::State : PointState {
  std::unique_ptr<PointState> inner;
  std::vector<Value> values;
  std::vector<double> point_metrics;
  std::vector<double> replication_metrics;
};

SearchModel::SearchModel(std::unique_ptr<Model> inner, SearchSpec spec)
    : inner_(std::move(inner)),
      spec_(std::move(spec)),
      param_index_(param_index(inner_->info(), spec_.parameter)),
      output_index_(output_index(inner_->info(), spec_.output)),
      integer_(inner_->info().params[param_index_].type == ParamType::Integer),
      noisy_(inner_->info().metrics[output_index_].level == OutputLevel::Replication),
      info_(search_info(inner_->info(), spec_)),
      outputs_(info_, search_metrics(spec_.parameter, inner_->info().params[param_index_].unit)) {}

// The wrapped model's values: the outer point's with the trial value x put back in its place.
void SearchModel::inner_values(const Point& outer, double x, std::vector<Value>& values) const {
  const std::vector<Value>& rest = outer.values();
  values.clear();
  for (std::size_t i = 0; i <= rest.size(); ++i) {
    if (i == param_index_) {
      if (integer_)
        values.emplace_back(static_cast<std::int64_t>(std::llround(x)));
      else
        values.emplace_back(x);
    }
    if (i < rest.size()) values.push_back(rest[i]);
  }
}

std::optional<DomainProblem> SearchModel::check(const Point& p) const {
  std::vector<Value> values;
  inner_values(p, spec_.lo, values);
  auto problem = inner_->check(Point(inner_->info(), p.index(), std::move(values)));
  if (problem) std::erase(problem->params, spec_.parameter);
  return problem;
}

std::unique_ptr<PointState> SearchModel::make_state() const {
  auto s = std::make_unique<State>();
  s->inner = inner_->make_state();
  if (!s->inner) s->inner = std::make_unique<PointState>();
  return s;
}

bool SearchModel::solve_at(double x, const Point& outer, StreamKey key, State& s) const {
  inner_values(outer, x, s.values);
  Point point(inner_->info(), outer.index(), std::move(s.values));
  s.point_metrics.assign(inner_->info().metrics.size(), kNaN);
  bool inside = !inner_->check(point);
  if (inside) {
    try {
      PointOutputs out(s.point_metrics, key);
      inner_->prepare(point, out, *s.inner);
    } catch (const DomainError&) {
      inside = false;
    }
  }
  s.values = std::move(point).release_values();
  return inside;
}

double SearchModel::point_output_at(double x, const Point& outer, StreamKey key, State& s) const {
  return solve_at(x, outer, key, s) ? s.point_metrics[output_index_] : kNaN;
}

NoisyMean SearchModel::noisy_output_at(double x, std::uint64_t n, const Point& outer, StreamKey key,
                                       State& s) const {
  if (!solve_at(x, outer, key, s)) return {kNaN, kNaN};
  Accumulator acc;
  s.replication_metrics.resize(inner_->info().metrics.size());
  for (std::uint64_t r = 0; r < n; ++r) {
    std::fill(s.replication_metrics.begin(), s.replication_metrics.end(), kNaN);
    Replication rep(key, r, s.replication_metrics, {});
    inner_->replicate(*s.inner, rep);
    acc.add(s.replication_metrics[output_index_]);
  }
  return {acc.mean(), acc.se()};
}

void SearchModel::prepare(const Point& p, PointOutputs& out, PointState& state) const {
  auto& s = static_cast<State&>(state);
  const StreamKey key = out.key();
  const SearchBracket bracket{spec_.lo, spec_.hi, spec_.level, spec_.tolerance, integer_};
  SearchResult result;
  if (noisy_) {
    result = noisy_search(
        [&](double x, std::uint64_t n) { return noisy_output_at(x, n, p, key, s); }, bracket,
        NoisySearch{spec_.confidence.value_or(kSearchConfidence), spec_.max_replications,
                    kSearchFirstStage});
  } else {
    result = deterministic_search([&](double x) { return point_output_at(x, p, key, s); }, bracket);
  }
  outputs_.write(result, out);
}

std::unique_ptr<Model> experiment_model(const Experiment& exp, const Registry& registry) {
  auto model = registry.create(exp.model);
  if (!exp.search) return model;
  return std::make_unique<SearchModel>(std::move(model), *exp.search);
}

std::string search_plan(const SearchModel& model) {
  const SearchSpec& s = model.spec();
  char how[160] = "deterministic (TOMS 748)";
  if (model.noisy())
    std::snprintf(how, sizeof how,
                  "noisy (per replication), %g interval%s, at most %llu replications per point",
                  s.confidence.value_or(kSearchConfidence), s.confidence ? "" : " (default)",
                  static_cast<unsigned long long>(s.max_replications));
  char line[512];
  std::snprintf(line, sizeof line,
                "search %s in [%g, %g] where %s crosses %g, to a width of %g: %s",
                s.parameter.c_str(), s.lo, s.hi, s.output.c_str(), s.level, s.tolerance, how);
  return line;
}

const ModelInfo& declared_info(const Model& model) {
  if (const auto* search = dynamic_cast<const SearchModel*>(&model)) return search->inner().info();
  return model.info();
}

}  // namespace tariffsim
