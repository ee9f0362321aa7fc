// The design: index order (grid mixed radix, last axis fastest, crossed with the sample), exact
// grid endpoints, sample bounds, LHS stratification, the Sobol sequence, and determinism.
#include <catch2/catch.hpp>
#include <cmath>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "tariffsim/design.hpp"
#include "tariffsim/error.hpp"
#include "tariffsim/experiment.hpp"
#include "tariffsim/model.hpp"
#include "tariffsim/registry.hpp"

namespace {

using namespace tariffsim;

ModelInfo design_info() {
  ModelInfo info;
  info.name = "fake";
  info.version = "1";
  auto real = [&](const std::string& name, double def) {
    ParamSpec p;
    p.name = name;
    p.type = ParamType::Real;
    p.default_value = def;
    p.range = Range{-1e9, 1e9};
    info.params.push_back(p);
  };
  auto integer = [&](const std::string& name, std::int64_t def) {
    ParamSpec p;
    p.name = name;
    p.type = ParamType::Integer;
    p.default_value = def;
    p.range = Range{0, 1e6};
    info.params.push_back(p);
  };
  real("a", 0.5);
  real("b", 1.0);
  real("c", 2.0);
  real("d", 3.0);
  integer("periods", 100);
  integer("k", 1);
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
  info.params.push_back(weights);
  info.metrics = {{"welfare", "", "", OutputLevel::Replication}};
  info.series = {{"tariff", "", "", "periods"}};
  return info;
}

class DesignModel : public Model {
 public:
  const ModelInfo& info() const override { return info_; }
  void prepare(const Point&, PointOutputs&, PointState&) const override {}

 private:
  ModelInfo info_ = design_info();
};

const Registry& registry() {
  static const Registry r = [] {
    Registry reg;
    reg.add("fake", [] { return std::make_unique<DesignModel>(); });
    return reg;
  }();
  return r;
}

const ModelInfo& info() {
  static const ModelInfo i = design_info();
  return i;
}

Experiment experiment(const std::string& sections, std::uint64_t seed = 1) {
  const std::string head =
      "[experiment]\nname = \"t\"\nmodel = \"fake\"\nseed = " + std::to_string(seed) + "\n";
  return parse_experiment(head + sections, "design.toml", {}, registry());
}

std::string sample_of(const std::string& method, int n, const std::string& ranges) {
  return "[sample]\nmethod = \"" + method + "\"\nn = " + std::to_string(n) + "\nranges = { " +
         ranges + " }\n";
}

double real_at(const Design& d, std::uint64_t i, std::size_t param) {
  return std::get<double>(d.values(i)[param]);
}

constexpr std::size_t kA = 0, kB = 1, kC = 2, kD = 3, kPeriods = 4, kK = 5, kRegime = 6;

}  // namespace

TEST_CASE("no grid and no sample is one point of defaults and fixed values", "[design]") {
  const Experiment e = experiment("[parameters]\nb = 7.5\nregime = \"power\"\n");
  const Design d(e, info());
  REQUIRE(d.size() == 1);
  const auto v = d.values(0);
  CHECK(std::get<double>(v[kA]) == 0.5);
  CHECK(std::get<double>(v[kB]) == 7.5);
  CHECK(std::get<std::int64_t>(v[kPeriods]) == 100);
  CHECK(std::get<std::string>(v[kRegime]) == "power");
  CHECK(std::get<std::vector<double>>(v[7]) == std::vector<double>{1.0});
  CHECK(d.point(0).index() == 0);
  CHECK_THROWS_AS(d.values(1), Error);
}

TEST_CASE("grid index is mixed radix in file order, last axis fastest", "[design]") {
  const Experiment e = experiment("[grid]\nc = [1, 2, 3]\nperiods = [10, 20]\na = [0.1, 0.2]\n");
  const Design d(e, info());
  REQUIRE(d.size() == 12);
  for (std::uint64_t i = 0; i < d.size(); ++i) {
    const auto v = d.values(i);
    CHECK(std::get<double>(v[kC]) == 1.0 + static_cast<double>(i / 4));
    CHECK(std::get<std::int64_t>(v[kPeriods]) == (i / 2 % 2 == 0 ? 10 : 20));
    CHECK(std::get<double>(v[kA]) == (i % 2 == 0 ? 0.1 : 0.2));
    CHECK(std::get<double>(v[kB]) == 1.0);  // default untouched
  }
}

TEST_CASE("linspace and logspace hit their endpoints exactly", "[design]") {
  const Experiment e = experiment(
      "[grid]\na = { linspace = [0.1, 0.7, 7] }\nb = { logspace = [0.001, 1000.0, 7] }\n"
      "c = { logspace = [1, 1000, 4] }\nd = { linspace = [0.3, 0.9, 1] }\n");
  const auto a = e.grid[0].expanded();
  REQUIRE(a.size() == 7);
  CHECK(std::get<double>(a.front()) == 0.1);
  CHECK(std::get<double>(a.back()) == 0.7);
  for (std::size_t i = 0; i < a.size(); ++i)
    CHECK(std::get<double>(a[i]) == Approx(0.1 + 0.1 * static_cast<double>(i)));
  CHECK(std::get<double>(a[3]) == 0.1 + (0.7 - 0.1) * 3.0 / 6.0);  // the documented formula
  const auto b = e.grid[1].expanded();
  CHECK(std::get<double>(b.front()) == 0.001);
  CHECK(std::get<double>(b.back()) == 1000.0);
  CHECK(std::get<double>(b[3]) == Approx(1.0));
  const auto c = e.grid[2].expanded();
  CHECK(c == std::vector<Value>{1.0, 10.0, 100.0, 1000.0});  // decades exact
  CHECK(e.grid[3].expanded() == std::vector<Value>{0.3});    // n = 1 gives lo

  const Design d(e, info());
  CHECK(d.size() == 7 * 7 * 4 * 1);
  CHECK(real_at(d, d.size() - 1, kA) == 0.7);
  CHECK(real_at(d, d.size() - 1, kB) == 1000.0);
}

