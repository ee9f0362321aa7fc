// Engine adapter for the customs-union model: reads its parameters through ParamRefs, draws the
// cross-section from named streams, calls the economics, writes outputs. No economics lives here.
#include <array>
#include <limits>
#include <string>
#include <vector>

#include "cross_section.hpp"
#include "economics.hpp"
#include "tariffsim/model.hpp"
#include "tariffsim/outputs.hpp"
#include "tariffsim/registry.hpp"

namespace tariffsim::customs_union {

namespace {

constexpr int kStatusNoWeights = 2;

// What the point outputs are computed from: every regime at its optimum and the §6 combination.
struct PointResults {
  std::array<RegimeOutcome, kRegimes.size()> regime;
  Combination combination;
  double w = 0;
  double tau(Regime r) const { return regime[static_cast<std::size_t>(r)].tariff.tau; }
};
constexpr bool regimes_in_enum_order() {
  for (std::size_t k = 0; k < kRegimes.size(); ++k)
    if (static_cast<std::size_t>(kRegimes[k]) != k) return false;
  return true;
}
static_assert(regimes_in_enum_order(), "PointResults::tau indexes regime[] by the enum value");

// t, tau, status, raw formulas and the market outcome (spec §9) of one regime at its optimum.
PointMetrics<RegimeOutcome> regime_metrics(ModelInfo& info, Regime regime) {
  using O = RegimeOutcome;
  const std::string R(regime_name(regime));
  const std::string c = regime_of_j(regime) ? "j" : "i";
  const std::string where = " in market " + c + " under " + R + " at the optimal tariff";
  return {
      info,
      {
          {"t_" + R, "price",
           "optimal specific tariff of " + R + " (Gamma/(1+n_f) when prohibitive)",
           [](const O& o) { return o.tariff.t; }},
          {"tau_" + R, "1", "optimal AVE t/p of " + R + " (1 when prohibitive)",
           [](const O& o) { return o.tariff.tau; }},
          {"status_" + R, "1", "status of " + R + ": 0 interior, 1 prohibitive, 2 no_taxed_firms",
           [](const O& o) { return static_cast<double>(o.tariff.status); }},
          {"t_formula_" + R, "price", "closed-form tariff of " + R + " whatever its status",
           [](const O& o) { return o.tariff.t_formula; }},
          {"tau_formula_" + R, "1", "closed-form AVE of " + R + " whatever its status",
           [](const O& o) { return o.tariff.tau_formula; }},
          {"p_" + R, "price", "price" + where, field<&O::p>},
          {"q_dom_" + R, "quantity", "output per domestic firm" + where, field<&O::q_dom>},
          {"q_partner_" + R, "quantity", "output per partner firm" + where, field<&O::q_partner>},
          {"q_out_" + R, "quantity", "output per outsider (k) firm" + where, field<&O::q_out>},
          {"Q_" + R, "quantity", "total quantity" + where, field<&O::Q>},
          {"CS_" + R, "welfare", "consumer surplus" + where, field<&O::CS>},
          {"TR_" + R, "welfare", "tariff revenue" + where, field<&O::TR>},
          {"PS_" + c + "_" + R, "welfare", "profits of " + c + "'s firms" + where, field<&O::PS>},
          {"G_" + c + "_" + R, "welfare",
           "government objective CS + TR + (1+alpha_" + c + ") PS_" + c + where, field<&O::G>},
      }};
}

// One block per regime, in the order of kRegimes (that of PointResults::regime).
std::vector<PointMetrics<RegimeOutcome>> metrics_of_every_regime(ModelInfo& info) {
  std::vector<PointMetrics<RegimeOutcome>> blocks;
  blocks.reserve(std::size(kRegimes));
  for (const Regime r : kRegimes) blocks.push_back(regime_metrics(info, r));
  return blocks;
}

double ordered(double fta, double mfn, double cu) {
  return fta < mfn && mfn < cu ? 1.0 : 0.0;
}

// The CU weight and the orderings of spec §5.
PointMetrics<PointResults> ordering_metrics(ModelInfo& info) {
  using P = PointResults;
  using enum Regime;
  return {info,
          {
              {"w", "1", "CU weight on member i, a/(a+b)", field<&P::w>},
              {"dtau_MFN_FTA_i", "1", "tau_MFN_i - tau_FTA_i (reported AVEs)",
               [](const P& p) { return p.tau(MFN_i) - p.tau(FTA_i); }},
              {"dtau_MFN_FTA_j", "1", "tau_MFN_j - tau_FTA_j (reported AVEs)",
               [](const P& p) { return p.tau(MFN_j) - p.tau(FTA_j); }},
              {"dtau_CU_MFN_i", "1", "tau_CU - tau_MFN_i (reported AVEs, equal-weight CU)",
               [](const P& p) { return p.tau(CU) - p.tau(MFN_i); }},
              {"dtau_CU_MFN_j", "1", "tau_CU - tau_MFN_j (reported AVEs, equal-weight CU)",
               [](const P& p) { return p.tau(CU) - p.tau(MFN_j); }},
              {"dtau_CU_ab_MFN_i", "1", "tau_CU_ab - tau_MFN_i (reported AVEs)",
               [](const P& p) { return p.tau(CU_ab) - p.tau(MFN_i); }},
              {"dtau_CU_ab_MFN_j", "1", "tau_CU_ab - tau_MFN_j (reported AVEs)",
               [](const P& p) { return p.tau(CU_ab) - p.tau(MFN_j); }},
              {"order_i", "1", "1 if tau_FTA_i < tau_MFN_i < tau_CU (reported AVEs), else 0",
               [](const P& p) { return ordered(p.tau(FTA_i), p.tau(MFN_i), p.tau(CU)); }},
              {"order_j", "1", "1 if tau_FTA_j < tau_MFN_j < tau_CU (reported AVEs), else 0",
               [](const P& p) { return ordered(p.tau(FTA_j), p.tau(MFN_j), p.tau(CU)); }},
              {"order_ab_i", "1", "1 if tau_FTA_i < tau_MFN_i < tau_CU_ab (reported AVEs), else 0",
               [](const P& p) { return ordered(p.tau(FTA_i), p.tau(MFN_i), p.tau(CU_ab)); }},
              {"order_ab_j", "1", "1 if tau_FTA_j < tau_MFN_j < tau_CU_ab (reported AVEs), else 0",
               [](const P& p) { return ordered(p.tau(FTA_j), p.tau(MFN_j), p.tau(CU_ab)); }},
          }};
}

// The combinations of spec §6.
PointMetrics<Combination> combination_metrics(ModelInfo& info) {
  using C = Combination;
  return {
      info,
      {
          {"wFTA_i", "1", "FTA-form weight on tau_FTA_i, w(1+4A_i)/(1+2A_i)", field<&C::wFTA_i>},
          {"wFTA_j", "1", "FTA-form weight on tau_FTA_j, (1-w)(1+4A_j)/(1+2A_j)",
           field<&C::wFTA_j>},
          {"wMFN_i", "1", "corrected MFN-form weight on tau_MFN_i", field<&C::wMFN_i>},
          {"wMFN_j", "1", "corrected MFN-form weight on tau_MFN_j", field<&C::wMFN_j>},
          {"res_FTA_form", "1", "tau_CU_ab minus its FTA form (formula values; 0 up to rounding)",
           field<&C::res_FTA_form>},
          {"res_MFN_form", "1", "tau_CU_ab minus its corrected MFN form (formula values)",
           field<&C::res_MFN_form>},
          {"res_FTA_identity", "1",
           "residual of tau_CU = 2[w tau_FTA_i + (1-w) tau_FTA_j] - 1/(2(1+n))",
           field<&C::res_FTA_identity>},
          {"res_MFN_identity", "1",
           "residual of (1+n)tau_CU = 2w(1+n_i)tau_MFN_i + 2(1-w)(1+n_j)tau_MFN_j - 1/2",
           field<&C::res_MFN_identity>},
      }};
}

// The cross-section statistics of spec §7 but the regressions, one value per replication.
ReplicationMetrics<CrossSectionStats> cross_section_metrics(ModelInfo& info) {
  using S = CrossSectionStats;
  return {
      info,
      {
          {"cens_MFN_i", "1", "cross-section: share of sectors with a prohibitive MFN_i tariff",
           field<&S::cens_MFN_i>},
          {"cens_MFN_j", "1", "cross-section: share of sectors with a prohibitive MFN_j tariff",
           field<&S::cens_MFN_j>},
          {"cens_FTA_i", "1", "cross-section: share of sectors with a prohibitive FTA_i tariff",
           field<&S::cens_FTA_i>},
          {"cens_FTA_j", "1", "cross-section: share of sectors with a prohibitive FTA_j tariff",
           field<&S::cens_FTA_j>},
          {"cens_CU", "1", "cross-section: share of sectors with a prohibitive CU (a, b) tariff",
           field<&S::cens_CU>},
          {"cens_any", "1",
           "cross-section: share of sectors with any prohibitive tariff (excluded)",
           field<&S::cens_any>},
          {"n_interior", "sectors", "cross-section: number of interior sectors used below",
           field<&S::n_interior>},
          {"spearman_CU_mean", "1",
           "cross-section: Spearman correlation of tau_CU with (tau_MFN_i + tau_MFN_j)/2",
           field<&S::spearman_CU_mean>},
          {"spearman_CU_max", "1",
           "cross-section: Spearman correlation of tau_CU with max(tau_MFN_i, tau_MFN_j)",
           field<&S::spearman_CU_max>},
          {"spearman_CU_MFN_i", "1", "cross-section: Spearman correlation of tau_CU with tau_MFN_i",
           field<&S::spearman_CU_MFN_i>},
          {"spearman_CU_MFN_j", "1", "cross-section: Spearman correlation of tau_CU with tau_MFN_j",
           field<&S::spearman_CU_MFN_j>},
          {"top_decile_retention", "1",
           "cross-section: share of the top decile by mean MFN AVE that is in the top decile by "
           "tau_CU",
           field<&S::top_decile_retention>},
          {"share_CU_above_max", "1",
           "cross-section: share of sectors with tau_CU > max(tau_MFN_i, tau_MFN_j)",
           field<&S::share_CU_above_max>},
      }};
}

// One regression of spec §7 and the error of its weight against the true weight w.
struct WeightEstimate {
  const RegressionStats& fit;
  double w;
};

// Output names of one regression: intercept, the two slopes, the implied weight.
struct RegressionNames {
  std::string constant, slope_i, slope_j, w;
};

double squared_weight_error(const WeightEstimate& e) {
  const double error = e.fit.w - e.w;
  return error * error;
}

ReplicationMetrics<WeightEstimate> regression_metrics(ModelInfo& info, const RegressionNames& n,
                                                      const std::string& model,
                                                      const std::string& ratio) {
  using E = WeightEstimate;
  return {info,
          {
              {n.constant, "1", model + ": intercept", [](const E& e) { return e.fit.constant; }},
              {n.slope_i, "1", model + ": coefficient on the tau_MFN_i term",
               [](const E& e) { return e.fit.slope_i; }},
              {n.slope_j, "1", model + ": coefficient on the tau_MFN_j term",
               [](const E& e) { return e.fit.slope_j; }},
              {n.w, "1", "implied weight " + ratio + " of the " + model,
               [](const E& e) { return e.fit.w; }},
              {"se_" + n.w, "1", "delta-method HC1 standard error of " + n.w,
               [](const E& e) { return e.fit.se_w; }},
              {"err_" + n.w, "1", n.w + " - w (mean over replications = bias)",
               [](const E& e) { return e.fit.w - e.w; }},
              {"sq_err_" + n.w, "1",
               "(" + n.w + " - w)^2 (mean over replications = MSE; RMSE = its sqrt)",
               squared_weight_error},
          }};
}

ModelInfo make_info() {
  const Range positive = kPositive, nonneg = kNonNegative;
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
  m.status_codes = {{kStatusNoWeights, "a + b = 0: the CU (a, b) weights are undefined"}};
  return m;
}

struct State : PointState {
  double a = 1, b = 1, w = 0.5;
  CrossSectionDesign design;
};

// The parameters prepare() and check() read, found once (ParamRef).
struct ParamRefs {
  const ModelInfo& m;
  ParamRef Gamma{m, "Gamma"}, n_i{m, "n_i"}, n_j{m, "n_j"}, n_k{m, "n_k"}, alpha_i{m, "alpha_i"},
      alpha_j{m, "alpha_j"}, a{m, "a"}, b{m, "b"};
  ParamRef L{m, "L"}, Nmax_i{m, "Nmax_i"}, Nmax_j{m, "Nmax_j"}, amax{m, "amax"}, rho{m, "rho"},
      me_sd_mfn{m, "me_sd_mfn"}, me_sd_cu{m, "me_sd_cu"};

