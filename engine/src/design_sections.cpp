// The reader's [parameters], [grid] and [sample]: the design's parameters, typed per the model's
// ParamSpec.
#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

#include "experiment_reader.hpp"
#include "experiment_rules.hpp"

namespace tariffsim {

namespace {

constexpr std::array<std::string_view, 3> kSampleKeys = {"method", "n", "ranges"};
constexpr std::array<std::string_view, 2> kSpacingKeys = {"linspace", "logspace"};

// Types a TOML node per the ParamSpec, without range checks (those depend on where the value is:
// out of range is an error for a fixed value but only a per-point status on a grid or sample).
// An enum value outside its choices is a type error everywhere: no point could ever use it.
std::optional<Value> to_param_value(const ParamSpec& spec, const toml::node& n) {
  switch (spec.type) {
    case ParamType::Real:
      if (auto x = as_real(n)) return Value{*x};
      return std::nullopt;
    case ParamType::Integer:
      if (const auto* i = n.as_integer()) return Value{i->get()};
      return std::nullopt;
    case ParamType::Bool:
      if (const auto* b = n.as_boolean()) return Value{b->get()};
      return std::nullopt;
    case ParamType::Enum:
      if (const auto* s = n.as_string()) {
        Value v{s->get()};
        if (check_value(spec, v).empty()) return v;
      }
      return std::nullopt;
    case ParamType::RealList: {
      const auto* a = n.as_array();
      if (!a) return std::nullopt;
      std::vector<double> xs;
      for (const auto& element : *a) {
        const auto x = as_real(element);
        if (!x) return std::nullopt;
        xs.push_back(*x);
      }
      return Value{std::move(xs)};
    }
  }
  return std::nullopt;
}

bool is_spacing(const TomlEntry& e) {
  return e.key == "linspace" || e.key == "logspace";
}

}  // namespace

void ExperimentReader::read_parameters(const toml::table& t) {
  for (const auto& e : doc_.entries(t, "parameters")) {
    note(e);
    const ParamSpec* spec = rules_.declared(e.key, e.path);
    if (!spec || !rules_.place(e.key, e.path, "[parameters]")) continue;
    auto value = to_param_value(*spec, *e.node);
    if (!value) {
      expected(e, type_expectation(*spec));
      continue;
    }
    rules_.check_fixed(*spec, e.path, *value);
    experiment_.fixed[e.key] = LocatedValue{std::move(*value), location_of(e.node->source())};
  }
}

void ExperimentReader::read_grid(const toml::table& t) {
  for (const auto& e : doc_.entries(t, "grid")) {
    note(e);
    const ParamSpec* spec = rules_.declared(e.key, e.path);
    if (!spec || !rules_.place(e.key, e.path, "[grid]")) continue;
    GridAxis axis{e.key, {}, std::nullopt, location_of(e.node->source())};
    bool ok = false;
    if (const auto* a = e.node->as_array()) {
      auto values = grid_list(*spec, *a, e.path);
      if ((ok = values.has_value())) {
        rules_.check_grid_values(*spec, e.path, *values);
        axis.values = std::move(*values);
      }
    } else if (const auto* table = e.node->as_table()) {
      axis.spacing = grid_spacing(*spec, *table, e.path);
      ok = axis.spacing.has_value();
    } else {
      expected(e,
               "an array of values or { linspace = [lo, hi, n] } or "
               "{ logspace = [lo, hi, n] }");
    }
    if (ok) experiment_.grid.push_back(std::move(axis));
  }
}

std::optional<std::vector<Value>> ExperimentReader::grid_list(const ParamSpec& spec,
                                                              const toml::array& a,
                                                              const std::string& path) {
  std::vector<Value> values;
  bool ok = true;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (auto v = to_param_value(spec, *a.get(i))) {
      values.push_back(std::move(*v));
    } else {
      expected(*a.get(i), path + "[" + std::to_string(i) + "]", type_expectation(spec));
      ok = false;
    }
  }
  return ok ? std::optional(std::move(values)) : std::nullopt;
}

