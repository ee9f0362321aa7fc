// Engine adapter for the DeRemer (2023) model: reads its parameters through ParamRefs, calls the
// economics, writes outputs. No economics lives here. Deterministic: every metric is a point
// metric, and the Figure 1 curves and the liberalization path are written as series in replicate().
#include <array>
#include <cmath>
#include <limits>
#include <optional>
#include <string>

#include "economics.hpp"
#include "tariffsim/error.hpp"
#include "tariffsim/model.hpp"
#include "tariffsim/outputs.hpp"
#include "tariffsim/registry.hpp"

namespace tariffsim::deremer {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// A declaration table: one entry per parameter, longer than 60 lines and meant to be.
ModelInfo make_info() {  // NOLINT(readability-function-size)
  const Range positive = kPositive, tariffs{kTariffMin, kTariffProhibitive};
  ModelInfo m;
  m.name = "deremer";
  m.version = "1.0.0";
  m.citation =
      "DeRemer, D. R. (2023), Exporter influence, reciprocity, and rules- vs power-based trade "
      "agreements (sections 3.3 and 4); linear forms of Bagwell and Staiger (2001)";
  m.description =
      "Two-country, two-good tariff game with political weights on import-competing and export "
      "profits: Nash, the lam-weighted efficient frontier, eq. (7), the stable point under "
      "reciprocity, the publics' preferred point, power-shift derivatives, liberalization paths";
  m.stochastic = false;
  m.params = {
      real_param("gM", 1.2, positive, "1", "Home government weight on import-competing profits"),
      real_param("gE", 1.1, positive, "1", "Home government weight on export profits"),
      real_param("gMs", 1.2, positive, "1",
                 "Foreign government weight on import-competing profits"),
      real_param("gEs", 1.1, positive, "1", "Foreign government weight on export profits"),
      real_param("gM_W", 1.2, positive, "1", "Home public weight on import-competing profits"),
      real_param("gE_W", 1.0, positive, "1", "Home public weight on export profits"),
      real_param("gMs_W", 1.2, positive, "1", "Foreign public weight on import-competing profits"),
      real_param("gEs_W", 1.0, positive, "1", "Foreign public weight on export profits"),
      {"symmetric",
       ParamType::Bool,
       false,
       {},
       {},
       "",
       "if true, Foreign's weights are set to Home's (gMs=gM, gEs=gE, gMs_W=gM_W, gEs_W=gE_W)"},
      real_param("lam", 1.0, positive, "1", "Home's weight on the efficient frontier (lam G + G*)"),
      {"reciprocity",
       ParamType::Enum,
       std::string("tot"),
       {},
       {"tot", "volume"},
       "",
       "reciprocity notion: tot (dty/dtx = M_x/M_y) or volume (dty/dtx = p_x^w/p_y^w)"},
      {"path_mode",
       ParamType::Enum,
       std::string("reciprocity"),
       {},
       {"reciprocity", "one_for_one"},
       "",
       "liberalization path written to the path_* series"},
      {"n_curve",
       ParamType::Integer,
       std::int64_t{201},
       {2, 1e7},
       {},
       "points",
       "length of the Figure 1 curve series"},
      real_param("curve_tx_lo", -0.05, tariffs, "price", "left end of the tx grid of the curves"),
      real_param("curve_tx_hi", 0.12, tariffs, "price", "right end of the tx grid of the curves"),
      {"n_path",
       ParamType::Integer,
       std::int64_t{101},
       {2, 1e7},
       {},
       "points",
       "length of the liberalization path series"},
  };
  m.status_codes = {
      {kProhibitive, "prohibitive: a tariff at or above 1/6 (no imports)"},
      {kOutsideDomain, "outside_domain: a solution outside -1 <= t < 1/6 or lam <= 0"},
      {kDegenerateContinuum,
       "degenerate_continuum: S and S* coincide (every point of S is stable)"},
      {kNoInteriorSolution, "no_interior_solution: a zero denominator or no interior root"},
      {kSocViolated, "soc_violated: a second-order condition fails"},
  };
  return m;
}

struct State : PointState {
  Countries gov, pub;
  Reciprocity reciprocity = Reciprocity::Tot;
  PathMode path_mode = PathMode::Reciprocity;
  double phi_N = kNaN, psi_N = kNaN, curve_lo = 0, curve_hi = 0;
};

double indicator(bool b) {
  return b ? 1.0 : 0.0;
}
double sign_indicator(double x) {
  return x > 0.0 ? 1.0 : (x < 0.0 ? 0.0 : kNaN);
}
// D of eq. (7); the symmetric statements hold only where it is positive.
double eq7_denominator(Weights w) {
  return 59.0 - 9.0 * w.gE - 8.0 * w.gM;
}
bool symmetric_weights(const State& s) {
  return symmetric(s.gov) && symmetric(s.pub);
}

// What the point outputs are read off, solved once per point.
struct Solution {
  explicit Solution(const State& state) : s(state) {}
  const State& s;
  Tariff nash_x, nash_y;
  double W_N = kNaN;
  std::optional<Eq7> eq7_gov;  // symmetric government weights only
  // The stable points of (G, G*) and of the publics' (W, W*); tx, ty and lam NaN unless ok.
  StablePoint stable, public_point;
  double W_stable = kNaN, dW_recip_stable = kNaN;
  FrontierPoint frontier_at_lam;
  PowerShift shift_at_lam, shift_at_lam_R;  // shift_at_lam_R NaN unless the stable point is ok
  PathEnd reciprocity_path, one_for_one_path;
};

StablePoint stable_point_or_nan(const Countries& c, Reciprocity r) {
  StablePoint p = stable_point(c, r);
  if (p.status != kOk) p.tx = p.ty = p.lam = kNaN;
  return p;
}

PowerShift power_shift_at_stable_point(const State& s, const StablePoint& st) {
  if (st.status != kOk) return {kNaN, kNaN, kNaN, kNaN, kNaN, kNaN, kNaN, kNaN, kNaN};
  const FrontierPoint f = frontier(s.gov, st.lam);
  return power_shift(s.gov, s.pub, st.tx, st.ty, f.dtx_dlam, f.dty_dlam);
}

Solution solve_point(const State& s, double lam) {
  Solution d(s);
  d.nash_x = nash_tariff(s.gov.home.gM);
  d.nash_y = nash_tariff(s.gov.foreign.gM);
  d.W_N = home_objective(d.nash_x.t, d.nash_y.t, s.pub.home);
  if (symmetric(s.gov)) d.eq7_gov = eq7(s.gov.home);
  d.stable = stable_point_or_nan(s.gov, s.reciprocity);
  d.public_point = stable_point_or_nan(s.pub, s.reciprocity);
  d.W_stable = home_objective(d.stable.tx, d.stable.ty, s.pub.home);
  if (d.stable.status == kOk)
    d.dW_recip_stable = home_reciprocal_gain(s.pub, d.stable.tx, d.stable.ty, s.reciprocity);
  const FrontierPoint& f = d.frontier_at_lam = frontier(s.gov, lam);
  d.shift_at_lam = power_shift(s.gov, s.pub, f.tx, f.ty, f.dtx_dlam, f.dty_dlam);
  d.shift_at_lam_R = power_shift_at_stable_point(s, d.stable);
  d.reciprocity_path = liberalization_endpoint(s.gov, s.reciprocity, PathMode::Reciprocity);
  d.one_for_one_path = liberalization_endpoint(s.gov, s.reciprocity, PathMode::OneForOne);
  return d;
}

// The getters longer than a line.
double eq7_subsidy(const Solution& d) {
  const Weights w = d.s.gov.home;
  return d.eq7_gov && eq7_denominator(w) > 0.0 ? indicator(3.0 * w.gE > 1.0 + 2.0 * w.gM) : kNaN;
}
double eq7_prohibitive(const Solution& d) {
  const Weights w = d.s.gov.home;
  return d.eq7_gov && eq7_denominator(w) > 0.0 ? indicator(8.0 * w.gM - 9.0 * w.gE >= 5.0) : kNaN;
}
bool remark1_defined(const State& s) {
  return eq7_denominator(s.gov.home) > 0.0 && eq7_denominator(s.pub.home) > 0.0;
}
double remark1_exact_holds(const Solution& d) {
  return remark1_defined(d.s) ? indicator(remark1_exact(d.s.gov.home, d.s.pub.home)) : kNaN;
}
double remark1_paper_holds(const Solution& d) {
  return remark1_defined(d.s) ? indicator(remark1_paper(d.s.gov.home, d.s.pub.home)) : kNaN;
}
double dWs_recip_stable(const Solution& d) {
  if (d.stable.status != kOk) return kNaN;
  return foreign_reciprocal_gain(d.s.pub, d.stable.tx, d.stable.ty, d.s.reciprocity);
}
double dW_dlam_symmetric_closed_form(const Solution& d) {
  if (!symmetric_weights(d.s) || d.stable.status != kOk) return kNaN;
  return dW_dlam_symmetric(d.s.gov.home, d.s.pub.home);
}
double end_tx(const PathEnd& e) {
  return e.status == kOk ? e.tx : kNaN;
}
double end_ty(const PathEnd& e) {
  return e.status == kOk ? e.ty : kNaN;
}
double end_stopped_by(const PathEnd& e) {
  return e.status == kOk ? e.stopped_by : kNaN;
}

// One side's weights (the governments' or the publics'): Home's, and Foreign's unless the
// point is symmetric.
struct WeightRefs {
  ParamRef gM, gE, gMs, gEs;
};

// The parameters prepare() and check() read, found once (ParamRef).
struct ParamRefs {
  const ModelInfo& m;
  WeightRefs government{{m, "gM"}, {m, "gE"}, {m, "gMs"}, {m, "gEs"}};
  WeightRefs publics{{m, "gM_W"}, {m, "gE_W"}, {m, "gMs_W"}, {m, "gEs_W"}};
  ParamRef symmetric{m, "symmetric"}, reciprocity{m, "reciprocity"}, path_mode{m, "path_mode"};
  ParamRef curve_tx_lo{m, "curve_tx_lo"}, curve_tx_hi{m, "curve_tx_hi"}, lam{m, "lam"};

