#include "economics.hpp"

#include <algorithm>
#include <boost/math/tools/minima.hpp>
#include <boost/math/tools/roots.hpp>
#include <cmath>
#include <cstdint>
#include <limits>

namespace tariffsim::customs_union {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

bool is_cu(Regime r) {
  return r == Regime::CU || r == Regime::CU_ab;
}
bool is_mfn(Regime r) {
  return r == Regime::MFN_i || r == Regime::MFN_j;
}

// The firm groups of the market whose tariff the regime sets, at tariff t.
Groups regime_groups(const Sector& x, Regime r, double t) {
  const bool j = regime_of_j(r);
  const double n_dom = j ? x.n_j : x.n_i;
  const double n_partner = j ? x.n_i : x.n_j;
  const double t_partner = is_mfn(r) ? t : 0.0;
  return {FirmGroup{n_dom, 0.0}, FirmGroup{n_partner, t_partner}, FirmGroup{x.n_k, t}};
}

// Market j under the CU (members' firms duty free, k's firms at t).
Groups cu_market_j(const Sector& x, double t) {
  return {FirmGroup{x.n_j, 0.0}, FirmGroup{x.n_i, 0.0}, FirmGroup{x.n_k, t}};
}

double taxed_firms(const Sector& x, Regime r) {
  double g = 0;
  for (const auto& grp : regime_groups(x, r, 1.0))
    if (grp.t != 0.0) g += grp.n;
  return g;
}

}  // namespace

MarketOutcome cournot(double Gamma, double s, const Groups& groups) {
  MarketOutcome m;
  for (std::size_t c = 0; c < 3; ++c) m.active[c] = groups[c].n > 0;
  for (;;) {
    double N = 0, taxes = 0;
    for (std::size_t c = 0; c < 3; ++c)
      if (m.active[c]) {
        N += groups[c].n;
        taxes += groups[c].n * groups[c].t;
      }
    m.p = (Gamma + taxes) / (N + 1);
    // The group with the highest tariff is the first to be priced out.
    std::size_t worst = 3;
    for (std::size_t c = 0; c < 3; ++c)
      if (m.active[c] && m.p < groups[c].t && (worst == 3 || groups[c].t > groups[worst].t))
        worst = c;
    if (worst == 3) break;
    m.active[worst] = false;
  }
  m.Q = 0;
  m.TR = 0;
  for (std::size_t c = 0; c < 3; ++c) {
    const double margin = m.active[c] ? m.p - groups[c].t : 0.0;
    m.q[c] = s * margin;
    m.profit[c] = groups[c].n * s * margin * margin;
    m.Q += groups[c].n * m.q[c];
    if (c != kDomestic) m.TR += groups[c].n * groups[c].t * m.q[c];
  }
  m.CS = m.Q * m.Q / (2 * s);
  return m;
}

std::string_view regime_name(Regime r) {
  switch (r) {
    case Regime::MFN_i:
      return "MFN_i";
    case Regime::MFN_j:
      return "MFN_j";
    case Regime::FTA_i:
      return "FTA_i";
    case Regime::FTA_j:
      return "FTA_j";
    case Regime::CU:
      return "CU";
    case Regime::CU_ab:
      return "CU_ab";
  }
  return "?";
}

bool regime_of_j(Regime r) {
  return r == Regime::MFN_j || r == Regime::FTA_j;
}

std::string_view status_name(Status s) {
  switch (s) {
    case Status::Interior:
      return "interior";
    case Status::Prohibitive:
      return "prohibitive";
    case Status::NoTaxedFirms:
      return "no_taxed_firms";
  }
  return "?";
}

MarketOutcome regime_market(const Sector& x, Regime r, double t) {
  return cournot(x.Gamma, 1.0, regime_groups(x, r, t));
}

double own_objective(const Sector& x, Regime r, double t) {
  const MarketOutcome m = regime_market(x, r, t);
  const double alpha = regime_of_j(r) ? x.alpha_j : x.alpha_i;
  return m.CS + m.TR + (1 + alpha) * m.profit[kDomestic];
}

