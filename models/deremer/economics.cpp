#include "economics.hpp"

#include <algorithm>
#include <boost/math/tools/roots.hpp>
#include <cmath>
#include <cstdint>
#include <limits>
#include <utility>
#include <vector>

namespace tariffsim::deremer {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// Relative size below which a rational denominator counts as zero (the inputs are O(1)-O(100)).
constexpr double kZeroTol = 1e-12;

// Coefficients of a slope that is linear in the tariff: s(t) = (c0 + c1 t)/49.
struct LinearSlope {
  double c0 = 0, c1 = 0;
  double at(double t) const { return (c0 + c1 * t) / 49.0; }
};
LinearSlope import_slope(double g) {
  return {8.0 * g - 5.0, 8.0 * g - 68.0};
}
LinearSlope export_slope(double g) {
  return {9.0 - 12.0 * g, 9.0 * (1.0 + g)};
}

// Maximises a 1-D quadratic with slope s0 + s1 t on [-1, 1/6] (spec §4, outside the interior
// range): clamp the vertex when concave, take the better endpoint when not.
struct GoodSolution {
  double t = 0;
  int status = kOk;
  bool interior = true;
};
GoodSolution maximise_good(double s0, double s1) {
  if (s1 < 0.0) {
    const double vertex = -s0 / s1;
    if (vertex >= kTariffProhibitive) return {kTariffProhibitive, kProhibitive, false};
    if (vertex < kTariffMin) return {kTariffMin, kOutsideDomain, false};
    return {vertex, kOk, true};
  }
  // value(1/6) - value(-1) = integral of the slope over [-1, 1/6].
  const double lo = kTariffMin, hi = kTariffProhibitive;
  const double gain = s0 * (hi - lo) + 0.5 * s1 * (hi * hi - lo * lo);
  return {gain >= 0.0 ? hi : lo, kSocViolated, false};
}

int status_rank(int s) {
  switch (s) {
    case kSocViolated:
      return 3;
    case kOutsideDomain:
      return 2;
    case kProhibitive:
      return 1;
    default:
      return 0;
  }
}

struct CountryConstants {
  double alpha, beta, D, c, e;
};
CountryConstants constants(Weights w) {
  return {63.0 * (w.gE - 1.0), 56.0 * w.gM - 98.0, 59.0 - 9.0 * w.gE - 8.0 * w.gM,
          68.0 - 8.0 * w.gM, 9.0 * (1.0 + w.gE)};
}

bool near_zero(double x, double scale) {
  return std::abs(x) <= kZeroTol * std::max(scale, 1.0);
}

bool in_domain(double t) {
  return t >= kTariffMin && t <= kTariffProhibitive;
}

// A rational result that is exactly on a domain bound (e.g. u* = 7, i.e. t = -1, at gE = 3) comes
// out a few ulps either side of it; snap it so that the bound's status does not depend on rounding.
double snap_to(double x, double bound) {
  return std::abs(x - bound) <= 8.0 * std::numeric_limits<double>::epsilon() * std::abs(bound)
             ? bound
             : x;
}

// A sum whose terms cancel to within rounding (e.g. dW/dlam on the boundary B = 0) is zero: its
// sign is not determined by the arithmetic, so it must not decide an indicator.
double cancel_to_zero(double a, double b) {
  const double s = a + b;
  return std::abs(s) <= 16.0 * std::numeric_limits<double>::epsilon() * (std::abs(a) + std::abs(b))
             ? 0.0
             : s;
}

// Refines a sign change of f on [lo, hi] to about machine precision.
template <class F>
double refine_root(F f, double lo, double hi) {
  const double flo = f(lo), fhi = f(hi);
  if (flo == 0.0) return lo;
  if (fhi == 0.0) return hi;
  std::uintmax_t iters = 200;
  const auto tol = [](double a, double b) {
    return std::abs(b - a) <= 4e-16 * std::max(1.0, std::abs(a));
  };
  const auto r = boost::math::tools::toms748_solve(f, lo, hi, flo, fhi, tol, iters);
  return 0.5 * (r.first + r.second);
}

}  // namespace

