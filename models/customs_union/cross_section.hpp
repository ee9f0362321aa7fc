// The Monte Carlo cross-section of spec §7, given the drawn sectors: censoring, rank statistics and
// the naive and structural regressions of the CU tariff on the members' MFN tariffs. Pure
// functions (the random draws are made by the plugin from the engine's named streams).
#pragma once

#include <Eigen/Dense>
#include <span>
#include <vector>

namespace tariffsim::customs_union {

// Ordinary least squares with an intercept already in X; homoskedastic and HC1 (White)
// covariances. Undefined (NaN) when X has fewer rows than columns + 1 or is rank deficient.
struct OlsResult {
  Eigen::VectorXd coef;
  Eigen::MatrixXd cov;     // HC1 robust covariance
  Eigen::MatrixXd cov_h;   // homoskedastic covariance, s^2 (X'X)^-1
  double r2 = 0;
  bool ok = false;
};
OlsResult ols(const Eigen::MatrixXd& X, const Eigen::VectorXd& y);

// The implied weight c_1/(c_1 + c_2) of two slope coefficients and its delta-method standard error.
struct ImpliedWeight {
  double w = 0, se = 0;
};
ImpliedWeight implied_weight(const OlsResult& r, Eigen::Index first_slope);

// Ranks 1..n with ties given their average rank.
std::vector<double> average_ranks(std::span<const double> x);
// Spearman's rank correlation (Pearson correlation of average ranks); NaN if n < 2 or constant.
double spearman(std::span<const double> x, std::span<const double> y);
// Share of the top ceil(n/10) observations by `by` that are also in the top ceil(n/10) by `of`
// (ties broken by position).
double top_decile_retention(std::span<const double> by, std::span<const double> of);

// One cross-section of L sectors. Measurement errors are added to the observed AVEs of interior
// sectors (already scaled; zeros for none).
struct CrossSectionDraws {
  std::vector<double> n_i, n_j, alpha_i, alpha_j;
  std::vector<double> e_mfn_i, e_mfn_j, e_cu;
};

struct CrossSectionStats {
  double cens_MFN_i = 0, cens_MFN_j = 0, cens_FTA_i = 0, cens_FTA_j = 0, cens_CU = 0, cens_any = 0;
  double n_interior = 0;
  double spearman_CU_mean = 0, spearman_CU_max = 0, spearman_CU_MFN_i = 0, spearman_CU_MFN_j = 0;
  double top_decile_retention = 0;
  double share_CU_above_max = 0;
  double naive_const = 0, naive_b_i = 0, naive_b_j = 0, w_naive = 0, se_w_naive = 0;
  double struct_const = 0, struct_c_i = 0, struct_c_j = 0, w_struct = 0, se_w_struct = 0;
};

// tau_CU is the (a, b) CU tariff with w = a/(a+b); a sector is interior when none of its
// MFN_i, MFN_j, FTA_i, FTA_j and CU tariffs is prohibitive.
CrossSectionStats cross_section(const CrossSectionDraws& d, double a, double b);

}  // namespace tariffsim::customs_union
