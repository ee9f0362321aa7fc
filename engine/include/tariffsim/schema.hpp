// What a model declares about its inputs and outputs. The engine validates experiments against the
// ParameterSchema before any work starts and writes the OutputSchema's units and descriptions into
// every result file.
#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "tariffsim/value.hpp"

namespace tariffsim {

enum class ParamType { Real, Integer, Bool, Enum, RealList };
const char* to_string(ParamType t);

// An interval, each end open or closed. An infinite end is a value only when closed: [0, inf]
// accepts inf (e.g. a permanent punishment length), [0, inf) does not.
struct Range {
  double lo = -std::numeric_limits<double>::infinity();
  double hi = std::numeric_limits<double>::infinity();
  bool lo_open = false;
  bool hi_open = false;
  bool contains(double x) const;
  std::string str() const;  // "[0, 1)" etc.
};

inline constexpr double kInfinity = std::numeric_limits<double>::infinity();
inline const Range kPositive{0, kInfinity, true, true};      // (0, inf)
inline const Range kNonNegative{0, kInfinity, false, true};  // [0, inf)
inline const Range kAnyReal{-kInfinity, kInfinity, true, true};

struct ParamSpec {
  std::string name;
  ParamType type = ParamType::Real;
  Value default_value;
  Range range;                       // for Real, Integer and every element of RealList
  std::vector<std::string> choices;  // for Enum
  std::string unit;                  // "" for dimensionless
  std::string description;
};

// Shorthands for the two declarations every model makes.
ParamSpec real_param(std::string name, double default_value, Range range, std::string unit,
                     std::string description);
ParamSpec int_param(std::string name, std::int64_t default_value, Range range, std::string unit,
                    std::string description);

enum class OutputLevel {
  Point,        // computed once per point in prepare() (closed forms, fixed points)
  Replication,  // one value per Monte Carlo replication
};

struct MetricSpec {
  std::string name;
  std::string unit;
  std::string description;
  OutputLevel level = OutputLevel::Replication;
};

// A per-replication vector whose length is the value of an integer parameter (e.g. `periods`).
struct SeriesSpec {
  std::string name;
  std::string unit;
  std::string description;
  std::string length_param;
};

struct ModelInfo {
  std::string name;
  std::string version;
  std::string citation;
  std::string description;
  bool stochastic = true;
  std::vector<ParamSpec> params;
  std::vector<MetricSpec> metrics;
  std::vector<SeriesSpec> series;
  // Model-specific point status codes (>= 2; 0 = ok and 1 = out of declared range are the
  // engine's).
  std::map<int, std::string> status_codes;

  const ParamSpec* find_param(const std::string& name) const;
  std::optional<std::size_t> metric_index(const std::string& name) const;
  std::optional<std::size_t> series_index(const std::string& name) const;
};

inline constexpr int kStatusOk = 0;
inline constexpr int kStatusOutOfRange = 1;
inline constexpr int kStatusNotComputed = -1;  // the fill value: the point is not written yet
inline constexpr int kStatusModelError = -2;   // the model failed at the point (message logged)

// Checks one value against a spec; returns "" if valid, else what was expected.
std::string check_value(const ParamSpec& spec, const Value& v);

}  // namespace tariffsim
