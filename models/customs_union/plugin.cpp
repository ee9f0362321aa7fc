// Engine adapter for the customs-union model: binds parameters by name, draws the cross-section
// from named streams, calls the economics, writes outputs. No economics lives here.
#include <boost/math/special_functions/erf.hpp>
#include <cmath>
#include <limits>
#include <numbers>
#include <string>
#include <vector>

#include "cross_section.hpp"
#include "economics.hpp"
#include "tariffsim/error.hpp"
#include "tariffsim/model.hpp"
#include "tariffsim/registry.hpp"

namespace tariffsim::customs_union {

namespace {

constexpr int kStatusNoWeights = 2;
constexpr double kInf = std::numeric_limits<double>::infinity();

// Per-regime point outputs, in this order for each regime of kRegimes.
enum RegimeMetric : std::size_t {
  kT, kTau, kStatus, kTFormula, kTauFormula, kP, kQDom, kQPartner, kQOut, kQ, kCS, kTR, kPS, kG,
  kPerRegime
};
constexpr std::size_t kRegimeBlock = kRegimes.size() * kPerRegime;

// Point outputs after the regime blocks.
enum ExtraMetric : std::size_t {
  kW = kRegimeBlock, kDMfnFtaI, kDMfnFtaJ, kDCuMfnI, kDCuMfnJ, kDCuAbMfnI, kDCuAbMfnJ,
  kOrderI, kOrderJ, kOrderAbI, kOrderAbJ,
  kWFtaI, kWFtaJ, kWMfnI, kWMfnJ, kResFtaForm, kResMfnForm, kResFtaIdentity, kResMfnIdentity,
  // Replication outputs: the cross-section of spec §7.
  kCensMfnI, kCensMfnJ, kCensFtaI, kCensFtaJ, kCensCu, kCensAny, kNInterior,
  kSpCuMean, kSpCuMax, kSpCuMfnI, kSpCuMfnJ, kTopDecile, kShareAbove,
  kNaiveConst, kNaiveBI, kNaiveBJ, kWNaive, kSeWNaive,
  kStructConst, kStructCI, kStructCJ, kWStruct, kSeWStruct,
  kErrWNaive, kErrWStruct, kSqErrWNaive, kSqErrWStruct,
};

ParamSpec real_param(std::string name, double def, Range range, std::string unit,
                     std::string description) {
  return {std::move(name), ParamType::Real, def, range, {}, std::move(unit), std::move(description)};
}

ParamSpec int_param(std::string name, std::int64_t def, Range range, std::string unit,
                    std::string description) {
  return {std::move(name), ParamType::Integer, def, range, {}, std::move(unit),
          std::move(description)};
}

MetricSpec point_metric(std::string name, std::string unit, std::string description) {
  return {std::move(name), std::move(unit), std::move(description), OutputLevel::Point};
}

MetricSpec rep_metric(std::string name, std::string unit, std::string description) {
  return {std::move(name), std::move(unit), std::move(description), OutputLevel::Replication};
}

void add_regime_metrics(std::vector<MetricSpec>& m, Regime r) {
  const std::string R(regime_name(r));
  const std::string c = regime_of_j(r) ? "j" : "i";
  const std::string where = " in market " + c + " under " + R + " at the optimal tariff";
  m.push_back(point_metric("t_" + R, "price", "optimal specific tariff of " + R +
                                                  " (Gamma/(1+n_f) when prohibitive)"));
  m.push_back(point_metric("tau_" + R, "1", "optimal AVE t/p of " + R + " (1 when prohibitive)"));
  m.push_back(point_metric("status_" + R, "1",
                           "status of " + R + ": 0 interior, 1 prohibitive, 2 no_taxed_firms"));
  m.push_back(point_metric("t_formula_" + R, "price", "closed-form tariff of " + R +
                                                          " whatever its status"));
  m.push_back(point_metric("tau_formula_" + R, "1", "closed-form AVE of " + R +
                                                        " whatever its status"));
  m.push_back(point_metric("p_" + R, "price", "price" + where));
  m.push_back(point_metric("q_dom_" + R, "quantity", "output per domestic firm" + where));
  m.push_back(point_metric("q_partner_" + R, "quantity", "output per partner firm" + where));
  m.push_back(point_metric("q_out_" + R, "quantity", "output per outsider (k) firm" + where));
  m.push_back(point_metric("Q_" + R, "quantity", "total quantity" + where));
  m.push_back(point_metric("CS_" + R, "welfare", "consumer surplus" + where));
  m.push_back(point_metric("TR_" + R, "welfare", "tariff revenue" + where));
  m.push_back(point_metric("PS_" + c + "_" + R, "welfare", "profits of " + c + "'s firms" + where));
  m.push_back(point_metric("G_" + c + "_" + R, "welfare",
                           "government objective CS + TR + (1+alpha_" + c + ") PS_" + c + where));
}

std::vector<MetricSpec> make_metrics() {
  std::vector<MetricSpec> m;
  for (Regime r : kRegimes) add_regime_metrics(m, r);
  const auto pm = [&](std::string n, std::string u, std::string d) {
    m.push_back(point_metric(std::move(n), std::move(u), std::move(d)));
  };
  const auto rm = [&](std::string n, std::string u, std::string d) {
    m.push_back(rep_metric(std::move(n), std::move(u), std::move(d)));
  };
  pm("w", "1", "CU weight on member i, a/(a+b)");
  pm("dtau_MFN_FTA_i", "1", "tau_MFN_i - tau_FTA_i (reported AVEs)");
  pm("dtau_MFN_FTA_j", "1", "tau_MFN_j - tau_FTA_j (reported AVEs)");
  pm("dtau_CU_MFN_i", "1", "tau_CU - tau_MFN_i (reported AVEs, equal-weight CU)");
  pm("dtau_CU_MFN_j", "1", "tau_CU - tau_MFN_j (reported AVEs, equal-weight CU)");
  pm("dtau_CU_ab_MFN_i", "1", "tau_CU_ab - tau_MFN_i (reported AVEs)");
  pm("dtau_CU_ab_MFN_j", "1", "tau_CU_ab - tau_MFN_j (reported AVEs)");
  pm("order_i", "1", "1 if tau_FTA_i < tau_MFN_i < tau_CU (reported AVEs), else 0");
  pm("order_j", "1", "1 if tau_FTA_j < tau_MFN_j < tau_CU (reported AVEs), else 0");
  pm("order_ab_i", "1", "1 if tau_FTA_i < tau_MFN_i < tau_CU_ab (reported AVEs), else 0");
  pm("order_ab_j", "1", "1 if tau_FTA_j < tau_MFN_j < tau_CU_ab (reported AVEs), else 0");
  pm("wFTA_i", "1", "FTA-form weight on tau_FTA_i, w(1+4A_i)/(1+2A_i)");
  pm("wFTA_j", "1", "FTA-form weight on tau_FTA_j, (1-w)(1+4A_j)/(1+2A_j)");
  pm("wMFN_i", "1", "corrected MFN-form weight on tau_MFN_i");
  pm("wMFN_j", "1", "corrected MFN-form weight on tau_MFN_j");
  pm("res_FTA_form", "1", "tau_CU_ab minus its FTA form (formula values; 0 up to rounding)");
  pm("res_MFN_form", "1", "tau_CU_ab minus its corrected MFN form (formula values)");
  pm("res_FTA_identity", "1", "residual of tau_CU = 2[w tau_FTA_i + (1-w) tau_FTA_j] - 1/(2(1+n))");
  pm("res_MFN_identity", "1",
     "residual of (1+n)tau_CU = 2w(1+n_i)tau_MFN_i + 2(1-w)(1+n_j)tau_MFN_j - 1/2");
  rm("cens_MFN_i", "1", "cross-section: share of sectors with a prohibitive MFN_i tariff");
  rm("cens_MFN_j", "1", "cross-section: share of sectors with a prohibitive MFN_j tariff");
  rm("cens_FTA_i", "1", "cross-section: share of sectors with a prohibitive FTA_i tariff");
  rm("cens_FTA_j", "1", "cross-section: share of sectors with a prohibitive FTA_j tariff");
  rm("cens_CU", "1", "cross-section: share of sectors with a prohibitive CU (a, b) tariff");
  rm("cens_any", "1", "cross-section: share of sectors with any prohibitive tariff (excluded)");
  rm("n_interior", "sectors", "cross-section: number of interior sectors used below");
  rm("spearman_CU_mean", "1", "Spearman correlation of tau_CU with (tau_MFN_i + tau_MFN_j)/2");
  rm("spearman_CU_max", "1", "Spearman correlation of tau_CU with max(tau_MFN_i, tau_MFN_j)");
  rm("spearman_CU_MFN_i", "1", "Spearman correlation of tau_CU with tau_MFN_i");
  rm("spearman_CU_MFN_j", "1", "Spearman correlation of tau_CU with tau_MFN_j");
  rm("top_decile_retention", "1",
     "share of the top decile by mean MFN AVE that is in the top decile by tau_CU");
  rm("share_CU_above_max", "1", "share of sectors with tau_CU > max(tau_MFN_i, tau_MFN_j)");
  rm("naive_const", "1", "naive OLS tau_CU ~ 1 + tau_MFN_i + tau_MFN_j: intercept");
  rm("naive_b_i", "1", "naive OLS: coefficient on tau_MFN_i");
  rm("naive_b_j", "1", "naive OLS: coefficient on tau_MFN_j");
  rm("w_naive", "1", "naive implied weight b_i/(b_i+b_j)");
  rm("se_w_naive", "1", "delta-method HC1 standard error of w_naive");
  rm("struct_const", "1",
     "structural OLS (1+n)tau_CU ~ 1 + (1+n_i)tau_MFN_i + (1+n_j)tau_MFN_j: intercept (-1/2)");
  rm("struct_c_i", "1", "structural OLS: coefficient c_i (2w)");
  rm("struct_c_j", "1", "structural OLS: coefficient c_j (2(1-w))");
  rm("w_struct", "1", "structural implied weight c_i/(c_i+c_j)");
  rm("se_w_struct", "1", "delta-method HC1 standard error of w_struct");
  rm("err_w_naive", "1", "w_naive - w (mean over replications = bias)");
  rm("err_w_struct", "1", "w_struct - w (mean over replications = bias)");
  rm("sq_err_w_naive", "1", "(w_naive - w)^2 (mean over replications = MSE; RMSE = its sqrt)");
  rm("sq_err_w_struct", "1", "(w_struct - w)^2 (mean over replications = MSE)");
  return m;
}

ModelInfo make_info() {
  const Range positive{0, kInf, true, false}, nonneg{0, kInf};
  ModelInfo m;
  m.name = "customs_union";
  m.version = "1.0.0";
  m.citation =
      "Customs unions under Cournot oligopoly: MFN, FTA and CU tariffs and mutual protectionism "
      "(paper 003, section 2.4), with the errata of the tariffsim spec customs_union.md";
  m.description =
      "Optimal MFN, FTA and customs-union tariffs of a Cournot sector with political bias, and a "
      "Monte Carlo cross-section of sectors regressing the CU tariff on national MFN tariffs";
  m.stochastic = true;
  m.params = {
      real_param("Gamma", 1.0, positive, "price", "demand intercept, p = Gamma - Q"),
      real_param("n_i", 2, nonneg, "firms", "number of firms of member i (reals accepted)"),
      real_param("n_j", 2, nonneg, "firms", "number of firms of member j"),
      real_param("n_k", 2, nonneg, "firms", "number of firms of the rest of the world k"),
      real_param("alpha_i", 0.1, nonneg, "1", "political bias of i: extra weight on its profits"),
      real_param("alpha_j", 0.1, nonneg, "1", "political bias of j"),
      real_param("a", 1.0, nonneg, "1", "CU_ab weight on i's full objective (w = a/(a+b))"),
      real_param("b", 1.0, nonneg, "1", "CU_ab weight on j's full objective"),
      int_param("L", 500, {1, 1e7}, "sectors", "cross-section: sectors per replication"),
      int_param("Nmax_i", 5, {1, 1e6}, "firms", "cross-section: n_i ~ U{1..Nmax_i}"),
      int_param("Nmax_j", 5, {1, 1e6}, "firms", "cross-section: n_j ~ U{1..Nmax_j}"),
      real_param("amax", 0.1, nonneg, "1",
                 "cross-section: alpha_c = amax Phi(z_c), (z_i, z_j) bivariate normal"),
      real_param("rho", 0.5, {-1, 1}, "1", "cross-section: correlation of z_i and z_j"),
      real_param("me_sd_mfn", 0.0, nonneg, "1",
                 "cross-section: SD of classical measurement error on observed MFN AVEs"),
      real_param("me_sd_cu", 0.0, nonneg, "1",
                 "cross-section: SD of classical measurement error on the observed CU AVE"),
  };
  m.metrics = make_metrics();
  m.status_codes = {{kStatusNoWeights, "a + b = 0: the CU (a, b) weights are undefined"}};
  // The metric enums above index this list: keep them in step.
  if (m.metrics.size() != kSqErrWStruct + 1 || m.metric_index("w") != kW ||
      m.metric_index("cens_MFN_i") != kCensMfnI || m.metric_index("G_i_CU_ab") != kW - 1)
    throw Error("customs_union: metric schema and metric indices disagree");
  return m;
}

struct State : PointState {
  double a = 1, b = 1, w = 0.5, amax = 0, rho = 0, me_mfn = 0, me_cu = 0;
  std::int64_t L = 0, Nmax_i = 1, Nmax_j = 1;
};

Sector sector_of(const Point& p) {
  return {p.real("Gamma"), p.real("n_i"), p.real("n_j"), p.real("n_k"),
          p.real("alpha_i"), p.real("alpha_j"), p.real("a"), p.real("b")};
}

void write_regime(PointOutputs& out, std::size_t base, const RegimeOutcome& o) {
  out.set(base + kT, o.tariff.t);
  out.set(base + kTau, o.tariff.tau);
  out.set(base + kStatus, static_cast<double>(o.tariff.status));
  out.set(base + kTFormula, o.tariff.t_formula);
  out.set(base + kTauFormula, o.tariff.tau_formula);
  out.set(base + kP, o.p);
  out.set(base + kQDom, o.q_dom);
  out.set(base + kQPartner, o.q_partner);
  out.set(base + kQOut, o.q_out);
  out.set(base + kQ, o.Q);
  out.set(base + kCS, o.CS);
  out.set(base + kTR, o.TR);
  out.set(base + kPS, o.PS);
  out.set(base + kG, o.G);
}

double ordered(double fta, double mfn, double cu) { return fta < mfn && mfn < cu ? 1.0 : 0.0; }

// Firm count uniform on {1..nmax}.
double draw_count(Stream& s, std::int64_t nmax) {
  const double n = std::floor(s.uniform() * double(nmax));
  return 1.0 + std::min(n, double(nmax - 1));
}

double std_normal_cdf(double z) { return 0.5 * boost::math::erfc(-z / std::numbers::sqrt2); }

class CustomsUnion final : public Model {
 public:
  const ModelInfo& info() const override {
    static const ModelInfo info = make_info();
    return info;
  }

