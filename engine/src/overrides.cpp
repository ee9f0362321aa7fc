#include "overrides.hpp"

#include <algorithm>
#include <memory>
#include <string_view>
#include <type_traits>

namespace tariffsim {

namespace {

// The value text is parsed as TOML; text that is not a TOML value is taken as a string, so
// `--set output.file=x.h5` works without shell-quoted quotes.
std::unique_ptr<toml::node> override_value(const std::string& text) {
  try {
    toml::table t = toml::parse("v = " + text);
    if (t.size() == 1 && t.contains("v")) {
      std::unique_ptr<toml::node> copy;
      // A copy drops toml++'s source position, so the value is reported as coming from --set.
      t.get("v")->visit(
          [&copy](const auto& v) { copy = std::make_unique<std::remove_cvref_t<decltype(v)>>(v); });
      return copy;
    }
  } catch (const toml::parse_error&) {
  }
  return std::make_unique<toml::value<std::string>>(text);
}

std::string trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t");
  if (first == std::string_view::npos) return "";
  const auto last = s.find_last_not_of(" \t");
  return std::string(s.substr(first, last - first + 1));
}

std::vector<std::string> split_key(const std::string& key) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (;;) {
    const auto dot = key.find('.', start);
    parts.push_back(key.substr(start, dot - start));
    if (dot == std::string::npos) return parts;
    start = dot + 1;
  }
}

// A parameter lives in exactly one of [parameters], [grid], [sample].ranges. An override is the
// user's latest word, so `--set delta=0.5` on an experiment that sweeps delta runs it at 0.5:
// the override wins and delta leaves the grid or the sample. A [grid] or [sample] left with no
// parameter is removed, so the experiment shrinks to what remains rather than failing.
void remove_other_placements(toml::table& root, const std::vector<std::string>& parts) {
  std::string param;
  std::string kept;
  if (parts.size() == 2 && (parts[0] == "parameters" || parts[0] == "grid")) {
    param = parts[1], kept = parts[0];
  } else if (parts.size() == 3 && parts[0] == "sample" && parts[1] == "ranges") {
    param = parts[2], kept = "sample";
  } else {
    return;
  }
  if (kept != "parameters")
    if (auto* t = root["parameters"].as_table()) t->erase(param);
  if (kept != "grid")
    if (auto* t = root["grid"].as_table()) {
      t->erase(param);
      if (t->empty()) root.erase("grid");
    }
  if (kept != "sample")
    if (auto* t = root["sample"]["ranges"].as_table()) {
      t->erase(param);
      if (t->empty()) root.erase("sample");
    }
}

void apply_override(TomlDocument& doc, const std::string& assignment,
                    ConfigDiagnostics& diagnostics) {
  const SourceLocation set{};  // shown as "--set"
  const auto eq = assignment.find('=');
  std::string key = trim(std::string_view(assignment).substr(0, eq));
  if (eq == std::string::npos || key.empty())
    return diagnostics.report(set, assignment, "expected key=value, e.g. delta=0.9");
  if (key.find('.') == std::string::npos) key = "parameters." + key;
  const auto parts = split_key(key);
  if (std::any_of(parts.begin(), parts.end(), [](const auto& p) { return p.empty(); }))
    return diagnostics.report(set, key, "expected a dotted key like parameters.delta");
  toml::table* table = &doc.root;
  std::string prefix;
  for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
    prefix += (i ? "." : "") + parts[i];
    toml::node* child = table->get(parts[i]);
    if (!child) {
      child = &table->insert_or_assign(parts[i], toml::table{}).first->second;
      doc.note_added(prefix);
    }
    table = child->as_table();
    if (!table)
      return diagnostics.report(
          set, key, "expected " + prefix + " to be a table, got " + doc.describe(*child, prefix));
  }
  const std::string& last = parts.back();
  if (!table->contains(last)) doc.note_added(key);
  override_value(trim(std::string_view(assignment).substr(eq + 1)))->visit([&](auto& v) {
    table->insert_or_assign(last, std::move(v));
  });
  remove_other_placements(doc.root, parts);
}

}  // namespace

void apply_overrides(TomlDocument& doc, const std::vector<std::string>& overrides,
                     ConfigDiagnostics& diagnostics) {
  for (const auto& o : overrides) apply_override(doc, o, diagnostics);
}

}  // namespace tariffsim
