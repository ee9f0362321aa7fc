// Engine adapter for the Bown–Crowley synthetic panels: reads its parameters through ParamRefs,
// draws the sectors (once per point, or in every replication), simulates one panel per replication
// and writes what the probit reports. No economics lives here.
#include <algorithm>
#include <cmath>
#include <limits>

#include "panel.hpp"
#include "panel_draws.hpp"
#include "tariffsim/model.hpp"
#include "tariffsim/outputs.hpp"
#include "tariffsim/registry.hpp"

namespace tariffsim::bown_crowley {

namespace {

constexpr int kStatusCvOrder = 2;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::vector<ParamSpec> make_params() {
  const Range unit_open_right{0, 1, false, true};
  return {
      int_param("sectors", 1000, {2, 1e8}, "sectors",
                "S: sectors (country-industry pairs) in a panel; 13,867 = 49 x 283 is the paper's"),
      int_param("periods", 10, {2, 1e6}, "periods", "T: observed periods per sector"),
      real_param("delta", 0.7, unit_open_right, "1", "discount factor of every sector's game"),
      real_param(
          "log_volume_sd", 0.5, kNonNegative, "1",
          "s.d. of ln m_k, the log of sector k's mean free-trade volume (mean of ln m_k: 0)"),
      real_param("cv_lo", 0.15, kPositive, "1",
                 "lower end of the uniform design of CV_k = sd/mean of Vf"),
      real_param("cv_hi", 0.9, kPositive, "1", "upper end of the uniform design of CV_k"),
      real_param(
          "lne_mean", -2.0, kAnyReal, "1",
          "mean of ln e_k, e_k = 1/(eta_x + eta_m) the inverse elasticity sum (Table 1: -1.99)"),
      real_param("lne_sd", 1.5, kNonNegative, "1", "s.d. of ln e_k (Table 1: 1.52)"),
      real_param("defect_cost_share", 0.0, kNonNegative, "1",
                 "f: one-off defection cost F_k = f m_k, in units of free-trade value (Pf = 1)"),
      real_param("theta", 0.0, kNonNegative, "1",
                 "recording threshold: a tariff is recorded only if tau/Pf > theta"),
      {"regressor",
       ParamType::Enum,
       std::string("aligned"),
       {},
       {"aligned", "lagged"},
       "",
       "growth regressor: aligned = g_t (the model's timing), lagged = g_{t-1} (the paper's)"},
      {"outcome",
       ParamType::Enum,
       std::string("increase"),
       {},
       {"increase", "onset"},
       "",
       "y_t: increase = tau_t > tau_{t-1}; onset = tau_{t-1} = 0 < tau_t"},
      {"resample_sectors",
       ParamType::Bool,
       false,
       {},
       {},
       "",
       "false: one sector design per point, shared by its replications; true: a new design in "
       "every replication"},
      {"link",
       ParamType::Enum,
       std::string("probit"),
       {},
       {"probit", "logit"},
       "",
       "binary model of eq. 7 (the paper: probit; Table 2 col. 5: logit)"},
      int_param("panel_rows", 1000, {1, 1e9}, "rows",
                "rows of each replication's panel kept by the panel_* series (sector-major)"),
  };
}

ModelInfo make_info() {
  ModelInfo m;
  m.name = "bown_crowley";
  m.version = "1.0.0";
  m.citation =
      "Bown, C. P. and Crowley, M. A. (2010), Self-Enforcing Trade Agreements: Evidence from "
      "Time-Varying Trade Policy, World Bank WPS 5223 (eq. 7, 8, Table 2), on synthetic panels "
      "from Bagwell, K. and Staiger, R. W. (1990), AER 80(4)";
  m.description =
      "Synthetic Bagwell-Staiger panels (sectors x periods) and the Bown-Crowley probit of new "
      "tariffs on import growth, the inverse elasticity sum and the s.d. of import growth: the "
      "test's estimates, power and size where the truth is known";
  m.stochastic = true;
  m.params = make_params();
  m.status_codes = {{kStatusCvOrder, "cv_lo > cv_hi"}};
  return m;
}

// The parameters prepare() and check() read, found once (ParamRef).
struct ParamRefs {
  const ModelInfo& m;
  ParamRef delta{m, "delta"}, log_volume_sd{m, "log_volume_sd"}, cv_lo{m, "cv_lo"},
      cv_hi{m, "cv_hi"}, lne_mean{m, "lne_mean"}, lne_sd{m, "lne_sd"},
      defect_cost_share{m, "defect_cost_share"};
  ParamRef periods{m, "periods"}, regressor{m, "regressor"}, outcome{m, "outcome"},
      theta{m, "theta"}, link{m, "link"}, sectors{m, "sectors"},
      resample_sectors{m, "resample_sectors"};

