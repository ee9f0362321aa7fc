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

// One of a model's parameters, found by name once, when the model is made: a misspelt name throws
// Error there, not at a sweep's first point (a registered model is made as the program starts,
// which then stops with that message), and a point's value is read by its position, with no
// look-up (a tenth of a deremer point's time went on looking its 15 parameters up by name).
// Plugins hold one per parameter they read, made from their own ModelInfo, declared after it
// (models/README.md).
class ParamRef {
 public:
  ParamRef(const ModelInfo& info, std::string_view name);
  std::size_t index() const noexcept { return index_; }

 private:
  std::size_t index_;
};

class Point {
 public:
  Point(const ModelInfo& info, std::uint64_t index, std::vector<Value> values);

  std::uint64_t index() const noexcept { return index_; }
  // Hash of every parameter's name and exact value: keys the point's random streams, so a point
  // keeps its numbers when the grid around it is refined, reordered or sharded. Hashed at each
  // call (a tenth of a cheap deterministic point, which never asks for it).
  std::uint64_t identity() const;

  // A parameter's value, typed; Error if it is not of that type. Models read through their
  // ParamRefs; by name (Error on an undeclared name) is for tools and tests.
  double real(ParamRef p) const { return as<double>(p, "real"); }
  std::int64_t integer(ParamRef p) const { return as<std::int64_t>(p, "an integer"); }
  bool boolean(ParamRef p) const { return as<bool>(p, "a bool"); }
  const std::string& choice(ParamRef p) const { return as<std::string>(p, "an enum"); }
  const std::vector<double>& list(ParamRef p) const { return as<std::vector<double>>(p, "a list"); }

  const Value& value(std::string_view name) const;
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
  template <class T>
  const T& as(ParamRef p, const char* type) const {
    if (p.index() < values_.size())
      if (const T* v = std::get_if<T>(&values_[p.index()])) return *v;
    throw_not_a(p, type);
  }
  [[noreturn]] void throw_not_a(ParamRef p, const char* type) const;

  const ModelInfo* info_;
  std::uint64_t index_;
  std::vector<Value> values_;
};

std::uint64_t point_identity(const ModelInfo& info, const std::vector<Value>& values);

}  // namespace tariffsim
