// Engine adapter for the DeRemer (2023) model: binds parameters by name, calls the economics,
// writes outputs. No economics lives here. Deterministic: every metric is a point metric, and the
// Figure 1 curves and the liberalization path are written as series in replicate().
#include <array>
#include <cmath>
#include <limits>
#include <string>

#include "economics.hpp"
#include "tariffsim/error.hpp"
#include "tariffsim/model.hpp"
#include "tariffsim/registry.hpp"

namespace tariffsim::deremer {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

struct MetricRow {
  const char* name;
  const char* unit;
  const char* description;
};

// The metric order; kMetricTable below must list the same names in the same order.
enum Metric : std::size_t {
  kTxN, kTyN, kStatusNash, kGN, kGsN, kWN, kWsN, kPhiN, kPsiN,
  kTauGEq7, kStatusEq7, kTauWEq7, kDtauDgM, kDtauDgE, kEq7Subsidy, kEq7Prohibitive,
  kTxStable, kTyStable, kLamR, kStatusStable, kGStable, kGsStable, kWStable, kWsStable,
  kTxPublic, kTyPublic, kLamPublic, kStatusPublic,
  kRemark1Exact, kRemark1Paper, kTxPublicMinusStable, kDWRecipStable, kDWsRecipStable,
  kPublicLosesRecip, kWStableMinusN, kPublicLosesVsNash,
  kTxLam, kTyLam, kStatusLam, kDtxDlam, kDtyDlam, kDGDlam, kDGsDlam, kDWDlam, kDWsDlam,
  kDImportRents, kDExportRents, kDTot,
  kDtxDlamR, kDtyDlamR, kDGDlamR, kDGsDlamR, kDWDlamR, kDWsDlamR,
  kDImportRentsR, kDExportRentsR, kDTotR, kPublicGainsPower, kPowerB, kDWDlamSym,
  kPathTxRecip, kPathTyRecip, kStoppedRecip, kStatusPathRecip,
  kPathTxOne, kPathTyOne, kStoppedOne, kStatusPathOne,
  kNumMetrics
};

constexpr std::array<MetricRow, kNumMetrics> kMetricTable{{
    {"tx_N", "price", "Nash tariff of Home on x, (8gM-5)/(68-8gM); 1/6 if prohibitive"},
    {"ty_N", "price", "Nash tariff of Foreign on y, (8gMs-5)/(68-8gMs); 1/6 if prohibitive"},
    {"status_nash", "1", "0 ok, 2 prohibitive (either country's Nash tariff is 1/6)"},
    {"G_N", "welfare", "Home government objective G at Nash"},
    {"Gs_N", "welfare", "Foreign government objective G* at Nash"},
    {"W_N", "welfare", "Home public welfare W at Nash"},
    {"Ws_N", "welfare", "Foreign public welfare W* at Nash"},
    {"phi_N", "welfare/price", "Home's gain per unit reciprocal increase in tx at Nash (phi)"},
    {"psi_N", "welfare/price", "Foreign's gain per unit reciprocal increase in ty at Nash (psi)"},
    {"tau_G_eq7", "price", "eq. (7) with the government weights (symmetric weights only)"},
    {"status_eq7", "1",
     "0 ok, 2 prohibitive, 3 tau < -1, 5 D <= 0; NaN = not applicable (asymmetric weights)"},
    {"tau_W_eq7", "price", "eq. (7) with the public weights (symmetric public weights only)"},
    {"dtauG_dgM", "price", "d tau^G / d gM = 168(3-gE)/D^2 (symmetric only)"},
    {"dtauG_dgE", "price", "d tau^G / d gE = 168(gM-4)/D^2 (symmetric only)"},
    {"eq7_subsidy", "1", "1 if eq. (7) is an import subsidy (tau^G < 0), 0 if not (symmetric only)"},
    {"eq7_prohibitive", "1", "1 if eq. (7) is prohibitive (8gM - 9gE >= 5), 0 if not (symmetric only)"},
    {"tx_stable", "price", "stable point under reciprocity (spec §6), Home's tariff"},
    {"ty_stable", "price", "stable point under reciprocity, Foreign's tariff"},
    {"lam_R", "1", "frontier weight of the stable point, -G*_x/G_x"},
    {"status_stable", "1",
     "0 ok, 3 outside_domain, 4 degenerate_continuum, 5 no_interior_solution, 6 soc_violated"},
    {"G_stable", "welfare", "G at the stable point"},
    {"Gs_stable", "welfare", "G* at the stable point"},
    {"W_stable", "welfare", "W at the stable point"},
    {"Ws_stable", "welfare", "W* at the stable point"},
    {"tx_public", "price", "the publics' preferred point: the stable point of (W, W*), Home's tariff"},
    {"ty_public", "price", "the publics' preferred point, Foreign's tariff"},
    {"lam_public", "1", "frontier weight of the publics' preferred point (on the W frontier)"},
    {"status_public", "1", "status of the publics' preferred point (codes as status_stable)"},
    {"remark1_exact", "1",
     "1 if tau^W > tau^G by the exact condition (3-gE)(gM-gM_W) < (4-gM)(gE-gE_W) (Home weights); "
     "NaN if D_G or D_W <= 0"},
    {"remark1_paper", "1", "1 if the paper's rule gM-gM_W < 1.5(gE-gE_W) holds; NaN as remark1_exact"},
    {"tx_public_minus_stable", "price", "tx_public - tx_stable (> 0: governments over-liberalize)"},
    {"dW_recip_stable", "welfare/price",
     "Home public's gain per unit reciprocal increase in tx at the stable point"},
    {"dWs_recip_stable", "welfare/price",
     "Foreign public's gain per unit reciprocal increase in ty at the stable point"},
    {"public_loses_recip", "1",
     "1 if dW_recip_stable > 0: the last reciprocal cuts lowered Home's public welfare"},
    {"W_stable_minus_N", "welfare", "W_stable - W_N"},
    {"public_loses_vs_nash", "1", "1 if W_stable < W_N"},
    {"tx_lam", "price", "efficient frontier at lam: argmax lam G + G*, Home's tariff"},
    {"ty_lam", "price", "efficient frontier at lam, Foreign's tariff"},
    {"status_lam", "1", "0 interior, 2 clamped at 1/6, 3 clamped at -1, 6 SOC fails (endpoint)"},
    {"dtx_dlam", "price", "d tx / d lam on the frontier at lam (0 at a clamped corner)"},
    {"dty_dlam", "price", "d ty / d lam on the frontier at lam"},
    {"dG_dlam", "welfare", "d G / d lam on the frontier at lam"},
    {"dGs_dlam", "welfare", "d G* / d lam on the frontier at lam"},
    {"dW_dlam", "welfare", "d W / d lam on the frontier at lam"},
    {"dWs_dlam", "welfare", "d W* / d lam on the frontier at lam"},
    {"d_import_rents", "welfare", "Home import-competing rents Q_x dp_x/dlam at lam"},
    {"d_export_rents", "welfare", "Home export rents Q_y dp_y^w/dlam at lam"},
    {"d_tot", "welfare", "Home terms of trade -M_x dp_x^w + M_y dp_y^w per dlam at lam"},
    {"dtx_dlam_at_lamR", "price", "d tx / d lam at lam_R"},
    {"dty_dlam_at_lamR", "price", "d ty / d lam at lam_R"},
    {"dG_dlam_at_lamR", "welfare", "d G / d lam at lam_R"},
    {"dGs_dlam_at_lamR", "welfare", "d G* / d lam at lam_R"},
    {"dW_dlam_at_lamR", "welfare", "d W / d lam at lam_R (public's gain from a power shift)"},
    {"dWs_dlam_at_lamR", "welfare", "d W* / d lam at lam_R"},
    {"d_import_rents_at_lamR", "welfare", "Home import-competing rents per dlam at lam_R"},
    {"d_export_rents_at_lamR", "welfare", "Home export rents per dlam at lam_R"},
    {"d_tot_at_lamR", "welfare", "Home terms-of-trade gain per dlam at lam_R"},
    {"public_gains_power", "1",
     "1 if dW_dlam_at_lamR > 0, 0 if < 0; NaN if it is 0 to rounding (on B = 0) or undefined"},
    {"power_B", "1", "B of spec §8; sign(dW/dlam) = -sign(B) (symmetric G and W weights only)"},
    {"dW_dlam_sym", "welfare",
     "closed form 18(8gEgM-41gE+27)B/D^3 at lam = 1 (symmetric weights, stable point ok)"},
    {"path_tx_end_reciprocity", "price", "end of the reciprocal liberalization path from Nash, tx"},
    {"path_ty_end_reciprocity", "price", "end of the reciprocal liberalization path, ty"},
    {"stopped_by_reciprocity", "1", "who stopped the reciprocal path: 1 Home, 2 Foreign, 3 both, 4 bound"},
    {"status_path_reciprocity", "1", "0 ok, 3 outside_domain"},
    {"path_tx_end_one_for_one", "price", "end of the one-for-one liberalization path from Nash, tx"},
    {"path_ty_end_one_for_one", "price", "end of the one-for-one path, ty"},
    {"stopped_by_one_for_one", "1", "who stopped the one-for-one path: 1 Home, 2 Foreign, 3 both, 4 bound"},
    {"status_path_one_for_one", "1", "0 ok, 3 outside_domain"},
}};
static_assert(kMetricTable.back().name != nullptr, "kMetricTable must list every Metric");

enum Series : std::size_t {
  kCurveTx, kCurveS, kCurveSs, kCurveN, kCurveNs, kCurveEF, kPathTx, kPathTy, kPathPhi, kPathPsi,
};

ModelInfo make_info() {
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
      real_param("gMs", 1.2, positive, "1", "Foreign government weight on import-competing profits"),
      real_param("gEs", 1.1, positive, "1", "Foreign government weight on export profits"),
      real_param("gM_W", 1.2, positive, "1", "Home public weight on import-competing profits"),
      real_param("gE_W", 1.0, positive, "1", "Home public weight on export profits"),
      real_param("gMs_W", 1.2, positive, "1", "Foreign public weight on import-competing profits"),
      real_param("gEs_W", 1.0, positive, "1", "Foreign public weight on export profits"),
      {"symmetric", ParamType::Bool, false, {}, {}, "",
       "if true, Foreign's weights are set to Home's (gMs=gM, gEs=gE, gMs_W=gM_W, gEs_W=gE_W)"},
      real_param("lam", 1.0, positive, "1", "Home's weight on the efficient frontier (lam G + G*)"),
      {"reciprocity", ParamType::Enum, std::string("tot"), {}, {"tot", "volume"}, "",
       "reciprocity notion: tot (dty/dtx = M_x/M_y) or volume (dty/dtx = p_x^w/p_y^w)"},
      {"path_mode", ParamType::Enum, std::string("reciprocity"), {}, {"reciprocity", "one_for_one"},
       "", "liberalization path written to the path_* series"},
      {"n_curve", ParamType::Integer, std::int64_t{201}, {2, 1e7}, {}, "points",
       "length of the Figure 1 curve series"},
      real_param("curve_tx_lo", -0.05, tariffs, "price", "left end of the tx grid of the curves"),
      real_param("curve_tx_hi", 0.12, tariffs, "price", "right end of the tx grid of the curves"),
      {"n_path", ParamType::Integer, std::int64_t{101}, {2, 1e7}, {}, "points",
       "length of the liberalization path series"},
  };
  for (const MetricRow& r : kMetricTable)
    m.metrics.push_back({r.name, r.unit, r.description, OutputLevel::Point});
  m.series = {
      {"curve_tx", "price", "tx grid of the Figure 1 curves", "n_curve"},
      {"curve_S", "price", "ty on S (phi = 0); NaN outside [-1, 1/6)", "n_curve"},
      {"curve_Ss", "price", "ty on S* (psi = 0)", "n_curve"},
      {"curve_N", "price", "ty on N (phi = phi at Nash)", "n_curve"},
      {"curve_Ns", "price", "ty on N* (psi = psi at Nash)", "n_curve"},
      {"curve_EF", "price", "ty on the efficient frontier (Pareto branch)", "n_curve"},
      {"path_tx", "price", "tx along the liberalization path (path_mode), Nash to end", "n_path"},
      {"path_ty", "price", "ty along the liberalization path", "n_path"},
      {"path_phi", "welfare/price", "Home's gain per unit increase in tx along the path", "n_path"},
      {"path_psi", "welfare/price", "Foreign's gain per unit increase in ty along the path", "n_path"},
  };
  m.status_codes = {
      {kProhibitive, "prohibitive: a tariff at or above 1/6 (no imports)"},
      {kOutsideDomain, "outside_domain: a solution outside -1 <= t < 1/6 or lam <= 0"},
      {kDegenerateContinuum, "degenerate_continuum: S and S* coincide (every point of S is stable)"},
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

double indicator(bool b) { return b ? 1.0 : 0.0; }
double sign_indicator(double x) { return x > 0.0 ? 1.0 : (x < 0.0 ? 0.0 : kNaN); }

class Outputs {
 public:
  explicit Outputs(PointOutputs& out) : out_(out) {}
  void set(Metric m, double v) { out_.set(m, v); }
  void set_power(Metric first, const PowerShift& p) {
    const std::array<double, 9> v{p.dtx_dlam, p.dty_dlam, p.dG, p.dGs, p.dW, p.dWs,
                                  p.import_rents, p.export_rents, p.tot};
    for (std::size_t i = 0; i < v.size(); ++i) out_.set(first + i, v[i]);
  }

 private:
  PointOutputs& out_;
};

void write_nash(const State& s, Outputs& o) {
  const Tariff x = nash_tariff(s.gov.home.gM), y = nash_tariff(s.gov.foreign.gM);
  o.set(kTxN, x.t);
  o.set(kTyN, y.t);
  o.set(kStatusNash, x.status != kOk ? x.status : y.status);
  o.set(kGN, home_objective(x.t, y.t, s.gov.home));
  o.set(kGsN, foreign_objective(x.t, y.t, s.gov.foreign));
  o.set(kWN, home_objective(x.t, y.t, s.pub.home));
  o.set(kWsN, foreign_objective(x.t, y.t, s.pub.foreign));
  o.set(kPhiN, s.phi_N);
  o.set(kPsiN, s.psi_N);
}

void write_eq7(const State& s, Outputs& o) {
  if (symmetric(s.gov)) {
    const Eq7 e = eq7(s.gov.home);
    o.set(kTauGEq7, e.tau);
    o.set(kStatusEq7, e.status);
    o.set(kDtauDgM, e.dtau_dgM);
    o.set(kDtauDgE, e.dtau_dgE);
    const double D = 59.0 - 9.0 * s.gov.home.gE - 8.0 * s.gov.home.gM;
    const bool valid_D = D > 0.0;
    o.set(kEq7Subsidy, valid_D ? indicator(3.0 * s.gov.home.gE > 1.0 + 2.0 * s.gov.home.gM) : kNaN);
    o.set(kEq7Prohibitive, valid_D ? indicator(8.0 * s.gov.home.gM - 9.0 * s.gov.home.gE >= 5.0) : kNaN);
  } else {
    for (Metric m : {kTauGEq7, kStatusEq7, kDtauDgM, kDtauDgE, kEq7Subsidy, kEq7Prohibitive})
      o.set(m, kNaN);
  }
  o.set(kTauWEq7, symmetric(s.pub) ? eq7(s.pub.home).tau : kNaN);
  const auto D = [](Weights w) { return 59.0 - 9.0 * w.gE - 8.0 * w.gM; };
  const bool defined = D(s.gov.home) > 0.0 && D(s.pub.home) > 0.0;
  o.set(kRemark1Exact, defined ? indicator(remark1_exact(s.gov.home, s.pub.home)) : kNaN);
  o.set(kRemark1Paper, defined ? indicator(remark1_paper(s.gov.home, s.pub.home)) : kNaN);
}

StablePoint write_stable(const State& s, Outputs& o) {
  StablePoint st = stable_point(s.gov, s.reciprocity);
  const bool ok = st.status == kOk;
  if (!ok) st.tx = st.ty = st.lam = kNaN;
  o.set(kTxStable, st.tx);
  o.set(kTyStable, st.ty);
  o.set(kLamR, st.lam);
  o.set(kStatusStable, st.status);
  o.set(kGStable, home_objective(st.tx, st.ty, s.gov.home));
  o.set(kGsStable, foreign_objective(st.tx, st.ty, s.gov.foreign));
  const double W = home_objective(st.tx, st.ty, s.pub.home);
  o.set(kWStable, W);
  o.set(kWsStable, foreign_objective(st.tx, st.ty, s.pub.foreign));

  StablePoint pu = stable_point(s.pub, s.reciprocity);
  if (pu.status != kOk) pu.tx = pu.ty = pu.lam = kNaN;
  o.set(kTxPublic, pu.tx);
  o.set(kTyPublic, pu.ty);
  o.set(kLamPublic, pu.lam);
  o.set(kStatusPublic, pu.status);
  o.set(kTxPublicMinusStable, pu.tx - st.tx);

  const double dW = ok ? home_reciprocal_gain(s.pub, st.tx, st.ty, s.reciprocity) : kNaN;
  o.set(kDWRecipStable, dW);
  o.set(kDWsRecipStable, ok ? foreign_reciprocal_gain(s.pub, st.tx, st.ty, s.reciprocity) : kNaN);
  o.set(kPublicLosesRecip, sign_indicator(dW));
  const double WN = home_objective(nash_tariff(s.gov.home.gM).t, nash_tariff(s.gov.foreign.gM).t,
                                   s.pub.home);
  o.set(kWStableMinusN, W - WN);
  o.set(kPublicLosesVsNash, std::isnan(W) ? kNaN : indicator(W < WN));
  return st;
}

void write_power(const State& s, double lam, const StablePoint& st, Outputs& o) {
  const FrontierPoint f = frontier(s.gov, lam);
  o.set(kTxLam, f.tx);
  o.set(kTyLam, f.ty);
  o.set(kStatusLam, f.status());
  o.set_power(kDtxDlam, power_shift(s.gov, s.pub, f.tx, f.ty, f.dtx_dlam, f.dty_dlam));

  PowerShift at_R;
  at_R.dtx_dlam = at_R.dty_dlam = at_R.dG = at_R.dGs = at_R.dW = at_R.dWs = kNaN;
  at_R.import_rents = at_R.export_rents = at_R.tot = kNaN;
  if (st.status == kOk) {
    const FrontierPoint fr = frontier(s.gov, st.lam);
    at_R = power_shift(s.gov, s.pub, st.tx, st.ty, fr.dtx_dlam, fr.dty_dlam);
  }
  o.set_power(kDtxDlamR, at_R);
  o.set(kPublicGainsPower, sign_indicator(at_R.dW));
  const bool sym = symmetric(s.gov) && symmetric(s.pub);
  o.set(kPowerB, sym ? power_B(s.gov.home, s.pub.home) : kNaN);
  o.set(kDWDlamSym, sym && st.status == kOk ? dW_dlam_symmetric(s.gov.home, s.pub.home) : kNaN);
}

void write_paths(const State& s, Outputs& o) {
  const auto one = [&](PathMode m, Metric tx, Metric ty, Metric stopped, Metric status) {
    const PathEnd e = liberalization_endpoint(s.gov, s.reciprocity, m);
    const bool ok = e.status == kOk;
    o.set(tx, ok ? e.tx : kNaN);
    o.set(ty, ok ? e.ty : kNaN);
    o.set(stopped, ok ? e.stopped_by : kNaN);
    o.set(status, e.status);
  };
  one(PathMode::Reciprocity, kPathTxRecip, kPathTyRecip, kStoppedRecip, kStatusPathRecip);
  one(PathMode::OneForOne, kPathTxOne, kPathTyOne, kStoppedOne, kStatusPathOne);
}

Countries read_countries(const Point& p, const char* gM, const char* gE, const char* gMs,
                         const char* gEs) {
  const Weights home{p.real(gM), p.real(gE)};
  if (p.boolean("symmetric")) return {home, home};
  return {home, {p.real(gMs), p.real(gEs)}};
}

class DeRemer final : public Model {
 public:
  const ModelInfo& info() const override {
    static const ModelInfo info = make_info();
    return info;
  }

  std::optional<DomainProblem> check(const Point& p) const override {
    if (!(p.real("curve_tx_lo") < p.real("curve_tx_hi")))
      return DomainProblem{kOutsideDomain, "expected curve_tx_lo < curve_tx_hi",
                           {"curve_tx_lo", "curve_tx_hi"}};
    return std::nullopt;
  }

  std::unique_ptr<PointState> prepare(const Point& p, PointOutputs& out) const override {
    auto s = std::make_unique<State>();
    s->gov = read_countries(p, "gM", "gE", "gMs", "gEs");
    s->pub = read_countries(p, "gM_W", "gE_W", "gMs_W", "gEs_W");
    s->reciprocity = p.choice("reciprocity") == "volume" ? Reciprocity::Volume : Reciprocity::Tot;
    s->path_mode =
        p.choice("path_mode") == "one_for_one" ? PathMode::OneForOne : PathMode::Reciprocity;
    s->curve_lo = p.real("curve_tx_lo");
    s->curve_hi = p.real("curve_tx_hi");
    const double txN = nash_tariff(s->gov.home.gM).t, tyN = nash_tariff(s->gov.foreign.gM).t;
    s->phi_N = home_reciprocal_gain(s->gov, txN, tyN, s->reciprocity);
    s->psi_N = foreign_reciprocal_gain(s->gov, txN, tyN, s->reciprocity);

    Outputs o(out);
    write_nash(*s, o);
    write_eq7(*s, o);
    const StablePoint st = write_stable(*s, o);
    write_power(*s, p.real("lam"), st, o);
    write_paths(*s, o);
    return s;
  }

  void replicate(const PointState& base, Replication& rep) const override {
    const auto& s = static_cast<const State&>(base);
    write_curves(s, rep);
    liberalization_path(s.gov, s.reciprocity, s.path_mode, rep.series(kPathTx), rep.series(kPathTy),
                        rep.series(kPathPhi), rep.series(kPathPsi));
  }

 private:
  static void write_curves(const State& s, Replication& rep) {
    const std::span<double> tx = rep.series(kCurveTx), S = rep.series(kCurveS),
                            Ss = rep.series(kCurveSs), N = rep.series(kCurveN),
                            Ns = rep.series(kCurveNs), EF = rep.series(kCurveEF);
    std::size_t n = 0;
    for (const auto& sp : {tx, S, Ss, N, Ns, EF}) n = std::max(n, sp.size());
    for (std::size_t i = 0; i < n; ++i) {
      const double x =
          s.curve_lo + (s.curve_hi - s.curve_lo) * static_cast<double>(i) / static_cast<double>(n - 1);
      if (i < tx.size()) tx[i] = x;
      if (i < S.size()) S[i] = curve_S(s.gov, x, s.reciprocity);
      if (i < Ss.size()) Ss[i] = curve_Ss(s.gov, x, s.reciprocity);
      if (i < N.size()) N[i] = curve_N(s.gov, x, s.phi_N, s.reciprocity);
      if (i < Ns.size()) Ns[i] = curve_Ns(s.gov, x, s.psi_N, s.reciprocity);
      if (i < EF.size()) EF[i] = curve_EF(s.gov, x);
    }
  }
};

}  // namespace

TARIFFSIM_REGISTER_MODEL(DeRemer)

}  // namespace tariffsim::deremer