  DesignParams design(const Point& p) const {
    return {
        p.real(delta),  p.real(log_volume_sd),    p.real(cv_lo), p.real(cv_hi), p.real(lne_mean),
        p.real(lne_sd), p.real(defect_cost_share)};
  }
  PanelSpec panel(const Point& p) const {
    return {p.integer(periods), p.choice(regressor) == "lagged" ? Timing::Lagged : Timing::Aligned,
            p.choice(outcome) == "onset" ? Outcome::Onset : Outcome::Increase, p.real(theta),
            p.choice(link) == "logit" ? BinaryLink::Logit : BinaryLink::Probit};
  }
};

struct State : PointState {
  DesignParams design;
  PanelSpec panel;
  std::size_t sectors = 0;
  bool resample = false;
  Sectors fixed;  // the point's sectors unless resampled
  double true_mean_y = kNaN;
};

// The first rows of the panel, for inspection; NaN past its end.
template <class ValueOf>
void keep_rows(std::span<double> out, std::size_t rows, ValueOf value_of) {
  for (std::size_t i = 0; i < out.size(); ++i)
    out[i] = i < rows ? value_of(static_cast<Eigen::Index>(i)) : kNaN;
}

class BownCrowley final : public Model {
 public:
  const ModelInfo& info() const override { return info_; }

  std::optional<DomainProblem> check(const Point& p) const override {
    if (p.real(params_.cv_lo) > p.real(params_.cv_hi))
      return DomainProblem{kStatusCvOrder, "expected cv_lo <= cv_hi", {"cv_lo", "cv_hi"}};
    return std::nullopt;
  }

  std::unique_ptr<PointState> make_state() const override { return std::make_unique<State>(); }

  void prepare(const Point& p, PointOutputs& out, PointState& state) const override {
    auto& s = static_cast<State&>(state);
    s.design = params_.design(p);
    s.panel = params_.panel(p);
    s.sectors = static_cast<std::size_t>(p.integer(params_.sectors));
    s.resample = p.boolean(params_.resample_sectors);
    // The state is the previous point's until set here: a resampled point keeps no sectors.
    s.fixed = {};
    s.true_mean_y = kNaN;
    if (!s.resample) {
      s.fixed = draw_sectors(s.design, s.sectors, out);
      double truth = 0;
      for (std::size_t k = 0; k < s.sectors; ++k) truth += outcome_probability(s.fixed, k, s.panel);
      s.true_mean_y = truth / double(s.sectors);
    }
    truth_.write(s, out);
  }

  void replicate(const PointState& base, Replication& rep) const override {
    const auto& s = static_cast<const State&>(base);
    // One panel per thread at a time: memory is threads x one panel, whatever the run's size.
    thread_local PanelWorkspace ws;
    Sectors resampled;
    if (s.resample) resampled = draw_sectors(s.design, s.sectors, rep);
    Stream shocks = rep.stream("shocks");
    simulate_panel(s.resample ? resampled : s.fixed, s.panel, shocks, ws);
    estimates_.write(estimate(ws.data, s.panel.link), rep);
    write_panel_rows(ws.data, rep);
  }

 private:
  void write_panel_rows(const PanelData& d, Replication& rep) const {
    const auto rows = static_cast<std::size_t>(d.y.size());
    keep_rows(panel_sector_.span(rep), rows,
              [&](Eigen::Index i) { return double(d.sector[std::size_t(i)]); });
    keep_rows(panel_y_.span(rep), rows, [&](Eigen::Index i) { return d.y(i); });
    keep_rows(panel_g_.span(rep), rows, [&](Eigen::Index i) { return d.X(i, kGrowth); });
    keep_rows(panel_lne_.span(rep), rows, [&](Eigen::Index i) { return d.X(i, kLne); });
    keep_rows(panel_sd_g_.span(rep), rows, [&](Eigen::Index i) { return d.X(i, kSdGrowth); });
  }