  Sector sector(const Point& p) const {
    return {p.real(Gamma),   p.real(n_i),     p.real(n_j), p.real(n_k),
            p.real(alpha_i), p.real(alpha_j), p.real(a),   p.real(b)};
  }
  CrossSectionDesign design(const Point& p) const {
    return {static_cast<std::size_t>(p.integer(L)),
            p.integer(Nmax_i),
            p.integer(Nmax_j),
            p.real(amax),
            p.real(rho),
            p.real(me_sd_mfn),
            p.real(me_sd_cu)};
  }
};

class CustomsUnion final : public Model {
 public:
  const ModelInfo& info() const override { return info_; }

  std::optional<DomainProblem> check(const Point& p) const override {
    if (!(p.real(params_.a) + p.real(params_.b) > 0))
      return DomainProblem{
          kStatusNoWeights, "expected a + b > 0 (the CU weight w = a/(a+b))", {"a", "b"}};
    return std::nullopt;
  }

  std::unique_ptr<PointState> make_state() const override { return std::make_unique<State>(); }

  void prepare(const Point& p, PointOutputs& out, PointState& state) const override {
    const Sector x = params_.sector(p);
    PointResults r;
    for (std::size_t k = 0; k < kRegimes.size(); ++k) r.regime[k] = regime_outcome(x, kRegimes[k]);
    r.combination = combination(x);
    r.w = weight_i(x);
    for (std::size_t k = 0; k < kRegimes.size(); ++k) regimes_[k].write(r.regime[k], out);
    orderings_.write(r, out);
    combination_.write(r.combination, out);

    auto& s = static_cast<State&>(state);
    s.a = x.a;
    s.b = x.b;
    s.w = r.w;
    s.design = params_.design(p);
  }

