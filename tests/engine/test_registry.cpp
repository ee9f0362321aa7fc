#include <catch2/catch.hpp>

#include "tariffsim/error.hpp"
#include "tariffsim/registry.hpp"

namespace {
class Dummy final : public tariffsim::Model {
 public:
  const tariffsim::ModelInfo& info() const override {
    static const tariffsim::ModelInfo i = [] {
      tariffsim::ModelInfo m;
      m.name = "dummy";
      return m;
    }();
    return i;
  }
  void prepare(const tariffsim::Point&, tariffsim::PointOutputs&,
               tariffsim::PointState&) const override {}
};
}  // namespace

TEST_CASE("registry contract: unique names, creation, helpful unknown-name error", "[registry]") {
  tariffsim::Registry r;
  r.add("dummy", [] { return std::make_unique<Dummy>(); });
  CHECK(r.contains("dummy"));
  CHECK(r.create("dummy")->info().name == "dummy");
  CHECK_THROWS_AS(r.add("dummy", [] { return std::make_unique<Dummy>(); }), tariffsim::Error);
  try {
    r.create("nope");
    FAIL("expected InputError");
  } catch (const tariffsim::InputError& e) {
    CHECK(std::string(e.what()).find("unknown model 'nope'") != std::string::npos);
    CHECK(std::string(e.what()).find("dummy") != std::string::npos);
  }
}

TEST_CASE("the global registry holds the self-registered bagwell_staiger plugin", "[registry]") {
  const auto& g = tariffsim::Registry::global();
  REQUIRE(g.contains("bagwell_staiger"));
  CHECK(g.create("bagwell_staiger")->info().params.size() > 5);
}
