// Experiment files (DESIGN.md §6): a TOML document, its --set overrides, the reader that types it
// and the rules that judge it, every problem collected before anything is thrown, so that a user
// fixes a config in one round trip. The pieces live in toml_document, overrides, experiment_reader
// (with design_sections and output_sections), experiment_rules and config_diagnostics.
#include "tariffsim/experiment.hpp"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>

#include "config_diagnostics.hpp"
#include "experiment_reader.hpp"
#include "overrides.hpp"
#include "tariffsim/error.hpp"
#include "toml_document.hpp"

namespace tariffsim {

// Evenly spaced between the end values, which are exact; logspace in log10, which keeps decades
// exact (logspace [1, 1000, 4] gives exactly 1, 10, 100, 1000).
double AxisSpacing::at(std::uint64_t i) const {
  if (i == 0) return lo;
  if (i + 1 == n) return hi;
  const double t = static_cast<double>(i) / static_cast<double>(n - 1);
  if (!logarithmic) return lo + (hi - lo) * t;
  const double a = std::log10(lo), b = std::log10(hi);
  return std::pow(10.0, a + (b - a) * t);
}

std::vector<Value> GridAxis::expanded() const {
  std::vector<Value> out;
  out.reserve(size());
  for (std::uint64_t i = 0; i < size(); ++i) out.push_back(at(i));
  return out;
}

SourceLocation Experiment::where(const std::string& param) const {
  if (const auto it = fixed.find(param); it != fixed.end()) return it->second.where;
  for (const auto& axis : grid)
    if (axis.name == param) return axis.where;
  if (sample)
    for (const auto& range : sample->ranges)
      if (range.name == param) return range.where;
  if (sensitivity)
    for (const auto& range : sensitivity->ranges)
      if (range.name == param) return range.where;
  return {};
}

bool Experiment::varies(const std::string& param) const {
  for (const auto& axis : grid)
    if (axis.name == param) return true;
  if (sample)
    for (const auto& range : sample->ranges)
      if (range.name == param) return true;
  if (sensitivity)
    for (const auto& range : sensitivity->ranges)
      if (range.name == param) return true;
  return false;
}

Experiment parse_experiment(const std::string& text, const std::string& path,
                            const std::vector<std::string>& overrides, const Registry& registry) {
  const std::string file = path.empty() ? "<string>" : path;
  TomlDocument doc(text, file);
  ConfigDiagnostics diagnostics(file);
  apply_overrides(doc, overrides, diagnostics);
  ExperimentReader reader(doc, file, registry, diagnostics);
  Experiment experiment = reader.read();
  experiment.config_path = path;
  experiment.config_text = doc.text();
  diagnostics.throw_if_any();
  return experiment;
}

Experiment load_experiment(const std::string& path, const std::vector<std::string>& overrides,
                           const Registry& registry) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"),
                                                       &std::fclose);
  auto cannot_read = [&path] {
    return InputError("cannot read experiment file '" + path + "': " + std::strerror(errno));
  };
  if (!file) throw cannot_read();
  std::string text;
  char buffer[1 << 16];
  std::size_t got;
  while ((got = std::fread(buffer, 1, sizeof buffer, file.get())) > 0) text.append(buffer, got);
  if (std::ferror(file.get())) throw cannot_read();
  return parse_experiment(text, path, overrides, registry);
}

}  // namespace tariffsim
