// Engine adapter for the customs-union model: binds parameters by name, draws the cross-section
// from named streams, calls the economics, writes outputs. No economics lives here.
//
// Every output is declared once, next to the function that computes it (the tables built in
// outputs()), so the schema and the values written cannot drift apart.
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "cross_section.hpp"
#include "economics.hpp"
#include "tariffsim/model.hpp"
#include "tariffsim/registry.hpp"

namespace tariffsim::customs_union {

namespace {

constexpr int kStatusNoWeights = 2;
constexpr double kInf = std::numeric_limits<double>::infinity();

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

using PointValue = std::function<double(const PointResults&)>;
// A replication output from the cross-section's statistics and the true weight w.
using RepValue = std::function<double(const CrossSectionStats&, double w)>;

// The output schema in file order (point outputs first) with the value of each.
struct Outputs {
  std::vector<MetricSpec> specs;
  std::vector<PointValue> point;
  std::vector<RepValue> rep;

  void add(std::string name, std::string unit, std::string description, PointValue f) {
    specs.push_back({std::move(name), std::move(unit), std::move(description), OutputLevel::Point});
    point.push_back(std::move(f));
  }
  void add(std::string name, std::string unit, std::string description, RepValue f) {
    specs.push_back(
        {std::move(name), std::move(unit), std::move(description), OutputLevel::Replication});
    rep.push_back(std::move(f));
  }
};

// t, tau, status, raw formulas and the market outcome (spec §9) of regime k at its optimum.
void add_regime_outputs(Outputs& o, std::size_t k) {
  const std::string R(regime_name(kRegimes[k]));
  const std::string c = regime_of_j(kRegimes[k]) ? "j" : "i";
  const std::string where = " in market " + c + " under " + R + " at the optimal tariff";
  const auto tariff = [&](std::string name, std::string unit, std::string desc, double Tariff::*f) {
    o.add(std::move(name), std::move(unit), std::move(desc),
          PointValue([k, f](const PointResults& p) { return p.regime[k].tariff.*f; }));
  };
  const auto market = [&](std::string name, std::string unit, std::string desc,
                          double RegimeOutcome::*f) {
    o.add(std::move(name), std::move(unit), desc + where,
          PointValue([k, f](const PointResults& p) { return p.regime[k].*f; }));
  };
  tariff("t_" + R, "price", "optimal specific tariff of " + R + " (Gamma/(1+n_f) when prohibitive)",
         &Tariff::t);
  tariff("tau_" + R, "1", "optimal AVE t/p of " + R + " (1 when prohibitive)", &Tariff::tau);
  o.add("status_" + R, "1", "status of " + R + ": 0 interior, 1 prohibitive, 2 no_taxed_firms",
        PointValue(
            [k](const PointResults& p) { return static_cast<double>(p.regime[k].tariff.status); }));
  tariff("t_formula_" + R, "price", "closed-form tariff of " + R + " whatever its status",
         &Tariff::t_formula);
  tariff("tau_formula_" + R, "1", "closed-form AVE of " + R + " whatever its status",
         &Tariff::tau_formula);
  market("p_" + R, "price", "price", &RegimeOutcome::p);
  market("q_dom_" + R, "quantity", "output per domestic firm", &RegimeOutcome::q_dom);
  market("q_partner_" + R, "quantity", "output per partner firm", &RegimeOutcome::q_partner);
  market("q_out_" + R, "quantity", "output per outsider (k) firm", &RegimeOutcome::q_out);
  market("Q_" + R, "quantity", "total quantity", &RegimeOutcome::Q);
  market("CS_" + R, "welfare", "consumer surplus", &RegimeOutcome::CS);
  market("TR_" + R, "welfare", "tariff revenue", &RegimeOutcome::TR);
  market("PS_" + c + "_" + R, "welfare", "profits of " + c + "'s firms", &RegimeOutcome::PS);
  market("G_" + c + "_" + R, "welfare",
         "government objective CS + TR + (1+alpha_" + c + ") PS_" + c, &RegimeOutcome::G);
}

// One member's view of the orderings (spec §5) and combination weights (spec §6).
struct Member {
  std::string c, weight;  // "i" or "j"; its CU weight, w or 1-w
  Regime mfn, fta;
  double Combination::*wFTA;
  double Combination::*wMFN;
};

double ordered(double fta, double mfn, double cu) {
  return fta < mfn && mfn < cu ? 1.0 : 0.0;
}

// Orderings (spec §5) and combinations (spec §6); each loop runs over the members so that every
// quantity is declared once for i and j alike.
void add_point_extras(Outputs& o) {
  o.add("w", "1", "CU weight on member i, a/(a+b)",
        PointValue([](const PointResults& p) { return p.w; }));
  const Member members[] = {
      {"i", "w", Regime::MFN_i, Regime::FTA_i, &Combination::wFTA_i, &Combination::wMFN_i},
      {"j", "(1-w)", Regime::MFN_j, Regime::FTA_j, &Combination::wFTA_j, &Combination::wMFN_j}};
  for (const Member& m : members)
    o.add("dtau_MFN_FTA_" + m.c, "1", "tau_MFN_" + m.c + " - tau_FTA_" + m.c + " (reported AVEs)",
          PointValue([m](const PointResults& p) { return p.tau(m.mfn) - p.tau(m.fta); }));
  for (Regime cu : {Regime::CU, Regime::CU_ab}) {
    const std::string C(regime_name(cu));
    const std::string which = cu == Regime::CU ? ", equal-weight CU)" : ")";
    for (const Member& m : members)
      o.add("dtau_" + C + "_MFN_" + m.c, "1",
            "tau_" + C + " - tau_MFN_" + m.c + " (reported AVEs" + which,
            PointValue([m, cu](const PointResults& p) { return p.tau(cu) - p.tau(m.mfn); }));
  }
  for (Regime cu : {Regime::CU, Regime::CU_ab}) {
    const std::string C(regime_name(cu)), tag = cu == Regime::CU ? "order_" : "order_ab_";
    for (const Member& m : members)
      o.add(
          tag + m.c, "1",
          "1 if tau_FTA_" + m.c + " < tau_MFN_" + m.c + " < tau_" + C + " (reported AVEs), else 0",
          PointValue([m, cu](const PointResults& p) {
            return ordered(p.tau(m.fta), p.tau(m.mfn), p.tau(cu));
          }));
  }
  const auto comb = [&](std::string name, std::string desc, double Combination::*f) {
    o.add(std::move(name), "1", std::move(desc),
          PointValue([f](const PointResults& p) { return p.combination.*f; }));
  };
  for (const Member& m : members)
    comb("wFTA_" + m.c,
         "FTA-form weight on tau_FTA_" + m.c + ", " + m.weight + "(1+4A_" + m.c + ")/(1+2A_" + m.c +
             ")",
         m.wFTA);
  for (const Member& m : members)
    comb("wMFN_" + m.c, "corrected MFN-form weight on tau_MFN_" + m.c, m.wMFN);
  comb("res_FTA_form", "tau_CU_ab minus its FTA form (formula values; 0 up to rounding)",
       &Combination::res_FTA_form);
  comb("res_MFN_form", "tau_CU_ab minus its corrected MFN form (formula values)",
       &Combination::res_MFN_form);
  comb("res_FTA_identity", "residual of tau_CU = 2[w tau_FTA_i + (1-w) tau_FTA_j] - 1/(2(1+n))",
       &Combination::res_FTA_identity);
  comb("res_MFN_identity",
       "residual of (1+n)tau_CU = 2w(1+n_i)tau_MFN_i + 2(1-w)(1+n_j)tau_MFN_j - 1/2",
       &Combination::res_MFN_identity);
}

// Output names of one regression (spec §7): intercept, the two slopes, the implied weight.
struct RegressionNames {
  std::string constant, slope_i, slope_j, w;
};

// The naive or structural regression and the estimation error of its weight.
void add_regression_outputs(Outputs& o, RegressionStats CrossSectionStats::*r,
                            const RegressionNames& n, const std::string& model,
                            const std::string& ratio) {
  const auto add = [&](std::string name, std::string desc, double RegressionStats::*f) {
    o.add(std::move(name), "1", std::move(desc),
          RepValue([r, f](const CrossSectionStats& s, double) { return (s.*r).*f; }));
  };
  add(n.constant, model + ": intercept", &RegressionStats::constant);
  add(n.slope_i, model + ": coefficient on the tau_MFN_i term", &RegressionStats::slope_i);
  add(n.slope_j, model + ": coefficient on the tau_MFN_j term", &RegressionStats::slope_j);
  add(n.w, "implied weight " + ratio + " of the " + model, &RegressionStats::w);
  add("se_" + n.w, "delta-method HC1 standard error of " + n.w, &RegressionStats::se_w);
  o.add("err_" + n.w, "1", n.w + " - w (mean over replications = bias)",
        RepValue([r](const CrossSectionStats& s, double w) { return (s.*r).w - w; }));
  o.add("sq_err_" + n.w, "1", "(" + n.w + " - w)^2 (mean over replications = MSE; RMSE = its sqrt)",
        RepValue([r](const CrossSectionStats& s, double w) {
          const double e = (s.*r).w - w;
          return e * e;
        }));
}

// The cross-section statistics of spec §7, one value per replication.
void add_cross_section_outputs(Outputs& o) {
  const auto stat = [&](std::string name, std::string unit, std::string desc,
                        double CrossSectionStats::*f) {
    o.add(std::move(name), std::move(unit), "cross-section: " + desc,
          RepValue([f](const CrossSectionStats& s, double) { return s.*f; }));
  };
  using S = CrossSectionStats;
  for (auto [name, f] : {std::pair{"MFN_i", &S::cens_MFN_i}, std::pair{"MFN_j", &S::cens_MFN_j},
                         std::pair{"FTA_i", &S::cens_FTA_i}, std::pair{"FTA_j", &S::cens_FTA_j}})
    stat(std::string("cens_") + name, "1",
         std::string("share of sectors with a prohibitive ") + name + " tariff", f);
  stat("cens_CU", "1", "share of sectors with a prohibitive CU (a, b) tariff", &S::cens_CU);
  stat("cens_any", "1", "share of sectors with any prohibitive tariff (excluded)", &S::cens_any);
  stat("n_interior", "sectors", "number of interior sectors used below", &S::n_interior);
  stat("spearman_CU_mean", "1", "Spearman correlation of tau_CU with (tau_MFN_i + tau_MFN_j)/2",
       &S::spearman_CU_mean);
  stat("spearman_CU_max", "1", "Spearman correlation of tau_CU with max(tau_MFN_i, tau_MFN_j)",
       &S::spearman_CU_max);
  stat("spearman_CU_MFN_i", "1", "Spearman correlation of tau_CU with tau_MFN_i",
       &S::spearman_CU_MFN_i);
  stat("spearman_CU_MFN_j", "1", "Spearman correlation of tau_CU with tau_MFN_j",
       &S::spearman_CU_MFN_j);
  stat("top_decile_retention", "1",
       "share of the top decile by mean MFN AVE that is in the top decile by tau_CU",
       &S::top_decile_retention);
  stat("share_CU_above_max", "1", "share of sectors with tau_CU > max(tau_MFN_i, tau_MFN_j)",
       &S::share_CU_above_max);
  add_regression_outputs(o, &S::naive, {"naive_const", "naive_b_i", "naive_b_j", "w_naive"},
                         "naive OLS tau_CU ~ 1 + tau_MFN_i + tau_MFN_j", "b_i/(b_i+b_j)");
  add_regression_outputs(o, &S::structural,
                         {"struct_const", "struct_c_i", "struct_c_j", "w_struct"},
                         "structural OLS (1+n)tau_CU ~ 1 + (1+n_i)tau_MFN_i + (1+n_j)tau_MFN_j "
                         "(exact: -1/2, 2w, 2(1-w))",
                         "c_i/(c_i+c_j)");
}

const Outputs& outputs() {
  static const Outputs o = [] {
    Outputs out;
    for (std::size_t k = 0; k < kRegimes.size(); ++k) add_regime_outputs(out, k);
    add_point_extras(out);
    add_cross_section_outputs(out);
    return out;
  }();
  return o;
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
  m.metrics = outputs().specs;
  m.status_codes = {{kStatusNoWeights, "a + b = 0: the CU (a, b) weights are undefined"}};
  return m;
}

struct State : PointState {
  double a = 1, b = 1, w = 0.5;
  CrossSectionDesign design;
};

Sector sector_of(const Point& p) {
  return {p.real("Gamma"),   p.real("n_i"),     p.real("n_j"), p.real("n_k"),
          p.real("alpha_i"), p.real("alpha_j"), p.real("a"),   p.real("b")};
}

CrossSectionDesign design_of(const Point& p) {
  return {static_cast<std::size_t>(p.integer("L")),
          p.integer("Nmax_i"),
          p.integer("Nmax_j"),
          p.real("amax"),
          p.real("rho"),
          p.real("me_sd_mfn"),
          p.real("me_sd_cu")};
}

class CustomsUnion final : public Model {
 public:
  const ModelInfo& info() const override {
    static const ModelInfo info = make_info();
    return info;
  }