  std::optional<DomainProblem> check(const Point& p) const override {
    if (!(p.real("a") + p.real("b") > 0))
      return DomainProblem{kStatusNoWeights, "expected a + b > 0 (the CU weight w = a/(a+b))",
                           {"a", "b"}};
    return std::nullopt;
  }

  std::unique_ptr<PointState> prepare(const Point& p, PointOutputs& out) const override {
    const Sector x = sector_of(p);
    std::array<double, kRegimes.size()> tau{};
    for (std::size_t k = 0; k < kRegimes.size(); ++k) {
      const RegimeOutcome o = regime_outcome(x, kRegimes[k]);
      write_regime(out, k * kPerRegime, o);
      tau[k] = o.tariff.tau;
    }
    const double mi = tau[0], mj = tau[1], fi = tau[2], fj = tau[3], cu = tau[4], cuab = tau[5];
    out.set(kW, weight_i(x));
    out.set(kDMfnFtaI, mi - fi);
    out.set(kDMfnFtaJ, mj - fj);
    out.set(kDCuMfnI, cu - mi);
    out.set(kDCuMfnJ, cu - mj);
    out.set(kDCuAbMfnI, cuab - mi);
    out.set(kDCuAbMfnJ, cuab - mj);
    out.set(kOrderI, ordered(fi, mi, cu));
    out.set(kOrderJ, ordered(fj, mj, cu));
    out.set(kOrderAbI, ordered(fi, mi, cuab));
    out.set(kOrderAbJ, ordered(fj, mj, cuab));
    const Combination c = combination(x);
    out.set(kWFtaI, c.wFTA_i);
    out.set(kWFtaJ, c.wFTA_j);
    out.set(kWMfnI, c.wMFN_i);
    out.set(kWMfnJ, c.wMFN_j);
    out.set(kResFtaForm, c.res_FTA_form);
    out.set(kResMfnForm, c.res_MFN_form);
    out.set(kResFtaIdentity, c.res_FTA_identity);
    out.set(kResMfnIdentity, c.res_MFN_identity);

    auto s = std::make_unique<State>();
    s->a = x.a;
    s->b = x.b;
    s->w = weight_i(x);
    s->amax = p.real("amax");
    s->rho = p.real("rho");
    s->me_mfn = p.real("me_sd_mfn");
    s->me_cu = p.real("me_sd_cu");
    s->L = p.integer("L");
    s->Nmax_i = p.integer("Nmax_i");
    s->Nmax_j = p.integer("Nmax_j");
    return s;
  }

