// [search]: the deterministic search recovers the spec's free-trade thresholds of Bagwell–Staiger
// (degenerate, uniform, discrete Vf) to its tolerance with no more evaluations than 1.5 x Boost's
// TOMS 748 called directly; the noisy search's interval covers a known crossing at its stated
// confidence; a search's outputs do not depend on the thread count.
#include <tbb/global_control.h>

#include <boost/math/tools/toms748_solve.hpp>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <functional>
#include <iomanip>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "tariffsim/design.hpp"
#include "tariffsim/experiment.hpp"
#include "tariffsim/registry.hpp"
#include "tariffsim/root_search.hpp"
#include "tariffsim/runner.hpp"
#include "tariffsim/search.hpp"

namespace {

using namespace tariffsim;

// Column `name` of a computed batch (a point-level output of the search).
std::vector<double> column(const PointBatch& batch, const Model& model, const std::string& name) {
  const auto m = model.info().metric_index(name);
  REQUIRE(m);
  return batch.metrics.at(*m).value;
}

struct SearchRun {
  Experiment exp;
  std::unique_ptr<Model> model;
  PointBatch batch;
  std::vector<double> of(const std::string& name) const { return column(batch, *model, name); }
};

SearchRun run_search(const std::string& text, const Registry& registry, int threads = 1) {
  tbb::global_control limit(tbb::global_control::max_allowed_parallelism,
                            static_cast<std::size_t>(threads));
  SearchRun run{parse_experiment(text, "search.toml", {}, registry), nullptr, {}};
  run.model = experiment_model(run.exp, registry);
  const BatchComputer computer(run.exp, *run.model, static_cast<std::uint64_t>(threads));
  run.batch = computer.compute(0, computer.points());
  return run;
}

const std::string kBagwellStaiger =
    "[experiment]\nname = \"s\"\nmodel = \"bagwell_staiger\"\nseed = 7\n";

// As TOML writes it (std::to_string would print 1e-7 as 0.000000).
std::string toml_real(double x) {
  std::ostringstream os;
  os << std::setprecision(17) << x;
  return os.str();
}

std::string free_trade_search(double tolerance) {
  return "[search]\nparameter = \"delta\"\nbracket = [0.01, 0.99]\n"
         "output = \"free_trade_sustainable\"\nlevel = 0.5\ntolerance = " +
         toml_real(tolerance) + "\n";
}

// Spec §4: with bounded support and F = 0, free trade is self-enforcing from
// delta_FT = 4 s^2 / (4 s^2 + 3 E[Vf^2]), s = ess sup Vf.
double free_trade_threshold(double sup, double second_moment) {
  return 4 * sup * sup / (4 * sup * sup + 3 * second_moment);
}

void require_recovers(const SearchRun& run, const std::vector<double>& truth, double tolerance) {
  const auto star = run.of("delta_star"), lo = run.of("delta_star_lo"),
             hi = run.of("delta_star_hi");
  const auto status = run.of("delta_status");
  REQUIRE(star.size() == truth.size());
  for (std::size_t i = 0; i < truth.size(); ++i) {
    INFO("point " << i << ": truth " << truth[i] << ", found " << star[i] << " in [" << lo[i]
                  << ", " << hi[i] << "]");
    CHECK(status[i] == static_cast<double>(SearchStatus::Converged));
    CHECK(lo[i] <= truth[i]);
    CHECK(truth[i] <= hi[i]);
    CHECK(hi[i] - lo[i] <= tolerance);
    CHECK(std::abs(star[i] - truth[i]) <= tolerance);
  }
}

}  // namespace

TEST_CASE("search: the degenerate free-trade threshold is 4/7 at every mean", "[search]") {
  const double tolerance = 1e-7;
  const SearchRun run = run_search(kBagwellStaiger +
                                       "[parameters]\ndist = \"degenerate\"\n"
                                       "[grid]\nmean = [0.5, 1.0, 3.0]\n" +
                                       free_trade_search(tolerance),
                                   Registry::global());
  require_recovers(run, std::vector<double>(3, 4.0 / 7.0), tolerance);
}

