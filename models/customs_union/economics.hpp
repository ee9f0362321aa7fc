// Customs unions under Cournot oligopoly (paper 003, section 2.4), as specified in
// ../shared/models/customs_union.md. Pure functions of the primitives; no engine types.
//
// Conventions: one sector at a time; demand p = Gamma - Q/s with s = 1 consumers (s scales
// quantities and welfare only); countries i, j (members or potential members) and k (rest of the
// world); tariffs are specific (per unit); the AVE is tau = t/p.
#pragma once

#include <array>
#include <string_view>

namespace tariffsim::customs_union {

// ---- Market stage (spec §2).

// A group of identical firms selling into one destination market under tariff t.
struct FirmGroup {
  double n = 0;  // number of firms (>= 0; reals accepted)
  double t = 0;  // specific tariff they pay
};

// Groups in a destination market: the domestic firms, the partner's, the outsider's (k).
enum Group : std::size_t { kDomestic = 0, kPartner = 1, kOutsider = 2 };
using Groups = std::array<FirmGroup, 3>;

struct MarketOutcome {
  double p = 0;                    // price
  std::array<double, 3> q{};       // output per firm of each group (0 once it exits)
  std::array<bool, 3> active{};    // whether the group sells (n > 0 and p >= t)
  double Q = 0;                    // total quantity
  double CS = 0;                   // consumer surplus
  double TR = 0;                   // tariff revenue from the partner's and outsider's firms
  std::array<double, 3> profit{};  // total profit of each group in this market
};

// Cournot equilibrium with the exit rule of spec §2: while some active group has p < t_c, the
// active group with the highest tariff stops selling.
MarketOutcome cournot(double Gamma, double s, const Groups& groups);

// ---- One sector and its regimes (spec §3).

struct Sector {
  double Gamma = 1.0;
  double n_i = 1, n_j = 1, n_k = 1;
  double alpha_i = 0, alpha_j = 0;
  double a = 1, b = 1;  // CU bargaining weights on the members' full objectives (CU_ab only)
};

enum class Regime { MFN_i, MFN_j, FTA_i, FTA_j, CU, CU_ab };
inline constexpr std::array<Regime, 6> kRegimes = {Regime::MFN_i, Regime::MFN_j, Regime::FTA_i,
                                                   Regime::FTA_j, Regime::CU,    Regime::CU_ab};
std::string_view regime_name(Regime r);  // "MFN_i", ..., "CU", "CU_ab"
// Whose market the regime's tariff applies to (CU: member i's; member j's is identical).
bool regime_of_j(Regime r);

// The market whose tariff the regime sets (i's market, or j's for MFN_j and FTA_j), at tariff t.
MarketOutcome regime_market(const Sector& x, Regime r, double t);
// The setter's own-market objective G_c = CS + TR + (1 + alpha_c) PS_c of that market.
double own_objective(const Sector& x, Regime r, double t);
// What the regime maximises over t: G_c for MFN and FTA; a G_i^full + b G_j^full for CU
// (a = b = 1 for the equal-weight CU). G^full adds (1 + alpha_c) times c's profits in the partner
// market; profits in k do not depend on t and are left out.
double regime_objective(const Sector& x, Regime r, double t);

// ---- Optimal tariffs (spec §4).

enum class Status { Interior = 0, Prohibitive = 1, NoTaxedFirms = 2 };
std::string_view status_name(Status s);

// n_f duty-free firms (domestic + partner), g taxed firms, Wp = weight on insiders' profits.
struct RegimeInputs {
  double n_f = 0, g = 0, Wp = 0;
};
RegimeInputs regime_inputs(const Sector& x, Regime r);

struct Tariff {
  double t = 0;          // reported specific tariff (tbar = Gamma/(1+n_f) when prohibitive)
  double tau = 0;        // reported AVE (1 when prohibitive)
  double t_formula = 0;  // the closed-form value, whatever the status
  double tau_formula = 0;
  Status status = Status::Interior;
};

// The generic closed form of spec §4 from (n_f, g, Wp).
Tariff generic_optimal_tariff(double Gamma, const RegimeInputs& in);
inline Tariff optimal_tariff(const Sector& x, Regime r) {
  return generic_optimal_tariff(x.Gamma, regime_inputs(x, r));
}
// The regime-by-regime closed forms as printed in spec §4 (the paper's, corrected per §8).
double closed_form_t(const Sector& x, Regime r);
double closed_form_tau(const Sector& x, Regime r);

// Numerical optimum: Brent on regime_objective (the market stage with exit, never the formulas)
// from the lowest tariff with p >= 0 up to the prohibitive threshold, found as the root of the
// taxed firms' margin p - t by TOMS 748; polished by parabolic interpolation of the objective and
// compared with the flat value beyond the threshold. Independent of the closed forms. For
// NoTaxedFirms, t = tau = NaN (every tariff is optimal).
struct NumericalTariff {
  double t = 0, tau = 0, objective = 0;
  Status status = Status::Interior;
};
NumericalTariff numerical_optimal_tariff(const Sector& x, Regime r);

// ---- Outcomes at the optimum (spec §9).
struct RegimeOutcome {
  Tariff tariff;
  double p = 0, q_dom = 0, q_partner = 0, q_out = 0, Q = 0, CS = 0, TR = 0, PS = 0, G = 0;
};
RegimeOutcome regime_outcome(const Sector& x, Regime r);

// ---- Orderings (spec §5) and combinations (spec §6), from the AVE formulas.
double weight_i(const Sector& x);  // w = a/(a+b)
// Closed-form differences of spec §5 (equal-weight CU).
double closed_form_mfn_minus_fta_i(const Sector& x);
double closed_form_cu_minus_mfn_i(const Sector& x);
// Mirror image: the same with i and j swapped.
Sector swapped(const Sector& x);

struct Combination {
  double wFTA_i = 0, wFTA_j = 0;                      // FTA form weights
  double wMFN_i = 0, wMFN_j = 0;                      // corrected MFN form weights
  double res_FTA_form = 0, res_MFN_form = 0;          // tau_CU(a,b) - form, formula values
  double res_FTA_identity = 0, res_MFN_identity = 0;  // constant-weight identities
};
Combination combination(const Sector& x);

}  // namespace tariffsim::customs_union