// ---- §1
double effective_tariff(double t) {
  return std::min(t, kTariffProhibitive);
}
double demand(double p) {
  return 1.0 - p;
}
double consumer_surplus(double p) {
  return 0.5 * (1.0 - p) * (1.0 - p);
}
double import_sector_supply(double p) {
  return 0.5 * p;
}
double export_sector_supply(double p) {
  return p;
}
double world_price(double t) {
  return (4.0 - 3.0 * effective_tariff(t)) / 7.0;
}
double local_price(double t) {
  return 4.0 * (1.0 + effective_tariff(t)) / 7.0;
}
double imports(double t) {
  return (1.0 - 6.0 * effective_tariff(t)) / 7.0;
}

// ---- §2
double import_objective(double t, double g) {
  const double p = local_price(t);
  return consumer_surplus(p) + g * 0.25 * p * p + effective_tariff(t) * imports(t);
}
double export_objective(double t, double g) {
  const double pw = world_price(t);
  return consumer_surplus(pw) + g * 0.5 * pw * pw;
}
double import_objective_slope(double t, double g) {
  return import_slope(g).at(t);
}
double export_objective_slope(double t, double g) {
  return export_slope(g).at(t);
}
double home_objective(double tx, double ty, Weights w) {
  return import_objective(tx, w.gM) + export_objective(ty, w.gE);
}
double foreign_objective(double tx, double ty, Weights w) {
  return import_objective(ty, w.gM) + export_objective(tx, w.gE);
}
Gradient home_gradient(double tx, double ty, Weights w) {
  return {import_objective_slope(tx, w.gM), export_objective_slope(ty, w.gE)};
}
Gradient foreign_gradient(double tx, double ty, Weights w) {
  return {export_objective_slope(tx, w.gE), import_objective_slope(ty, w.gM)};
}

// ---- §3
Tariff nash_tariff(double gM) {
  if (gM >= 1.75) return {kTariffProhibitive, kProhibitive};
  return {(8.0 * gM - 5.0) / (68.0 - 8.0 * gM), kOk};
}

// ---- §4
double frontier_tx_interior(const Countries& g, double lam) {
  return (lam * (8.0 * g.home.gM - 5.0) + 9.0 - 12.0 * g.foreign.gE) /
         (lam * (68.0 - 8.0 * g.home.gM) - 9.0 * (1.0 + g.foreign.gE));
}
double frontier_ty_interior(const Countries& g, double lam) {
  return (lam * (9.0 - 12.0 * g.home.gE) + 8.0 * g.foreign.gM - 5.0) /
         (68.0 - 8.0 * g.foreign.gM - 9.0 * lam * (1.0 + g.home.gE));
}
bool frontier_soc(const Countries& g, double lam) {
  return lam * (68.0 - 8.0 * g.home.gM) > 9.0 * (1.0 + g.foreign.gE) &&
         68.0 - 8.0 * g.foreign.gM > 9.0 * lam * (1.0 + g.home.gE);
}

int FrontierPoint::status() const {
  return status_rank(status_x) >= status_rank(status_y) ? status_x : status_y;
}

FrontierPoint frontier(const Countries& g, double lam) {
  // Good x: lam g_M(tx; gM) + g_E(tx; gEs); good y: lam g_E(ty; gE) + g_M(ty; gMs).
  const LinearSlope hm = import_slope(g.home.gM), fe = export_slope(g.foreign.gE);
  const LinearSlope he = export_slope(g.home.gE), fm = import_slope(g.foreign.gM);
  const GoodSolution x = maximise_good(lam * hm.c0 + fe.c0, lam * hm.c1 + fe.c1);
  const GoodSolution y = maximise_good(lam * he.c0 + fm.c0, lam * he.c1 + fm.c1);
  FrontierPoint f;
  f.tx = x.t;
  f.ty = y.t;
  f.status_x = x.status;
  f.status_y = y.status;
  const double gM = g.home.gM, gE = g.home.gE, gMs = g.foreign.gM, gEs = g.foreign.gE;
  const double den_x = lam * (68.0 - 8.0 * gM) - 9.0 * (1.0 + gEs);
  const double den_y = 68.0 - 8.0 * gMs - 9.0 * lam * (1.0 + gE);
  f.dtx_dlam = x.interior ? 21.0 * (41.0 * gEs - 8.0 * gM * gEs - 27.0) / (den_x * den_x)
                          : (x.status == kSocViolated ? kNaN : 0.0);
  f.dty_dlam = y.interior ? -21.0 * (41.0 * gE - 8.0 * gMs * gE - 27.0) / (den_y * den_y)
                          : (y.status == kSocViolated ? kNaN : 0.0);
  return f;
}

