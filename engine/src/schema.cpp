#include "tariffsim/schema.hpp"

#include <cmath>
#include <cstdio>
#include <utility>

namespace tariffsim {

const char* to_string(ParamType t) {
  switch (t) {
    case ParamType::Real:
      return "real";
    case ParamType::Integer:
      return "integer";
    case ParamType::Bool:
      return "bool";
    case ParamType::Enum:
      return "enum";
    case ParamType::RealList:
      return "list of reals";
  }
  return "?";
}

bool Range::contains(double x) const {
  if (std::isnan(x)) return false;
  const bool above_lo = lo_open ? x > lo : x >= lo;
  const bool below_hi = hi_open ? x < hi : x <= hi;
  return above_lo && below_hi;
}

std::string Range::str() const {
  auto num = [](double x) {
    if (std::isinf(x)) return std::string(x < 0 ? "-inf" : "inf");
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.10g", x);
    return std::string(buf);
  };
  std::string out(lo_open ? "(" : "[");
  out += num(lo);
  out += ", ";
  out += num(hi);
  out += hi_open ? ")" : "]";
  return out;
}

const ParamSpec* ModelInfo::find_param(const std::string& n) const {
  for (const auto& p : params)
    if (p.name == n) return &p;
  return nullptr;
}

std::optional<std::size_t> ModelInfo::metric_index(const std::string& n) const {
  for (std::size_t i = 0; i < metrics.size(); ++i)
    if (metrics[i].name == n) return i;
  return std::nullopt;
}

std::optional<std::size_t> ModelInfo::series_index(const std::string& n) const {
  for (std::size_t i = 0; i < series.size(); ++i)
    if (series[i].name == n) return i;
  return std::nullopt;
}

std::string check_value(const ParamSpec& spec, const Value& v) {
  switch (spec.type) {
    case ParamType::Real: {
      if (!std::holds_alternative<double>(v)) return "a real number";
      if (!spec.range.contains(std::get<double>(v))) return "a real in " + spec.range.str();
      return "";
    }
    case ParamType::Integer: {
      if (!std::holds_alternative<std::int64_t>(v)) return "an integer";
      if (!spec.range.contains(static_cast<double>(std::get<std::int64_t>(v))))
        return "an integer in " + spec.range.str();
      return "";
    }
    case ParamType::Bool:
      return std::holds_alternative<bool>(v) ? "" : "true or false";
    case ParamType::Enum: {
      // The message only on failure: the engine checks every point's values with this.
      if (const auto* s = std::get_if<std::string>(&v))
        for (const auto& c : spec.choices)
          if (c == *s) return "";
      std::string expected = "one of";
      for (const auto& c : spec.choices) expected += " \"" + c + "\"";
      return expected;
    }
    case ParamType::RealList: {
      if (!std::holds_alternative<std::vector<double>>(v)) return "a list of real numbers";
      for (double x : std::get<std::vector<double>>(v))
        if (!spec.range.contains(x)) return "a list of reals, each in " + spec.range.str();
      return "";
    }
  }
  return "a valid value";
}

ParamSpec real_param(std::string name, double default_value, Range range, std::string unit,
                     std::string description) {
  return {std::move(name), ParamType::Real,       default_value, range, {},
          std::move(unit), std::move(description)};
}

ParamSpec int_param(std::string name, std::int64_t default_value, Range range, std::string unit,
                    std::string description) {
  return {std::move(name), ParamType::Integer,    default_value, range, {},
          std::move(unit), std::move(description)};
}

}  // namespace tariffsim
