// Reading and validating experiment files (DESIGN.md §6). Every problem is collected before
// anything is thrown, so a user fixes a config in one round trip; each message names the file,
// the line and column, the dotted key, what was expected and what was there.
#include "tariffsim/experiment.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <memory>
#include <set>
#include <sstream>
#include <string_view>

#include "tariffsim/error.hpp"
#include "tariffsim/registry.hpp"

namespace tariffsim {

namespace {

// Replication indices are counted in 32 bits by Stream, so no run can use more than 2^32.
// Replication indices stay below kPointReplication, the counter of point-level streams.
constexpr auto kMaxReplications = static_cast<std::int64_t>(kPointReplication);
constexpr std::int64_t kMaxBlockSize = std::int64_t{1} << 20;
// Far beyond any sweep we plan (DESIGN: 10^7 points); stops a typo from allocating terabytes.
constexpr std::int64_t kMaxAxisLength = 100'000'000;
// A sample, unlike a grid, is drawn up front and held as a table of doubles (one row per point,
// one column per dimension), and `validate` draws it too: this bound (128 MiB) keeps a large n
// from asking for gigabytes or minutes (found by tests/fuzz: n = 10^8 with 6 dimensions).
constexpr std::uint64_t kMaxSampleValues = std::uint64_t{1} << 24;
constexpr std::int64_t kInt64Max = std::numeric_limits<std::int64_t>::max();

constexpr std::array<std::string_view, 6> kSections = {"experiment", "parameters", "grid",
                                                       "sample",     "output",     "precision"};
constexpr std::array<std::string_view, 7> kExperimentKeys = {
    "name", "model", "seed", "replications", "description", "common_random_numbers", "block_size"};
constexpr std::array<std::string_view, 3> kSampleKeys = {"method", "n", "ranges"};
constexpr std::array<std::string_view, 4> kOutputKeys = {"file", "replications", "series",
                                                         "quantiles"};
constexpr std::array<std::string_view, 2> kPrecisionKeys = {"target_se", "max_replications"};
constexpr std::array<std::string_view, 2> kSpacingKeys = {"linspace", "logspace"};

template <std::size_t N>
std::string join(const std::array<std::string_view, N>& words) {
  std::string out;
  for (auto w : words) out += (out.empty() ? "" : ", ") + std::string(w);
  return out;
}

std::string join(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : ", ") + w;
  return out;
}

bool is_identifier(std::string_view s) {
  auto letter = [](char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; };
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  if (s.empty() || !letter(s.front())) return false;
  return std::all_of(s.begin(), s.end(), [&](char c) { return letter(c) || digit(c); });
}

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

// "did you mean 'delta'?" for the closest declared name within two edits, else the full list.
std::string suggest_parameter(const ModelInfo& info, const std::string& name) {
  const ParamSpec* best = nullptr;
  std::size_t best_distance = 3;
  for (const auto& p : info.params) {
    const std::size_t d = edit_distance(name, p.name);
    if (d < best_distance) best = &p, best_distance = d;
  }
  if (best) return "did you mean '" + best->name + "'?";
  std::vector<std::string> names;
  for (const auto& p : info.params) names.push_back(p.name);
  return "declared parameters: " + join(names);
}

std::string int_range_text(std::int64_t lo, std::int64_t hi) {
  if (hi == kInt64Max) return "an integer >= " + std::to_string(lo);
  return "an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]";
}

// A TOML number as a double: integers are accepted wherever reals are (TOML `1` means 1.0 to
// every user). NaN is rejected because no parameter, bound or probability can mean it.
std::optional<double> as_real(const toml::node& n) {
  if (const auto* i = n.as_integer()) return static_cast<double>(i->get());
  if (const auto* f = n.as_floating_point())
    if (!std::isnan(f->get())) return f->get();
  return std::nullopt;
}

std::optional<double> as_finite_real(const toml::node& n) {
  const auto x = as_real(n);
  if (x && std::isfinite(*x)) return x;
  return std::nullopt;
}

std::string type_expectation(const ParamSpec& spec) {
  switch (spec.type) {
    case ParamType::Real:
      return "a real number";
    case ParamType::Integer:
      return "an integer";
    case ParamType::Bool:
      return "true or false";
    case ParamType::Enum:
      return check_value(spec, Value{std::int64_t{0}});  // "one of ..."
    case ParamType::RealList:
      return "an array of real numbers";
  }
  return "a value";
}

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

// A TOML basic string. toml++ would pick 'literal' quotes where it can; messages read better
// with one quoting style throughout.
std::string quoted(std::string_view s) {
  std::string out = "\"";
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20 || u == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", u);
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

// The shortest text that reads back as the same double (0.3, not 0.29999999999999999), in TOML
// float syntax: a bare "1" would read back as an integer, so it becomes "1.0".
std::string real_text(double x) {
  if (std::isnan(x)) return "nan";
  if (std::isinf(x)) return x < 0 ? "-inf" : "inf";
  char buf[32];
  const auto end = std::to_chars(buf, buf + sizeof buf, x).ptr;
  std::string text(buf, end);
  if (text.find_first_of(".e") == std::string::npos) text += ".0";
  return text;
}

std::string key_text(std::string_view k) {
  const bool bare = !k.empty() && std::all_of(k.begin(), k.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
  });
  return bare ? std::string(k) : quoted(k);
}

SourceLocation location_of(const toml::source_region& r) {
  if (!r.path || r.path->empty() || r.begin.line == 0) return {};  // from --set
  return SourceLocation{*r.path, r.begin.line, r.begin.column};
}

struct Entry {
  std::string key;
  std::string path;  // dotted, for messages: "grid.sigma"
  const toml::key* toml_key;
  const toml::node* node;
};

// The parsed document with its --set overrides applied. toml++ keeps a table's keys sorted by
// name, but file order matters (grid axes and sample dimensions are in file order), so entries()
// sorts by source position; keys added by --set have none and follow, in the order given.
class Document {
 public:
  toml::table root;

