// validate(): the one check before a run, for experiments built in C++ as for those read from
// TOML. Every problem is reported at once; an experiment built in C++ is located at the
// SourceLocations its struct carries, else at its config_path or "<experiment>".
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <optional>
#include <stdexcept>
#include <string>

#include "experiment_fixtures.hpp"
#include "tariffsim/error.hpp"
#include "tariffsim/validate.hpp"

namespace {

using namespace tariffsim;
using namespace tariffsim::test;

// A valid experiment of the fake model, as a C++ caller would build it.
Experiment built_in_cpp() {
  Experiment e;
  e.name = "built";
  e.model = "fake";
  e.seed = 5;
  e.replications = 10;
  e.fixed["alpha"] = LocatedValue{Value{0.25}, {}};
  e.grid.push_back(GridAxis{"theta", {Value{1.0}, Value{2.0}}, std::nullopt, {}});
  e.output.file = "out/built.h5";
  return e;
}

std::vector<std::string> problems_of(const Experiment& e, const RunOptions& options = {}) {
  const FakeModel model("fake", true);
  try {
    validate(e, model, options);
  } catch (const InputError& error) {
    return error.problems();
  }
  FAIL("expected an InputError");
  return {};
}

}  // namespace

TEST_CASE("an experiment built in C++ passes validate when it keeps every rule", "[validate]") {
  const FakeModel model("fake", true);
  CHECK_NOTHROW(validate(built_in_cpp(), model));
}

TEST_CASE("an invalid experiment built in C++ gets every problem reported at once", "[validate]") {
  Experiment e = built_in_cpp();
  e.name = "my exp";
  e.replications = 0;
  e.block_size = 0;
  e.fixed["alpha"].value = Value{1.5};
  e.fixed["zzzzzz"] = LocatedValue{Value{1.0}, {}};
  e.grid.push_back(GridAxis{"alpha", {Value{0.2}}, std::nullopt, {}});
  e.grid.push_back(GridAxis{"k", {Value{std::string("x")}}, std::nullopt, {}});
  e.grid.push_back(GridAxis{"periods", {}, AxisSpacing{1, 10, 10, false}, {}});
  e.sample = SampleSpec{SampleMethod::Sobol, 0, {SampleRange{"gamma", 1.0, 0.0, {}}}, {}};
  e.output.series = {"tarif"};
  e.output.quantiles = {0.9, 0.1};
  e.precision.target_se = {{"threshold", -1.0}};
  RunOptions options;
  options.shard_index = 3;
  options.shard_count = 2;

  const auto p = problems_of(e, options);
  CHECK_PROBLEM(p, "<experiment>: experiment.name: expected an identifier", "got \"my exp\"");
  CHECK_PROBLEM(p, "<experiment>: experiment.replications: expected an integer in [1, ", "got 0");
  CHECK_PROBLEM(p, "<experiment>: experiment.block_size: expected an integer in [1, 1048576]");
  CHECK_PROBLEM(p, "<experiment>: parameters.alpha: expected a real in [0, 1], got 1.5");
  CHECK_PROBLEM(p, "<experiment>: parameters.zzzzzz: unknown parameter", "declared parameters");
  CHECK_PROBLEM(p, "<experiment>: grid.alpha: expected a parameter in at most one of",
                "also in [parameters]");
  CHECK_PROBLEM(p, "<experiment>: grid.k[0]: expected an integer, got \"x\"");
  CHECK_PROBLEM(p, "<experiment>: grid.periods: expected an array of values",
                "linspace and logspace need a real parameter");
  CHECK_PROBLEM(p, "<experiment>: sample.n: expected an integer in [1, 100000000], got 0");
  CHECK_PROBLEM(p, "<experiment>: sample.ranges.gamma: expected [lo, hi] with finite reals lo < hi",
                "got [1.0, 0.0]");
  CHECK_PROBLEM(p, "<experiment>: output.series[0]: expected a series of model 'fake' (tariff)");
  CHECK_PROBLEM(p, "<experiment>: output.quantiles: expected an increasing array",
                "got [0.9, 0.1]");
  CHECK_PROBLEM(p, "precision.target_se.threshold: expected a positive real, got -1.0");
  CHECK_PROBLEM(p, "precision.target_se.threshold: expected a replication-level metric");
  CHECK_PROBLEM(p, "<experiment>: [precision] max_replications: missing");
  CHECK_PROBLEM(p, "shard: expected i/N with 0 <= i < N, got '3/2'");
  CHECK(p.size() == 16);
}

TEST_CASE("validate locates a problem at the SourceLocation the experiment carries", "[validate]") {
  Experiment e = built_in_cpp();
  e.config_path = "study.cpp";
  e.fixed["alpha"] = LocatedValue{Value{-1.0}, SourceLocation{"study.cpp", 12, 3}};
  e.output.file = "";
  const auto p = problems_of(e);
  CHECK_PROBLEM(p, "study.cpp:12:3: parameters.alpha: expected a real in [0, 1], got -1.0");
  CHECK_PROBLEM(p, "study.cpp: output.file: expected a non-empty file name, got \"\"");
  CHECK(p.size() == 2);
}

