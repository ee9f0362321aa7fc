#include "toml_document.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "tariffsim/error.hpp"

namespace tariffsim {

namespace {

std::string key_text(std::string_view k) {
  const bool bare = !k.empty() && std::all_of(k.begin(), k.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
  });
  return bare ? std::string(k) : quoted(k);
}

}  // namespace

// toml++ would pick 'literal' quotes where it can; messages read better with one style.
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

// 0.3, not 0.29999999999999999; a bare "1" would read back as an integer, so it becomes "1.0".
std::string real_text(double x) {
  if (std::isnan(x)) return "nan";
  if (std::isinf(x)) return x < 0 ? "-inf" : "inf";
  char buf[32];
  const auto end = std::to_chars(buf, buf + sizeof buf, x).ptr;
  std::string text(buf, end);
  if (text.find_first_of(".e") == std::string::npos) text += ".0";
  return text;
}

SourceLocation location_of(const toml::source_region& r) {
  if (!r.path || r.path->empty() || r.begin.line == 0) return {};  // from --set
  return SourceLocation{*r.path, r.begin.line, r.begin.column};
}

TomlDocument::TomlDocument(const std::string& text, const std::string& path) {
  try {
    root = toml::parse(text, path);
  } catch (const toml::parse_error& e) {
    const auto& begin = e.source().begin;
    throw InputError(path + ":" + std::to_string(begin.line) + ":" + std::to_string(begin.column) +
                     ": malformed TOML: " + std::string(e.description()));
  }
}

std::vector<TomlEntry> TomlDocument::entries(const toml::table& t,
                                             const std::string& prefix) const {
  std::vector<TomlEntry> out;
  for (const auto& [k, v] : t) {
    const std::string key(k.str());
    out.push_back({key, prefix.empty() ? key : prefix + "." + key, &k, &v});
  }
  std::stable_sort(out.begin(), out.end(),
                   [this](const TomlEntry& a, const TomlEntry& b) { return order(a) < order(b); });
  return out;
}

void TomlDocument::write_value(std::ostream& os, const toml::node& n,
                               const std::string& path) const {
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

// Inline tables below the top level are the same TOML document and keep file order where it
// matters.
std::string TomlDocument::text() const {
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

std::string TomlDocument::describe(const toml::node& n, const std::string& path) const {
  if (n.is_table()) return "a table";
  std::ostringstream os;
  write_value(os, n, path);
  std::string text = os.str();
  if (n.is_date() || n.is_time() || n.is_date_time()) text = "a date/time " + text;
  if (text.size() > 60) text = text.substr(0, 57) + "...";
  return text;
}

std::string describe(const toml::node& n) {
  return TomlDocument{}.describe(n, "");
}

std::tuple<int, std::uint32_t, std::uint32_t, std::size_t> TomlDocument::order(
    const TomlEntry& e) const {
  const auto& begin = e.toml_key->source().begin;
  if (begin.line > 0) return {0, begin.line, begin.column, 0};
  const auto it = added_.find(e.path);
  return {1, 0, 0, it == added_.end() ? added_.size() : it->second};
}

}  // namespace tariffsim