  Countries countries(const Point& p, const WeightRefs& w) const {
    const Weights home{p.real(w.gM), p.real(w.gE)};
    if (p.boolean(symmetric)) return {home, home};
    return {home, {p.real(w.gMs), p.real(w.gEs)}};
  }
};

class DeRemer final : public Model {
 public:
  const ModelInfo& info() const override { return info_; }

  std::optional<DomainProblem> check(const Point& p) const override {
    if (!(p.real(params_.curve_tx_lo) < p.real(params_.curve_tx_hi)))
      return DomainProblem{
          kOutsideDomain, "expected curve_tx_lo < curve_tx_hi", {"curve_tx_lo", "curve_tx_hi"}};
    return std::nullopt;
  }

  std::unique_ptr<PointState> make_state() const override { return std::make_unique<State>(); }

  void prepare(const Point& p, PointOutputs& out, PointState& state) const override {
    auto& s = static_cast<State&>(state);
    const ParamRefs& r = params_;
    s.gov = r.countries(p, r.government);
    s.pub = r.countries(p, r.publics);
    s.reciprocity = p.choice(r.reciprocity) == "volume" ? Reciprocity::Volume : Reciprocity::Tot;
    s.path_mode =
        p.choice(r.path_mode) == "one_for_one" ? PathMode::OneForOne : PathMode::Reciprocity;
    s.curve_lo = p.real(r.curve_tx_lo);
    s.curve_hi = p.real(r.curve_tx_hi);
    const double txN = nash_tariff(s.gov.home.gM).t, tyN = nash_tariff(s.gov.foreign.gM).t;
    s.phi_N = home_reciprocal_gain(s.gov, txN, tyN, s.reciprocity);
    s.psi_N = foreign_reciprocal_gain(s.gov, txN, tyN, s.reciprocity);

    const Solution d = solve_point(s, p.real(r.lam));
    equilibria_.write(d, out);
    shift_at_lam_.write(d.shift_at_lam, out);
    shift_at_lam_R_.write(d.shift_at_lam_R, out);
    power_signs_.write(d, out);
    path_reciprocity_.write(d.reciprocity_path, out);
    path_one_for_one_.write(d.one_for_one_path, out);
  }