double regime_objective(const Sector& x, Regime r, double t) {
  if (!is_cu(r)) return own_objective(x, r, t);
  const MarketOutcome mi = regime_market(x, Regime::CU, t);
  const MarketOutcome mj = cournot(x.Gamma, 1.0, cu_market_j(x, t));
  const double G_i_full =
      mi.CS + mi.TR + (1 + x.alpha_i) * (mi.profit[kDomestic] + mj.profit[kPartner]);
  const double G_j_full =
      mj.CS + mj.TR + (1 + x.alpha_j) * (mj.profit[kDomestic] + mi.profit[kPartner]);
  const double a = r == Regime::CU ? 1.0 : x.a;
  const double b = r == Regime::CU ? 1.0 : x.b;
  return a * G_i_full + b * G_j_full;
}

RegimeInputs regime_inputs(const Sector& x, Regime r) {
  const double A_i = (1 + x.alpha_i) * x.n_i, A_j = (1 + x.alpha_j) * x.n_j;
  switch (r) {
    case Regime::MFN_i:
      return {x.n_i, x.n_j + x.n_k, A_i};
    case Regime::MFN_j:
      return {x.n_j, x.n_i + x.n_k, A_j};
    case Regime::FTA_i:
      return {x.n_i + x.n_j, x.n_k, A_i};
    case Regime::FTA_j:
      return {x.n_i + x.n_j, x.n_k, A_j};
    case Regime::CU:
      return {x.n_i + x.n_j, x.n_k, A_i + A_j};
    case Regime::CU_ab:
      return {x.n_i + x.n_j, x.n_k, 2 * (x.a * A_i + x.b * A_j) / (x.a + x.b)};
  }
  return {};
}

Tariff generic_optimal_tariff(double Gamma, const RegimeInputs& in) {
  const double den = 2 * (1 + in.n_f) * (1 + in.n_f) + in.g * (1 + 2 * in.n_f - 2 * in.Wp);
  Tariff out;
  out.t_formula = Gamma * (1 + 2 * in.Wp) / den;
  out.tau_formula = (1 + 2 * in.Wp) / (2 * (1 + in.n_f));
  if (in.g == 0) {
    out.status = Status::NoTaxedFirms;
    out.t = out.t_formula;
    out.tau = out.tau_formula;
  } else if (2 * in.Wp >= 1 + 2 * in.n_f) {
    out.status = Status::Prohibitive;
    out.t = Gamma / (1 + in.n_f);
    out.tau = 1.0;
  } else {
    out.status = Status::Interior;
    out.t = out.t_formula;
    out.tau = out.tau_formula;
  }
  return out;
}

double closed_form_t(const Sector& x, Regime r) {
  const double G = x.Gamma, ni = x.n_i, nj = x.n_j, nk = x.n_k, ai = x.alpha_i, aj = x.alpha_j;
  switch (r) {
    case Regime::MFN_i:
      return G * (1 + 2 * (1 + ai) * ni) /
             ((1 - 2 * ai * ni) * (nj + nk) + 2 * (1 + ni) * (1 + ni));
    case Regime::MFN_j:
      return G * (1 + 2 * (1 + aj) * nj) /
             ((1 - 2 * aj * nj) * (ni + nk) + 2 * (1 + nj) * (1 + nj));
    case Regime::FTA_i:
      return G * (1 + 2 * (1 + ai) * ni) /
             ((1 - 2 * ai * ni + 2 * nj) * nk + 2 * (1 + ni + nj) * (1 + ni + nj));
    case Regime::FTA_j:
      return G * (1 + 2 * (1 + aj) * nj) /
             ((1 - 2 * aj * nj + 2 * ni) * nk + 2 * (1 + ni + nj) * (1 + ni + nj));
    case Regime::CU:
      return G * (1 + 2 * (1 + ai) * ni + 2 * (1 + aj) * nj) /
             ((1 - 2 * ai * ni - 2 * aj * nj) * nk + 2 * (1 + ni + nj) * (1 + ni + nj));
    case Regime::CU_ab: {
      const double a = x.a, b = x.b;
      return G * (a + b + 4 * a * ni * (1 + ai) + 4 * b * nj * (1 + aj)) /
             ((a + b - (4 * a * ai + 2 * a - 2 * b) * ni - (4 * b * aj + 2 * b - 2 * a) * nj) * nk +
              2 * (a + b) * (1 + ni + nj) * (1 + ni + nj));
    }
  }
  return kNaN;
}