// ---- §5
Eq7 eq7(Weights w) {
  const double D = 59.0 - 9.0 * w.gE - 8.0 * w.gM;
  if (!(D > 0.0)) return {kNaN, kNoInteriorSolution, kNaN, kNaN};
  Eq7 r;
  r.tau = 4.0 * (2.0 * w.gM + 1.0 - 3.0 * w.gE) / D;
  r.dtau_dgM = 168.0 * (3.0 - w.gE) / (D * D);
  r.dtau_dgE = 168.0 * (w.gM - 4.0) / (D * D);
  if (8.0 * w.gM - 9.0 * w.gE >= 5.0)
    r.status = kProhibitive;
  else if (w.gE > 3.0)
    r.status = kOutsideDomain;
  if (r.status != kOk) r.tau = r.dtau_dgM = r.dtau_dgE = kNaN;
  return r;
}

// ---- §6
double reciprocity_coordinate(double t, Reciprocity r) {
  return r == Reciprocity::Tot ? 1.0 - 6.0 * t : 4.0 - 3.0 * t;
}
double reciprocity_coordinate_inverse(double a, Reciprocity r) {
  return r == Reciprocity::Tot ? (1.0 - a) / 6.0 : (4.0 - a) / 3.0;
}

double home_reciprocal_gain(const Countries& g, double tx, double ty, Reciprocity r) {
  const Gradient d = home_gradient(tx, ty, g.home);
  const double ay = reciprocity_coordinate(ty, r);
  if (ay == 0.0) return kNaN;
  return d.x + d.y * reciprocity_coordinate(tx, r) / ay;
}
double foreign_reciprocal_gain(const Countries& g, double tx, double ty, Reciprocity r) {
  const Gradient d = foreign_gradient(tx, ty, g.foreign);
  const double ax = reciprocity_coordinate(tx, r);
  if (ax == 0.0) return kNaN;
  return d.y + d.x * reciprocity_coordinate(ty, r) / ax;
}

double lam_of_frontier_point(const Countries& g, double tx, double ty) {
  const Gradient h = home_gradient(tx, ty, g.home), f = foreign_gradient(tx, ty, g.foreign);
  return std::abs(h.x) >= std::abs(h.y) ? -f.x / h.x : -f.y / h.y;
}

namespace {
StablePoint finish_stable_point(const Countries& g, double tx, double ty) {
  StablePoint s{tx, ty, lam_of_frontier_point(g, tx, ty), kOk};
  if (!(tx >= kTariffMin && tx < kTariffProhibitive && ty >= kTariffMin &&
        ty < kTariffProhibitive && s.lam > 0.0))
    s.status = kOutsideDomain;
  else if (!frontier_soc(g, s.lam))
    s.status = kSocViolated;
  return s;
}
}  // namespace

