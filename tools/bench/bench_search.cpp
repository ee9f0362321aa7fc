// [search]'s deterministic search against Boost's TOMS 748 called directly on the same function:
// at every point of a grid, the crossing of a bagwell_staiger output and a level, found once
// through the engine's SearchModel (its outputs read off a BatchComputer batch, one thread) and
// once by boost::math::tools::toms748_solve on the wrapped model's output (prepare() per call),
// with the same stopping rule (bracket at most `tolerance` wide). Prints evaluations and time of
// both and their ratios, per case; medians of 5 interleaved rounds.
//
// usage: bench_search [--points N]   (grid points per case, default 400)
#include <tbb/global_control.h>

#include <algorithm>
#include <boost/math/tools/toms748_solve.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "tariffsim/design.hpp"
#include "tariffsim/experiment.hpp"
#include "tariffsim/registry.hpp"
#include "tariffsim/runner.hpp"
#include "tariffsim/search.hpp"

namespace {

using namespace tariffsim;
using Clock = std::chrono::steady_clock;

struct Case {
  const char* name;
  std::string grid;  // [parameters] and [grid] lines: the rest of the design
  std::string parameter, output;
  double lo, hi, level, tolerance;
};

std::vector<Case> cases(int points) {
  const std::string n = std::to_string(points);
  return {
      {"vbar_over_delta", "[grid]\nsd = { linspace = [0.05, 1.0, " + n + "] }\n", "delta", "Vbar",
       0.05, 0.95, 1.2, 1e-10},
      {"free_trade_over_delta",
       "[parameters]\ndist = \"uniform\"\nhi = 1.0\n[grid]\nlo = { linspace = [0.0, 0.99, " + n +
           "] }\n",
       "delta", "free_trade_sustainable", 0.01, 0.999, 0.5, 1e-9},
      {"p_protect_over_sd", "[grid]\ndelta = { linspace = [0.58, 0.74, " + n + "] }\n", "sd",
       "P_protect", 0.001, 0.5, 0.1, 1e-8},
  };
}

std::string experiment_text(const Case& c) {
  char search[512];
  std::snprintf(search, sizeof search,
                "[search]\nparameter = \"%s\"\nbracket = [%.17g, %.17g]\noutput = \"%s\"\n"
                "level = %.17g\ntolerance = %.17g\n",
                c.parameter.c_str(), c.lo, c.hi, c.output.c_str(), c.level, c.tolerance);
  return "[experiment]\nname = \"bench\"\nmodel = \"bagwell_staiger\"\nseed = 1\n" + c.grid +
         search;
}

struct Measured {
  double seconds = 0;
  double evaluations = 0;
  double checksum = 0;  // of the crossings, so that neither loop is optimised away
};

Measured through_search_model(const Experiment& exp, const Model& model) {
  const auto start = Clock::now();
  const BatchComputer computer(exp, model, 1);
  const PointBatch batch = computer.compute(0, computer.points());
  Measured m;
  m.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  const auto evaluations = *model.info().metric_index(exp.search->parameter + "_evaluations");
  const auto star = *model.info().metric_index(exp.search->parameter + "_star");
  for (std::size_t i = 0; i < batch.count; ++i) {
    m.evaluations += batch.metrics[evaluations].value[i];
    m.checksum += batch.metrics[star].value[i];
  }
  return m;
}

// The wrapped model's output at `x` for the outer point's values: what TOMS 748 is given.
class DirectFunction {
 public:
  DirectFunction(const Model& inner, const SearchSpec& spec)
      : inner_(inner),
        param_(static_cast<std::size_t>(
            std::find_if(inner.info().params.begin(), inner.info().params.end(),
                         [&](const ParamSpec& p) { return p.name == spec.parameter; }) -
            inner.info().params.begin())),
        output_(*inner.info().metric_index(spec.output)),
        state_(inner.make_state()),
        out_(inner.info().metrics.size()) {}

  double operator()(const std::vector<Value>& outer, double x) {
    std::vector<Value> values(outer);
    values.insert(values.begin() + static_cast<std::ptrdiff_t>(param_), Value{x});
    const Point point(inner_.info(), 0, std::move(values));
    PointOutputs outputs(out_);
    inner_.prepare(point, outputs, state_ ? *state_ : none_);
    return out_[output_];
  }

 private:
  const Model& inner_;
  std::size_t param_, output_;
  std::unique_ptr<PointState> state_;
  PointState none_;
  std::vector<double> out_;
};

Measured direct_toms748(const Experiment& exp, const SearchModel& model) {
  const SearchSpec& s = *exp.search;
  const Design design(exp, model.info());
  DirectFunction f(model.inner(), s);
  Measured m;
  const auto start = Clock::now();
  for (std::uint64_t i = 0; i < design.size(); ++i) {
    const std::vector<Value> outer = design.values(i);
    auto g = [&](double x) {
      m.evaluations += 1;
      return f(outer, x) - s.level;
    };
    std::uintmax_t iterations = 200;
    const double tol = s.tolerance;
    const auto [a, b] = boost::math::tools::toms748_solve(
        g, s.lo, s.hi, [tol](double x, double y) { return y - x <= tol; }, iterations);
    m.checksum += a + (b - a) / 2;
  }
  m.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return m;
}

double median(std::vector<double> xs) {
  std::sort(xs.begin(), xs.end());
  return xs[xs.size() / 2];
}

void run_case(const Case& c) {
  const Experiment exp = parse_experiment(experiment_text(c), "bench.toml", {}, Registry::global());
  const auto model = experiment_model(exp, Registry::global());
  const auto& search = dynamic_cast<const SearchModel&>(*model);
  constexpr int kRounds = 5;
  std::vector<double> ours_s, boost_s;
  Measured ours, boost;
  for (int round = 0; round < kRounds; ++round) {
    ours = through_search_model(exp, *model);
    boost = direct_toms748(exp, search);
    ours_s.push_back(ours.seconds);
    boost_s.push_back(boost.seconds);
  }
  const double points = static_cast<double>(BatchComputer(exp, *model, 1).points());
  std::printf("%s: %.0f points, %s crossing %g over %s in [%g, %g], tolerance %g\n", c.name, points,
              c.output.c_str(), c.level, c.parameter.c_str(), c.lo, c.hi, c.tolerance);
  std::printf("  evaluations per point: search %.2f, Boost TOMS 748 %.2f, ratio %.3f\n",
              ours.evaluations / points, boost.evaluations / points,
              ours.evaluations / boost.evaluations);
  std::printf("  time (median of %d): search %.4f s (engine included), Boost %.4f s, ratio %.3f\n",
              kRounds, median(ours_s), median(boost_s), median(ours_s) / median(boost_s));
  std::printf("  mean crossing: search %.12g, Boost %.12g\n", ours.checksum / points,
              boost.checksum / points);
  std::printf("RESULT search.%s.evaluation_ratio %.4f\n", c.name,
              ours.evaluations / boost.evaluations);
  std::printf("RESULT search.%s.time_ratio %.4f\n", c.name, median(ours_s) / median(boost_s));
}

}  // namespace

int main(int argc, char** argv) {
  int points = 400;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--points") == 0 && i + 1 < argc) {
      points = std::atoi(argv[++i]);
    } else {
      std::fprintf(stderr, "usage: bench_search [--points N]\n");
      return 2;
    }
  }
  tbb::global_control one_thread(tbb::global_control::max_allowed_parallelism, 1);
  for (const Case& c : cases(points)) run_case(c);
  return 0;
}
