// What the experiment tests share: a fake model in a local registry, which keeps them independent
// of the real models, and a matcher for the problems of an InputError.
#pragma once

#include <catch2/catch.hpp>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "tariffsim/model.hpp"
#include "tariffsim/registry.hpp"

namespace tariffsim::test {

inline ParamSpec real_param(const std::string& name, double def, Range range) {
  ParamSpec p;
  p.name = name;
  p.type = ParamType::Real;
  p.default_value = def;
  p.range = range;
  return p;
}

inline ParamSpec integer_param(const std::string& name, std::int64_t def, double lo, double hi) {
  ParamSpec p;
  p.name = name;
  p.type = ParamType::Integer;
  p.default_value = def;
  p.range = Range{lo, hi};
  return p;
}

inline ModelInfo fake_info(const std::string& name, bool stochastic) {
  ModelInfo info;
  info.name = name;
  info.version = "1";
  info.stochastic = stochastic;
  const double inf = std::numeric_limits<double>::infinity();
  info.params.push_back(real_param("alpha", 0.5, Range{0.0, 1.0}));
  info.params.push_back(real_param("beta", 1.0, Range{0.0, inf, true, false}));  // (0, inf]
  info.params.push_back(real_param("gamma", 0.5, Range{0.0, 1.0}));
  info.params.push_back(real_param("theta", 0.0, Range{}));
  info.params.push_back(integer_param("n_firms", 2, 1, 100));
  info.params.push_back(integer_param("k", 1, 0, 10));
  info.params.push_back(integer_param("periods", 100, 1, 10000));
  ParamSpec mfn;
  mfn.name = "mfn";
  mfn.type = ParamType::Bool;
  mfn.default_value = true;
  info.params.push_back(mfn);
  ParamSpec regime;
  regime.name = "regime";
  regime.type = ParamType::Enum;
  regime.default_value = std::string("rules");
  regime.choices = {"rules", "power"};
  info.params.push_back(regime);
  ParamSpec weights;
  weights.name = "weights";
  weights.type = ParamType::RealList;
  weights.default_value = std::vector<double>{1.0};
  weights.range = kNonNegative;
  info.params.push_back(weights);
  info.metrics = {{"welfare", "", "", OutputLevel::Replication},
                  {"tariff_mean", "", "", OutputLevel::Replication},
                  {"threshold", "", "", OutputLevel::Point}};
  info.series = {{"tariff", "", "", "periods"}};
  return info;
}

class FakeModel : public Model {
 public:
  FakeModel(const std::string& name, bool stochastic) : info_(fake_info(name, stochastic)) {}
  const ModelInfo& info() const override { return info_; }
  void prepare(const Point&, PointOutputs&, PointState&) const override {}

 private:
  ModelInfo info_;
};

// A registry of one model of a test's own, under `name`, made once per model type.
template <class M>
const Registry& registry_of(const std::string& name) {
  static const Registry r = [&] {
    Registry reg;
    reg.add(name, [] { return std::make_unique<M>(); });
    return reg;
  }();
  return r;
}

inline const Registry& registry() {
  static const Registry r = [] {
    Registry reg;
    reg.add("fake", [] { return std::make_unique<FakeModel>("fake", true); });
    reg.add("fake_det", [] { return std::make_unique<FakeModel>("fake_det", false); });
    return reg;
  }();
  return r;
}

// True if one problem contains every fragment (file:line:, key, what).
inline bool has_problem(const std::vector<std::string>& problems,
                        std::vector<std::string> fragments) {
  for (const auto& p : problems) {
    bool all = true;
    for (const auto& f : fragments) all = all && p.find(f) != std::string::npos;
    if (all) return true;
  }
  return false;
}

#define CHECK_PROBLEM(problems, ...)                      \
  do {                                                    \
    const auto& ps_ = (problems);                         \
    INFO("problems:\n" << Catch::Detail::stringify(ps_)); \
    CHECK(has_problem(ps_, {__VA_ARGS__}));               \
  } while (0)

}  // namespace tariffsim::test