StablePoint stable_point_tot(const Countries& g) {
  const CountryConstants H = constants(g.home), F = constants(g.foreign);
  const double det = H.beta * F.beta - H.alpha * F.alpha;
  const double den_u = -H.D * F.beta - H.alpha * F.D;
  const double den_v = -H.beta * F.D - F.alpha * H.D;
  const double scale_det = std::abs(H.beta * F.beta) + std::abs(H.alpha * F.alpha);
  const bool zero_u = near_zero(den_u, std::abs(H.D * F.beta) + std::abs(H.alpha * F.D));
  const bool zero_v = near_zero(den_v, std::abs(H.beta * F.D) + std::abs(F.alpha * H.D));
  if (zero_u && zero_v && near_zero(det, scale_det))
    return {kNaN, kNaN, kNaN, kDegenerateContinuum};
  if (zero_u || zero_v) return {kNaN, kNaN, kNaN, kNoInteriorSolution};
  const double u = snap_to(det / den_u, 7.0), v = snap_to(det / den_v, 7.0);
  StablePoint s = finish_stable_point(g, (1.0 - u) / 6.0, (1.0 - v) / 6.0);
  if (!(u > 0.0 && u <= 7.0 && v > 0.0 && v <= 7.0)) s.status = kOutsideDomain;
  return s;
}

namespace {

// A polynomial in lam of degree <= 2: c0 + c1 lam + c2 lam^2.
struct Poly2 {
  double c0 = 0, c1 = 0, c2 = 0;
};
Poly2 times(Poly2 a, Poly2 b) {  // of two linear ones
  return {a.c0 * b.c0, a.c0 * b.c1 + a.c1 * b.c0, a.c1 * b.c1};
}
Poly2 linear(double c0, double c1) {
  return {c0, c1, 0.0};
}
Poly2 combine(double x, Poly2 a, double y, Poly2 b) {  // x a + y b
  return {x * a.c0 + y * b.c0, x * a.c1 + y * b.c1, x * a.c2 + y * b.c2};
}

// The volume stable-point condition h(lam) = G_x a(ty) + G_y a(tx) along the interior frontier,
// with tx = Nx/Dx and ty = Ny/Dy (spec §4), times 49 Dx Dy: a quadratic H in lam. Dx, Dy > 0
// inside the SOC range, so h and H have the same sign there, and the vertex of H splits the range
// into at most two pieces on each of which h changes sign at most once.
double volume_condition_vertex(const Countries& g) {
  const double gM = g.home.gM, gE = g.home.gE, gMs = g.foreign.gM, gEs = g.foreign.gE;
  const Poly2 Nx = linear(9.0 - 12.0 * gEs, 8.0 * gM - 5.0);
  const Poly2 Dx = linear(-9.0 * (1.0 + gEs), 68.0 - 8.0 * gM);
  const Poly2 Ny = linear(8.0 * gMs - 5.0, 9.0 - 12.0 * gE);
  const Poly2 Dy = linear(68.0 - 8.0 * gMs, -9.0 * (1.0 + gE));
  const LinearSlope gx = import_slope(gM), gy = export_slope(gE);
  const Poly2 H = combine(1.0, times(combine(gx.c0, Dx, gx.c1, Nx), combine(4.0, Dy, -3.0, Ny)),
                          1.0, times(combine(gy.c0, Dy, gy.c1, Ny), combine(4.0, Dx, -3.0, Nx)));
  return H.c2 != 0.0 ? -H.c1 / (2.0 * H.c2) : kNaN;
}

}  // namespace