TEST_CASE("the design is the grid crossed with the sample", "[design]") {
  const Experiment e =
      experiment("[grid]\nc = [1, 2, 3]\n" + sample_of("uniform", 5, "a = [2.0, 3.0], k = [4, 6]"));
  const Design d(e, info());
  REQUIRE(d.size() == 3 * 5);
  for (std::uint64_t g = 0; g < 3; ++g) {
    for (std::uint64_t s = 0; s < 5; ++s) {
      const auto v = d.values(g * 5 + s);
      const auto first = d.values(s);
      CHECK(std::get<double>(v[kC]) == static_cast<double>(g + 1));
      CHECK(std::get<double>(v[kA]) ==
            std::get<double>(first[kA]));  // same row on every grid point
      CHECK(std::get<std::int64_t>(v[kK]) == std::get<std::int64_t>(first[kK]));
    }
  }
}

TEST_CASE("sample values stay in their bounds and are typed", "[design]") {
  for (const std::string method : {"sobol", "lhs", "uniform"}) {
    const Experiment e = experiment(sample_of(method, 200, "a = [-2.0, 5.0], k = [3, 7]"));
    const Design d(e, info());
    REQUIRE(d.size() == 200);
    std::set<std::int64_t> ks;
    for (std::uint64_t i = 0; i < d.size(); ++i) {
      const auto v = d.values(i);
      REQUIRE(std::holds_alternative<double>(v[kA]));
      REQUIRE(std::holds_alternative<std::int64_t>(v[kK]));
      const double a = std::get<double>(v[kA]);
      CHECK(a >= -2.0);
      CHECK(a < 5.0);
      ks.insert(std::get<std::int64_t>(v[kK]));
    }
    INFO(method);
    CHECK(ks == std::set<std::int64_t>{3, 4, 5, 6, 7});  // every integer, both ends included
  }
}

TEST_CASE("LHS puts exactly one row in each stratum of each dimension", "[design]") {
  const int n = 50;
  const Experiment e = experiment(
      sample_of("lhs", n, "a = [0.0, 1.0], b = [10.0, 20.0], c = [-1.0, 0.0], k = [0, 49]"));
  const Design d(e, info());
  REQUIRE(d.size() == static_cast<std::uint64_t>(n));
  const std::vector<std::pair<std::size_t, std::pair<double, double>>> dims = {
      {kA, {0.0, 1.0}}, {kB, {10.0, 20.0}}, {kC, {-1.0, 0.0}}};
  for (const auto& [param, bounds] : dims) {
    std::vector<int> hits(n, 0);
    for (std::uint64_t i = 0; i < d.size(); ++i) {
      const double u = (real_at(d, i, param) - bounds.first) / (bounds.second - bounds.first);
      ++hits[static_cast<std::size_t>(std::floor(u * n))];
    }
    INFO("parameter " << param);
    CHECK(hits == std::vector<int>(n, 1));
  }
  std::set<std::int64_t> ks;  // an integer dimension with n values: each exactly once
  for (std::uint64_t i = 0; i < d.size(); ++i) ks.insert(std::get<std::int64_t>(d.values(i)[kK]));
  CHECK(ks.size() == static_cast<std::size_t>(n));
}

TEST_CASE("Sobol rows are the Sobol sequence without its zero point", "[design]") {
  const Experiment e = experiment(sample_of("sobol", 5, "a = [0.0, 1.0], b = [0.0, 1.0]"));
  const Design d(e, info());
  // Boost's documented start of the 2-D sequence.
  const std::vector<std::pair<double, double>> expected = {
      {0.5, 0.5}, {0.75, 0.25}, {0.25, 0.75}, {0.375, 0.375}, {0.875, 0.875}};
  for (std::uint64_t i = 0; i < expected.size(); ++i) {
    CHECK(real_at(d, i, kA) == expected[i].first);
    CHECK(real_at(d, i, kB) == expected[i].second);
  }
  // Scaled into the range: lo + (hi - lo) * u.
  const Design scaled(experiment(sample_of("sobol", 2, "c = [2.0, 4.0]")), info());
  CHECK(real_at(scaled, 0, kC) == 3.0);
  CHECK(real_at(scaled, 1, kC) == 3.5);
}

TEST_CASE("designs are deterministic and keyed by the seed", "[design]") {
  for (const std::string method : {"sobol", "lhs", "uniform"}) {
    const std::string text =
        "[grid]\nd = [1, 2]\n" + sample_of(method, 16, "a = [0.0, 1.0], k = [0, 9]");
    const Design first(experiment(text, 11), info());
    const Design again(experiment(text, 11), info());
    const Design other(experiment(text, 12), info());
    REQUIRE(first.size() == 2 * 16);
    bool differs = false;
    for (std::uint64_t i = 0; i < first.size(); ++i) {
      CHECK(first.values(i) == again.values(i));
      CHECK(first.point(i).identity() == again.point(i).identity());
      differs = differs || first.values(i) != other.values(i);
    }
    INFO(method);
    CHECK(differs == (method != "sobol"));  // Sobol is unscrambled: the seed does not enter
  }
}