  void replicate(const PointState& base, Replication& rep) const override {
    const auto& s = static_cast<const State&>(base);
    write_curves(s, rep);
    liberalization_path(s.gov, s.reciprocity, s.path_mode, path_tx_.span(rep), path_ty_.span(rep),
                        path_phi_.span(rep), path_psi_.span(rep));
  }

 private:
  void write_curves(const State& s, Replication& rep) const {
    const std::span<double> tx = curve_tx_.span(rep), S = curve_S_.span(rep),
                            Ss = curve_Ss_.span(rep), N = curve_N_.span(rep),
                            Ns = curve_Ns_.span(rep), EF = curve_EF_.span(rep);
    std::size_t n = 0;
    for (const auto& sp : {tx, S, Ss, N, Ns, EF}) n = std::max(n, sp.size());
    for (std::size_t i = 0; i < n; ++i) {
      const double x = s.curve_lo + (s.curve_hi - s.curve_lo) * static_cast<double>(i) /
                                        static_cast<double>(n - 1);
      if (i < tx.size()) tx[i] = x;
      if (i < S.size()) S[i] = curve_S(s.gov, x, s.reciprocity);
      if (i < Ss.size()) Ss[i] = curve_Ss(s.gov, x, s.reciprocity);
      if (i < N.size()) N[i] = curve_N(s.gov, x, s.phi_N, s.reciprocity);
      if (i < Ns.size()) Ns[i] = curve_Ns(s.gov, x, s.psi_N, s.reciprocity);
      if (i < EF.size()) EF[i] = curve_EF(s.gov, x);
    }
  }