double closed_form_tau(const Sector& x, Regime r) {
  const double ni = x.n_i, nj = x.n_j, ai = x.alpha_i, aj = x.alpha_j;
  switch (r) {
    case Regime::MFN_i:
      return (1 + 2 * ni * (1 + ai)) / (2 * (ni + 1));
    case Regime::MFN_j:
      return (1 + 2 * nj * (1 + aj)) / (2 * (nj + 1));
    case Regime::FTA_i:
      return (1 + 2 * ni * (1 + ai)) / (2 * (ni + nj + 1));
    case Regime::FTA_j:
      return (1 + 2 * nj * (1 + aj)) / (2 * (ni + nj + 1));
    case Regime::CU:
      return (1 + 2 * ni * (1 + ai) + 2 * nj * (1 + aj)) / (2 * (ni + nj + 1));
    case Regime::CU_ab:
      return (x.a * (1 + 4 * ni * (1 + ai)) + x.b * (1 + 4 * nj * (1 + aj))) /
             (2 * (x.a + x.b) * (ni + nj + 1));
  }
  return kNaN;
}

namespace {

// The prohibitive threshold: the tariff at which the taxed firms' margin p - t reaches zero
// (TOMS 748 on the margin of the market stage), or hi if they still sell there.
double prohibitive_threshold(const Sector& x, Regime r, double hi) {
  const auto margin = [&](double t) { return regime_market(x, r, t).p - t; };
  if (!(margin(hi) < 0)) return hi;
  std::uintmax_t iters = 200;
  const auto br = boost::math::tools::toms748_solve(
      margin, 0.0, hi, boost::math::tools::eps_tolerance<double>(52), iters);
  return 0.5 * (br.first + br.second);
}

// On [lo, tbar] no firm enters or exits, so the objective is smooth there: polish the Brent
// estimate t (good to ~sqrt(eps)) by parabolic interpolation through t and two points below it,
// spread wide so rounding does not matter (an optimum at tbar has a zero slope, which symmetric
// differences around it could not resolve). Returns whether t ended strictly inside (lo, tbar).
template <class F>
bool parabolic_polish(const F& G, double lo, double tbar, double& t) {
  bool inside = false;
  for (int iter = 0; iter < 3; ++iter) {
    if (!(lo < t && t <= tbar)) break;
    const double h = 0.25 * (t - lo);
    const double x1 = t - 2 * h, x2 = t - h, x3 = t;
    const double f1 = G(x1), f2 = G(x2), f3 = G(x3);
    const double num = (x2 - x1) * (x2 - x1) * (f2 - f3) - (x2 - x3) * (x2 - x3) * (f2 - f1);
    const double den = (x2 - x1) * (f2 - f3) - (x2 - x3) * (f2 - f1);
    const double curvature = ((f3 - f2) / (x3 - x2) - (f2 - f1) / (x2 - x1)) / (x3 - x1);
    if (!(curvature < 0) || den == 0) break;
    t = x2 - 0.5 * num / den;
    inside = lo < t && t < tbar;
    if (!inside) break;
  }
  return inside;
}

}  // namespace

