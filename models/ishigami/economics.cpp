#include "economics.hpp"

#include <cmath>
#include <numbers>

namespace tariffsim::ishigami {

double ishigami_function(double x1, double x2, double x3, double a, double b) {
  const double s2 = std::sin(x2);
  const double x3_2 = x3 * x3;
  return std::sin(x1) * (1.0 + b * x3_2 * x3_2) + a * s2 * s2;
}

IshigamiVariances ishigami_variances(double a, double b) {
  constexpr double pi = std::numbers::pi;
  const double pi4 = pi * pi * pi * pi;
  const double c = 1.0 + b * pi4 / 5.0;
  return {c * c / 2.0, a * a / 8.0, b * b * pi4 * pi4 * (1.0 / 18.0 - 1.0 / 50.0)};
}

IshigamiIndices ishigami_indices(double a, double b) {
  const IshigamiVariances v = ishigami_variances(a, b);
  const double total = v.total();
  IshigamiIndices out;
  out.first = {v.v1 / total, v.v2 / total, 0.0};
  out.total = {(v.v1 + v.v13) / total, v.v2 / total, v.v13 / total};
  return out;
}

}  // namespace tariffsim::ishigami
