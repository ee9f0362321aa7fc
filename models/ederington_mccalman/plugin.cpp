// Engine adapter for the Ederington–McCalman (2003) model: reads its parameters through ParamRefs,
// calls the economics, writes outputs. No economics lives here.
#include <algorithm>
#include <cmath>
#include <exception>
#include <limits>
#include <string>
#include <vector>

#include "curvature.hpp"
#include "economics.hpp"
#include "tariffsim/error.hpp"
#include "tariffsim/model.hpp"
#include "tariffsim/outputs.hpp"
#include "tariffsim/registry.hpp"

namespace tariffsim::ederington_mccalman {

namespace {

constexpr int kStatusSupplySlopes = 2;
constexpr int kStatusPunishmentLength = 3;
constexpr int kStatusTariffDomain = 4;
constexpr int kStatusCurvatureSolve = 5;
constexpr int kStatusTwoFamilies = 6;
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// What the outputs are read off: the solution, the inputs it was solved at, and whether the point
// took the numerical path, whose Solution has no counterpart of two linear-only flags.
struct Outcome : Solution {
  Inputs in;
  bool curved = false;
};

ModelInfo make_info() {
  const Range positive = kPositive, nonneg = kNonNegative;
  ModelInfo m;
  m.name = "ederington_mccalman";
  m.version = "1.0.0";
  m.citation =
      "Ederington, J. and McCalman, P. (2003), Discriminatory tariffs and international "
      "negotiations, Journal of International Economics 61, 397-424 (linear case, Section 5.2)";
  m.description =
      "Three-country repeated tariff game: MFN (Nash reversion) vs discriminatory punishment, "
      "collusive variants, renegotiation-proof agreements and the Fig. 4 threshold";
  m.stochastic = false;
  m.params = {
      real_param("alpha", 1.0, positive, "quantity", "demand intercept (demand alpha - b p)"),
      real_param("b", 1.0, positive, "quantity/price", "demand slope"),
      real_param("c", 1.0, positive, "quantity/price", "supply slope of the import good"),
      real_param("d", 2.0, positive, "quantity/price", "supply slope of each export good (> c)"),
      real_param("delta", 0.9, {0, 1, false, true}, "1", "discount factor per period"),
      real_param("T", kInf, Range{0, kInf}, "periods",
                 "punishment length (inf = permanent); set T or r, not both"),
      real_param("r", 0.0, {0, 1}, "1",
                 "delta^T, alternative to T; 0 (the default) means unset, i.e. T decides"),
      real_param("ttil", 0.0, nonneg, "price or 1",
                 "tau: the non-deviators' mutual tariff under DP and DC, in [0, t_N]"),
      real_param("t_coop", 0.0, nonneg, "price or 1",
                 "cooperative tariff t for W_C, W_D, Omega, p_C, in [0, t_N]"),
      real_param("g", 0.0, nonneg, "quantity/price^2",
                 "demand curvature: demand alpha - b p - g p^2 (0 = the paper's linear model; "
                 "g > 0 is solved numerically and leaves the outputs with no curved analogue NaN)"),
      real_param("kappa_x", 0.0, nonneg, "1/price",
                 "export-supply curvature: net exports X(q) = (s0 - alpha) + (b + d)(e^(kappa_x q) "
                 "- 1)/kappa_x (kappa_x = s0 = 0: the linear model; not combined with g > 0)"),
      real_param("s0", 0.0, nonneg, "quantity",
                 "export sector's supply at a zero price; lambda = kappa_x (s0 - alpha)/(b + d) "
                 "= 1 is exactly exponential exports, > 1 log-convex (Prop. 1 can fail)"),
      {"tariff_units",
       ParamType::Enum,
       std::string("absolute"),
       {},
       {"absolute", "fraction_of_t_N"},
       "",
       "absolute: ttil and t_coop are prices; fraction_of_t_N: they are multiples of t_N"},
  };
  m.status_codes = {
      {kStatusSupplySlopes, "export supply slope d must exceed import supply slope c"},
      {kStatusPunishmentLength,
       "both T and r are set: give exactly one (T = inf or r = 0 means unset)"},
      {kStatusTariffDomain, "ttil or t_coop outside [0, t_N]"},
      {kStatusCurvatureSolve,
       "g, kappa_x or s0 > 0: the numerical solver found no equilibrium with positive local prices "
       "or no optimum"},
      {kStatusTwoFamilies,
       "g > 0 together with kappa_x > 0 or s0 > 0: choose one curvature family"},
  };
  return m;
}

// The parameters prepare() and check() read, found once (ParamRef), and what is read off them.
struct ParamRefs {
  const ModelInfo& m;
  ParamRef alpha{m, "alpha"}, b{m, "b"}, c{m, "c"}, d{m, "d"}, g{m, "g"}, kappa_x{m, "kappa_x"},
      s0{m, "s0"}, delta{m, "delta"}, T{m, "T"}, r{m, "r"}, ttil{m, "ttil"}, t_coop{m, "t_coop"},
      tariff_units{m, "tariff_units"};

