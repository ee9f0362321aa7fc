// A check both curvature families' tests make: the solver's best responses and Nash tariff against
// a direct maximisation of the importer's welfare written from the family's own primitives.
#pragma once

#include <catch2/catch.hpp>
#include <cmath>

#include "curvature.hpp"
#include "em_numeric.hpp"

namespace em_test {

// ref_welfare(tA, tB) is the family's reference importer welfare; `bracket`·t^N bounds the search.
template <class Welfare>
void check_best_responses_maximise(const tariffsim::ederington_mccalman::curvature::Curved& c,
                                   Welfare ref_welfare, double bracket) {
  namespace cv = tariffsim::ederington_mccalman::curvature;
  const double tN = cv::nash_tariff(c);
  INFO("tN=" << tN);
  // Nash is a fixed point of the best response (a dominant strategy: W_imp ignores others).
  CHECK(std::abs(cv::best_response(c, tN) - tN) <= 1e-9 * tN);
  for (double frac : {0.0, 0.4, 1.0}) {
    const double tau = frac * tN;
    auto w = [&](double t) { return ref_welfare(t, tau); };
    const double ref = argmax(w, 0.0, bracket * tN, 1e-3 * tN, true);
    INFO("tau/tN=" << frac << " t_D=" << cv::best_response(c, tau) << " ref=" << ref);
    CHECK(std::abs(cv::best_response(c, tau) - ref) <= 1e-8 * tN);
  }
  // The symmetric Nash tariff also maximises W_imp(t, t) jointly (both FOCs vanish there).
  auto wsym = [&](double t) { return ref_welfare(t, t); };
  CHECK(std::abs(argmax(wsym, 0.0, bracket * tN, 1e-3 * tN, true) - tN) <= 1e-8 * tN);
}

}  // namespace em_test