  void note_added(const std::string& path) { added_.emplace(path, added_.size()); }

  std::vector<Entry> entries(const toml::table& t, const std::string& prefix) const {
    std::vector<Entry> out;
    for (const auto& [k, v] : t) {
      const std::string key(k.str());
      out.push_back({key, prefix.empty() ? key : prefix + "." + key, &k, &v});
    }
    std::stable_sort(out.begin(), out.end(),
                     [this](const Entry& a, const Entry& b) { return order(a) < order(b); });
    return out;
  }

  void write_value(std::ostream& os, const toml::node& n, const std::string& path) const {
    if (const auto* t = n.as_table()) {
      os << "{";
      const char* separator = " ";
      for (const auto& e : entries(*t, path)) {
        os << separator << key_text(e.key) << " = ";
        write_value(os, *e.node, e.path);
        separator = ", ";
      }
      os << (t->empty() ? "}" : " }");
    } else if (const auto* a = n.as_array()) {
      os << "[";
      for (std::size_t i = 0; i < a->size(); ++i) {
        if (i) os << ", ";
        write_value(os, *a->get(i), path);
      }
      os << "]";
    } else if (const auto* s = n.as_string()) {
      os << quoted(s->get());
    } else if (const auto* f = n.as_floating_point()) {
      os << real_text(f->get());
    } else {
      n.visit([&os](const auto& v) { os << v; });  // integers, booleans, dates: toml++'s form
    }
  }

  // Top-level tables become [headers]; anything deeper is written inline, which is the same
  // TOML document and keeps file order where it matters.
  std::string text() const {
    std::ostringstream os;
    const auto top = entries(root, "");
    for (const auto& e : top) {
      if (e.node->is_table()) continue;
      os << key_text(e.key) << " = ";
      write_value(os, *e.node, e.path);
      os << "\n";
    }
    for (const auto& e : top) {
      const auto* t = e.node->as_table();
      if (!t) continue;
      os << "[" << key_text(e.key) << "]\n";
      for (const auto& inner : entries(*t, e.path)) {
        os << key_text(inner.key) << " = ";
        write_value(os, *inner.node, inner.path);
        os << "\n";
      }
    }
    return os.str();
  }

 private:
  std::tuple<int, std::uint32_t, std::uint32_t, std::size_t> order(const Entry& e) const {
    const auto& begin = e.toml_key->source().begin;
    if (begin.line > 0) return {0, begin.line, begin.column, 0};
    const auto it = added_.find(e.path);
    return {1, 0, 0, it == added_.end() ? added_.size() : it->second};
  }