std::optional<AxisSpacing> ExperimentReader::grid_spacing(const ParamSpec& spec,
                                                          const toml::table& t,
                                                          const std::string& path) {
  const auto inner = doc_.entries(t, path);
  bool ok = true;
  for (const auto& e : inner)
    if (!is_spacing(e)) unknown_key(e, "a grid axis", kSpacingKeys), ok = false;
  if (std::count_if(inner.begin(), inner.end(), is_spacing) != 1) {
    expected(t, path, "exactly one of { linspace = [lo, hi, n] } or { logspace = [lo, hi, n] }");
    return std::nullopt;
  }
  if (!ok || !rules_.check_spacing_allowed(spec, path)) return std::nullopt;
  const TomlEntry& e = *std::find_if(inner.begin(), inner.end(), is_spacing);
  note(e);
  const bool logarithmic = e.key == "logspace";
  const auto* a = e.node->as_array();
  const auto* n = a && a->size() == 3 ? a->get(2)->as_integer() : nullptr;
  const auto lo = n ? as_real(*a->get(0)) : std::nullopt;
  const auto hi = n ? as_real(*a->get(1)) : std::nullopt;
  if (!lo || !hi || n->get() < 0) {
    expected(e, spacing_expected(logarithmic));
    return std::nullopt;
  }
  const AxisSpacing spacing{*lo, *hi, static_cast<std::uint64_t>(n->get()), logarithmic};
  rules_.check_spacing(e.path, spacing);
  return spacing;
}

void ExperimentReader::read_sample(const toml::table& t) {
  SampleSpec sample;
  sample.where = location_of(t.source());
  std::set<std::string> seen;
  for (const auto& e : doc_.entries(t, "sample")) {
    seen.insert(e.key);
    note(e);
    if (e.key == "method") {
      read_sample_method(e, sample);
    } else if (e.key == "n") {
      if (auto x = unsigned_of(e, std::numeric_limits<std::uint64_t>::max(),
                               int_range_text(1, kMaxAxisLength))) {
        rules_.check_sample_n(*x);
        sample.n = *x;
      }
    } else if (e.key == "ranges") {
      if (const auto* ranges = e.node->as_table()) {
        rules_.check_sample_ranges_given(ranges->size());
        if (info_) read_sample_ranges(*ranges, e.path, sample.ranges);
      } else {
        expected(e, kSampleRangesExpected);
      }
    } else {
      unknown_key(e, "[sample]", kSampleKeys);
    }
  }
  if (!seen.count("method"))
    diagnostics_.missing("sample", "method", "\"sobol\", \"lhs\" or \"uniform\"");
  if (!seen.count("n")) diagnostics_.missing("sample", "n", "an integer >= 1");
  if (!seen.count("ranges")) diagnostics_.missing("sample", "ranges", "{ param = [lo, hi], ... }");
  rules_.check_sample_size(sample);
  experiment_.sample = std::move(sample);
}

void ExperimentReader::read_sample_method(const TomlEntry& e, SampleSpec& sample) {
  const auto* s = e.node->as_string();
  const std::string m = s ? s->get() : "";
  if (m == "sobol")
    sample.method = SampleMethod::Sobol;
  else if (m == "lhs")
    sample.method = SampleMethod::Lhs;
  else if (m == "uniform")
    sample.method = SampleMethod::Uniform;
  else
    expected(e, "one of \"sobol\" \"lhs\" \"uniform\"");
}

// An integer parameter's bounds are TOML integers, a real parameter's any numbers.
void ExperimentReader::read_sample_ranges(const toml::table& t, const std::string& prefix,
                                          std::vector<SampleRange>& out,
                                          const std::string& section) {
  for (const auto& e : doc_.entries(t, prefix)) {
    note(e);
    const ParamSpec* spec = rules_.declared(e.key, e.path);
    if (!spec || !rules_.place(e.key, e.path, section) ||
        !rules_.check_sampling_allowed(*spec, e.path))
      continue;
    const bool integer = spec->type == ParamType::Integer;
    const auto* a = e.node->as_array();
    std::optional<double> lo, hi;
    if (a && a->size() == 2) {
      if (integer) {
        const auto* i0 = a->get(0)->as_integer();
        const auto* i1 = a->get(1)->as_integer();
        if (i0 && i1) lo = static_cast<double>(i0->get()), hi = static_cast<double>(i1->get());
      } else {
        lo = as_real(*a->get(0)), hi = as_real(*a->get(1));
      }
    }
    if (!lo || !hi) {
      expected(e, sample_range_expected(integer));
      continue;
    }
    rules_.check_sample_bounds(*spec, e.path, *lo, *hi);
    out.push_back(SampleRange{e.key, *lo, *hi, location_of(e.node->source())});
  }
}

}  // namespace tariffsim