StablePoint stable_point_volume(const Countries& g) {
  // On the frontier both countries' conditions coincide (G*_x = -lam G_x, G*_y = -lam G_y), so the
  // stable point is a root in lam of G_x a(ty) + G_y a(tx) along the interior frontier.
  const double gM = g.home.gM, gE = g.home.gE, gMs = g.foreign.gM, gEs = g.foreign.gE;
  if (!(68.0 - 8.0 * gM > 0.0) || !(gE > 0.0)) return {kNaN, kNaN, kNaN, kNoInteriorSolution};
  const double lo = std::max(gEs / 3.0, 9.0 * (1.0 + gEs) / (68.0 - 8.0 * gM)) * (1.0 + 1e-12);
  const double hi = std::min(3.0 / gE, (68.0 - 8.0 * gMs) / (9.0 * (1.0 + gE))) * (1.0 - 1e-12);
  if (!(lo < hi)) return {kNaN, kNaN, kNaN, kNoInteriorSolution};
  const auto h = [&](double lam) {
    const double tx = frontier_tx_interior(g, lam), ty = frontier_ty_interior(g, lam);
    const Gradient d = home_gradient(tx, ty, g.home);
    return d.x * reciprocity_coordinate(ty, Reciprocity::Volume) +
           d.y * reciprocity_coordinate(tx, Reciprocity::Volume);
  };
  // The roots in increasing lam, one per monotone piece of H; the first valid one is taken.
  const double vertex = volume_condition_vertex(g);
  double prev_lam = lo, prev_h = h(lo), max_abs = std::abs(prev_h);
  bool found_invalid = false;
  for (const double lam : {vertex, hi}) {
    if (!(lam > prev_lam && lam <= hi)) continue;  // NaN or outside the range
    const double hk = h(lam);
    max_abs = std::max(max_abs, std::abs(hk));
    if ((prev_h <= 0.0) != (hk <= 0.0) || prev_h == 0.0) {
      const double root = refine_root(h, prev_lam, lam);
      StablePoint s =
          finish_stable_point(g, frontier_tx_interior(g, root), frontier_ty_interior(g, root));
      if (s.status == kOk) return s;
      found_invalid = true;
    }
    prev_lam = lam;
    prev_h = hk;
  }
  if (max_abs <= 1e-14) return {kNaN, kNaN, kNaN, kDegenerateContinuum};
  return {kNaN, kNaN, kNaN, found_invalid ? kOutsideDomain : kNoInteriorSolution};
}

StablePoint stable_point(const Countries& g, Reciprocity r) {
  return r == Reciprocity::Tot ? stable_point_tot(g) : stable_point_volume(g);
}

// ---- §7
bool remark1_exact(Weights gov, Weights pub) {
  return (3.0 - gov.gE) * (gov.gM - pub.gM) < (4.0 - gov.gM) * (gov.gE - pub.gE);
}
bool remark1_paper(Weights gov, Weights pub) {
  return gov.gM - pub.gM < 1.5 * (gov.gE - pub.gE);
}

// ---- §8
PowerShift power_shift(const Countries& gov, const Countries& pub, double tx, double ty,
                       double dtx_dlam, double dty_dlam) {
  PowerShift p;
  p.dtx_dlam = dtx_dlam;
  p.dty_dlam = dty_dlam;
  const auto along = [&](Gradient d) { return cancel_to_zero(d.x * dtx_dlam, d.y * dty_dlam); };
  p.dG = along(home_gradient(tx, ty, gov.home));
  p.dGs = along(foreign_gradient(tx, ty, gov.foreign));
  p.dW = along(home_gradient(tx, ty, pub.home));
  p.dWs = along(foreign_gradient(tx, ty, pub.foreign));
  const double dpx = 4.0 / 7.0 * dtx_dlam;    // Home's local price of x
  const double dpxw = -3.0 / 7.0 * dtx_dlam;  // world price of x
  const double dpyw = -3.0 / 7.0 * dty_dlam;  // world (= Home) price of y
  p.import_rents = import_sector_supply(local_price(tx)) * dpx;
  p.export_rents = export_sector_supply(world_price(ty)) * dpyw;
  p.tot = -imports(tx) * dpxw + imports(ty) * dpyw;
  return p;
}

double power_B(Weights gov, Weights pub) {
  return 4.0 * gov.gE * pub.gM - 25.0 * gov.gE + 4.0 * pub.gE * gov.gM - 16.0 * pub.gE +
         12.0 * gov.gM - 12.0 * pub.gM + 27.0;
}
double dW_dlam_symmetric(Weights gov, Weights pub) {
  const double D = 59.0 - 9.0 * gov.gE - 8.0 * gov.gM;
  return 18.0 * (8.0 * gov.gE * gov.gM - 41.0 * gov.gE + 27.0) * power_B(gov, pub) / (D * D * D);
}