TEST_CASE("validate holds an experiment read from TOML to the same rules", "[validate]") {
  const FakeModel model("fake", true);
  Experiment e = parse_experiment("[experiment]\nname = \"t\"\nmodel = \"fake\"\nseed = 1\n",
                                  "exp.toml", {}, registry());
  CHECK_NOTHROW(validate(e, model));
  e.replications = 0;  // changed after reading: validate judges the struct, not the file
  const auto p = problems_of(e);
  CHECK_PROBLEM(p, "exp.toml: experiment.replications: expected an integer in [1, ", "got 0");
  CHECK(p.size() == 1);
}

TEST_CASE("a [sensitivity] built in C++ is judged by the rules a file's is", "[validate]") {
  Experiment e = built_in_cpp();
  e.grid.clear();
  SensitivitySpec s;
  s.n = 8;
  s.ranges = {SampleRange{"gamma", 0.0, 1.0, {}}, SampleRange{"theta", -1.0, 1.0, {}}};
  e.sensitivity = s;
  const FakeModel model("fake", true);
  CHECK_NOTHROW(validate(e, model));

  e.sensitivity->replicates = 3;
  e.sensitivity->bootstrap = 100;
  const auto intervals = problems_of(e);
  CHECK_PROBLEM(intervals,
                "<experiment>: sensitivity.replicates: expected a power of two in [1, 4]", "got 3");
  CHECK_PROBLEM(intervals,
                "<experiment>: sensitivity.bootstrap: expected no bootstrap with replicates = 3",
                "leave replicates out");
  e.sensitivity->replicates = 1;
  CHECK_NOTHROW(validate(e, model));

  e.grid.push_back(GridAxis{"theta", {Value{1.0}}, std::nullopt, {}});
  e.sensitivity->n = 12;
  e.sensitivity->ranges.push_back(SampleRange{"beta", 2.0, 2.0, {}});
  e.sensitivity->outputs = {"tariff", "welfare"};
  e.sensitivity->bootstrap = 0;
  e.sensitivity->confidence = 1.0;
  e.output.metrics = {"threshold"};
  const auto p = problems_of(e);
  CHECK_PROBLEM(p, "<experiment>: sensitivity.n: expected a power of two in [2, 2^26]", "got 12");
  CHECK_PROBLEM(p, "<experiment>: sensitivity.ranges.theta: expected a parameter in at most one of",
                "also in [grid]");
  CHECK_PROBLEM(p, "<experiment>: sensitivity.ranges.beta: expected [lo, hi] with finite reals");
  CHECK_PROBLEM(p, "<experiment>: sensitivity.outputs[0]: expected a scalar output", "a series");
  CHECK_PROBLEM(p,
                "<experiment>: sensitivity.outputs[1]: expected an output that [output] metrics");
  CHECK_PROBLEM(p, "<experiment>: sensitivity.bootstrap: expected an integer in [1, 1000000]");
  CHECK_PROBLEM(p, "<experiment>: sensitivity.confidence: expected a probability in (0, 1)");
  CHECK_PROBLEM(p, "<experiment>: grid: expected no [grid] with [sensitivity]");
}

TEST_CASE("validate refuses an output path that cannot be a file, with the rest", "[validate]") {
  const std::filesystem::path folder =
      std::filesystem::temp_directory_path() / ("tariffsim_validate_" + std::to_string(::getpid()));
  std::filesystem::create_directories(folder);
  std::ofstream(folder / "a_file") << "not a folder\n";
  Experiment e = built_in_cpp();
  e.replications = 0;
  e.output.file = folder.string();
  e.output.file_where = SourceLocation{"study.toml", 9, 8};
  const auto from_the_experiment = problems_of(e);
  CHECK_PROBLEM(from_the_experiment, "<experiment>: experiment.replications: expected an integer");
  CHECK_PROBLEM(from_the_experiment, "study.toml:9:8: output.file: '" + folder.string() +
                                         "' is a folder: expected a path to a file");
  CHECK(from_the_experiment.size() == 2);

  e.replications = 10;
  RunOptions options;
  options.output_path = (folder / "a_file" / "sub" / "out.h5").string();
  options.output_origin = "--output";
  const auto from_the_options = problems_of(e, options);
  CHECK_PROBLEM(from_the_options, "--output: '" + options.output_path + "' is under '" +
                                      (folder / "a_file").string() + "', which is a file");
  CHECK(from_the_options.size() == 1);

  options.output_path = (folder / "not_yet" / "").string();  // a folder's name, if not one yet
  const auto trailing_slash = problems_of(e, options);
  CHECK_PROBLEM(trailing_slash, "--output: '" + options.output_path + "' is a folder");
  CHECK(trailing_slash.size() == 1);

  const FakeModel model("fake", true);
  options.output_path = (folder / "missing" / "folders" / "out.h5").string();
  CHECK_NOTHROW(validate(e, model, options));  // missing folders are made with the file
  std::filesystem::remove_all(folder);
}

// A model whose domain check throws at the first point: a bug of the model, which fails that point
// when it runs (status -2), not a problem of the input.
class ThrowingCheck : public FakeModel {
 public:
  ThrowingCheck() : FakeModel("fake", true) {}
  std::optional<DomainProblem> check(const Point&) const override {
    throw std::runtime_error("check() has a bug");
  }
};

TEST_CASE("validate leaves a model's exception in check() to the point it fails", "[validate]") {
  const ThrowingCheck model;
  CHECK_NOTHROW(validate(built_in_cpp(), model));
}
