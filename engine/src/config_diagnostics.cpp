#include "config_diagnostics.hpp"

#include <algorithm>
#include <limits>

#include "tariffsim/error.hpp"

namespace tariffsim {

namespace {

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

}  // namespace

void ConfigDiagnostics::report(const SourceLocation& where, const std::string& key,
                               const std::string& what) {
  problems_.push_back(where.str() + ": " + key + ": " + what);
  keys_.push_back(key);
}

void ConfigDiagnostics::missing(const std::string& section, const std::string& key,
                                const std::string& what) {
  problems_.push_back(file_ + ": [" + section + "] " + key + ": missing (expected " + what + ")");
  keys_.push_back(section + "." + key);
}

void ConfigDiagnostics::unknown_key(const SourceLocation& where, const std::string& path,
                                    const std::string& key, const std::string& context,
                                    std::span<const std::string_view> known) {
  std::string hint;
  for (auto k : known) {
    if (k.starts_with('[')) k = k.substr(1, k.size() - 2);  // "[grid]" -> "grid"
    if (edit_distance(key, k) <= 2) hint = "; did you mean '" + std::string(k) + "'?";
  }
  report(where, path,
         "unknown key (" + context +
             " takes: " + join(std::vector<std::string>(known.begin(), known.end())) + ")" + hint);
}

bool ConfigDiagnostics::has_problem_in(std::string_view key) const {
  return std::any_of(keys_.begin(), keys_.end(), [key](std::string_view k) {
    return k.starts_with(key) &&
           (k.size() == key.size() || k[key.size()] == '.' || k[key.size()] == '[');
  });
}

void ConfigDiagnostics::throw_if_any() const {
  if (!problems_.empty()) throw InputError(problems_);
}

std::string join(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : ", ") + w;
  return out;
}

std::string int_range_text(std::int64_t lo, std::int64_t hi) {
  if (hi == std::numeric_limits<std::int64_t>::max()) return "an integer >= " + std::to_string(lo);
  return "an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]";
}

std::string suggest_name(const std::string& name, const std::vector<std::string>& names,
                         const std::string& what) {
  const std::string* best = nullptr;
  std::size_t best_distance = 3;
  for (const auto& candidate : names) {
    const std::size_t d = edit_distance(name, candidate);
    if (d < best_distance) best = &candidate, best_distance = d;
  }
  if (best) return "did you mean '" + *best + "'?";
  return what + ": " + join(names);
}

std::string suggest_parameter(const ModelInfo& info, const std::string& name) {
  std::vector<std::string> names;
  for (const auto& p : info.params) names.push_back(p.name);
  return suggest_name(name, names, "declared parameters");
}

}  // namespace tariffsim
