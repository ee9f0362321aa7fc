// The output bindings of tariffsim/outputs.hpp: the schema they declare (file order, levels,
// units, descriptions) and the values they write under each name.
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "tariffsim/error.hpp"
#include "tariffsim/outputs.hpp"

namespace {

using namespace tariffsim;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

enum class Sign { Negative = -1, Positive = 1 };
struct Base {
  double x = 0;
  bool flag = false;
};
struct Derived : Base {
  Sign sign = Sign::Positive;
};

struct Schema {
  ModelInfo info;
  PointMetrics<Derived> point{info,
                              {
                                  {"x", "price", "x as it is", field<&Base::x>},
                                  {"flag", "1", "a bool as 0/1", field<&Base::flag>},
                                  {"sign", "1", "an enum as its value", field<&Derived::sign>},
                              }};
  ReplicationMetrics<double> rep{
      info,
      {
          {"twice", "price", "twice the draw", [](const double& v) { return 2 * v; }},
      }};
  SeriesOutput kept{info, {"kept", "price", "a kept series", "periods"}};
  SeriesOutput dropped{info, {"dropped", "1", "a series not kept", "periods"}};
};

}  // namespace

TEST_CASE("bindings declare their metrics in declaration order, each at its level", "[outputs]") {
  const Schema s;
  REQUIRE(s.info.metrics.size() == 4);
  const char* names[] = {"x", "flag", "sign", "twice"};
  for (std::size_t i = 0; i < 4; ++i) CHECK(s.info.metrics[i].name == names[i]);
  CHECK(s.info.metrics[0].unit == "price");
  CHECK(s.info.metrics[1].description == "a bool as 0/1");
  CHECK(s.info.metrics[2].level == OutputLevel::Point);
  CHECK(s.info.metrics[3].level == OutputLevel::Replication);
  REQUIRE(s.info.series.size() == 2);
  CHECK(s.info.series[1].name == "dropped");
  CHECK(s.info.series[1].length_param == "periods");
}

TEST_CASE("bindings write each value under its own name's index", "[outputs]") {
  const Schema s;
  std::vector<double> point(4, kNaN);
  PointOutputs out(point);
  Derived d;
  d.x = 1.5;
  d.flag = true;
  d.sign = Sign::Negative;
  s.point.write(d, out);
  CHECK(point[0] == 1.5);
  CHECK(point[1] == 1.0);
  CHECK(point[2] == -1.0);
  CHECK(std::isnan(point[3]));  // a replication metric: not the point block's to write

  std::vector<double> metrics(4, kNaN), path(3, kNaN);
  const std::vector<std::span<double>> series{std::span<double>(path), std::span<double>()};
  Replication rep({}, 0, metrics, series);
  s.rep.write(0.25, rep);
  CHECK(metrics[3] == 0.5);
  for (std::size_t i = 0; i < 3; ++i) CHECK(std::isnan(metrics[i]));
  CHECK(s.kept.span(rep).data() == path.data());
  CHECK(s.kept.span(rep).size() == 3);
  CHECK(s.dropped.span(rep).empty());
}

TEST_CASE("a binding without a getter is refused when the model is built", "[outputs]") {
  ModelInfo info;
  CHECK_THROWS_AS(PointMetrics<double>(info, {{"x", "1", "no getter", nullptr}}), Error);
}