  std::map<std::string, std::size_t> added_;
};

// Where a parameter has been placed, to report one named in two sections.
struct Placement {
  std::string section;
  SourceLocation where;
};

class ExperimentParser {
 public:
  ExperimentParser(const std::string& path, const Registry& registry)
      : path_(path.empty() ? "<string>" : path), registry_(registry) {
    experiment_.config_path = path;
  }

  Experiment parse(const std::string& text, const std::vector<std::string>& overrides) {
    read_document(text);
    for (const auto& o : overrides) apply_override(o);
    experiment_.config_text = doc_.text();
    read_sections();
    if (!problems_.empty()) throw InputError(problems_);
    return std::move(experiment_);
  }

 private:
  // ---- reading and overriding the document ----

  void read_document(const std::string& text) {
    try {
      doc_.root = toml::parse(text, path_);
    } catch (const toml::parse_error& e) {
      const auto& begin = e.source().begin;
      throw InputError(path_ + ":" + std::to_string(begin.line) + ":" +
                       std::to_string(begin.column) +
                       ": malformed TOML: " + std::string(e.description()));
    }
  }

  // The value text is parsed as TOML; text that is not a TOML value is taken as a string, so
  // `--set output.file=x.h5` works without shell-quoted quotes.
  static std::unique_ptr<toml::node> override_value(const std::string& text) {
    try {
      toml::table t = toml::parse("v = " + text);
      if (t.size() == 1 && t.contains("v")) {
        std::unique_ptr<toml::node> copy;
        // A copy drops toml++'s source position, so the value is reported as coming from --set.
        t.get("v")->visit([&copy](const auto& v) {
          copy = std::make_unique<std::remove_cvref_t<decltype(v)>>(v);
        });
        return copy;
      }
    } catch (const toml::parse_error&) {
    }
    return std::make_unique<toml::value<std::string>>(text);
  }

  static std::string trim(std::string_view s) {
    const auto first = s.find_first_not_of(" \t");
    if (first == std::string_view::npos) return "";
    const auto last = s.find_last_not_of(" \t");
    return std::string(s.substr(first, last - first + 1));
  }

  static std::vector<std::string> split_key(const std::string& key) {
    std::vector<std::string> parts;
    std::size_t start = 0;
    for (;;) {
      const auto dot = key.find('.', start);
      parts.push_back(key.substr(start, dot - start));
      if (dot == std::string::npos) return parts;
      start = dot + 1;
    }
  }

  void apply_override(const std::string& assignment) {
    const auto eq = assignment.find('=');
    std::string key = trim(std::string_view(assignment).substr(0, eq));
    if (eq == std::string::npos || key.empty()) {
      problems_.push_back("--set: " + assignment + ": expected key=value, e.g. delta=0.9");
      return;
    }
    if (key.find('.') == std::string::npos) key = "parameters." + key;
    const auto parts = split_key(key);
    if (std::any_of(parts.begin(), parts.end(), [](const auto& p) { return p.empty(); })) {
      problems_.push_back("--set: " + key + ": expected a dotted key like parameters.delta");
      return;
    }
    toml::table* table = &doc_.root;
    std::string prefix;
    for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
      prefix += (i ? "." : "") + parts[i];
      toml::node* child = table->get(parts[i]);
      if (!child) {
        child = &table->insert_or_assign(parts[i], toml::table{}).first->second;
        doc_.note_added(prefix);
      }
      table = child->as_table();
      if (!table) {
        problems_.push_back("--set: " + key + ": expected " + prefix + " to be a table, got " +
                            describe(*child, prefix));
        return;
      }
    }
    const std::string& last = parts.back();
    if (!table->contains(last)) doc_.note_added(key);
    override_value(trim(std::string_view(assignment).substr(eq + 1)))->visit([&](auto& v) {
      table->insert_or_assign(last, std::move(v));
    });
    remove_other_placements(parts);
  }

