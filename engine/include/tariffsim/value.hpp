// Parameter values and where in a config file they came from.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace tariffsim {

// A parameter value. Reals are exact binary64; lists serve discrete distributions.
using Value = std::variant<double, std::int64_t, bool, std::string, std::vector<double>>;

std::string to_string(const Value& v);  // TOML-like rendering, exact for reals (%.17g)

// Where a value was written: file and 1-based line/column (0 when unknown, e.g. --set).
struct SourceLocation {
  std::string file;
  std::uint32_t line = 0;
  std::uint32_t column = 0;
  std::string str() const;  // "file:line:col" or "file" or "--set"
};

}  // namespace tariffsim
