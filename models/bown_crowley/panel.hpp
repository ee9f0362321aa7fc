// Bown and Crowley's empirical test of Bagwell–Staiger on synthetic panels (spec
// ../shared/models/bagwell_staiger.md §8, §9, §12; seed 001, eq. 7 and 8, Table 2). Pure functions:
// the sector design, the rows one sector's path contributes, the probit of eq. 7 with the eq. 8
// effects, and the true outcome probability. The economics (V-bar, the cooperative rule) is the
// bagwell_staiger library's; the estimators are the engine's plain Eigen functions. No engine
// types otherwise.
#pragma once

#include <Eigen/Dense>
#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "distributions.hpp"
#include "tariffsim/estimators.hpp"

namespace tariffsim::bown_crowley {

// Which regressor the probit sees: this period's growth g_t (the timing of the model: the rule
// answers the same period's shock, or a tariff recorded at t answers the surge of t-1 after an
// investigation lag), or last period's g_{t-1} (the paper's regressor, which under i.i.d. shocks
// picks up mean reversion instead).
enum class Timing { Aligned, Lagged };
// y = 1 when the recorded tariff rises (tau_t > tau_{t-1}) or when protection starts
// (tau_{t-1} = 0 < tau_t).
enum class Outcome { Increase, Onset };

// The random design over sectors and the game every sector plays.
struct DesignParams {
  double delta = 0.7;
  double log_volume_sd = 0.5;            // m_k = exp(N(0, log_volume_sd^2))
  double cv_lo = 0.15, cv_hi = 0.9;      // CV_k uniform on [cv_lo, cv_hi]
  double lne_mean = -2.0, lne_sd = 1.5;  // ln e_k normal
  double defect_cost_share = 0.0;        // F_k = f m_k (spec §9 with Pf = 1)
};

// The sectors of one panel, as columns.
struct Sectors {
  std::vector<double> mean_volume, cv, lne, slope, vbar;
  std::vector<bagwell_staiger::Distribution> volume;  // Vf_k: lognormal(m_k, CV_k m_k)
  std::size_t size() const { return vbar.size(); }
};

// Sector k from standard draws z_volume[k], z_lne[k] ~ N(0, 1) and u_cv[k] ~ U(0, 1): m_k, CV_k,
// ln e_k, the slope a_k = m_k/(2 e_k) (Pf = 1), and V-bar_k, the fixed point of spec §4 with
// phi_k = 6 a_k F_k = 3 f m_k^2 / e_k.
Sectors make_sectors(const DesignParams& p, std::span<const double> z_volume,
                     std::span<const double> u_cv, std::span<const double> z_lne);

struct PanelSpec {
  std::int64_t periods = 10;  // T observed periods per sector
  Timing timing = Timing::Aligned;
  Outcome outcome = Outcome::Increase;
  double theta = 0.0;  // recording threshold on tau/Pf (spec §9)
  BinaryLink link = BinaryLink::Probit;
};

// Periods simulated per sector: the T observed ones after the one (aligned) or two (lagged) that
// define the first observation's growth and lag. Either way a sector gives T rows whose
// regressors are g_1..g_T.
std::int64_t simulated_periods(const PanelSpec& spec);

// Columns of the regression matrix (eq. 7).
enum Column : Eigen::Index { kConst, kGrowth, kLne, kGrowthLne, kSdGrowth, kColumns };

// The regression data, sector-major: sector k has rows k T .. k T + T - 1.
struct PanelData {
  Eigen::MatrixXd X;  // [1, g, ln e, g ln e, sd_g]
  Eigen::VectorXd y;
  std::vector<std::int64_t> sector;
  void resize(Eigen::Index rows);
};

// Writes sector k's T rows from its path of P = simulated_periods(spec) periods: recorded tariffs
// tariff[0..P) and growth[0..P) (growth[0] is undefined). sd_g is the sample standard deviation
// (n - 1) of the sector's T regressor values.
void record_sector(const PanelSpec& spec, std::size_t k, double lne, std::span<const double> tariff,
                   std::span<const double> growth, PanelData& out);

// What the probit of eq. 7 on one panel reports, as the paper does: coefficients with
// sector-clustered z, the eq. 8 total effects at means (interaction included) with delta-method
// z, the % change of the predicted probability for +1 s.d. of each regressor, and whether the
// two-sided 5% test of each effect rejects with the paper's sign. NaN where status is not Ok.
struct Estimates {
  FitStatus status = FitStatus::NotConverged;
  std::array<double, kColumns> b{}, z{};
  double me_growth = 0, me_lne = 0, me_sd_g = 0;
  double z_me_growth = 0, z_me_lne = 0, z_me_sd_g = 0;
  double pct_growth = 0, pct_lne = 0, pct_sd_g = 0;
  double reject_g = 0, reject_lne = 0, reject_sd_g = 0;
  double mean_y = 0, n_obs = 0, loglik = 0, iterations = 0;
};
Estimates estimate(const PanelData& data, BinaryLink link);

// P(y_t = 1) in sector k in any observed period: with p = P(Vf > V-bar + 2 a theta), p - p^2/2
// for increases and p (1 - p) for onsets (spec §6 with the threshold of §9; Vf is continuous).
double outcome_probability(const Sectors& s, std::size_t k, const PanelSpec& spec);

}  // namespace tariffsim::bown_crowley