// ---- §9. Each curve is linear in ty once the reciprocity ratio is multiplied out.
namespace {
double in_domain_or_nan(double ty) {
  return ty >= kTariffMin && ty < kTariffProhibitive ? ty : kNaN;
}
double solve_linear(double c0, double c1) {
  return c1 == 0.0 ? kNaN : in_domain_or_nan(-c0 / c1);
}
struct Coordinate {
  double a0, a1;
};
Coordinate coordinate(Reciprocity r) {
  return r == Reciprocity::Tot ? Coordinate{1.0, -6.0} : Coordinate{4.0, -3.0};
}
}  // namespace

double curve_N(const Countries& g, double tx, double phi_nash, Reciprocity r) {
  // (G_x - c) a(ty) + G_y(ty) a(tx) = 0
  if (!in_domain(tx)) return kNaN;
  const Coordinate a = coordinate(r);
  const double gx = import_objective_slope(tx, g.home.gM) - phi_nash;
  const LinearSlope gy = export_slope(g.home.gE);
  const double ax = reciprocity_coordinate(tx, r);
  return solve_linear(gx * a.a0 + gy.c0 / 49.0 * ax, gx * a.a1 + gy.c1 / 49.0 * ax);
}
double curve_S(const Countries& g, double tx, Reciprocity r) {
  return curve_N(g, tx, 0.0, r);
}

double curve_Ns(const Countries& g, double tx, double psi_nash, Reciprocity r) {
  // (G*_y(ty) - c) a(tx) + G*_x a(ty) = 0
  if (!(tx >= kTariffMin && tx < kTariffProhibitive)) return kNaN;
  const Coordinate a = coordinate(r);
  const double gsx = export_objective_slope(tx, g.foreign.gE);
  const LinearSlope gsy = import_slope(g.foreign.gM);
  const double ax = reciprocity_coordinate(tx, r);
  return solve_linear((gsy.c0 / 49.0 - psi_nash) * ax + gsx * a.a0,
                      gsy.c1 / 49.0 * ax + gsx * a.a1);
}
double curve_Ss(const Countries& g, double tx, Reciprocity r) {
  return curve_Ns(g, tx, 0.0, r);
}

double curve_EF(const Countries& g, double tx) {
  // G_x G*_y(ty) - G_y(ty) G*_x = 0 on the branch G_x > 0 > G*_x.
  if (!in_domain(tx)) return kNaN;
  const double gx = import_objective_slope(tx, g.home.gM);
  const double gsx = export_objective_slope(tx, g.foreign.gE);
  if (!(gx > 0.0 && gsx < 0.0)) return kNaN;
  const LinearSlope m = import_slope(g.foreign.gM), e = export_slope(g.home.gE);
  return solve_linear(gx * m.c0 - gsx * e.c0, gx * m.c1 - gsx * e.c1);
}

// ---- §10
double path_ty(const Countries&, double tx, double tx0, double ty0, Reciprocity r, PathMode m) {
  if (m == PathMode::OneForOne) return ty0 + (tx - tx0);
  const double ax0 = reciprocity_coordinate(tx0, r), ay0 = reciprocity_coordinate(ty0, r);
  const double ax = reciprocity_coordinate(tx, r);
  const double ay2 = ay0 * ay0 - ax0 * ax0 + ax * ax;
  return ay2 < 0.0 ? kNaN : reciprocity_coordinate_inverse(std::sqrt(ay2), r);
}

double path_home_gain(const Countries& g, double tx, double ty, Reciprocity r, PathMode m) {
  if (m == PathMode::Reciprocity) return home_reciprocal_gain(g, tx, ty, r);
  const Gradient d = home_gradient(tx, ty, g.home);
  return d.x + d.y;
}
double path_foreign_gain(const Countries& g, double tx, double ty, Reciprocity r, PathMode m) {
  if (m == PathMode::Reciprocity) return foreign_reciprocal_gain(g, tx, ty, r);
  const Gradient d = foreign_gradient(tx, ty, g.foreign);
  return d.x + d.y;
}