  std::optional<DomainProblem> check(const Point& p) const override {
    if (!(p.real("a") + p.real("b") > 0))
      return DomainProblem{
          kStatusNoWeights, "expected a + b > 0 (the CU weight w = a/(a+b))", {"a", "b"}};
    return std::nullopt;
  }

  std::unique_ptr<PointState> prepare(const Point& p, PointOutputs& out) const override {
    const Sector x = sector_of(p);
    PointResults r;
    for (std::size_t k = 0; k < kRegimes.size(); ++k) r.regime[k] = regime_outcome(x, kRegimes[k]);
    r.combination = combination(x);
    r.w = weight_i(x);
    const auto& point = outputs().point;
    for (std::size_t k = 0; k < point.size(); ++k) out.set(k, point[k](r));

    auto s = std::make_unique<State>();
    s->a = x.a;
    s->b = x.b;
    s->w = r.w;
    s->design = design_of(p);
    return s;
  }

  void replicate(const PointState& base, Replication& rep) const override {
    const auto& s = static_cast<const State&>(base);
    Stream sectors = rep.stream("sectors"), bias = rep.stream("bias");
    Stream measurement = rep.stream("measurement");
    const CrossSectionStats c =
        cross_section(draw_cross_section(s.design, sectors, bias, measurement), s.a, s.b);
    const Outputs& o = outputs();
    for (std::size_t k = 0; k < o.rep.size(); ++k) rep.metric(o.point.size() + k, o.rep[k](c, s.w));
  }
};

}  // namespace

TARIFFSIM_REGISTER_MODEL(CustomsUnion)

}  // namespace tariffsim::customs_union
