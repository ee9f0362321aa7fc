// An experiment file as a TOML document: parsed by toml++, walked in file order, and written back
// as the canonical text that result files store as config_text. That text's SHA-256 guards resume
// and merge, so anything here that changes it makes existing result files unresumable.
#pragma once

#include <toml++/toml.h>

#include <cstdint>
#include <map>
#include <ostream>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "tariffsim/value.hpp"

namespace tariffsim {

// A key of a table with its value; `path` is the dotted key for messages ("grid.sigma").
struct TomlEntry {
  std::string key;
  std::string path;
  const toml::key* toml_key;
  const toml::node* node;
};

// toml++ keeps a table's keys sorted by name, but file order matters (grid axes and sample
// dimensions are in file order), so entries() sorts by source position; keys added by --set have
// none and follow, in the order given.
class TomlDocument {
 public:
  TomlDocument() = default;
  // Throws InputError "path:line:col: malformed TOML: ..." on a syntax error.
  TomlDocument(const std::string& text, const std::string& path);

  toml::table root;

  void note_added(const std::string& path) { added_.emplace(path, added_.size()); }
  std::vector<TomlEntry> entries(const toml::table& t, const std::string& prefix) const;
  void write_value(std::ostream& os, const toml::node& n, const std::string& path) const;
  // Top-level tables become [headers]; anything deeper is written inline.
  std::string text() const;
  // A value as a message shows it after "got": at most 60 characters, tables as "a table".
  std::string describe(const toml::node& n, const std::string& path) const;

 private:
  std::tuple<int, std::uint32_t, std::uint32_t, std::size_t> order(const TomlEntry& e) const;

  std::map<std::string, std::size_t> added_;
};

// A value built in C++ as a message would show it had it been written in a file.
std::string describe(const toml::node& n);
// A TOML basic string, with one quoting style throughout messages and config_text.
std::string quoted(std::string_view s);
// A double in TOML float syntax, the shortest text that reads back as the same double.
std::string real_text(double x);
// Where a node or key was written; {} (shown as "--set") for a value from an override.
SourceLocation location_of(const toml::source_region& r);

}  // namespace tariffsim
