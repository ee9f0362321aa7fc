// One full assignment of parameter values, aligned with the model's ParamSpec order. A Point is
// used by one thread at a time (the engine hands each point to one task).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tariffsim/schema.hpp"
#include "tariffsim/value.hpp"

namespace tariffsim {

class Point {
 public:
  Point(const ModelInfo& info, std::uint64_t index, std::vector<Value> values);

  std::uint64_t index() const noexcept { return index_; }
  // Hash of every parameter's name and exact value: keys the point's random streams, so a point
  // keeps its numbers when the grid around it is refined, reordered or sharded. Hashed at each
  // call (a tenth of a cheap deterministic point, which never asks for it).
  std::uint64_t identity() const;

  const Value& value(std::string_view name) const;  // throws Error on an undeclared name
  double real(std::string_view name) const;
  std::int64_t integer(std::string_view name) const;
  bool boolean(std::string_view name) const;
  const std::string& choice(std::string_view name) const;
  const std::vector<double>& list(std::string_view name) const;

  const std::vector<Value>& values() const noexcept { return values_; }
  // Hands the values back to whoever made the point, without a copy (the engine passes them on to
  // the writer); the point is unusable after this.
  std::vector<Value> release_values() && noexcept { return std::move(values_); }
  const ModelInfo& info() const noexcept { return *info_; }

 private:
  const ModelInfo* info_;
  std::uint64_t index_;
  std::vector<Value> values_;
  mutable std::size_t lookups_ = 0;  // by name so far: value()'s step in its guesses
};

std::uint64_t point_identity(const ModelInfo& info, const std::vector<Value>& values);

}  // namespace tariffsim
