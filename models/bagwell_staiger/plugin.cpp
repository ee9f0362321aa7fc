// Engine adapter for the Bagwell–Staiger model: reads its parameters through ParamRefs, calls the
// economics, writes outputs. No economics lives here.
#include <algorithm>
#include <boost/math/special_functions/erf.hpp>
#include <cmath>
#include <limits>

#include "economics.hpp"
#include "simulate.hpp"
#include "tariffsim/error.hpp"
#include "tariffsim/model.hpp"
#include "tariffsim/outputs.hpp"
#include "tariffsim/registry.hpp"

namespace tariffsim::bagwell_staiger {

namespace {

constexpr int kStatusBadDistribution = 2;
constexpr int kStatusTruncnormalUnderflow = 3;

ParamSpec list_param(std::string name, std::vector<double> def, Range range, std::string unit,
                     std::string description) {
  return {std::move(name), ParamType::RealList,   std::move(def), range, {},
          std::move(unit), std::move(description)};
}

ModelInfo make_info() {
  const Range positive = kPositive, nonneg = kNonNegative, unit_interval{0, 1};
  ModelInfo m;
  m.name = "bagwell_staiger";
  m.version = "1.0.0";
  m.citation =
      "Bagwell, K. and Staiger, R. W. (1990), A Theory of Managed Trade, American Economic Review "
      "80(4); linear case as in Bown, C. P. and Crowley, M. A. (2010), Self-Enforcing Trade "
      "Agreements: Evidence from Time-Varying Trade Policy, World Bank WPS 5223";
  m.description =
      "Repeated tariff game with i.i.d. trade-volume shocks: the most cooperative self-enforcing "
      "tariff rule, its fixed point V-bar, and simulated tariff and volume paths";
  m.stochastic = true;
  m.params = {
      real_param("delta", 0.9, {0, 1, false, true}, "1", "discount factor per period"),
      real_param("a", 1.0, positive, "volume/price",
                 "slope of export supply and import demand (X = k + aP, M = k* - aP*)"),
      real_param("F", 0.0, nonneg, "welfare", "one-off cost paid by a defector (0 = base model)"),
      real_param("theta", 0.0, nonneg, "1",
                 "recording threshold: a tariff is recorded only if tau/Pf > theta (Pf = 1)"),
      {"dist",
       ParamType::Enum,
       std::string("lognormal"),
       {},
       {"degenerate", "discrete", "uniform", "lognormal", "truncnormal"},
       "",
       "distribution of the free-trade volume Vf"},
      real_param("mean", 1.0, positive, "volume",
                 "degenerate: the value of Vf; lognormal: the mean of Vf"),
      real_param("sd", 0.25, nonneg, "volume", "lognormal: the standard deviation of Vf"),
      real_param("lo", 0.5, nonneg, "volume", "uniform: lower bound of Vf"),
      real_param("hi", 1.5, nonneg, "volume", "uniform: upper bound of Vf"),
      real_param("mu", 1.0, kAnyReal, "volume",
                 "truncnormal: mean of the parent normal (before conditioning on Vf >= 0)"),
      real_param("sigma", 0.25, positive, "volume",
                 "truncnormal: standard deviation of the parent normal"),
      list_param("values", {0.5, 1.5}, nonneg, "volume", "discrete: the atoms of Vf"),
      list_param("probs", {0.5, 0.5}, unit_interval, "1",
                 "discrete: the probabilities of the atoms (sum to 1)"),
      {"periods",
       ParamType::Integer,
       std::int64_t{200},
       {1, 1e9},
       {},
       "periods",
       "length of each simulated path"},
  };
  m.status_codes = {
      {kStatusBadDistribution,
       "invalid distribution parameters (negative support, probabilities not summing to 1, ...)"},
      {kStatusTruncnormalUnderflow, "truncnormal: Phi(mu/sigma) underflows"},
  };
  return m;
}

std::vector<std::string> distribution_params(const std::string& dist) {
  if (dist == "degenerate") return {"mean"};
  if (dist == "discrete") return {"values", "probs"};
  if (dist == "uniform") return {"lo", "hi"};
  if (dist == "lognormal") return {"mean", "sd"};
  return {"mu", "sigma"};
}

// The parameters an invalid-distribution reason is about, the one it names first (reasons start
// with the parameter: "sd must be >= 0", "hi must be > lo"; the degenerate value is `mean`), then
// the distribution's others and `dist` itself, so an error points at the line to fix.
std::vector<std::string> blamed_params(const std::string& dist, const std::string& reason) {
  std::vector<std::string> params = distribution_params(dist);
  const auto named = std::find_if(params.begin(), params.end(), [&](const std::string& name) {
    return reason.rfind(name + " ", 0) == 0 || reason.rfind(name + "/", 0) == 0;
  });
  if (named != params.end()) std::rotate(params.begin(), named, named + 1);
  params.emplace_back("dist");
  return params;
}

// The parameters prepare() and check() read, found once (ParamRef).
struct ParamRefs {
  const ModelInfo& m;
  ParamRef dist{m, "dist"}, mean{m, "mean"}, sd{m, "sd"}, lo{m, "lo"}, hi{m, "hi"}, mu{m, "mu"},
      sigma{m, "sigma"}, values{m, "values"}, probs{m, "probs"};
  ParamRef delta{m, "delta"}, a{m, "a"}, F{m, "F"}, theta{m, "theta"}, periods{m, "periods"};

