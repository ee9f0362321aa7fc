// DeRemer (2023): exporter influence, reciprocity, and rules- vs power-based trade agreements, as
// specified in ../shared/models/deremer.md (sections 3.3 and 4 of the paper, Bagwell–Staiger 2001
// linear forms). Pure functions of the primitives; no engine types.
//
// tx = Home's import tariff on good x, ty = Foreign's import tariff on good y (specific tariffs).
// Statuses use the plugin's codes: 0 ok, 2 prohibitive, 3 outside_domain, 4 degenerate_continuum,
// 5 no_interior_solution, 6 soc_violated.
#pragma once

#include <span>

namespace tariffsim::deremer {

inline constexpr double kTariffMin = -1.0;               // below: negative price or demand
inline constexpr double kTariffProhibitive = 1.0 / 6.0;  // imports vanish

enum Status : int {
  kOk = 0,
  kProhibitive = 2,
  kOutsideDomain = 3,
  kDegenerateContinuum = 4,
  kNoInteriorSolution = 5,
  kSocViolated = 6,
};

// Which country's gains vanish first on a liberalization path (spec §10).
enum StoppedBy : int {
  kStoppedByHome = 1,
  kStoppedByForeign = 2,
  kStoppedByBoth = 3,
  kStoppedByBound = 4
};

enum class Reciprocity { Tot, Volume };  // spec §6: ToT-neutral (default) or volume at world prices
enum class PathMode { Reciprocity, OneForOne };  // spec §10

// A country's political weights on the profits of its import-competing (M) and export (E) sectors.
struct Weights {
  double gM = 1.0;
  double gE = 1.0;
};
struct Countries {
  Weights home;
  Weights foreign;
};
inline bool symmetric(const Countries& c) {
  return c.home.gM == c.foreign.gM && c.home.gE == c.foreign.gE;
}

// ---- §1 primitives. A tariff above 1/6 acts as 1/6 (no imports).
double effective_tariff(double t);
double demand(double p);                // 1 - p
double consumer_surplus(double p);      // (1-p)^2/2
double import_sector_supply(double p);  // p/2
double export_sector_supply(double p);  // p
double world_price(double t);           // (4-3t)/7, of the good taxed by tariff t
double local_price(double t);           // 4(1+t)/7, in the importing country
double imports(double t);               // (1-6t)/7

// ---- §2 objectives. g_M: own import market under own tariff t; g_E: export market under the
// partner's tariff t.
double import_objective(double t, double g);
double export_objective(double t, double g);
double import_objective_slope(double t, double g);          // ((8g-5) + (8g-68)t)/49
double export_objective_slope(double t, double g);          // ((9-12g) + 9(1+g)t)/49
double home_objective(double tx, double ty, Weights w);     // G (or W with public weights)
double foreign_objective(double tx, double ty, Weights w);  // G* (or W*)
struct Gradient {
  double x = 0;  // d/dtx
  double y = 0;  // d/dty
};
Gradient home_gradient(double tx, double ty, Weights w);
Gradient foreign_gradient(double tx, double ty, Weights w);

// ---- §3 Nash tariff (dominant strategy; independent of gE).
struct Tariff {
  double t = 0;
  int status = kOk;
};
Tariff nash_tariff(double gM);

// ---- §4 efficient frontier: argmax lam G + G*, good by good on [-1, 1/6].
struct FrontierPoint {
  double tx = 0, ty = 0;
  int status_x = kOk, status_y = kOk;
  double dtx_dlam = 0, dty_dlam = 0;  // 0 at a clamped corner, NaN where the SOC fails
  int status() const;                 // the worse of the two (soc > outside > prohibitive)
};
FrontierPoint frontier(const Countries& g, double lam);
double frontier_tx_interior(const Countries& g, double lam);  // the FOC formula, unclamped
double frontier_ty_interior(const Countries& g, double lam);
bool frontier_soc(const Countries& g, double lam);

// ---- §5 eq. (7): the symmetric efficient tariff.
struct Eq7 {
  double tau = 0;
  int status = kOk;
  double dtau_dgM = 0, dtau_dgE = 0;
};
Eq7 eq7(Weights w);

// ---- §6 reciprocity. a(t) is the coordinate whose ratio gives the reciprocal change
// dty/dtx = a(tx)/a(ty): 1-6t (= 7M) for ToT-neutral reciprocity, 4-3t (= 7p^w) for volume.
double reciprocity_coordinate(double t, Reciprocity r);
double reciprocity_coordinate_inverse(double a, Reciprocity r);
// Gains per unit reciprocal increase in the country's own tariff (phi for Home, psi for Foreign).
double home_reciprocal_gain(const Countries& g, double tx, double ty, Reciprocity r);
double foreign_reciprocal_gain(const Countries& g, double tx, double ty, Reciprocity r);

struct StablePoint {
  double tx = 0, ty = 0, lam = 0;
  int status = kOk;
};
StablePoint stable_point_tot(const Countries& g);     // closed form of spec §6
StablePoint stable_point_volume(const Countries& g);  // root in lam on the frontier
StablePoint stable_point(const Countries& g, Reciprocity r);
double lam_of_frontier_point(const Countries& g, double tx, double ty);  // -G*_x/G_x

// ---- §7 Remark 1 (Home's weights; the symmetric-country statement).
bool remark1_exact(Weights gov, Weights pub);  // tau^W > tau^G, exactly
bool remark1_paper(Weights gov, Weights pub);  // the paper's rule dM < (3/2) dE

// ---- §8 power shift at a frontier point with slopes (dtx, dty) per unit lam.
struct PowerShift {
  double dtx_dlam = 0, dty_dlam = 0;
  double dG = 0, dGs = 0, dW = 0, dWs = 0;
  double import_rents = 0, export_rents = 0, tot = 0;  // Home's three parts
};
PowerShift power_shift(const Countries& gov, const Countries& pub, double tx, double ty,
                       double dtx_dlam, double dty_dlam);
double power_B(Weights gov, Weights pub);            // B of spec §8
double dW_dlam_symmetric(Weights gov, Weights pub);  // closed form at lam = 1

// ---- §9 Figure 1 curves: ty as a function of tx (NaN where outside [-1, 1/6] or undefined).
double curve_S(const Countries& g, double tx, Reciprocity r);                    // phi = 0
double curve_Ss(const Countries& g, double tx, Reciprocity r);                   // psi = 0
double curve_N(const Countries& g, double tx, double phi_nash, Reciprocity r);   // phi = phi_N
double curve_Ns(const Countries& g, double tx, double psi_nash, Reciprocity r);  // psi = psi_N
double curve_EF(const Countries& g, double tx);                                  // Pareto branch

// ---- §10 liberalization path from Nash.
struct PathEnd {
  double tx = 0, ty = 0;
  double tx_start = 0;  // where the path starts (Nash, or just inside the domain)
  int stopped_by = kStoppedByBound;
  int status = kOk;
};
double path_ty(const Countries& g, double tx, double tx0, double ty0, Reciprocity r, PathMode m);
PathEnd liberalization_endpoint(const Countries& g, Reciprocity r, PathMode m);
// n points from the start to the end of the path, evenly spaced in tx; phi, psi along it.
void liberalization_path(const Countries& g, Reciprocity r, PathMode m, std::span<double> tx,
                         std::span<double> ty, std::span<double> phi, std::span<double> psi);
double path_home_gain(const Countries& g, double tx, double ty, Reciprocity r, PathMode m);
double path_foreign_gain(const Countries& g, double tx, double ty, Reciprocity r, PathMode m);

}  // namespace tariffsim::deremer