  void replicate(const PointState& base, Replication& rep) const override {
    const auto& s = static_cast<const State&>(base);
    const auto L = static_cast<std::size_t>(s.L);
    CrossSectionDraws d;
    for (auto* v : {&d.n_i, &d.n_j, &d.alpha_i, &d.alpha_j, &d.e_mfn_i, &d.e_mfn_j, &d.e_cu})
      v->resize(L);
    Stream sectors = rep.stream("sectors"), bias = rep.stream("bias");
    Stream measurement = rep.stream("measurement");
    const double rho_c = std::sqrt(std::max(0.0, 1 - s.rho * s.rho));
    for (std::size_t l = 0; l < L; ++l) {
      d.n_i[l] = draw_count(sectors, s.Nmax_i);
      d.n_j[l] = draw_count(sectors, s.Nmax_j);
      const double z_i = bias.normal(), e = bias.normal();
      d.alpha_i[l] = s.amax * std_normal_cdf(z_i);
      d.alpha_j[l] = s.amax * std_normal_cdf(s.rho * z_i + rho_c * e);
      d.e_mfn_i[l] = s.me_mfn * measurement.normal();
      d.e_mfn_j[l] = s.me_mfn * measurement.normal();
      d.e_cu[l] = s.me_cu * measurement.normal();
    }
    const CrossSectionStats c = cross_section(d, s.a, s.b);
    const double values[] = {
        c.cens_MFN_i, c.cens_MFN_j, c.cens_FTA_i, c.cens_FTA_j, c.cens_CU, c.cens_any,
        c.n_interior, c.spearman_CU_mean, c.spearman_CU_max, c.spearman_CU_MFN_i,
        c.spearman_CU_MFN_j, c.top_decile_retention, c.share_CU_above_max,
        c.naive_const, c.naive_b_i, c.naive_b_j, c.w_naive, c.se_w_naive,
        c.struct_const, c.struct_c_i, c.struct_c_j, c.w_struct, c.se_w_struct,
        c.w_naive - s.w, c.w_struct - s.w,
        (c.w_naive - s.w) * (c.w_naive - s.w), (c.w_struct - s.w) * (c.w_struct - s.w)};
    static_assert(std::size(values) == kSqErrWStruct - kCensMfnI + 1);
    for (std::size_t k = 0; k < std::size(values); ++k) rep.metric(kCensMfnI + k, values[k]);
  }
};

}  // namespace

TARIFFSIM_REGISTER_MODEL(CustomsUnion)

}  // namespace tariffsim::customs_union