NumericalTariff numerical_optimal_tariff(const Sector& x, Regime r) {
  const auto G = [&](double t) { return regime_objective(x, r, t); };
  NumericalTariff out;
  const double g = taxed_firms(x, r);
  if (g == 0) {
    out.status = Status::NoTaxedFirms;
    out.t = out.tau = kNaN;
    out.objective = G(0.0);
    return out;
  }
  // Tariffs below lo would push the price below zero; at hi = Gamma no taxed firm can sell.
  const double lo = -x.Gamma / g, hi = x.Gamma;
  const double tbar = prohibitive_threshold(x, r, hi);
  // Beyond tbar the objective is flat (the taxed firms have exited), which would defeat Brent's
  // unimodality: search [lo, tbar] and compare with the flat value afterwards.
  const auto neg_G = [&](double t) { return -G(t); };
  double t =
      boost::math::tools::brent_find_minima(neg_G, lo, tbar, std::numeric_limits<double>::digits)
          .first;
  const bool inside = parabolic_polish(G, lo, tbar, t);
  const double G_prohibitive = G(tbar);
  if (inside && G(t) >= G_prohibitive && G(t) >= G(lo)) {
    out.status = Status::Interior;
  } else if (G_prohibitive >= G(lo)) {
    out.status = Status::Prohibitive;
    t = tbar;
  } else {
    out.status = Status::Interior;  // a corner subsidy: outside the model's predictions
    t = lo;
  }
  out.t = t;
  out.tau = t / regime_market(x, r, t).p;
  out.objective = G(t);
  return out;
}

RegimeOutcome regime_outcome(const Sector& x, Regime r) {
  RegimeOutcome o;
  o.tariff = optimal_tariff(x, r);
  const MarketOutcome m = regime_market(x, r, o.tariff.t);
  o.p = m.p;
  o.q_dom = m.q[kDomestic];
  o.q_partner = m.q[kPartner];
  o.q_out = m.q[kOutsider];
  o.Q = m.Q;
  o.CS = m.CS;
  o.TR = m.TR;
  o.PS = m.profit[kDomestic];
  o.G = own_objective(x, r, o.tariff.t);
  return o;
}

double weight_i(const Sector& x) {
  return x.a / (x.a + x.b);
}

double closed_form_mfn_minus_fta_i(const Sector& x) {
  const double A_i = x.n_i * (1 + x.alpha_i);
  return x.n_j * (1 + 2 * A_i) / (2 * (1 + x.n_i) * (1 + x.n_i + x.n_j));
}

double closed_form_cu_minus_mfn_i(const Sector& x) {
  return x.n_j * (1 + 2 * x.alpha_j * (1 + x.n_i) - 2 * x.alpha_i * x.n_i) /
         (2 * (1 + x.n_i) * (1 + x.n_i + x.n_j));
}

Sector swapped(const Sector& x) {
  Sector y = x;
  std::swap(y.n_i, y.n_j);
  std::swap(y.alpha_i, y.alpha_j);
  std::swap(y.a, y.b);
  return y;
}

Combination combination(const Sector& x) {
  const double w = weight_i(x), ni = x.n_i, nj = x.n_j, n1 = 1 + ni + nj;
  const double A_i = ni * (1 + x.alpha_i), A_j = nj * (1 + x.alpha_j);
  const auto tau = [&](Regime r) { return optimal_tariff(x, r).tau_formula; };
  const double cu = tau(Regime::CU_ab), fi = tau(Regime::FTA_i), fj = tau(Regime::FTA_j);
  const double mi = tau(Regime::MFN_i), mj = tau(Regime::MFN_j);
  Combination c;
  c.wFTA_i = w * (1 + 4 * A_i) / (1 + 2 * A_i);
  c.wFTA_j = (1 - w) * (1 + 4 * A_j) / (1 + 2 * A_j);
  c.wMFN_i = w * (ni + 1) * (1 + 4 * A_i) / (n1 * (1 + 2 * A_i));
  c.wMFN_j = (1 - w) * (nj + 1) * (1 + 4 * A_j) / (n1 * (1 + 2 * A_j));
  c.res_FTA_form = cu - (c.wFTA_i * fi + c.wFTA_j * fj);
  c.res_MFN_form = cu - (c.wMFN_i * mi + c.wMFN_j * mj);
  c.res_FTA_identity = cu - (2 * (w * fi + (1 - w) * fj) - 1 / (2 * n1));
  c.res_MFN_identity = n1 * cu - (2 * w * (1 + ni) * mi + 2 * (1 - w) * (1 + nj) * mj - 0.5);
  return c;
}

}  // namespace tariffsim::customs_union