  Distribution distribution(const Point& p) const {
    const std::string& d = p.choice(dist);
    if (d == "degenerate") return Distribution::degenerate(p.real(mean));
    if (d == "discrete") return Distribution::discrete(p.list(values), p.list(probs));
    if (d == "uniform") return Distribution::uniform(p.real(lo), p.real(hi));
    if (d == "lognormal") return Distribution::lognormal(p.real(mean), p.real(sd));
    return Distribution::truncnormal(p.real(mu), p.real(sigma));
  }
};

struct State : PointState {
  Distribution dist;
  double vbar = 0, a = 1, theta = 0;
  std::int64_t periods = 0;
};

class BagwellStaiger final : public Model {
 public:
  const ModelInfo& info() const override { return info_; }

  std::optional<DomainProblem> check(const Point& p) const override {
    const std::string& dist = p.choice(params_.dist);
    if (dist == "truncnormal") {
      // Phi(mu/sigma) = erfc(-mu/(sigma sqrt 2))/2; below the smallest normal double the
      // conditioning on Vf >= 0 is numerically meaningless.
      const double z = p.real(params_.mu) / p.real(params_.sigma);
      if (!(0.5 * boost::math::erfc(-z / std::numbers::sqrt2) >=
            std::numeric_limits<double>::min()))
        return DomainProblem{kStatusTruncnormalUnderflow,
                             "expected Phi(mu/sigma) > 0 in double precision (mu/sigma = " +
                                 std::to_string(z) + " is too negative)",
                             {"mu", "sigma"}};
    }
    const std::string reason = params_.distribution(p).invalid_reason();
    if (!reason.empty())
      return DomainProblem{kStatusBadDistribution, "invalid " + dist + " distribution: " + reason,
                           blamed_params(dist, reason)};
    return std::nullopt;
  }

  std::unique_ptr<PointState> make_state() const override { return std::make_unique<State>(); }

  void prepare(const Point& p, PointOutputs& out, PointState& state) const override {
    auto& s = static_cast<State&>(state);
    const ParamRefs& r = params_;
    s.dist = r.distribution(p);
    s.a = p.real(r.a);
    s.theta = p.real(r.theta);
    s.periods = p.integer(r.periods);
    const Solution sol = solve(Params{p.real(r.delta), s.a, p.real(r.F), s.dist});
    s.vbar = sol.Vbar;
    solution_.write(sol, out);
  }

  void replicate(const PointState& base, Replication& rep) const override {
    const auto& s = static_cast<const State&>(base);
    Stream shocks = rep.stream("shocks");
    const PathSummary sum =
        simulate_path({&s.dist, s.vbar, s.a, s.theta, s.periods}, shocks,
                      {tariff_.span(rep), volume_.span(rep), growth_.span(rep)});
    path_.write(sum, rep);
  }

 private:
  ModelInfo info_ = make_info();
  const ParamRefs params_{info_};
  PointMetrics<Solution> solution_{
      info_,
      {
          {"Vbar", "volume", "fixed point V-bar: tariffs are raised when Vf > V-bar",
           field<&Solution::Vbar>},
          {"omega", "welfare", "per-period value of future cooperation, delta/(1-delta) E[gain]",
           field<&Solution::omega>},
          {"E_gain", "welfare", "expected per-period gain of cooperation over Nash, G(V-bar)/(8a)",
           field<&Solution::E_gain>},
          {"P_protect", "1", "probability of protection, P(Vf > V-bar)",
           field<&Solution::P_protect>},
          {"E_tau", "price", "expected cooperative tariff E[(Vf - V-bar)+]/(2a)",
           field<&Solution::E_tau>},
          {"E_tau2", "price^2", "expected squared cooperative tariff", field<&Solution::E_tau2>},
          {"tau_N_at_mean", "price", "expected Nash tariff E[Vf]/(2a)",
           field<&Solution::tau_N_at_mean>},
          {"free_trade_sustainable", "1", "1 if free trade is self-enforcing in every state",
           field<&Solution::free_trade_sustainable>},
          {"E_V", "volume", "expected trade volume under the cooperative rule",
           field<&Solution::E_V>},
          {"P_increase", "1", "probability that the tariff rises from one period to the next",
           field<&Solution::P_increase>},
          {"P_onset", "1", "probability of a new protection episode, P(tau_{t-1} = 0 < tau_t)",
           field<&Solution::P_onset>},
      }};
  ReplicationMetrics<PathSummary> path_{
      info_,
      {
          {"sim_P_protect", "1", "share of periods with a recorded tariff > 0",
           field<&PathSummary::share_protect>},
          {"sim_P_increase", "1", "share of periods t >= 1 with tau_t > tau_{t-1}",
           field<&PathSummary::share_increase>},
          {"sim_P_onset", "1", "share of periods t >= 1 with tau_{t-1} = 0 < tau_t",
           field<&PathSummary::share_onset>},
          {"sim_E_tau", "price", "mean recorded tariff over the periods",
           field<&PathSummary::mean_tau>},
          {"sim_E_tau2", "price^2", "mean squared recorded tariff over the periods",
           field<&PathSummary::mean_tau2>},
          {"sim_var_tau", "price^2", "sample variance of the recorded tariff over the periods",
           field<&PathSummary::var_tau>},
          {"sim_E_V", "volume", "mean trade volume over the periods",
           field<&PathSummary::mean_volume>},
          {"sim_growth", "1", "mean import growth V_t/V_{t-1} - 1 over the periods t >= 1",
           field<&PathSummary::mean_growth>},
      }};
  SeriesOutput tariff_{info_,
                       {"tariff", "price", "recorded tariff tau_t in each period", "periods"}};
  SeriesOutput volume_{info_, {"volume", "volume", "trade volume V_t in each period", "periods"}};
  SeriesOutput growth_{
      info_,
      {"growth", "1", "import growth V_t/V_{t-1} - 1 (NaN at t = 0 and after V = 0)", "periods"}};
};

}  // namespace

TARIFFSIM_REGISTER_MODEL(BagwellStaiger)

}  // namespace tariffsim::bagwell_staiger