  ModelInfo info_ = make_info();
  const ParamRefs params_{info_};
  PointMetrics<Solution> equilibria_{
      info_,
      {
          {"tx_N", "price", "Nash tariff of Home on x, (8gM-5)/(68-8gM); 1/6 if prohibitive",
           [](const Solution& d) { return d.nash_x.t; }},
          {"ty_N", "price", "Nash tariff of Foreign on y, (8gMs-5)/(68-8gMs); 1/6 if prohibitive",
           [](const Solution& d) { return d.nash_y.t; }},
          {"status_nash", "1", "0 ok, 2 prohibitive (either country's Nash tariff is 1/6)",
           [](const Solution& d) {
             return static_cast<double>(d.nash_x.status != kOk ? d.nash_x.status : d.nash_y.status);
           }},
          {"G_N", "welfare", "Home government objective G at Nash",
           [](const Solution& d) { return home_objective(d.nash_x.t, d.nash_y.t, d.s.gov.home); }},
          {"Gs_N", "welfare", "Foreign government objective G* at Nash",
           [](const Solution& d) {
             return foreign_objective(d.nash_x.t, d.nash_y.t, d.s.gov.foreign);
           }},
          {"W_N", "welfare", "Home public welfare W at Nash",
           [](const Solution& d) { return d.W_N; }},
          {"Ws_N", "welfare", "Foreign public welfare W* at Nash",
           [](const Solution& d) {
             return foreign_objective(d.nash_x.t, d.nash_y.t, d.s.pub.foreign);
           }},
          {"phi_N", "welfare/price", "Home's gain per unit reciprocal increase in tx at Nash (phi)",
           [](const Solution& d) { return d.s.phi_N; }},
          {"psi_N", "welfare/price",
           "Foreign's gain per unit reciprocal increase in ty at Nash (psi)",
           [](const Solution& d) { return d.s.psi_N; }},
          {"tau_G_eq7", "price", "eq. (7) with the government weights (symmetric weights only)",
           [](const Solution& d) { return d.eq7_gov ? d.eq7_gov->tau : kNaN; }},
          {"status_eq7", "1",
           "0 ok, 2 prohibitive, 3 tau < -1, 5 D <= 0; NaN = not applicable (asymmetric weights)",
           [](const Solution& d) {
             return d.eq7_gov ? static_cast<double>(d.eq7_gov->status) : kNaN;
           }},
          {"tau_W_eq7", "price", "eq. (7) with the public weights (symmetric public weights only)",
           [](const Solution& d) { return symmetric(d.s.pub) ? eq7(d.s.pub.home).tau : kNaN; }},
          {"dtauG_dgM", "price", "d tau^G / d gM = 168(3-gE)/D^2 (symmetric only)",
           [](const Solution& d) { return d.eq7_gov ? d.eq7_gov->dtau_dgM : kNaN; }},
          {"dtauG_dgE", "price", "d tau^G / d gE = 168(gM-4)/D^2 (symmetric only)",
           [](const Solution& d) { return d.eq7_gov ? d.eq7_gov->dtau_dgE : kNaN; }},
          {"eq7_subsidy", "1",
           "1 if eq. (7) is an import subsidy (tau^G < 0), 0 if not (symmetric only)", eq7_subsidy},
          {"eq7_prohibitive", "1",
           "1 if eq. (7) is prohibitive (8gM - 9gE >= 5), 0 if not (symmetric only)",
           eq7_prohibitive},
          {"tx_stable", "price", "stable point under reciprocity (spec §6), Home's tariff",
           [](const Solution& d) { return d.stable.tx; }},
          {"ty_stable", "price", "stable point under reciprocity, Foreign's tariff",
           [](const Solution& d) { return d.stable.ty; }},
          {"lam_R", "1", "frontier weight of the stable point, -G*_x/G_x",
           [](const Solution& d) { return d.stable.lam; }},
          {"status_stable", "1",
           "0 ok, 3 outside_domain, 4 degenerate_continuum, 5 no_interior_solution, 6 soc_violated",
           [](const Solution& d) { return static_cast<double>(d.stable.status); }},
          {"G_stable", "welfare", "G at the stable point",
           [](const Solution& d) {
             return home_objective(d.stable.tx, d.stable.ty, d.s.gov.home);
           }},
          {"Gs_stable", "welfare", "G* at the stable point",
           [](const Solution& d) {
             return foreign_objective(d.stable.tx, d.stable.ty, d.s.gov.foreign);
           }},
          {"W_stable", "welfare", "W at the stable point",
           [](const Solution& d) { return d.W_stable; }},
          {"Ws_stable", "welfare", "W* at the stable point",
           [](const Solution& d) {
             return foreign_objective(d.stable.tx, d.stable.ty, d.s.pub.foreign);
           }},
          {"tx_public", "price",
           "the publics' preferred point: the stable point of (W, W*), Home's tariff",
           [](const Solution& d) { return d.public_point.tx; }},
          {"ty_public", "price", "the publics' preferred point, Foreign's tariff",
           [](const Solution& d) { return d.public_point.ty; }},
          {"lam_public", "1", "frontier weight of the publics' preferred point (on the W frontier)",
           [](const Solution& d) { return d.public_point.lam; }},
          {"status_public", "1", "status of the publics' preferred point (codes as status_stable)",
           [](const Solution& d) { return static_cast<double>(d.public_point.status); }},
          {"remark1_exact", "1",
           "1 if tau^W > tau^G by the exact condition (3-gE)(gM-gM_W) < (4-gM)(gE-gE_W) (Home "
           "weights); NaN if D_G or D_W <= 0",
           remark1_exact_holds},
          {"remark1_paper", "1",
           "1 if the paper's rule gM-gM_W < 1.5(gE-gE_W) holds; NaN as remark1_exact",
           remark1_paper_holds},
          {"tx_public_minus_stable", "price",
           "tx_public - tx_stable (> 0: governments over-liberalize)",
           [](const Solution& d) { return d.public_point.tx - d.stable.tx; }},
          {"dW_recip_stable", "welfare/price",
           "Home public's gain per unit reciprocal increase in tx at the stable point",
           [](const Solution& d) { return d.dW_recip_stable; }},
          {"dWs_recip_stable", "welfare/price",
           "Foreign public's gain per unit reciprocal increase in ty at the stable point",
           dWs_recip_stable},
          {"public_loses_recip", "1",
           "1 if dW_recip_stable > 0: the last reciprocal cuts lowered Home's public welfare",
           [](const Solution& d) { return sign_indicator(d.dW_recip_stable); }},
          {"W_stable_minus_N", "welfare", "W_stable - W_N",
           [](const Solution& d) { return d.W_stable - d.W_N; }},
          {"public_loses_vs_nash", "1", "1 if W_stable < W_N",
           [](const Solution& d) {
             return std::isnan(d.W_stable) ? kNaN : indicator(d.W_stable < d.W_N);
           }},
          {"tx_lam", "price", "efficient frontier at lam: argmax lam G + G*, Home's tariff",
           [](const Solution& d) { return d.frontier_at_lam.tx; }},
          {"ty_lam", "price", "efficient frontier at lam, Foreign's tariff",
           [](const Solution& d) { return d.frontier_at_lam.ty; }},
          {"status_lam", "1",
           "0 interior, 2 clamped at 1/6, 3 clamped at -1, 6 SOC fails (endpoint)",
           [](const Solution& d) { return static_cast<double>(d.frontier_at_lam.status()); }},
      }};
  PointMetrics<PowerShift> shift_at_lam_{
      info_,
      {
          {"dtx_dlam", "price", "d tx / d lam on the frontier at lam (0 at a clamped corner)",
           field<&PowerShift::dtx_dlam>},
          {"dty_dlam", "price", "d ty / d lam on the frontier at lam",
           field<&PowerShift::dty_dlam>},
          {"dG_dlam", "welfare", "d G / d lam on the frontier at lam", field<&PowerShift::dG>},
          {"dGs_dlam", "welfare", "d G* / d lam on the frontier at lam", field<&PowerShift::dGs>},
          {"dW_dlam", "welfare", "d W / d lam on the frontier at lam", field<&PowerShift::dW>},
          {"dWs_dlam", "welfare", "d W* / d lam on the frontier at lam", field<&PowerShift::dWs>},
          {"d_import_rents", "welfare", "Home import-competing rents Q_x dp_x/dlam at lam",
           field<&PowerShift::import_rents>},
          {"d_export_rents", "welfare", "Home export rents Q_y dp_y^w/dlam at lam",
           field<&PowerShift::export_rents>},
          {"d_tot", "welfare", "Home terms of trade -M_x dp_x^w + M_y dp_y^w per dlam at lam",
           field<&PowerShift::tot>},
      }};
  PointMetrics<PowerShift> shift_at_lam_R_{
      info_,
      {
          {"dtx_dlam_at_lamR", "price", "d tx / d lam at lam_R", field<&PowerShift::dtx_dlam>},
          {"dty_dlam_at_lamR", "price", "d ty / d lam at lam_R", field<&PowerShift::dty_dlam>},
          {"dG_dlam_at_lamR", "welfare", "d G / d lam at lam_R", field<&PowerShift::dG>},
          {"dGs_dlam_at_lamR", "welfare", "d G* / d lam at lam_R", field<&PowerShift::dGs>},
          {"dW_dlam_at_lamR", "welfare", "d W / d lam at lam_R (public's gain from a power shift)",
           field<&PowerShift::dW>},
          {"dWs_dlam_at_lamR", "welfare", "d W* / d lam at lam_R", field<&PowerShift::dWs>},
          {"d_import_rents_at_lamR", "welfare", "Home import-competing rents per dlam at lam_R",
           field<&PowerShift::import_rents>},
          {"d_export_rents_at_lamR", "welfare", "Home export rents per dlam at lam_R",
           field<&PowerShift::export_rents>},
          {"d_tot_at_lamR", "welfare", "Home terms-of-trade gain per dlam at lam_R",
           field<&PowerShift::tot>},
      }};
  PointMetrics<Solution> power_signs_{
      info_,
      {
          {"public_gains_power", "1",
           "1 if dW_dlam_at_lamR > 0, 0 if < 0; NaN if it is 0 to rounding (on B = 0) or undefined",
           [](const Solution& d) { return sign_indicator(d.shift_at_lam_R.dW); }},
          {"power_B", "1",
           "B of spec §8; sign(dW/dlam) = -sign(B) (symmetric G and W weights only)",
           [](const Solution& d) {
             return symmetric_weights(d.s) ? power_B(d.s.gov.home, d.s.pub.home) : kNaN;
           }},
          {"dW_dlam_sym", "welfare",
           "closed form 18(8gEgM-41gE+27)B/D^3 at lam = 1 (symmetric weights, stable point ok)",
           dW_dlam_symmetric_closed_form},
      }};
  PointMetrics<PathEnd> path_reciprocity_{
      info_,
      {
          {"path_tx_end_reciprocity", "price",
           "end of the reciprocal liberalization path from Nash, tx", end_tx},
          {"path_ty_end_reciprocity", "price", "end of the reciprocal liberalization path, ty",
           end_ty},
          {"stopped_by_reciprocity", "1",
           "who stopped the reciprocal path: 1 Home, 2 Foreign, 3 both, 4 bound", end_stopped_by},
          {"status_path_reciprocity", "1", "0 ok, 3 outside_domain", field<&PathEnd::status>},
      }};
  PointMetrics<PathEnd> path_one_for_one_{
      info_,
      {
          {"path_tx_end_one_for_one", "price",
           "end of the one-for-one liberalization path from Nash, tx", end_tx},
          {"path_ty_end_one_for_one", "price", "end of the one-for-one path, ty", end_ty},
          {"stopped_by_one_for_one", "1",
           "who stopped the one-for-one path: 1 Home, 2 Foreign, 3 both, 4 bound", end_stopped_by},
          {"status_path_one_for_one", "1", "0 ok, 3 outside_domain", field<&PathEnd::status>},
      }};
  SeriesOutput curve_tx_{info_, {"curve_tx", "price", "tx grid of the Figure 1 curves", "n_curve"}};
  SeriesOutput curve_S_{
      info_, {"curve_S", "price", "ty on S (phi = 0); NaN outside [-1, 1/6)", "n_curve"}};
  SeriesOutput curve_Ss_{info_, {"curve_Ss", "price", "ty on S* (psi = 0)", "n_curve"}};
  SeriesOutput curve_N_{info_, {"curve_N", "price", "ty on N (phi = phi at Nash)", "n_curve"}};
  SeriesOutput curve_Ns_{info_, {"curve_Ns", "price", "ty on N* (psi = psi at Nash)", "n_curve"}};
  SeriesOutput curve_EF_{
      info_, {"curve_EF", "price", "ty on the efficient frontier (Pareto branch)", "n_curve"}};
  SeriesOutput path_tx_{
      info_,
      {"path_tx", "price", "tx along the liberalization path (path_mode), Nash to end", "n_path"}};
  SeriesOutput path_ty_{info_, {"path_ty", "price", "ty along the liberalization path", "n_path"}};
  SeriesOutput path_phi_{info_,
                         {"path_phi", "welfare/price",
                          "Home's gain per unit increase in tx along the path", "n_path"}};
  SeriesOutput path_psi_{info_,
                         {"path_psi", "welfare/price",
                          "Foreign's gain per unit increase in ty along the path", "n_path"}};
};

}  // namespace

TARIFFSIM_REGISTER_MODEL(DeRemer)

}  // namespace tariffsim::deremer
