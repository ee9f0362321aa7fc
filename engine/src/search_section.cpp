// The reader's [search]: which parameter is searched, for which output and level.
#include <set>

#include "experiment_reader.hpp"
#include "experiment_rules.hpp"

namespace tariffsim {

namespace {

constexpr std::array<std::string_view, 7> kSearchKeys = {
    "parameter", "bracket", "output", "level", "tolerance", "max_replications", "confidence"};

}  // namespace

void ExperimentReader::read_search(const toml::table& t) {
  SearchSpec search;
  search.where = location_of(t.source());
  std::set<std::string> seen;
  bool all_read = true;  // the rules judge values only once each key holds one of its type
  for (const auto& e : doc_.entries(t, "search")) {
    seen.insert(e.key);
    note(e);
    all_read = read_search_key(e, search) && all_read;
  }
  if (!seen.count("parameter")) diagnostics_.missing("search", "parameter", "a parameter name");
  if (!seen.count("bracket")) diagnostics_.missing("search", "bracket", kSearchBracketExpected);
  if (!seen.count("output")) diagnostics_.missing("search", "output", "an output name");
  if (!seen.count("level")) diagnostics_.missing("search", "level", "a real number");
  if (!seen.count("tolerance")) diagnostics_.missing("search", "tolerance", "a positive real");
  const bool complete = seen.count("parameter") && seen.count("bracket") && seen.count("output") &&
                        seen.count("level") && seen.count("tolerance");
  if (complete && all_read && info_) rules_.check_search(search, experiment_);
  experiment_.search = std::move(search);
}

// Stores the key's value if it has the key's type (true), else reports it (false).
bool ExperimentReader::read_search_key(const TomlEntry& e, SearchSpec& s) {
  if (e.key == "parameter" || e.key == "output") {
    auto name = string_of(e, e.key == "parameter" ? "a parameter name" : "an output name");
    if (name) (e.key == "parameter" ? s.parameter : s.output) = *name;
    return name.has_value();
  }
  if (e.key == "bracket") {
    const auto* a = e.node->as_array();
    const auto lo = a && a->size() == 2 ? as_real(*a->get(0)) : std::nullopt;
    const auto hi = a && a->size() == 2 ? as_real(*a->get(1)) : std::nullopt;
    if (!lo || !hi) return expected(e, kSearchBracketExpected), false;
    s.lo = *lo, s.hi = *hi;
    return true;
  }
  if (e.key == "level" || e.key == "tolerance" || e.key == "confidence") {
    const auto x = as_real(*e.node);
    if (!x) return expected(e, "a real number"), false;
    if (e.key == "confidence")
      s.confidence = *x;
    else
      (e.key == "level" ? s.level : s.tolerance) = *x;
    return true;
  }
  if (e.key == "max_replications") {
    const auto x = unsigned_of(e, kMaxReplications, int_range_text(1, kMaxReplications));
    if (x) s.max_replications = *x;
    return x.has_value();
  }
  unknown_key(e, "[search]", kSearchKeys);
  return false;
}

}  // namespace tariffsim