  // A parameter lives in exactly one of [parameters], [grid], [sample].ranges. An override is the
  // user's latest word, so `--set delta=0.5` on an experiment that sweeps delta runs it at 0.5:
  // the override wins and delta leaves the grid or the sample. A [grid] or [sample] left with no
  // parameter is removed, so the experiment shrinks to what remains rather than failing.
  void remove_other_placements(const std::vector<std::string>& parts) {
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
      if (auto* t = doc_.root["parameters"].as_table()) t->erase(param);
    if (kept != "grid")
      if (auto* t = doc_.root["grid"].as_table()) {
        t->erase(param);
        if (t->empty()) doc_.root.erase("grid");
      }
    if (kept != "sample")
      if (auto* t = doc_.root["sample"]["ranges"].as_table()) {
        t->erase(param);
        if (t->empty()) doc_.root.erase("sample");
      }
  }

  // ---- reporting ----

  std::string describe(const toml::node& n, const std::string& path) const {
    if (n.is_table()) return "a table";
    std::ostringstream os;
    doc_.write_value(os, n, path);
    std::string text = os.str();
    if (n.is_date() || n.is_time() || n.is_date_time()) text = "a date/time " + text;
    if (text.size() > 60) text = text.substr(0, 57) + "...";
    return text;
  }

  void report(const SourceLocation& where, const std::string& key, const std::string& what) {
    problems_.push_back(where.str() + ": " + key + ": " + what);
  }

  void expected(const toml::node& n, const std::string& key, const std::string& what) {
    report(location_of(n.source()), key, "expected " + what + ", got " + describe(n, key));
  }
  void expected(const Entry& e, const std::string& what) { expected(*e.node, e.path, what); }

  void missing(const std::string& section, const std::string& key, const std::string& what) {
    problems_.push_back(path_ + ": [" + section + "] " + key + ": missing (expected " + what + ")");
  }

  template <std::size_t N>
  void unknown_key(const Entry& e, const std::string& where,
                   const std::array<std::string_view, N>& known) {
    std::string hint;
    for (auto k : known) {
      if (k.starts_with('[')) k = k.substr(1, k.size() - 2);  // "[grid]" -> "grid"
      if (edit_distance(e.key, k) <= 2) hint = "; did you mean '" + std::string(k) + "'?";
    }
    report(location_of(e.toml_key->source()), e.path,
           "unknown key (" + where + " takes: " + join(known) + ")" + hint);
  }

  // ---- typed readers: report and return nullopt on a mismatch ----

  std::optional<std::int64_t> integer_in(const Entry& e, std::int64_t lo, std::int64_t hi) {
    const auto* i = e.node->as_integer();
    if (i && i->get() >= lo && i->get() <= hi) return i->get();
    expected(e, int_range_text(lo, hi));
    return std::nullopt;
  }

  std::optional<std::string> string_of(const Entry& e, const std::string& what = "a string") {
    if (const auto* s = e.node->as_string()) return s->get();
    expected(e, what);
    return std::nullopt;
  }

  std::optional<bool> boolean_of(const Entry& e) {
    if (const auto* b = e.node->as_boolean()) return b->get();
    expected(e, "true or false");
    return std::nullopt;
  }

  const toml::table* table_of(const Entry& e) {
    if (const auto* t = e.node->as_table()) return t;
    expected(e, "a table");
    return nullptr;
  }

  const toml::array* array_of(const Entry& e, const std::string& what) {
    if (const auto* a = e.node->as_array()) return a;
    expected(e, what);
    return nullptr;
  }

  // A declared parameter of the model, or nullptr after reporting it.
  const ParamSpec* declared_param(const Entry& e) {
    if (const ParamSpec* spec = info_->find_param(e.key)) return spec;
    report(location_of(e.toml_key->source()), e.path,
           "unknown parameter of model '" + info_->name + "'; " + suggest_parameter(*info_, e.key));
    return nullptr;
  }

  // False (after reporting) if the parameter already appeared in another section.
  bool place(const Entry& e, const std::string& section) {
    const SourceLocation here = location_of(e.node->source());
    const auto [it, inserted] = placed_.emplace(e.key, Placement{section, here});
    if (inserted) return true;
    report(here, e.path,
           "expected a parameter in at most one of [parameters], [grid], [sample].ranges, got it "
           "also in " +
               it->second.section + " at " + it->second.where.str());
    return false;
  }