  ModelInfo info_ = make_info();
  const ParamRefs params_{info_};
  PointMetrics<State> truth_{
      info_,
      {{"true_mean_y", "1",
        "expected share of y = 1 in the point's sector design (NaN with resample_sectors)",
        field<&State::true_mean_y>}}};
  ReplicationMetrics<Estimates> estimates_{
      info_,
      {
          {"b_const", "1", "probit constant", [](const Estimates& e) { return e.b[kConst]; }},
          {"b_g", "1/growth", "coefficient of import growth g",
           [](const Estimates& e) { return e.b[kGrowth]; }},
          {"b_lne", "1", "coefficient of ln e", [](const Estimates& e) { return e.b[kLne]; }},
          {"b_g_x_lne", "1/growth", "coefficient of the interaction g ln e",
           [](const Estimates& e) { return e.b[kGrowthLne]; }},
          {"b_sd_g", "1/growth", "coefficient of the sector's s.d. of import growth",
           [](const Estimates& e) { return e.b[kSdGrowth]; }},
          {"z_const", "1", "z of b_const (sector-clustered)",
           [](const Estimates& e) { return e.z[kConst]; }},
          {"z_g", "1", "z of b_g (sector-clustered)",
           [](const Estimates& e) { return e.z[kGrowth]; }},
          {"z_lne", "1", "z of b_lne (sector-clustered)",
           [](const Estimates& e) { return e.z[kLne]; }},
          {"z_g_x_lne", "1", "z of b_g_x_lne (sector-clustered)",
           [](const Estimates& e) { return e.z[kGrowthLne]; }},
          {"z_sd_g", "1", "z of b_sd_g (sector-clustered)",
           [](const Estimates& e) { return e.z[kSdGrowth]; }},
          {"me_growth", "1/growth",
           "eq. 8 total marginal effect of g at means: f(xbar'b)(b_g + b_g_x_lne mean(ln e))",
           field<&Estimates::me_growth>},
          {"me_lne", "1",
           "total marginal effect of ln e at means: f(xbar'b)(b_lne + b_g_x_lne mean(g))",
           field<&Estimates::me_lne>},
          {"me_sd_g", "1/growth", "marginal effect of sd_g at means: f(xbar'b) b_sd_g",
           field<&Estimates::me_sd_g>},
          {"z_me_growth", "1", "z of me_growth (delta method, sector-clustered)",
           field<&Estimates::z_me_growth>},
          {"z_me_lne", "1", "z of me_lne (delta method, sector-clustered)",
           field<&Estimates::z_me_lne>},
          {"z_me_sd_g", "1", "z of me_sd_g (delta method, sector-clustered)",
           field<&Estimates::z_me_sd_g>},
          {"pct_growth", "%", "% change of the predicted probability at means for +1 s.d. of g",
           field<&Estimates::pct_growth>},
          {"pct_lne", "%", "% change of the predicted probability at means for +1 s.d. of ln e",
           field<&Estimates::pct_lne>},
          {"pct_sd_g", "%", "% change of the predicted probability at means for +1 s.d. of sd_g",
           field<&Estimates::pct_sd_g>},
          {"reject_g", "1",
           "1 if the two-sided 5% test finds me_growth > 0 (the paper's sign; size 2.5% where the "
           "truth is 0)",
           field<&Estimates::reject_g>},
          {"reject_lne", "1",
           "1 if the two-sided 5% test finds me_lne > 0 (the paper's sign; size 2.5% where the "
           "truth is 0)",
           field<&Estimates::reject_lne>},
          {"reject_sd_g", "1",
           "1 if the two-sided 5% test finds me_sd_g < 0 (the paper's sign; size 2.5% where the "
           "truth is 0)",
           field<&Estimates::reject_sd_g>},
          {"mean_y", "1", "share of observations with y = 1", field<&Estimates::mean_y>},
          {"n_obs", "observations", "observations in the panel (sectors x periods)",
           field<&Estimates::n_obs>},
          {"fit_status", "1",
           "0 = fitted; 1 fewer observations than 6, 2 non-finite data, 3 no variation in y, "
           "4 a constant regressor, 5 collinear, 6 separation, 7 not converged (estimates NaN)",
           field<&Estimates::status>},
          {"loglik", "1", "log-likelihood at the estimate", field<&Estimates::loglik>},
          {"iterations", "1", "Newton iterations of the fit", field<&Estimates::iterations>},
      }};
  SeriesOutput panel_sector_{
      info_, {"panel_sector", "1", "sector index of each kept panel row", "panel_rows"}};
  SeriesOutput panel_y_{info_, {"panel_y", "1", "y of each kept panel row", "panel_rows"}};
  SeriesOutput panel_g_{
      info_, {"panel_g", "growth", "import growth regressor of each kept panel row", "panel_rows"}};
  SeriesOutput panel_lne_{info_, {"panel_lne", "1", "ln e of each kept panel row", "panel_rows"}};
  SeriesOutput panel_sd_g_{
      info_,
      {"panel_sd_g", "growth", "the sector's s.d. of import growth, each kept panel row",
       "panel_rows"}};
};

}  // namespace

TARIFFSIM_REGISTER_MODEL(BownCrowley)

}  // namespace tariffsim::bown_crowley
