// Reads a TOML experiment document (overrides applied) into a typed Experiment. It reports what
// the struct cannot hold: unknown sections and keys, missing keys, values of the wrong type or
// beyond their field's type, unknown models. Whether a value it read is allowed is for
// experiment_rules, which it asks as it reads each value (so problems come in file order), and
// which judge experiments built in C++ alike; the reader notes where each value was written so
// that those problems point at the file.
//
// The sections are read in experiment_reader.cpp ([experiment] and the driver),
// design_sections.cpp ([parameters], [grid], [sample]), sensitivity_section.cpp ([sensitivity])
// and output_sections.cpp ([output], [precision]).
#pragma once

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config_diagnostics.hpp"
#include "experiment_rules.hpp"
#include "tariffsim/experiment.hpp"
#include "tariffsim/model.hpp"
#include "toml_document.hpp"
#include "value_origins.hpp"

namespace tariffsim {

class Registry;

// A TOML number as a double, or nullopt for anything else and NaN.
std::optional<double> as_real(const toml::node& n);

class ExperimentReader {
 public:
  // `path` names the file in messages (never empty).
  ExperimentReader(const TomlDocument& doc, const std::string& path, const Registry& registry,
                   ConfigDiagnostics& diagnostics);

  Experiment read();

 private:
  // ---- reporting against the document ----
  void expected(const toml::node& n, const std::string& key, const std::string& what);
  void expected(const TomlEntry& e, const std::string& what) { expected(*e.node, e.path, what); }
  template <std::size_t N>
  void unknown_key(const TomlEntry& e, const std::string& context,
                   const std::array<std::string_view, N>& known) {
    diagnostics_.unknown_key(location_of(e.toml_key->source()), e.path, e.key, context, known);
  }
  void note(const toml::node& n, const std::string& key, const toml::key* toml_key = nullptr);
  void note(const TomlEntry& e) { note(*e.node, e.path, e.toml_key); }

  // ---- typed readers: report and return nullopt on a mismatch ----
  // An integer in [0, max], what its unsigned field can hold; `what` is the rule the field obeys.
  std::optional<std::uint64_t> unsigned_of(const TomlEntry& e, std::uint64_t max,
                                           const std::string& what);
  std::optional<std::string> string_of(const TomlEntry& e, const std::string& what = "a string");
  std::optional<bool> boolean_of(const TomlEntry& e);
  const toml::table* table_of(const TomlEntry& e);
  const toml::array* array_of(const TomlEntry& e, const std::string& what);
  std::vector<TomlEntry> entries(const toml::table* t, const std::string& prefix) const {
    return t ? doc_.entries(*t, prefix) : std::vector<TomlEntry>{};
  }

  // ---- sections ----
  void read_sections();
  void read_experiment(const toml::table* t);
  void read_experiment_key(const TomlEntry& e);
  void read_model(const TomlEntry& e);
  std::string known_models() const;
  void read_parameters(const toml::table& t);
  void read_grid(const toml::table& t);
  std::optional<std::vector<Value>> grid_list(const ParamSpec& spec, const toml::array& a,
                                              const std::string& path);
  std::optional<AxisSpacing> grid_spacing(const ParamSpec& spec, const toml::table& t,
                                          const std::string& path);
  void read_sample(const toml::table& t);
  void read_sample_method(const TomlEntry& e, SampleSpec& sample);
  void read_sample_ranges(const toml::table& t, const std::string& prefix,
                          std::vector<SampleRange>& out,
                          const std::string& section = "[sample].ranges");
  void read_sensitivity(const toml::table& t);  // in sensitivity_section.cpp
  void read_sensitivity_key(const TomlEntry& e, SensitivitySpec& s);
  void read_output(const toml::table* t);
  void read_names(const TomlEntry& e, const std::string& what, const std::string& item,
                  std::vector<std::string>& out,
                  void (ExperimentRules::*check)(const std::string&, const std::string&));
  void read_quantiles(const TomlEntry& e);
  void read_precision(const toml::table& t);
  void read_search(const toml::table& t);
  bool read_search_key(const TomlEntry& e, SearchSpec& s);
  void read_targets(const TomlEntry& e);

  const TomlDocument& doc_;
  std::string path_;
  const Registry& registry_;
  ConfigDiagnostics& diagnostics_;
  ValueOrigins origins_;
  ExperimentRules rules_;
  Experiment experiment_;
  std::unique_ptr<Model> model_;  // keeps info_ alive
  const ModelInfo* info_ = nullptr;
};

}  // namespace tariffsim
