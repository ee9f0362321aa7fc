// The Ishigami function (Ishigami and Homma 1990), the standard test of global sensitivity
// analysis: f = sin x1 + a sin^2 x2 + b x3^4 sin x1 with x1, x2, x3 uniform on [-pi, pi], whose
// Sobol indices are known in closed form. Not a trade model: it validates [sensitivity].
#pragma once

#include <array>

namespace tariffsim::ishigami {

double ishigami_function(double x1, double x2, double x3, double a, double b);

// The partial variances of f with independent uniform inputs on [-pi, pi]
// (Sobol' and Levitan 1999): V1 = (1 + b pi^4 / 5)^2 / 2, V2 = a^2 / 8,
// V13 = b^2 pi^8 (1/18 - 1/50), V = V1 + V2 + V13; every other term is 0.
struct IshigamiVariances {
  double v1 = 0, v2 = 0, v13 = 0;
  double total() const { return v1 + v2 + v13; }
};
IshigamiVariances ishigami_variances(double a, double b);

// The Sobol indices of x1, x2, x3: first S_i = V_i / V, total ST_i = (sum of the terms with i) / V.
struct IshigamiIndices {
  std::array<double, 3> first{}, total{};
};
IshigamiIndices ishigami_indices(double a, double b);

}  // namespace tariffsim::ishigami