  Primitives primitives(const Point& p) const {
    return {p.real(alpha), p.real(b), p.real(c), p.real(d)};
  }
  curvature::Curved curved(const Point& p) const {
    return {primitives(p), p.real(g), p.real(kappa_x), p.real(s0)};
  }
  // Any curvature parameter away from the linear model sends the point to the numerical solver.
  bool is_curved(const Point& p) const {
    return p.real(g) > 0 || p.real(kappa_x) > 0 || p.real(s0) > 0;
  }
  // t^N of the point: the closed form in the linear model, the numerical root with curvature.
  double nash_tariff(const Point& p) const {
    if (!is_curved(p)) return ederington_mccalman::nash_tariff(primitives(p));
    try {
      return curvature::nash_tariff(curved(p));
    } catch (const std::exception& e) {
      throw DomainError(kStatusCurvatureSolve, std::string("curvature solver: ") + e.what());
    }
  }
  bool tariffs_as_fractions(const Point& p) const { return p.choice(tariff_units) != "absolute"; }
  Inputs inputs(const Point& p) const {
    Inputs in;
    in.pr = primitives(p);
    in.delta = p.real(delta);
    const double periods = p.real(T);
    in.r = std::isinf(periods) ? p.real(r) : std::pow(in.delta, periods);
    const double scale = tariffs_as_fractions(p) ? nash_tariff(p) : 1.0;
    in.ttil = p.real(ttil) * scale;
    in.t_coop = p.real(t_coop) * scale;
    return in;
  }
  Solution solve_curved(const Inputs& in, const Point& p) const {
    try {
      return curvature::solve(in, p.real(g), p.real(kappa_x), p.real(s0));
    } catch (const std::exception& e) {
      throw DomainError(kStatusCurvatureSolve, std::string("curvature solver: ") + e.what());
    }
  }
};

class EderingtonMcCalman final : public Model {
 public:
  const ModelInfo& info() const override { return info_; }

  std::optional<DomainProblem> check(const Point& p) const override {
    const ParamRefs& r = params_;
    if (!(p.real(r.d) > p.real(r.c)))
      return DomainProblem{
          kStatusSupplySlopes, "expected d > c (exporters supply more elastically)", {"c", "d"}};
    if (!std::isinf(p.real(r.T)) && p.real(r.r) != 0.0)
      return DomainProblem{kStatusPunishmentLength,
                           "expected exactly one of T and r (leave T = inf or r = 0 unset)",
                           {"T", "r"}};
    if (p.real(r.g) > 0 && (p.real(r.kappa_x) > 0 || p.real(r.s0) > 0))
      return DomainProblem{
          kStatusTwoFamilies,
          "expected g = 0 when kappa_x or s0 is set (one curvature family at a time)",
          {"g", "kappa_x", "s0"}};
    const bool fraction = r.tariffs_as_fractions(p);
    double tN = 1.0;
    try {
      if (!fraction) tN = r.nash_tariff(p);
    } catch (const DomainError& e) {
      return DomainProblem{e.status(), e.what(), {"kappa_x", "s0", "g", "alpha", "b", "c", "d"}};
    }
    for (const auto& [tariff, name] : {std::pair{r.ttil, "ttil"}, std::pair{r.t_coop, "t_coop"}}) {
      // A relative slack absorbs the rounding of t_N itself, so ttil = t_N typed in is accepted.
      if (p.real(tariff) > tN * (1 + 1e-12))
        return DomainProblem{kStatusTariffDomain,
                             std::string("expected ") + name + " in [0, t_N] (t_N = " +
                                 std::to_string(tN) + (fraction ? " as a fraction)" : ")"),
                             {name, "tariff_units", "alpha", "b", "c", "d"}};
    }
    return std::nullopt;
  }

  void prepare(const Point& p, PointOutputs& out, PointState&) const override {
    Inputs in = params_.inputs(p);
    const double tN = params_.nash_tariff(p);
    in.ttil = std::min(in.ttil, tN);
    in.t_coop = std::min(in.t_coop, tN);
    // The linear model stays on the closed-form path, so its outputs are unchanged.
    const bool curved_point = params_.is_curved(p);
    outputs_.write({curved_point ? params_.solve_curved(in, p) : solve(in), in, curved_point}, out);
  }

