// Ranges say what they accept: an infinite end is a value only when it is closed.
#include <catch2/catch.hpp>
#include <cmath>

#include "tariffsim/schema.hpp"

using namespace tariffsim;

TEST_CASE("an infinite end of a range is a value only when closed, and str() says which",
          "[schema]") {
  CHECK(kPositive.str() == "(0, inf)");
  CHECK(kNonNegative.str() == "[0, inf)");
  CHECK(kAnyReal.str() == "(-inf, inf)");
  CHECK_FALSE(kPositive.contains(kInfinity));
  CHECK_FALSE(kNonNegative.contains(kInfinity));
  CHECK_FALSE(kAnyReal.contains(-kInfinity));
  CHECK(kNonNegative.contains(0.0));
  CHECK_FALSE(kPositive.contains(0.0));
  CHECK(kPositive.contains(1e308));
  const Range with_inf{0, kInfinity};
  CHECK(with_inf.str() == "[0, inf]");
  CHECK(with_inf.contains(kInfinity));
  CHECK_FALSE(with_inf.contains(std::nan("")));
  CHECK(Range{0, 1, false, true}.str() == "[0, 1)");
}

TEST_CASE("real_param and int_param declare what they name", "[schema]") {
  const ParamSpec r = real_param("x", 0.5, kPositive, "price", "a price");
  CHECK(r.type == ParamType::Real);
  CHECK(std::get<double>(r.default_value) == 0.5);
  CHECK(check_value(r, Value{2.0}).empty());
  CHECK_FALSE(check_value(r, Value{kInfinity}).empty());
  const ParamSpec n = int_param("n", 3, {1, 10}, "firms", "a count");
  CHECK(n.type == ParamType::Integer);
  CHECK(check_value(n, Value{std::int64_t{10}}).empty());
  CHECK_FALSE(check_value(n, Value{std::int64_t{11}}).empty());
}