TEST_CASE("search: uniform and discrete free-trade thresholds from the spec's closed form",
          "[search]") {
  const double tolerance = 1e-6;
  SECTION("uniform [lo, hi]: E[Vf^2] = (hi^3 - lo^3) / (3 (hi - lo))") {
    const std::vector<double> los{0.0, 0.5, 0.9}, his{1.0, 2.0};
    const SearchRun run =
        run_search(kBagwellStaiger +
                       "[parameters]\ndist = \"uniform\"\n[grid]\nlo = [0.0, 0.5, 0.9]\n"
                       "hi = [1.0, 2.0]\n" +
                       free_trade_search(tolerance),
                   Registry::global());
    std::vector<double> truth;
    for (const double lo : los)  // the grid's first axis varies slowest
      for (const double hi : his)
        truth.push_back(free_trade_threshold(hi, (hi * hi * hi - lo * lo * lo) / (3 * (hi - lo))));
    require_recovers(run, truth, tolerance);
  }
  SECTION("discrete: E[Vf^2] = sum p_i x_i^2, s = the largest atom") {
    const std::vector<std::vector<double>> values{{0.5, 1.5}, {1.0, 2.0, 4.0}};
    const std::vector<std::vector<double>> probs{{0.3, 0.7}, {0.5, 0.25, 0.25}};
    for (std::size_t d = 0; d < values.size(); ++d) {
      auto list = [](const std::vector<double>& xs) {
        std::string s = "[";
        for (const double x : xs) s += std::to_string(x) + ", ";
        return s + "]";
      };
      const SearchRun run = run_search(
          kBagwellStaiger + "[parameters]\ndist = \"discrete\"\n" + "values = " + list(values[d]) +
              "\nprobs = " + list(probs[d]) + "\n" + free_trade_search(tolerance),
          Registry::global());
      double second = 0, sup = 0;
      for (std::size_t i = 0; i < values[d].size(); ++i) {
        second += probs[d][i] * values[d][i] * values[d][i];
        sup = std::max(sup, values[d][i]);
      }
      require_recovers(run, {free_trade_threshold(sup, second)}, tolerance);
    }
  }
}

namespace {

// Evaluations of the search against Boost's TOMS 748 called directly on the same function, with
// the same stopping rule (the bracket at most `tolerance` wide), its two end evaluations counted.
struct CountedRoot {
  std::uint64_t evaluations = 0;
  std::pair<double, double> bracket;
};

CountedRoot boost_toms748(const std::function<double(double)>& f, double lo, double hi,
                          double level, double tolerance) {
  CountedRoot r;
  std::uintmax_t iterations = 200;
  r.bracket = boost::math::tools::toms748_solve(
      [&](double x) {
        ++r.evaluations;
        return f(x) - level;
      },
      lo, hi, [tolerance](double a, double b) { return b - a <= tolerance; }, iterations);
  return r;
}

void require_no_dearer_than_boost(const std::function<double(double)>& f, double lo, double hi,
                                  double level, double tolerance) {
  const SearchResult ours = deterministic_search(f, {lo, hi, level, tolerance, false});
  const CountedRoot boost = boost_toms748(f, lo, hi, level, tolerance);
  INFO("search " << ours.evaluations << " evaluations, Boost " << boost.evaluations);
  CHECK(ours.status == SearchStatus::Converged);
  CHECK(static_cast<double>(ours.evaluations) <= 1.5 * static_cast<double>(boost.evaluations));
  // Both brackets hold the crossing, so they overlap.
  CHECK(ours.lo <= boost.bracket.second);
  CHECK(boost.bracket.first <= ours.hi);
}

// The bagwell_staiger output `name` at the model's defaults with `param` = x.
double model_output(const Model& model, const std::string& param, double x,
                    const std::string& name) {
  const ModelInfo& info = model.info();
  std::vector<Value> values;
  for (const auto& p : info.params) values.push_back(p.name == param ? Value{x} : p.default_value);
  const Point point(info, 0, std::move(values));
  std::vector<double> out(info.metrics.size());
  PointOutputs outputs(out);
  auto state = model.make_state();
  PointState none;
  model.prepare(point, outputs, state ? *state : none);
  return out[*info.metric_index(name)];
}

}  // namespace