  void replicate(const PointState& base, Replication& rep) const override {
    const auto& s = static_cast<const State&>(base);
    Stream sectors = rep.stream("sectors"), bias = rep.stream("bias");
    Stream measurement = rep.stream("measurement");
    // One cross-section per thread at a time: its vectors are reused replication after
    // replication (a sweep runs one per point; a dozen allocations each were a tenth of it).
    thread_local CrossSectionDraws draws;
    thread_local InteriorSample interior;
    draw_cross_section(s.design, sectors, bias, measurement, draws);
    const CrossSectionStats c = cross_section(draws, s.a, s.b, interior);
    cross_section_.write(c, rep);
    naive_.write({c.naive, s.w}, rep);
    structural_.write({c.structural, s.w}, rep);
  }

 private:
  ModelInfo info_ = make_info();
  const ParamRefs params_{info_};
  std::vector<PointMetrics<RegimeOutcome>> regimes_ = metrics_of_every_regime(info_);
  PointMetrics<PointResults> orderings_ = ordering_metrics(info_);
  PointMetrics<Combination> combination_ = combination_metrics(info_);
  ReplicationMetrics<CrossSectionStats> cross_section_ = cross_section_metrics(info_);
  ReplicationMetrics<WeightEstimate> naive_ =
      regression_metrics(info_, {"naive_const", "naive_b_i", "naive_b_j", "w_naive"},
                         "naive OLS tau_CU ~ 1 + tau_MFN_i + tau_MFN_j", "b_i/(b_i+b_j)");
  ReplicationMetrics<WeightEstimate> structural_ =
      regression_metrics(info_, {"struct_const", "struct_c_i", "struct_c_j", "w_struct"},
                         "structural OLS (1+n)tau_CU ~ 1 + (1+n_i)tau_MFN_i + (1+n_j)tau_MFN_j "
                         "(exact: -1/2, 2w, 2(1-w))",
                         "c_i/(c_i+c_j)");
};

}  // namespace

TARIFFSIM_REGISTER_MODEL(CustomsUnion)

}  // namespace tariffsim::customs_union
