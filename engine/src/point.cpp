#include "tariffsim/point.hpp"

#include <cstdint>
#include <string>

#include "tariffsim/error.hpp"
#include "tariffsim/rng.hpp"

namespace tariffsim {

namespace {

std::uint64_t fnv1a(std::uint64_t h, const void* data, std::size_t n) {
  const auto* p = static_cast<const unsigned char*>(data);
  for (std::size_t i = 0; i < n; ++i) {
    h ^= p[i];
    h *= 0x100000001b3ULL;
  }
  return h;
}

// Hashes the exact bit pattern of a value, tagged with its type, so 1 and 1.0 differ only if their
// declared types differ (they cannot: values are typed by the ParamSpec before hashing).
std::uint64_t hash_value(std::uint64_t h, const Value& v) {
  const auto tag = static_cast<unsigned char>(v.index());
  h = fnv1a(h, &tag, 1);
  std::visit(
      [&h](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, std::string>) {
          h = fnv1a(h, x.data(), x.size());
        } else if constexpr (std::is_same_v<T, std::vector<double>>) {
          const std::uint64_t n = x.size();
          h = fnv1a(h, &n, sizeof n);
          h = fnv1a(h, x.data(), x.size() * sizeof(double));
        } else if constexpr (std::is_same_v<T, double>) {
          const double canonical = x == 0.0 ? 0.0 : x;  // -0.0 and 0.0 are the same point
          h = fnv1a(h, &canonical, sizeof canonical);
        } else {
          h = fnv1a(h, &x, sizeof x);
        }
      },
      v);
  return h;
}

}  // namespace

std::uint64_t point_identity(const ModelInfo& info, const std::vector<Value>& values) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  h = fnv1a(h, info.name.data(), info.name.size());
  for (std::size_t i = 0; i < values.size(); ++i) {
    const auto& name = info.params[i].name;
    h = fnv1a(h, name.data(), name.size() + 1);  // include the NUL so "ab","c" != "a","bc"
    h = hash_value(h, values[i]);
  }
  return mix64(h, 0x7461726966667369ULL);  // final avalanche
}

Point::Point(const ModelInfo& info, std::uint64_t index, std::vector<Value> values)
    : info_(&info), index_(index), values_(std::move(values)) {}

std::uint64_t Point::identity() const {
  return point_identity(*info_, values_);
}

namespace {

// A parameter's position in the model's declaration; Error if it declares no such name.
std::size_t index_of(const ModelInfo& info, std::string_view name) {
  for (std::size_t i = 0; i < info.params.size(); ++i)
    if (info.params[i].name == name) return i;
  throw Error("model " + info.name + " has no parameter '" + std::string(name) + "'");
}

[[noreturn, gnu::noinline, gnu::cold]] void throw_wrong_type(std::string_view name,
                                                             const char* type) {
  throw Error("parameter '" + std::string(name) + "' is not " + type);
}

template <class T>
const T& get_as(const Value& v, std::string_view name, const char* type) {
  if (const T* p = std::get_if<T>(&v)) return *p;
  throw_wrong_type(name, type);
}

}  // namespace

ParamRef::ParamRef(const ModelInfo& info, std::string_view name) : index_(index_of(info, name)) {}

void Point::throw_not_a(ParamRef p, const char* type) const {
  if (p.index() >= values_.size())
    throw Error("a ParamRef to parameter " + std::to_string(p.index()) +
                " read at a point of model " + info_->name + ", which has " +
                std::to_string(values_.size()) +
                " values: a model's ParamRefs are made from its own ModelInfo");
  throw_wrong_type(info_->params[p.index()].name, type);
}

// By name: tools and tests. Models read through ParamRefs, found once.
const Value& Point::value(std::string_view name) const {
  return values_[index_of(*info_, name)];
}

double Point::real(std::string_view name) const {
  return get_as<double>(value(name), name, "real");
}
std::int64_t Point::integer(std::string_view name) const {
  return get_as<std::int64_t>(value(name), name, "an integer");
}
bool Point::boolean(std::string_view name) const {
  return get_as<bool>(value(name), name, "a bool");
}
const std::string& Point::choice(std::string_view name) const {
  return get_as<std::string>(value(name), name, "an enum");
}
const std::vector<double>& Point::list(std::string_view name) const {
  return get_as<std::vector<double>>(value(name), name, "a list");
}

}  // namespace tariffsim