TEST_CASE("search: at most 1.5 x the evaluations of Boost's TOMS 748 on the same function",
          "[search]") {
  SECTION("smooth, steep and step functions") {
    require_no_dearer_than_boost([](double x) { return x * x * x - 2 * x - 5; }, 2, 3, 0, 1e-10);
    require_no_dearer_than_boost([](double x) { return std::exp(x); }, 0, 5, 10, 1e-9);
    require_no_dearer_than_boost([](double x) { return std::atan(100 * (x - 0.7)); }, 0, 1, 0,
                                 1e-8);
    require_no_dearer_than_boost([](double x) { return x < 0.3 ? 0.0 : 1.0; }, 0, 1, 0.5, 1e-8);
  }
  SECTION("a model's output, through the search's outputs") {
    const auto model = Registry::global().create("bagwell_staiger");
    const double level = 1.2, tolerance = 1e-8;  // V-bar = 1.2 (lognormal Vf, mean 1)
    const SearchRun run = run_search(kBagwellStaiger +
                                         "[search]\nparameter = \"delta\"\nbracket = [0.1, 0.95]\n"
                                         "output = \"Vbar\"\nlevel = 1.2\ntolerance = 1e-8\n",
                                     Registry::global());
    const CountedRoot boost =
        boost_toms748([&](double d) { return model_output(*model, "delta", d, "Vbar"); }, 0.1, 0.95,
                      level, tolerance);
    INFO("search " << run.of("delta_evaluations")[0] << " evaluations, Boost "
                   << boost.evaluations);
    CHECK(run.of("delta_evaluations")[0] <= 1.5 * static_cast<double>(boost.evaluations));
    CHECK(std::abs(model_output(*model, "delta", run.of("delta_star")[0], "Vbar") - level) < 1e-6);
  }
}

// A 0/1 output is 1 from the step at 0.3 on. Searched at level 1 (a value it takes on a flat
// stretch up to hi), the crossing is the step; at level 0, which it never falls below, there is
// none; and likewise for a falling step at levels 0 and 1.
TEST_CASE("search: a step output searched at one of its values finds the step", "[search]") {
  const auto rising = [](double x) { return x >= 0.3 ? 1.0 : 0.0; };
  const auto falling = [](double x) { return x >= 0.3 ? 0.0 : 1.0; };
  for (const auto& step :
       {std::function<double(double)>(rising), std::function<double(double)>(falling)}) {
    const bool rises = step(1.0) == 1.0;
    const SearchResult found = deterministic_search(step, {0, 1, rises ? 1.0 : 0.0, 1e-9});
    CHECK(found.status == SearchStatus::Converged);
    CHECK(found.lo < 0.3);
    CHECK(0.3 <= found.hi);
    CHECK(found.hi - found.lo <= 1e-9);
    CHECK(deterministic_search(step, {0, 1, rises ? 0.0 : 1.0, 1e-9}).status ==
          SearchStatus::NoSignChange);
    const SearchResult k = deterministic_search([&](double x) { return step(x / 10); },
                                                {0, 10, rises ? 1.0 : 0.0, 1, true});
    CHECK(k.star == 3);
  }
}

