// The Monte Carlo cross-section of spec §7, given the drawn sectors: censoring, rank statistics and
// the naive and structural regressions of the CU tariff on the members' MFN tariffs. Pure
// functions; the estimators (OLS, ranks) are the engine's (tariffsim/estimators.hpp).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <span>
#include <vector>

#include "tariffsim/estimators.hpp"

namespace tariffsim::customs_union {

// One cross-section of L sectors. Measurement errors are added to the observed AVEs of interior
// sectors (already scaled; zeros for none).
struct CrossSectionDraws {
  std::vector<double> n_i, n_j, alpha_i, alpha_j;
  std::vector<double> e_mfn_i, e_mfn_j, e_cu;
};

// How a cross-section is drawn (spec §7): n_c ~ U{1..Nmax_c}; alpha_c = amax Phi(z_c) with
// (z_i, z_j) standard bivariate normal of correlation rho (a Gaussian copula); classical errors
// N(0, me_sd^2) on the observed AVEs.
struct CrossSectionDesign {
  std::size_t L = 0;
  std::int64_t Nmax_i = 1, Nmax_j = 1;
  double amax = 0, rho = 0, me_sd_mfn = 0, me_sd_cu = 0;
};

// A firm count uniform on {1..nmax} from u uniform on (0, 1).
double firm_count(double u, std::int64_t nmax);
// The copula's margin: alpha = amax Phi(z).
double bias_of_z(double z, double amax);

// Draws one cross-section. Each kind of draw has its own stream (the engine's named streams
// `sectors`, `bias`, `measurement`; DESIGN §4), so changing one part of the design never shifts
// another's numbers. Every draw is made whatever the design (errors with SD 0 included) for the
// same reason. S is any type with uniform() and normal(), e.g. tariffsim::Stream; a template
// keeps engine types out of the economics.
// This form fills `d`, reusing its vectors' storage (the engine runs a replication per point).
template <class S>
void draw_cross_section(const CrossSectionDesign& dz, S& sectors, S& bias, S& measurement,
                        CrossSectionDraws& d) {
  for (auto* v : {&d.n_i, &d.n_j, &d.alpha_i, &d.alpha_j, &d.e_mfn_i, &d.e_mfn_j, &d.e_cu})
    v->resize(dz.L);
  const double rho_c = std::sqrt(std::max(0.0, 1 - dz.rho * dz.rho));
  for (std::size_t l = 0; l < dz.L; ++l) {
    d.n_i[l] = firm_count(sectors.uniform(), dz.Nmax_i);
    d.n_j[l] = firm_count(sectors.uniform(), dz.Nmax_j);
    const double z_i = bias.normal(), e = bias.normal();
    d.alpha_i[l] = bias_of_z(z_i, dz.amax);
    d.alpha_j[l] = bias_of_z(dz.rho * z_i + rho_c * e, dz.amax);
    d.e_mfn_i[l] = dz.me_sd_mfn * measurement.normal();
    d.e_mfn_j[l] = dz.me_sd_mfn * measurement.normal();
    d.e_cu[l] = dz.me_sd_cu * measurement.normal();
  }
}

template <class S>
CrossSectionDraws draw_cross_section(const CrossSectionDesign& dz, S& sectors, S& bias,
                                     S& measurement) {
  CrossSectionDraws d;
  draw_cross_section(dz, sectors, bias, measurement, d);
  return d;
}

// One regression of the CU AVE on the two MFN AVEs: intercept, the two slopes, and the implied
// weight first/(first + second) with its delta-method HC1 standard error.
struct RegressionStats {
  double constant = 0, slope_i = 0, slope_j = 0, w = 0, se_w = 0;
};

struct CrossSectionStats {
  double cens_MFN_i = 0, cens_MFN_j = 0, cens_FTA_i = 0, cens_FTA_j = 0, cens_CU = 0, cens_any = 0;
  double n_interior = 0;
  double spearman_CU_mean = 0, spearman_CU_max = 0, spearman_CU_MFN_i = 0, spearman_CU_MFN_j = 0;
  double top_decile_retention = 0;
  double share_CU_above_max = 0;
  RegressionStats naive;       // tau_CU ~ 1 + tau_MFN_i + tau_MFN_j
  RegressionStats structural;  // (1+n_i+n_j)tau_CU ~ 1 + (1+n_i)tau_MFN_i + (1+n_j)tau_MFN_j
};

// The interior sectors' observed AVEs (true AVE + measurement error), firm counts, and the mean
// and max of the two MFN AVEs: what cross_section works on. Kept by a caller that computes many
// cross-sections, their storage is reused.
struct InteriorSample {
  std::vector<double> mfn_i, mfn_j, cu, n_i, n_j, mean, max;
};

// tau_CU is the (a, b) CU tariff with w = a/(a+b); a sector is interior when none of its
// MFN_i, MFN_j, FTA_i, FTA_j and CU tariffs is prohibitive.
CrossSectionStats cross_section(const CrossSectionDraws& d, double a, double b,
                                InteriorSample& scratch);
CrossSectionStats cross_section(const CrossSectionDraws& d, double a, double b);

}  // namespace tariffsim::customs_union
