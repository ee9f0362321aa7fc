// The reader's driver, its typed readers and the [experiment] section.
#include "experiment_reader.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>

#include "experiment_rules.hpp"
#include "tariffsim/registry.hpp"

namespace tariffsim {

namespace {

constexpr auto kUint64Max = std::numeric_limits<std::uint64_t>::max();
constexpr std::array<std::string_view, 8> kSections = {
    "experiment", "parameters", "grid", "sample", "sensitivity", "output", "precision", "search"};
constexpr std::array<std::string_view, 8> kSectionHeaders = {
    "[experiment]",  "[parameters]", "[grid]",      "[sample]",
    "[sensitivity]", "[output]",     "[precision]", "[search]"};
constexpr std::array<std::string_view, 7> kExperimentKeys = {
    "name", "model", "seed", "replications", "description", "common_random_numbers", "block_size"};

}  // namespace

// Integers are accepted wherever reals are (TOML `1` means 1.0 to every user). NaN is rejected
// because no parameter, bound or probability can mean it.
std::optional<double> as_real(const toml::node& n) {
  if (const auto* i = n.as_integer()) return static_cast<double>(i->get());
  if (const auto* f = n.as_floating_point())
    if (!std::isnan(f->get())) return f->get();
  return std::nullopt;
}

ExperimentReader::ExperimentReader(const TomlDocument& doc, const std::string& path,
                                   const Registry& registry, ConfigDiagnostics& diagnostics)
    : doc_(doc),
      path_(path),
      registry_(registry),
      diagnostics_(diagnostics),
      origins_(SourceLocation{path}),
      rules_(origins_, diagnostics) {}

Experiment ExperimentReader::read() {
  read_sections();
  return std::move(experiment_);
}

void ExperimentReader::expected(const toml::node& n, const std::string& key,
                                const std::string& what) {
  diagnostics_.expected(location_of(n.source()), key, what, doc_.describe(n, key));
}

void ExperimentReader::note(const toml::node& n, const std::string& key,
                            const toml::key* toml_key) {
  const SourceLocation value = location_of(n.source());
  origins_.note(key, {value, toml_key ? location_of(toml_key->source()) : value,
                      [this, &n, key] { return doc_.describe(n, key); }});
}

std::optional<std::uint64_t> ExperimentReader::unsigned_of(const TomlEntry& e, std::uint64_t max,
                                                           const std::string& what) {
  const auto* i = e.node->as_integer();
  if (i && i->get() >= 0 && static_cast<std::uint64_t>(i->get()) <= max)
    return static_cast<std::uint64_t>(i->get());
  expected(e, what);
  return std::nullopt;
}

std::optional<std::string> ExperimentReader::string_of(const TomlEntry& e,
                                                       const std::string& what) {
  if (const auto* s = e.node->as_string()) return s->get();
  expected(e, what);
  return std::nullopt;
}

std::optional<bool> ExperimentReader::boolean_of(const TomlEntry& e) {
  if (const auto* b = e.node->as_boolean()) return b->get();
  expected(e, "true or false");
  return std::nullopt;
}

const toml::table* ExperimentReader::table_of(const TomlEntry& e) {
  if (const auto* t = e.node->as_table()) return t;
  expected(e, "a table");
  return nullptr;
}

const toml::array* ExperimentReader::array_of(const TomlEntry& e, const std::string& what) {
  if (const auto* a = e.node->as_array()) return a;
  expected(e, what);
  return nullptr;
}

void ExperimentReader::read_sections() {
  std::map<std::string, const toml::table*, std::less<>> sections;
  for (const auto& e : doc_.entries(doc_.root, "")) {
    if (std::find(kSections.begin(), kSections.end(), e.key) == kSections.end()) {
      unknown_key(e, "an experiment file", kSectionHeaders);
    } else if (const auto* t = table_of(e)) {
      sections[e.key] = t;
      note(e);
    }
  }
  auto section = [&](std::string_view name) -> const toml::table* {
    const auto it = sections.find(name);
    return it == sections.end() ? nullptr : it->second;
  };
  read_experiment(section("experiment"));
  // Parameters can only be typed against a known model; without one, other problems are still
  // reported but parameter names and values are not.
  if (info_) {
    if (const auto* t = section("parameters")) read_parameters(*t);
    if (const auto* t = section("grid")) read_grid(*t);
  }
  if (const auto* t = section("sample")) read_sample(*t);
  if (const auto* t = section("sensitivity")) read_sensitivity(*t);
  read_output(section("output"));
  if (const auto* t = section("precision")) read_precision(*t);
  // Last: their rules look at the parameters' sections and the run's other options.
  if (const auto* t = section("search")) read_search(*t);
  if (info_) rules_.check_sensitivity_design(experiment_);
}

void ExperimentReader::read_experiment(const toml::table* t) {
  std::set<std::string> seen;
  for (const auto& e : entries(t, "experiment")) {
    seen.insert(e.key);
    note(e);
    read_experiment_key(e);
  }
  if (!seen.count("name")) diagnostics_.missing("experiment", "name", "an identifier");
  if (!seen.count("model"))
    diagnostics_.missing("experiment", "model", "a model name: " + known_models());
  if (!seen.count("seed")) diagnostics_.missing("experiment", "seed", "an integer >= 0");
  rules_.check_deterministic_replications();
}

void ExperimentReader::read_experiment_key(const TomlEntry& e) {
  if (e.key == "name") {
    if (auto s = string_of(e, kIdentifierExpected)) {
      rules_.check_name(*s);
      experiment_.name = *s;
    }
  } else if (e.key == "model") {
    read_model(e);
  } else if (e.key == "seed") {
    if (auto x = unsigned_of(e, kUint64Max, int_range_text(0, kInt64Max))) experiment_.seed = *x;
  } else if (e.key == "replications") {
    if (auto x = unsigned_of(e, kUint64Max, int_range_text(1, kMaxReplications))) {
      rules_.check_replications(*x);
      experiment_.replications = *x;
    }
  } else if (e.key == "description") {
    if (auto s = string_of(e)) experiment_.description = *s;
  } else if (e.key == "common_random_numbers") {
    if (auto b = boolean_of(e)) experiment_.common_random_numbers = *b;
  } else if (e.key == "block_size") {
    if (auto x = unsigned_of(e, std::numeric_limits<std::uint32_t>::max(),
                             int_range_text(1, kMaxBlockSize))) {
      rules_.check_block_size(*x);
      experiment_.block_size = static_cast<std::uint32_t>(*x);
    }
  } else {
    unknown_key(e, "[experiment]", kExperimentKeys);
  }
}

std::string ExperimentReader::known_models() const {
  const auto names = registry_.names();
  return names.empty() ? "no models are registered" : "one of " + join(names);
}

void ExperimentReader::read_model(const TomlEntry& e) {
  const auto* s = e.node->as_string();
  if (!s || !registry_.contains(s->get())) {
    expected(e, "a registered model, " + known_models());
    return;
  }
  experiment_.model = s->get();
  model_ = registry_.create(s->get());
  info_ = &model_->info();
  rules_.set_model(info_);
}

}  // namespace tariffsim