  bool varies(const std::string& param) const {
    const auto it = placed_.find(param);
    return it != placed_.end() && it->second.section != "[parameters]";
  }

  // ---- sections ----

  void read_sections() {
    std::map<std::string, const toml::table*, std::less<>> sections;
    for (const auto& e : doc_.entries(doc_.root, "")) {
      if (std::find(kSections.begin(), kSections.end(), e.key) == kSections.end()) {
        unknown_key(e, "an experiment file",
                    std::array<std::string_view, 6>{"[experiment]", "[parameters]", "[grid]",
                                                    "[sample]", "[output]", "[precision]"});
      } else if (const auto* t = table_of(e)) {
        sections[e.key] = t;
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
    read_output(section("output"));
    if (const auto* t = section("precision")) read_precision(*t);
  }

  std::vector<Entry> entries(const toml::table* t, const std::string& prefix) const {
    return t ? doc_.entries(*t, prefix) : std::vector<Entry>{};
  }

  void read_experiment(const toml::table* t) {
    std::set<std::string> seen;
    const toml::node* replications_node = nullptr;
    for (const auto& e : entries(t, "experiment")) {
      seen.insert(e.key);
      if (e.key == "name") {
        const auto* s = e.node->as_string();
        if (s && is_identifier(s->get())) {
          experiment_.name = s->get();
        } else {
          expected(e, "an identifier ([A-Za-z_][A-Za-z0-9_]*, it names the HDF5 group)");
        }
      } else if (e.key == "model") {
        read_model(e);
      } else if (e.key == "seed") {
        if (auto x = integer_in(e, 0, kInt64Max)) experiment_.seed = static_cast<std::uint64_t>(*x);
      } else if (e.key == "replications") {
        replications_node = e.node;
        if (auto x = integer_in(e, 1, kMaxReplications))
          experiment_.replications = static_cast<std::uint64_t>(*x);
      } else if (e.key == "description") {
        if (auto s = string_of(e)) experiment_.description = *s;
      } else if (e.key == "common_random_numbers") {
        if (auto b = boolean_of(e)) experiment_.common_random_numbers = *b;
      } else if (e.key == "block_size") {
        if (auto x = integer_in(e, 1, kMaxBlockSize))
          experiment_.block_size = static_cast<std::uint32_t>(*x);
      } else {
        unknown_key(e, "[experiment]", kExperimentKeys);
      }
    }
    if (!seen.count("name")) missing("experiment", "name", "an identifier");
    if (!seen.count("model")) missing("experiment", "model", "a model name: " + known_models());
    if (!seen.count("seed")) missing("experiment", "seed", "an integer >= 0");
    if (info_ && !info_->stochastic && experiment_.replications != 1)
      expected(*replications_node, "experiment.replications",
               "1 (model '" + info_->name + "' is deterministic)");
  }

  std::string known_models() const {
    const auto names = registry_.names();
    return names.empty() ? "no models are registered" : "one of " + join(names);
  }

  void read_model(const Entry& e) {
    const auto* s = e.node->as_string();
    if (!s || !registry_.contains(s->get())) {
      expected(e, "a registered model, " + known_models());
      return;
    }
    experiment_.model = s->get();
    model_ = registry_.create(s->get());
    info_ = &model_->info();
  }

  void read_parameters(const toml::table& t) {
    for (const auto& e : doc_.entries(t, "parameters")) {
      const ParamSpec* spec = declared_param(e);
      if (!spec || !place(e, "[parameters]")) continue;
      auto value = to_param_value(*spec, *e.node);
      if (!value) {
        expected(e, type_expectation(*spec));
        continue;
      }
      if (const std::string in_range = check_value(*spec, *value); !in_range.empty()) {
        expected(e, in_range);
        continue;
      }
      experiment_.fixed[e.key] = LocatedValue{std::move(*value), location_of(e.node->source())};
    }
  }

  void read_grid(const toml::table& t) {
    for (const auto& e : doc_.entries(t, "grid")) {
      const ParamSpec* spec = declared_param(e);
      if (!spec || !place(e, "[grid]")) continue;
      GridAxis axis{e.key, {}, std::nullopt, location_of(e.node->source())};
      bool ok = false;
      if (const auto* a = e.node->as_array()) {
        auto values = grid_list(*spec, *a, e.path);
        if ((ok = values.has_value())) axis.values = std::move(*values);
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

  // Values on a grid are typed but not range-checked: an out-of-range point gets NaN and a status
  // code at run time (DESIGN §10), so a sweep may deliberately cross the edge of the domain.
  std::optional<std::vector<Value>> grid_list(const ParamSpec& spec, const toml::array& a,
                                              const std::string& path) {
    if (a.empty()) {
      expected(a, path, "a non-empty array of values");
      return std::nullopt;
    }
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

  std::optional<AxisSpacing> grid_spacing(const ParamSpec& spec, const toml::table& t,
                                          const std::string& path) {
    const auto inner = doc_.entries(t, path);
    bool ok = true;
    for (const auto& e : inner)
      if (std::find(kSpacingKeys.begin(), kSpacingKeys.end(), e.key) == kSpacingKeys.end())
        unknown_key(e, "a grid axis", kSpacingKeys), ok = false;
    const auto spacings = std::count_if(inner.begin(), inner.end(), [](const Entry& e) {
      return e.key == "linspace" || e.key == "logspace";
    });
    if (spacings != 1) {
      expected(t, path, "exactly one of { linspace = [lo, hi, n] } or { logspace = [lo, hi, n] }");
      return std::nullopt;
    }
    if (!ok) return std::nullopt;
    const Entry& e = *std::find_if(inner.begin(), inner.end(), [](const Entry& x) {
      return x.key == "linspace" || x.key == "logspace";
    });
    const bool logarithmic = e.key == "logspace";
    if (spec.type != ParamType::Real) {
      expected(t, path,
               "an array of values (linspace and logspace need a real parameter; '" + spec.name +
                   "' is " + to_string(spec.type) + ")");
      return std::nullopt;
    }
    const std::string what = logarithmic ? "[lo, hi, n] with reals lo, hi > 0 and an integer "
                                           "n in [1, " +
                                               std::to_string(kMaxAxisLength) + "]"
                                         : "[lo, hi, n] with finite reals lo, hi and an integer "
                                           "n in [1, " +
                                               std::to_string(kMaxAxisLength) + "]";
    const auto* a = e.node->as_array();
    if (!a || a->size() != 3) {
      expected(e, what);
      return std::nullopt;
    }
    const auto lo = as_finite_real(*a->get(0));
    const auto hi = as_finite_real(*a->get(1));
    const auto* n = a->get(2)->as_integer();
    const bool valid = lo && hi && n && n->get() >= 1 && n->get() <= kMaxAxisLength &&
                       (!logarithmic || (*lo > 0 && *hi > 0));
    if (!valid) {
      expected(e, what);
      return std::nullopt;
    }
    return AxisSpacing{*lo, *hi, static_cast<std::uint64_t>(n->get()), logarithmic};
  }

  // The i-th of n values is lo + (hi - lo) * i / (n - 1); the last is set to hi exactly so the
  // endpoint a user wrote is the endpoint computed (no 0.30000000000000004).

  void read_sample(const toml::table& t) {
    SampleSpec sample;
    sample.where = location_of(t.source());
    std::set<std::string> seen;
    bool ok = true;
    for (const auto& e : doc_.entries(t, "sample")) {
      seen.insert(e.key);
      if (e.key == "method") {
        const auto* s = e.node->as_string();
        const std::string m = s ? s->get() : "";
        if (m == "sobol")
          sample.method = SampleMethod::Sobol;
        else if (m == "lhs")
          sample.method = SampleMethod::Lhs;
        else if (m == "uniform")
          sample.method = SampleMethod::Uniform;
        else
          expected(e, "one of \"sobol\" \"lhs\" \"uniform\""), ok = false;
      } else if (e.key == "n") {
        if (auto x = integer_in(e, 1, kMaxAxisLength))
          sample.n = static_cast<std::uint64_t>(*x);
        else
          ok = false;
      } else if (e.key == "ranges") {
        const auto* ranges = e.node->as_table();
        if (ranges && !ranges->empty()) {
          if (info_) ok = read_sample_ranges(*ranges, e.path, sample.ranges) && ok;
        } else {
          expected(e, "a non-empty table { param = [lo, hi], ... }"), ok = false;
        }
      } else {
        unknown_key(e, "[sample]", kSampleKeys), ok = false;
      }
    }
    if (!seen.count("method"))
      missing("sample", "method", "\"sobol\", \"lhs\" or \"uniform\""), ok = false;
    if (!seen.count("n")) missing("sample", "n", "an integer >= 1"), ok = false;
    if (!seen.count("ranges")) missing("sample", "ranges", "{ param = [lo, hi], ... }"), ok = false;
    if (ok) ok = sample_fits_in_memory(sample, t);
    if (ok) experiment_.sample = std::move(sample);
  }

  bool sample_fits_in_memory(const SampleSpec& sample, const toml::table& t) {
    const std::uint64_t values = sample.n * sample.ranges.size();
    if (values <= kMaxSampleValues) return true;
    report(location_of(t.get("n")->source()), "sample.n",
           std::to_string(sample.n) + " points x " + std::to_string(sample.ranges.size()) +
               " dimensions = " + std::to_string(values) +
               " values; a sample is held in "
               "memory and may have at most " +
               std::to_string(kMaxSampleValues) +
               " (128 MiB): use fewer points or dimensions (a grid is computed on demand and "
               "has no such bound)");
    return false;
  }

  // Bounds outside the declared range are allowed, as on a grid: those points get a status code.
  bool read_sample_ranges(const toml::table& t, const std::string& prefix,
                          std::vector<SampleRange>& out) {
    bool ok = true;
    for (const auto& e : doc_.entries(t, prefix)) {
      const ParamSpec* spec = declared_param(e);
      if (!spec || !place(e, "[sample].ranges")) {
        ok = false;
        continue;
      }
      if (spec->type != ParamType::Real && spec->type != ParamType::Integer) {
        expected(e, "a real or integer parameter ('" + spec->name + "' is " +
                        to_string(spec->type) + ")");
        ok = false;
        continue;
      }
      const bool integer = spec->type == ParamType::Integer;
      const auto* a = e.node->as_array();
      std::optional<double> lo, hi;
      if (a && a->size() == 2) {
        if (integer) {
          const auto* i0 = a->get(0)->as_integer();
          const auto* i1 = a->get(1)->as_integer();
          if (i0 && i1) lo = static_cast<double>(i0->get()), hi = static_cast<double>(i1->get());
        } else {
          lo = as_finite_real(*a->get(0)), hi = as_finite_real(*a->get(1));
        }
      }
      if (!lo || !hi || !(*lo < *hi)) {
        expected(e, std::string("[lo, hi] with ") + (integer ? "integers" : "finite reals") +
                        " lo < hi");
        ok = false;
        continue;
      }
      out.push_back(SampleRange{e.key, *lo, *hi, location_of(e.node->source())});
    }
    return ok;
  }

  void read_output(const toml::table* t) {
    OutputOptions& out = experiment_.output;
    out.file = "results/" + experiment_.name + ".h5";
    out.file_where = SourceLocation{path_, 0, 0};
    for (const auto& e : entries(t, "output")) {
      if (e.key == "file") {
        const auto* s = e.node->as_string();
        if (s && !s->get().empty()) {
          out.file = s->get();
          out.file_where = location_of(e.node->source());
        } else {
          expected(e, "a non-empty file name");
        }
      } else if (e.key == "replications") {
        if (auto b = boolean_of(e)) out.keep_replications = *b;
      } else if (e.key == "series") {
        read_series(e);
      } else if (e.key == "quantiles") {
        read_quantiles(e);
      } else {
        unknown_key(e, "[output]", kOutputKeys);
      }
    }
  }

  void read_series(const Entry& e) {
    const auto* a = array_of(e, "an array of series names");
    if (!a) return;
    for (std::size_t i = 0; i < a->size(); ++i) {
      const toml::node& n = *a->get(i);
      const std::string path = e.path + "[" + std::to_string(i) + "]";
      const auto* s = n.as_string();
      if (!s) {
        expected(n, path, "a series name");
        continue;
      }
      if (!info_) continue;
      const auto index = info_->series_index(s->get());
      if (!index) {
        std::vector<std::string> names;
        for (const auto& spec : info_->series) names.push_back(spec.name);
        expected(n, path,
                 "a series of model '" + info_->name + "' (" +
                     (names.empty() ? "it has none" : join(names)) + ")");
        continue;
      }
      const std::string& length = info_->series[*index].length_param;
      if (varies(length)) {
        expected(n, path,
                 "a series whose length parameter is fixed ('" + s->get() + "' has length '" +
                     length + "', which varies in " + placed_.at(length).section + ")");
        continue;
      }
      if (std::find(experiment_.output.series.begin(), experiment_.output.series.end(), s->get()) !=
          experiment_.output.series.end()) {
        expected(n, path, "each series named once");
        continue;
      }
      experiment_.output.series.push_back(s->get());
    }
  }

  void read_quantiles(const Entry& e) {
    const std::string what = "an increasing array of probabilities in (0, 1)";
    const auto* a = array_of(e, what);
    if (!a) return;
    std::vector<double> qs;
    for (const auto& n : *a) {
      const auto q = as_real(n);
      if (!q || !(*q > 0.0 && *q < 1.0) || (!qs.empty() && !(*q > qs.back()))) {
        expected(e, what);
        return;
      }
      qs.push_back(*q);
    }
    experiment_.output.quantiles = std::move(qs);
  }

  void read_precision(const toml::table& t) {
    const toml::node* targets = nullptr;
    const toml::node* cap = nullptr;
    for (const auto& e : doc_.entries(t, "precision")) {
      if (e.key == "target_se") {
        targets = e.node;
        read_targets(e);
      } else if (e.key == "max_replications") {
        cap = e.node;
        if (auto x = integer_in(e, 1, kMaxReplications)) {
          if (static_cast<std::uint64_t>(*x) >= experiment_.replications)
            experiment_.precision.max_replications = static_cast<std::uint64_t>(*x);
          else
            expected(e, "an integer >= experiment.replications (" +
                            std::to_string(experiment_.replications) + ")");
        }
      } else {
        unknown_key(e, "[precision]", kPrecisionKeys);
      }
    }
    if (targets && !cap)
      missing("precision", "max_replications",
              "an integer >= replications, "
              "given with target_se");
    if (cap && !targets)
      missing("precision", "target_se",
              "{ metric = target, ... }, given with "
              "max_replications");
    if ((targets || cap) && info_ && !info_->stochastic)
      report(location_of(t.source()), "precision",
             "expected no [precision] (model '" + info_->name + "' is deterministic), got a table");
  }

  void read_targets(const Entry& e) {
    const auto* t = e.node->as_table();
    if (!t || t->empty()) {
      expected(e, "a non-empty table { metric = target standard error, ... }");
      return;
    }
    for (const auto& m : doc_.entries(*t, e.path)) {
      const auto target = as_finite_real(*m.node);
      if (!target || !(*target > 0.0)) expected(m, "a positive real");
      if (!info_) continue;
      const auto index = info_->metric_index(m.key);
      if (!index || info_->metrics[*index].level != OutputLevel::Replication) {
        std::vector<std::string> names;
        for (const auto& spec : info_->metrics)
          if (spec.level == OutputLevel::Replication) names.push_back(spec.name);
        report(location_of(m.toml_key->source()), m.path,
               "expected a replication-level metric of model '" + info_->name + "' (" +
                   (names.empty() ? "it has none" : join(names)) + "), got '" + m.key + "'");
        continue;
      }
      if (target && *target > 0.0) experiment_.precision.target_se.emplace_back(m.key, *target);
    }
  }

  std::string path_;  // for messages; never empty
  const Registry& registry_;
  Document doc_;
  Experiment experiment_;
  std::unique_ptr<Model> model_;  // keeps info_ alive while parsing
  const ModelInfo* info_ = nullptr;
  std::map<std::string, Placement> placed_;
  std::vector<std::string> problems_;
};

}  // namespace

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
  return {};
}

bool Experiment::varies(const std::string& param) const {
  for (const auto& axis : grid)
    if (axis.name == param) return true;
  if (sample)
    for (const auto& range : sample->ranges)
      if (range.name == param) return true;
  return false;
}

Experiment parse_experiment(const std::string& text, const std::string& path,
                            const std::vector<std::string>& overrides, const Registry& registry) {
  return ExperimentParser(path, registry).parse(text, overrides);
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
