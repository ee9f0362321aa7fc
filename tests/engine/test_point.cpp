// A point's parameters looked up by name: the right value whatever the name's length, however
// near another name it is, and in whatever order they are asked; and read through a ParamRef,
// found once.
#include <catch2/catch.hpp>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "tariffsim/error.hpp"
#include "tariffsim/point.hpp"
#include "tariffsim/schema.hpp"

using namespace tariffsim;

namespace {

// Names of every length from 1 to 20, each with siblings of its length differing in one
// character: at its start, its middle and its end (which a word-wise comparison must all see).
std::vector<std::string> near_names() {
  std::vector<std::string> names;
  for (std::size_t n = 1; n <= 20; ++n) {
    names.emplace_back(n, 'a');
    for (const std::size_t at : std::set<std::size_t>{0, n / 2, n - 1}) {
      std::string sibling(n, 'a');
      sibling[at] = 'b';
      names.push_back(sibling);
    }
  }
  return names;
}

ModelInfo info_of(const std::vector<std::string>& names) {
  ModelInfo info;
  info.name = "names";
  for (const std::string& name : names)
    info.params.push_back(real_param(name, 0.0, kAnyReal, "1", "a parameter"));
  return info;
}

std::vector<Value> values_of(std::size_t n, double offset) {
  std::vector<Value> values;
  for (std::size_t i = 0; i < n; ++i) values.emplace_back(offset + static_cast<double>(i));
  return values;
}

}  // namespace

// The order of the look-ups at a pass: the names in turn, or (pass 1) each name of a length
// swapped for the next of that length, so that look-ups in a row ask same-length siblings.
std::vector<std::size_t> order(const std::vector<std::string>& names, int pass) {
  std::vector<std::size_t> order;
  for (std::size_t first = 0; first < names.size();) {
    std::size_t last = first;
    while (last < names.size() && names[last].size() == names[first].size()) ++last;
    for (std::size_t i = first; i < last; ++i)
      order.push_back(pass == 1 ? first + (i - first + 1) % (last - first) : i);
    first = last;
  }
  return order;
}

TEST_CASE("a parameter looked up by name is that parameter, in any order, point after point",
          "[point]") {
  const std::vector<std::string> names = near_names();
  const ModelInfo info = info_of(names);
  for (int pass = 0; pass < 3; ++pass) {
    for (std::uint64_t k = 0; k < 4; ++k) {
      const double offset = 100.0 * static_cast<double>(k);
      const Point p(info, k, values_of(names.size(), offset));
      for (const std::size_t i : order(names, pass)) {
        INFO("pass " << pass << ", point " << k << ", name '" << names[i] << "'");
        CHECK(p.real(names[i]) == offset + static_cast<double>(i));
      }
    }
  }
}

TEST_CASE("a name the model does not declare, or of a near one, is an error", "[point]") {
  const ModelInfo info = info_of({"gM", "gE", "gMs_W"});
  const Point p(info, 0, values_of(3, 0.0));
  CHECK(p.real("gE") == 1.0);
  CHECK_THROWS_AS(p.real("gX"), Error);
  CHECK_THROWS_AS(p.real("gMs_X"), Error);
  CHECK_THROWS_AS(p.real("g"), Error);
  CHECK_THROWS_AS(p.integer("gM"), Error);  // declared, but a real
}

TEST_CASE("a ParamRef reads the value the name reads, and a bad name fails as it is made",
          "[point]") {
  const std::vector<std::string> names = near_names();
  const ModelInfo info = info_of(names);
  std::vector<ParamRef> refs;
  for (const std::string& name : names) refs.emplace_back(info, name);
  for (std::uint64_t k = 0; k < 3; ++k) {
    const Point p(info, k, values_of(names.size(), 10.0 * static_cast<double>(k)));
    for (std::size_t i = 0; i < names.size(); ++i) {
      INFO("point " << k << ", name '" << names[i] << "'");
      CHECK(refs[i].index() == i);
      CHECK(p.real(refs[i]) == p.real(names[i]));
    }
  }
  CHECK_THROWS_WITH(ParamRef(info, "aab "), Catch::Contains("no parameter 'aab '"));
  CHECK_THROWS_AS(ParamRef(info, ""), Error);
}

TEST_CASE("a ParamRef read as the wrong type names the parameter", "[point]") {
  ModelInfo info;
  info.name = "typed";
  info.params = {real_param("x", 0.5, kAnyReal, "1", "a real"),
                 int_param("n", 3, Range{0, 10}, "1", "an integer")};
  const ParamRef x(info, "x"), n(info, "n");
  const Point p(info, 0, {Value{0.5}, Value{std::int64_t{3}}});
  CHECK(p.real(x) == 0.5);
  CHECK(p.integer(n) == 3);
  CHECK_THROWS_WITH(p.integer(x), Catch::Contains("'x' is not an integer"));
  CHECK_THROWS_WITH(p.real(n), Catch::Contains("'n' is not real"));
  CHECK_THROWS_AS(p.choice(n), Error);
  // A ParamRef of another model, past this one's parameters: an error, not a read out of bounds.
  const ModelInfo larger = info_of({"a", "b", "c"});
  const ParamRef c(larger, "c");
  CHECK_THROWS_WITH(p.real(c), Catch::Contains("made from its own ModelInfo"));
}