namespace {

struct PathGeometry {
  double tx0, ty0;  // the curve's anchor (Nash)
  double tx_start, tx_bound;
};

PathGeometry path_geometry(const Countries& g, Reciprocity r, PathMode m) {
  const double tx0 = nash_tariff(g.home.gM).t, ty0 = nash_tariff(g.foreign.gM).t;
  PathGeometry p{tx0, ty0, tx0, kTariffMin};
  if (m == PathMode::OneForOne) {
    p.tx_bound = std::max(kTariffMin, kTariffMin - (ty0 - tx0));
    return p;
  }
  // phi is undefined at v = 0 and psi at u = 0: start just inside the domain.
  const double ax0 = reciprocity_coordinate(tx0, r), ay0 = reciprocity_coordinate(ty0, r);
  if (r == Reciprocity::Tot && (ax0 <= 0.0 || ay0 <= 0.0)) p.tx_start = tx0 - 1e-9;
  const double amax = reciprocity_coordinate(kTariffMin, r);
  const double K = ay0 * ay0 - ax0 * ax0;
  const double ax_end = std::min(amax, std::sqrt(std::max(0.0, amax * amax - K)));
  p.tx_bound = reciprocity_coordinate_inverse(ax_end, r);
  return p;
}

// A gain along a reciprocity path written in one country's own coordinate b (a(t) of its own
// tariff, which grows as the path cuts tariffs): f(b) = P + Q b + R b/sqrt(K + b^2), where
// sqrt(K + b^2) is the partner's coordinate on the level set (spec §6, §10). Home's phi has
// b = a(tx); Foreign's psi has b = a(ty) and K of the opposite sign.
struct CoordinateGain {
  double P, Q, R, K;
};

// A slope (c0 + c1 t)/49 in the coordinate a = a0 + a1 t: alpha + beta a.
struct SlopeInCoordinate {
  double alpha, beta;
};
SlopeInCoordinate in_coordinate(LinearSlope s, Reciprocity r) {
  const double a0 = reciprocity_coordinate(0.0, r), a1 = reciprocity_coordinate(1.0, r) - a0;
  const double beta = s.c1 / (49.0 * a1);
  return {s.c0 / 49.0 - beta * a0, beta};
}

// phi = G_x + G_y a(tx)/a(ty) and psi = G*_y + G*_x a(ty)/a(tx), each slope linear in a.
CoordinateGain home_gain_in_coordinate(const Countries& g, Reciprocity r, double K) {
  const SlopeInCoordinate x = in_coordinate(import_slope(g.home.gM), r);
  const SlopeInCoordinate y = in_coordinate(export_slope(g.home.gE), r);
  return {x.alpha, x.beta + y.beta, y.alpha, K};
}
CoordinateGain foreign_gain_in_coordinate(const Countries& g, Reciprocity r, double K) {
  const SlopeInCoordinate y = in_coordinate(import_slope(g.foreign.gM), r);
  const SlopeInCoordinate x = in_coordinate(export_slope(g.foreign.gE), r);
  return {y.alpha, y.beta + x.beta, x.alpha, -K};
}

// f'(b) = Q + R K / (K + b^2)^(3/2): (K + b^2)^(3/2) is monotone in b > 0, so f' has at most one
// zero there and f at most one turning point. Returns b at that zero, or NaN if there is none.
double turning_coordinate(const CoordinateGain& f) {
  if (f.Q == 0.0) return kNaN;
  const double cube = -f.R * f.K / f.Q;  // (K + b^2)^(3/2) at the turning point
  if (!(cube > 0.0)) return kNaN;
  const double b2 = std::pow(cube, 2.0 / 3.0) - f.K;
  return b2 > 0.0 ? std::sqrt(b2) : kNaN;
}

// First tx (going down from the start) where gain(tx) >= 0, or -inf if none. The gain has at most
// one turning point in tx, `turn` (NaN if none): on each side of it the gain is monotone, so a
// sign change inside a piece shows in the signs at the piece's ends and is the only one there.
template <class F>
double first_zero_going_down(F gain, double start, double bound, double turn) {
  if (gain(start) >= 0.0) return start;
  double prev = start;
  for (const double t : {turn, bound}) {
    if (!(t < prev && t >= bound)) continue;  // NaN or outside (bound, prev)
    if (gain(t) >= 0.0) return refine_root(gain, t, prev);
    prev = t;
  }
  return -std::numeric_limits<double>::infinity();
}

// The tx where a gain along the path has its turning point, NaN if none. One-for-one gains are
// linear in tx (no turning point); on a reciprocity path a(tx) is linear in tx and a(ty) grows
// with a(tx), so a turning point in either coordinate is one tx.
struct PathTurns {
  double home = kNaN, foreign = kNaN;
};
PathTurns path_turns(const Countries& g, Reciprocity r, PathMode m, const PathGeometry& geo) {
  if (m == PathMode::OneForOne) return {};
  const double ax0 = reciprocity_coordinate(geo.tx0, r), ay0 = reciprocity_coordinate(geo.ty0, r);
  const double K = ay0 * ay0 - ax0 * ax0;  // a(ty)^2 - a(tx)^2 along the path
  const double bx = turning_coordinate(home_gain_in_coordinate(g, r, K));
  const double by = turning_coordinate(foreign_gain_in_coordinate(g, r, K));
  const double bx_of_by = by * by - K > 0.0 ? std::sqrt(by * by - K) : kNaN;
  return {reciprocity_coordinate_inverse(bx, r), reciprocity_coordinate_inverse(bx_of_by, r)};
}

}  // namespace

