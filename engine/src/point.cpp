#include "tariffsim/point.hpp"

#include <array>
#include <cstdint>
#include <cstring>
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

// Names are a few characters: compared in at most two overlapping loads of each, with no loop (a
// guessed look-up is then a few instructions; string equality called memcmp, a byte loop
// mispredicted its exit).
template <class Word>
bool same_ends(const char* a, const char* b, std::size_t n) {
  Word a0, a1, b0, b1;
  std::memcpy(&a0, a, sizeof(Word));
  std::memcpy(&b0, b, sizeof(Word));
  std::memcpy(&a1, a + n - sizeof(Word), sizeof(Word));
  std::memcpy(&b1, b + n - sizeof(Word), sizeof(Word));
  return ((a0 ^ b0) | (a1 ^ b1)) == 0;
}

bool same_name(const std::string& declared, std::string_view asked) {
  const std::size_t n = asked.size();
  if (declared.size() != n) return false;
  const char *a = declared.data(), *b = asked.data();
  if (n >= 8) return n <= 16 ? same_ends<std::uint64_t>(a, b, n) : std::memcmp(a, b, n) == 0;
  if (n >= 4) return same_ends<std::uint32_t>(a, b, n);
  if (n >= 2) return same_ends<std::uint16_t>(a, b, n);
  return n == 0 || a[0] == b[0];
}

// The look-up without a guess, and the errors: out of line, so that the guessed path (every
// look-up of a sweep but its first few) is a few instructions with no stack frame to speak of.
[[gnu::noinline]] std::size_t index_of(const ModelInfo& info, std::string_view name) {
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

const Value& Point::value(std::string_view name) const {
  // Models read through ParamRefs; by name are tools, tests and the engine's own wrappers, which
  // tend to ask in the same order point after point: the index found at the same step of the
  // previous point's look-ups, on this thread, is checked first. A wrong guess costs one
  // comparison.
  constexpr std::size_t kSteps = 64;
  thread_local std::array<std::size_t, kSteps> found_at_step{};
  const std::size_t step = lookups_++ % kSteps;
  const auto& params = info_->params;
  const std::size_t guess = found_at_step[step];
  if (guess < params.size() && same_name(params[guess].name, name)) return values_[guess];
  const std::size_t i = index_of(*info_, name);
  found_at_step[step] = i;
  return values_[i];
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