TEST_CASE("search: no crossing in the bracket and integer parameters", "[search]") {
  const SearchResult none = deterministic_search([](double x) { return x; }, {1, 2, 0, 1e-6});
  CHECK(none.status == SearchStatus::NoSignChange);
  CHECK(std::isnan(none.star));
  // The level reached exactly at hi is a crossing there; lo at the level is none (going up from
  // lo, the output must reach the level from the side lo is strictly on).
  CHECK(deterministic_search([](double x) { return x; }, {0, 1, 1, 1e-6}).hi == 1);
  CHECK(deterministic_search([](double x) { return -x; }, {1, 2, -1, 1e-6}).status ==
        SearchStatus::NoSignChange);
  CHECK(deterministic_search([](double x) { return 2 - x; }, {0, 10, 0, 1, true}).star == 2);
  // The smallest integer whose value reaches the level: x^2 >= 50 from k = 8.
  const SearchResult k =
      deterministic_search([](double x) { return x * x; }, {1, 100, 50, 1, true});
  CHECK(k.status == SearchStatus::Converged);
  CHECK(k.star == 8);
  CHECK(k.lo == 8);
  CHECK(k.hi == 8);
  // A tolerance below the doubles' spacing: the bisections stop at adjacent doubles, and the
  // stages at the budget (the function has no noise: an interval of one double's width).
  const SearchResult fine = noisy_search(
      [](double x, std::uint64_t) {
        return NoisyMean{x, 0};
      },
      {0, 1, 0.3, 1e-300}, {0.95, 1'000'000'000, 64});
  CHECK(fine.status == SearchStatus::BudgetExhausted);
  CHECK(fine.lo <= 0.3);
  CHECK(0.3 <= fine.hi);
  CHECK(fine.hi - fine.lo < 1e-15);
  CHECK(fine.replications <= 1'000'000'000);
  // Falling: the first integer where 100 - x^2 <= 50 is 8 too.
  CHECK(deterministic_search([](double x) { return 100 - x * x; }, {1, 100, 50, 1, true}).star ==
        8);
}

namespace {

// One Bernoulli draw per replication, hit = 1{U < x^2}: its mean crosses `level` at sqrt(level).
// `trial` only labels repetitions: each value is a point of its own, with its own streams.
class BernoulliModel : public Model {
 public:
  BernoulliModel() {
    info_.name = "bernoulli";
    info_.version = "1";
    info_.params = {real_param("x", 0.5, Range{0, 1}, "", "the searched parameter"),
                    real_param("trial", 0, Range{}, "", "repetition label")};
    info_.metrics = {{"hit", "", "1 if U < x^2", OutputLevel::Replication}};
  }
  const ModelInfo& info() const override { return info_; }
  std::unique_ptr<PointState> make_state() const override { return std::make_unique<State>(); }
  void prepare(const Point& p, PointOutputs&, PointState& state) const override {
    static_cast<State&>(state).p = p.real("x") * p.real("x");
  }
  void replicate(const PointState& state, Replication& rep) const override {
    rep.metric(0, rep.stream("u").uniform() < static_cast<const State&>(state).p ? 1.0 : 0.0);
  }

 private:
  struct State : PointState {
    double p = 0;
  };
  ModelInfo info_;
};

const Registry& bernoulli_registry() {
  static const Registry r = [] {
    Registry reg;
    reg.add("bernoulli", [] { return std::make_unique<BernoulliModel>(); });
    return reg;
  }();
  return r;
}

std::string bernoulli_search(int repetitions, double tolerance, std::uint64_t budget) {
  return "[experiment]\nname = \"b\"\nmodel = \"bernoulli\"\nseed = 11\n"
         "[grid]\ntrial = { linspace = [1, " +
         std::to_string(repetitions) + ", " + std::to_string(repetitions) +
         "] }\n[search]\nparameter = \"x\"\nbracket = [0, 1]\noutput = \"hit\"\nlevel = 0.3\n"
         "tolerance = " +
         toml_real(tolerance) + "\nmax_replications = " + std::to_string(budget) + "\n";
}

}  // namespace

TEST_CASE("search: a noisy crossing lies in the reported 95% interval at >= 90% of seeds",
          "[search]") {
  // 200 independent searches (one per point); at a true coverage of 95% the count below 180 has
  // probability ~0.2%, so the bound means something. The budget stops some searches early (their
  // interval is wider, still valid), the others converge to the tolerance.
  const int repetitions = 200;
  const double truth = std::sqrt(0.3), tolerance = 0.04;
  const SearchRun run =
      run_search(bernoulli_search(repetitions, tolerance, 150'000), bernoulli_registry());
  const auto star = run.of("x_star"), lo = run.of("x_star_lo"), hi = run.of("x_star_hi");
  const auto status = run.of("x_status"), used = run.of("x_replications");
  int covered = 0;
  double mean = 0, sum_sq = 0;
  for (int i = 0; i < repetitions; ++i) {
    covered += lo[i] <= truth && truth <= hi[i];
    CHECK((status[i] == static_cast<double>(SearchStatus::Converged) ||
           status[i] == static_cast<double>(SearchStatus::BudgetExhausted)));
    CHECK(used[i] <= 150'000);
    CHECK(lo[i] <= star[i]);
    CHECK(star[i] <= hi[i]);
    mean += star[i] / repetitions;
    sum_sq += star[i] * star[i];
  }
  const double se =
      std::sqrt((sum_sq - repetitions * mean * mean) / (repetitions - 1) / repetitions);
  INFO("covered " << covered << " of " << repetitions << "; mean estimate " << mean << " (se " << se
                  << "), truth " << truth);
  CHECK(covered >= 180);
  // The estimates are centred on the crossing: their mean within 4 standard errors of it.
  CHECK(std::abs(mean - truth) <= 4 * se);
}

TEST_CASE("search: outputs do not depend on the thread count", "[search]") {
  const std::string text = bernoulli_search(16, 0.05, 60'000);
  const SearchRun one = run_search(text, bernoulli_registry(), 1);
  const SearchRun two = run_search(text, bernoulli_registry(), 2);
  for (const char* name : {"x_star", "x_star_lo", "x_star_hi", "x_replications"}) {
    const auto a = one.of(name), b = two.of(name);
    REQUIRE(a.size() == b.size());
    CHECK(std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0);
  }
}

TEST_CASE("search: simulated P_protect = 0.1 covers the closed form's sd* at >= 90% of seeds",
          "[search]") {
  // The closed form's crossing: P_protect (point-level) over sd at delta = 0.65, lognormal Vf.
  const std::string common = kBagwellStaiger + "[parameters]\ndelta = 0.65\nperiods = 100\n";
  const std::string search = "[search]\nparameter = \"sd\"\nbracket = [0.01, 0.5]\nlevel = 0.1\n";
  const SearchRun exact = run_search(
      common + search + "output = \"P_protect\"\ntolerance = 1e-10\n", Registry::global());
  REQUIRE(exact.of("sd_status")[0] == static_cast<double>(SearchStatus::Converged));
  const double truth = exact.of("sd_star")[0];
  // 200 independent noisy searches of the simulated share: a does not change P_protect (spec §4),
  // but each value of it is a point with its own random streams.
  const int repetitions = 200;
  const SearchRun noisy =
      run_search(common + "[grid]\na = { linspace = [0.5, 2.0, 200] }\n" + search +
                     "output = \"sim_P_protect\"\ntolerance = 0.02\n"
                     "max_replications = 100000\n",
                 Registry::global());
  const auto lo = noisy.of("sd_star_lo"), hi = noisy.of("sd_star_hi");
  int covered = 0;
  for (int i = 0; i < repetitions; ++i) covered += lo[i] <= truth && truth <= hi[i];
  INFO("sd* = " << truth << " covered by " << covered << " of " << repetitions << " intervals");
  // At the nominal 95%, fewer than 180 covered has probability ~0.1%.
  CHECK(covered >= 180);
}

namespace {

// y = x + 10 (U - 1/2) in each replication, U the replication's uniform: with common random
// numbers the mean over replications 0..n-1 is x + 10 (mean U - 1/2) at every x, so the search's
// estimate is level - 10 (mean U - 1/2), to its resolution; fresh draws at each trial value would
// scatter it by about a standard error.
class ShiftModel : public Model {
 public:
  ShiftModel() {
    info_.name = "shift";
    info_.version = "1";
    info_.params = {real_param("x", 0, Range{-100, 100}, "", "the searched parameter"),
                    real_param("label", 0, Range{}, "", "a point's identity")};
    info_.metrics = {{"y", "", "x + 10 (U - 1/2)", OutputLevel::Replication}};
  }
  const ModelInfo& info() const override { return info_; }
  std::unique_ptr<PointState> make_state() const override { return std::make_unique<State>(); }
  void prepare(const Point& p, PointOutputs&, PointState& state) const override {
    static_cast<State&>(state).x = p.real("x");
  }
  void replicate(const PointState& state, Replication& rep) const override {
    rep.metric(0, static_cast<const State&>(state).x + 10 * (rep.stream("u").uniform() - 0.5));
  }

 private:
  struct State : PointState {
    double x = 0;
  };
  ModelInfo info_;
};

}  // namespace

TEST_CASE("search: replication r draws the same numbers at every trial value", "[search]") {
  Registry registry;
  registry.add("shift", [] { return std::make_unique<ShiftModel>(); });
  // A tolerance the first stage (64 replications) reaches: width ~ 2 x 1.96 x 2.9 / 8 = 1.4.
  const double level = 1.0, tolerance = 2.0;
  const SearchRun run = run_search(
      "[experiment]\nname = \"c\"\nmodel = \"shift\"\nseed = 5\n[grid]\nlabel = [1, 2, 3, 4]\n"
      "[search]\nparameter = \"x\"\nbracket = [-10, 10]\noutput = \"y\"\nlevel = 1.0\n"
      "tolerance = 2.0\nmax_replications = 100000\n",
      registry);
  const auto star = run.of("x_star"), used = run.of("x_replications"),
             evals = run.of("x_evaluations");
  const Design design(run.exp, run.model->info());
  for (std::uint64_t i = 0; i < design.size(); ++i) {
    REQUIRE(used[i] == kSearchFirstStage * evals[i]);  // one stage: 64 replications per trial
    const Point outer(run.model->info(), i, design.values(i));
    double mean_u = 0;
    for (std::uint64_t r = 0; r < kSearchFirstStage; ++r)
      mean_u += Stream(StreamKey{run.exp.seed, outer.identity()}, r, "u").uniform() /
                static_cast<double>(kSearchFirstStage);
    const double root = level - 10 * (mean_u - 0.5);
    INFO("point " << i << ": estimate " << star[i] << ", root of the common-numbers mean " << root);
    CHECK(std::abs(star[i] - root) <= tolerance / 16);
  }
}