PathEnd liberalization_endpoint(const Countries& g, Reciprocity r, PathMode m) {
  const PathGeometry geo = path_geometry(g, r, m);
  const auto ty_of = [&](double tx) { return path_ty(g, tx, geo.tx0, geo.ty0, r, m); };
  const auto home = [&](double tx) { return path_home_gain(g, tx, ty_of(tx), r, m); };
  const auto foreign = [&](double tx) { return path_foreign_gain(g, tx, ty_of(tx), r, m); };
  const PathTurns turns = path_turns(g, r, m, geo);
  const double th = first_zero_going_down(home, geo.tx_start, geo.tx_bound, turns.home);
  const double tf = first_zero_going_down(foreign, geo.tx_start, geo.tx_bound, turns.foreign);
  PathEnd e;
  e.tx_start = geo.tx_start;
  e.tx = std::max({th, tf, geo.tx_bound});
  if (std::abs(th - tf) <= 1e-10)
    e.stopped_by = kStoppedByBoth;
  else if (th > tf && th >= geo.tx_bound)
    e.stopped_by = kStoppedByHome;
  else if (tf > th && tf >= geo.tx_bound)
    e.stopped_by = kStoppedByForeign;
  else
    e.stopped_by = kStoppedByBound;
  e.ty = ty_of(e.tx);
  if (!std::isfinite(e.ty)) e.status = kOutsideDomain;
  return e;
}

void liberalization_path(const Countries& g, Reciprocity r, PathMode m, std::span<double> tx,
                         std::span<double> ty, std::span<double> phi, std::span<double> psi) {
  const std::size_t n = std::max({tx.size(), ty.size(), phi.size(), psi.size()});
  if (n == 0) return;  // nothing asked for: the endpoint's root finding is most of a point's time
  const PathEnd e = liberalization_endpoint(g, r, m);
  const double tx0 = nash_tariff(g.home.gM).t, ty0 = nash_tariff(g.foreign.gM).t;
  for (std::size_t i = 0; i < n; ++i) {
    const double s = n == 1 ? 1.0 : static_cast<double>(i) / static_cast<double>(n - 1);
    const double x = i + 1 == n ? e.tx : e.tx_start + (e.tx - e.tx_start) * s;
    const double y = path_ty(g, x, tx0, ty0, r, m);
    if (i < tx.size()) tx[i] = x;
    if (i < ty.size()) ty[i] = y;
    if (i < phi.size()) phi[i] = path_home_gain(g, x, y, r, m);
    if (i < psi.size()) psi[i] = path_foreign_gain(g, x, y, r, m);
  }
}

}  // namespace tariffsim::deremer