 private:
  ModelInfo info_ = make_info();
  const ParamRefs params_{info_};
  PointMetrics<Outcome> outputs_{
      info_,
      {
          {"r_eff", "1", "r = delta^T used at this point (from T, or r as given)",
           [](const Outcome& o) { return o.in.r; }},
          {"ttil_abs", "price", "tau, the non-deviators' mutual tariff, in price units",
           [](const Outcome& o) { return o.in.ttil; }},
          {"t_coop_abs", "price", "the cooperative tariff t, in price units",
           [](const Outcome& o) { return o.in.t_coop; }},
          {"t_N", "price", "Nash tariff t^N, eq (7)", field<&Solution::t_N>},
          {"t_prohibitive", "price", "common tariff on both exporters that stops all imports",
           field<&Solution::t_prohibitive>},
          {"kappa_D", "1", "slope of the unilateral best response t^D(tau), eq (4)",
           field<&Solution::kappa_D>},
          {"t_D_ttil", "price", "best response t^D(tau) on the deviator given tau, eq (4)",
           field<&Solution::t_D_ttil>},
          {"t_NC", "price", "collusive non-discriminatory tariff t^NC, eq (17)",
           field<&Solution::t_NC>},
          {"t_DC_ttil", "price",
           "collusive discriminatory tariff t^DC(tau) on the deviator, eq (18)",
           field<&Solution::t_DC_ttil>},
          {"p_free", "price", "importer's price under free trade", field<&Solution::p_free>},
          {"q_free", "price", "exporter's local price under free trade", field<&Solution::q_free>},
          {"p_N", "price", "importer's price at Nash", field<&Solution::p_N>},
          {"q_N", "price", "exporter's local price at Nash", field<&Solution::q_N>},
          {"E_N", "quantity", "exports per exporter at Nash", field<&Solution::E_N>},
          {"p_C", "price", "importer's price at the cooperative tariff t_coop",
           field<&Solution::p_C>},
          {"q_C", "price", "exporter's local price at t_coop", field<&Solution::q_C>},
          {"E_C", "quantity", "exports per exporter at t_coop", field<&Solution::E_C>},
          {"p_DP_imp", "price", "DP(tau): price of good y in Y", field<&Solution::p_DP_imp>},
          {"q_DP_dev", "price", "DP(tau): local price of good y in the deviator X",
           field<&Solution::q_DP_dev>},
          {"q_DP_nondev", "price", "DP(tau): local price of good y in Z",
           field<&Solution::q_DP_nondev>},
          {"E_DP_dev", "quantity", "DP(tau): exports of good y by the deviator X",
           field<&Solution::E_DP_dev>},
          {"E_DP_nondev", "quantity", "DP(tau): exports of good y by Z",
           field<&Solution::E_DP_nondev>},
          {"W_C0", "welfare", "per-country welfare under free trade", field<&Solution::W_C0>},
          {"W_C", "welfare", "per-country welfare under cooperation at t_coop",
           field<&Solution::W_C>},
          {"W_D", "welfare", "deviator's welfare in the deviation period against t_coop, eq (9)",
           field<&Solution::W_D>},
          {"Omega", "welfare", "one-shot gain from deviating, W_D - W_C at t_coop",
           field<&Solution::Omega>},
          {"W_NP", "welfare", "per-country welfare under Nash reversion (MFN punishment)",
           field<&Solution::W_NP>},
          {"G_NP", "welfare", "global welfare under Nash reversion", field<&Solution::G_NP>},
          {"W_DP_dev", "welfare", "deviator's welfare under discriminatory punishment DP(tau)",
           field<&Solution::W_DP_dev>},
          {"W_DP_nondev", "welfare", "each non-deviator's welfare under DP(tau)",
           field<&Solution::W_DP_nondev>},
          {"G_DP", "welfare", "global welfare under DP(tau)", field<&Solution::G_DP>},
          {"W_NC_dev", "welfare", "deviator's welfare under collusive MFN punishment NC",
           field<&Solution::W_NC_dev>},
          {"W_DC_dev", "welfare", "deviator's welfare under collusive discriminatory DC(tau)",
           field<&Solution::W_DC_dev>},
          {"t_hat_NP", "price", "most-cooperative self-enforcing tariff under NP",
           field<&Solution::t_hat_NP>},
          {"t_hat_DP", "price",
           "most-cooperative self-enforcing tariff under DP(tau) (t_N if infeasible)",
           field<&Solution::t_hat_DP>},
          {"t_hat_DP_feasible", "1", "1 if some t in [0, t_N] is self-enforcing under DP(tau)",
           field<&Solution::t_hat_DP_feasible>},
          {"r_max_DP", "1", "largest r at which DP(tau) is self-enforcing (NaN if never)",
           field<&Solution::r_max_DP>},
          {"t_hat_NC", "price", "most-cooperative tariff under NC (t_N if infeasible)",
           field<&Solution::t_hat_NC>},
          {"t_hat_NC_feasible", "1", "1 if some t in [0, t_N] is self-enforcing under NC",
           [](const Outcome& o) { return o.curved ? kNaN : double(o.t_hat_NC_feasible); }},
          {"t_hat_DC", "price", "most-cooperative tariff under DC(tau)",
           field<&Solution::t_hat_DC>},
          {"rp_NP_r", "1", "renegotiation-proof NP: optimal r* = delta^T*",
           field<&Solution::rp_NP_r>},
          {"rp_NP_t", "price", "renegotiation-proof NP tariff", field<&Solution::rp_NP_t>},
          {"rp_NP_v", "welfare",
           "renegotiation-proof NP: global value of the punishment path v(r*)",
           field<&Solution::rp_NP_v>},
          {"rp_DP_feasible", "1", "1 if DP(tau) is self-enforcing for some r",
           [](const Outcome& o) { return o.curved ? kNaN : double(o.rp_DP_feasible); }},
          {"rp_DP_r", "1", "renegotiation-proof DP: optimal r* (NaN if infeasible)",
           field<&Solution::rp_DP_r>},
          {"rp_DP_t", "price", "renegotiation-proof DP tariff (t_N if infeasible)",
           field<&Solution::rp_DP_t>},
          {"rp_DP_v", "welfare", "renegotiation-proof DP: v(r*) (NaN if infeasible)",
           field<&Solution::rp_DP_v>},
          {"fig4_gap", "welfare", "G_DP/3 - W_DP_dev at tau (> 0: discrimination preferred, eq 28)",
           field<&Solution::fig4_gap>},
          {"fig4_fraction", "1", "f = tau*/t_N, the Fig. 4 threshold as a fraction of t_N",
           field<&Solution::fig4_fraction>},
          {"fig4_threshold_ttil", "price", "tau* = f t_N (may be negative)",
           field<&Solution::fig4_threshold_ttil>},
          {"prop1_holds", "1",
           "1 if t_hat_NP <= t_hat_DP (strictly when 0 < t_hat_NP < t_N, tau < t_N)",
           field<&Solution::prop1_holds>},
          {"prop2_holds", "1",
           "1 if t_hat_DC <= t_hat_NP <= t_hat_NC (first strictly when 0 < t_hat_NP < t_N)",
           field<&Solution::prop2_holds>},
          {"prop3_holds", "1", "1 if DP is feasible and rp_DP_t < rp_NP_t",
           field<&Solution::prop3_holds>},
          {"eq28_holds", "1",
           "1 if rp_DP_t < rp_NP_t iff fig4_gap > 0 (Lemma 5; NaN if DP infeasible)",
           field<&Solution::eq28_holds>},
          {"discrimination_preferred", "1", "1 if fig4_gap > 0",
           field<&Solution::discrimination_preferred>},
          {"export_log_curvature_N", "1",
           "X X''/X'^2 of export supply at the Nash export price: 0 linear, 1 exponential "
           "(the paper's knife-edge after Lemma 3), > 1 log-convex",
           field<&Solution::export_log_curvature_N>},
          {"endo_t_hat_DP", "price",
           "endogenous variant tau = t_hat(r): most-cooperative DP tariff",
           field<&Solution::endo_t_hat_DP>},
          {"endo_prop1_holds", "1",
           "endogenous variant: 1 if t_hat_NP <= endo_t_hat_DP (strictly as prop1)",
           field<&Solution::endo_prop1_holds>},
          {"endo_rp_r", "1", "endogenous variant: renegotiation-proof r*",
           field<&Solution::endo_rp_r>},
          {"endo_rp_t", "price", "endogenous variant: renegotiation-proof DP tariff",
           field<&Solution::endo_rp_t>},
          {"endo_rp_disc_better", "1", "endogenous variant: 1 if endo_rp_t < rp_NP_t",
           field<&Solution::endo_rp_disc_better>},
      }};
};

}  // namespace

TARIFFSIM_REGISTER_MODEL(EderingtonMcCalman)

}  // namespace tariffsim::ederington_mccalman
