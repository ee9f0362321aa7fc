// Experiment files: parsing, defaults, every kind of error (all reported at once, each naming file,
// line and key), and --set overrides. A fake model in a local registry keeps the test independent
// of the real models.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "experiment_fixtures.hpp"
#include "tariffsim/error.hpp"
#include "tariffsim/experiment.hpp"

namespace {

using namespace tariffsim;
using namespace tariffsim::test;

// Lines 1-4; sections appended by a test start on line 5.
const std::string kHead = R"([experiment]
name = "t"
model = "fake"
seed = 1
)";

Experiment parse(const std::string& text, const std::vector<std::string>& overrides = {}) {
  return parse_experiment(text, "exp.toml", overrides, registry());
}

std::vector<std::string> problems_of(const std::string& text,
                                     const std::vector<std::string>& overrides = {}) {
  try {
    parse(text, overrides);
  } catch (const InputError& e) {
    return e.problems();
  }
  FAIL("expected an InputError for:\n" << text);
  return {};
}

const std::string kFull = R"([experiment]
name = "full"
model = "fake"
seed = 42
replications = 100
description = "every section"
common_random_numbers = true
block_size = 16
[parameters]
alpha = 0.25
n_firms = 3
mfn = false
regime = "power"
weights = [1, 2.5]
[grid]
theta = [3, 1.5, 2]
beta = { logspace = [0.01, 100.0, 5] }
[sample]
method = "lhs"
n = 8
ranges = { k = [1, 5], gamma = [0.0, 1.0] }
[output]
file = "out/full.h5"
replications = true
series = ["tariff"]
quantiles = [0.05, 0.5, 0.95]
[precision]
target_se = { welfare = 0.01, tariff_mean = 2 }
max_replications = 1000
)";

}  // namespace

TEST_CASE("a file with every section parses into the expected experiment", "[experiment]") {
  const Experiment e = parse(kFull);
  CHECK(e.config_path == "exp.toml");
  CHECK(e.name == "full");
  CHECK(e.model == "fake");
  CHECK(e.seed == 42);
  CHECK(e.replications == 100);
  CHECK(e.description == "every section");
  CHECK(e.common_random_numbers);
  CHECK(e.block_size == 16);

  REQUIRE(e.fixed.size() == 5);
  CHECK(std::get<double>(e.fixed.at("alpha").value) == 0.25);
  CHECK(std::get<std::int64_t>(e.fixed.at("n_firms").value) == 3);
  CHECK(std::get<bool>(e.fixed.at("mfn").value) == false);
  CHECK(std::get<std::string>(e.fixed.at("regime").value) == "power");
  CHECK(std::get<std::vector<double>>(e.fixed.at("weights").value) == std::vector<double>{1, 2.5});
  CHECK(e.fixed.at("alpha").where.str() == "exp.toml:10:9");

  REQUIRE(e.grid.size() == 2);  // file order, not alphabetical
  CHECK(e.grid[0].name == "theta");
  CHECK(e.grid[0].expanded() == std::vector<Value>{3.0, 1.5, 2.0});  // integers typed as reals
  CHECK(e.grid[1].name == "beta");
  CHECK(e.grid[1].expanded() == std::vector<Value>{0.01, 0.1, 1.0, 10.0, 100.0});
  CHECK(e.grid[0].where.line == 16);

  REQUIRE(e.sample);
  CHECK(e.sample->method == SampleMethod::Lhs);
  CHECK(e.sample->n == 8);
  REQUIRE(e.sample->ranges.size() == 2);
  CHECK(e.sample->ranges[0].name == "k");
  CHECK(e.sample->ranges[0].lo == 1.0);
  CHECK(e.sample->ranges[0].hi == 5.0);
  CHECK(e.sample->ranges[1].name == "gamma");
  CHECK(e.sample->where.line == 18);

  CHECK(e.output.file == "out/full.h5");
  CHECK(e.output.file_where.line == 23);
  CHECK(e.output.keep_replications);
  CHECK(e.output.series == std::vector<std::string>{"tariff"});
  CHECK(e.output.quantiles == std::vector<double>{0.05, 0.5, 0.95});

  REQUIRE(e.precision.target_se.size() == 2);
  CHECK(e.precision.target_se[0] == std::make_pair(std::string("welfare"), 0.01));
  CHECK(e.precision.target_se[1] == std::make_pair(std::string("tariff_mean"), 2.0));
  CHECK(e.precision.max_replications == 1000);

  CHECK(e.where("alpha").line == 10);
  CHECK(e.where("beta").line == 17);
  CHECK(e.where("gamma").line == 21);
  CHECK(e.where("periods").str() == "--set");  // defaulted: no location
  CHECK(e.where("periods").line == 0);
  CHECK(e.varies("theta"));
  CHECK(e.varies("k"));
  CHECK_FALSE(e.varies("alpha"));
  CHECK_FALSE(e.varies("periods"));
}

TEST_CASE("config_text is the effective config and parses back to the same experiment",
          "[experiment]") {
  const Experiment e = parse(kFull, {"experiment.seed=7"});
  CHECK(e.config_text.find("seed = 7") != std::string::npos);
  const Experiment again = parse_experiment(e.config_text, "again.toml", {}, registry());
  CHECK(again.config_text == e.config_text);
  CHECK(again.seed == 7);
  REQUIRE(again.grid.size() == 2);
  CHECK(again.grid[0].name == "theta");
  CHECK(again.grid[1].expanded() == e.grid[1].expanded());
  CHECK(again.sample->ranges[0].name == "k");
  CHECK(again.precision.target_se == e.precision.target_se);
  CHECK(again.fixed.at("weights").value == e.fixed.at("weights").value);
}

TEST_CASE("defaults", "[experiment]") {
  const Experiment e = parse(kHead);
  CHECK(e.name == "t");
  CHECK(e.replications == 1);
  CHECK(e.description.empty());
  CHECK_FALSE(e.common_random_numbers);
  CHECK(e.block_size == 64);
  CHECK(e.fixed.empty());
  CHECK(e.grid.empty());
  CHECK_FALSE(e.sample);
  CHECK(e.output.file == "results/t.h5");
  CHECK_FALSE(e.output.keep_replications);
  CHECK(e.output.series.empty());
  CHECK(e.output.quantiles.empty());
  CHECK(e.precision.target_se.empty());
  CHECK(e.precision.max_replications == 0);
}

TEST_CASE("structural errors name file, line and key", "[experiment][errors]") {
  SECTION("unknown table") {
    CHECK_PROBLEM(problems_of(kHead + "[extra]\nx = 1\n"), "exp.toml:5:", "extra", "unknown key");
  }
  SECTION("unknown key in a known table") {
    CHECK_PROBLEM(problems_of(kHead + "colour = 1\n"), "exp.toml:5:1: experiment.colour",
                  "unknown key");
  }
  SECTION("unknown key in [output] and [sample]") {
    const auto p = problems_of(kHead + "[output]\nfiel = \"x\"\n");
    CHECK_PROBLEM(p, "exp.toml:6:1: output.fiel", "unknown key", "did you mean 'file'?");
    const auto q = problems_of(kHead +
                               "[sample]\nmethod = \"lhs\"\nn = 2\nmethd = 1\n"
                               "ranges = { alpha = [0, 1] }\n[outptu]\n");
    CHECK_PROBLEM(q, "exp.toml:8:1: sample.methd", "unknown key", "did you mean 'method'?");
    CHECK_PROBLEM(q, "exp.toml:10:", "outptu", "unknown key", "did you mean 'output'?");
    CHECK(q.size() == 2);
  }
  SECTION("a section that is not a table") {
    CHECK_PROBLEM(problems_of("grid = 3\n" + kHead), "exp.toml:1:8: grid", "expected a table",
                  "got 3");
  }
  SECTION("missing required keys") {
    const auto p = problems_of("[experiment]\nname = \"t\"\n");
    CHECK_PROBLEM(p, "exp.toml: [experiment] model: missing", "fake, fake_det");
    CHECK_PROBLEM(p, "exp.toml: [experiment] seed: missing (expected an integer >= 0)");
    CHECK(p.size() == 2);
  }
  SECTION("no [experiment] at all") {
    const auto p = problems_of("");
    CHECK_PROBLEM(p, "exp.toml: [experiment] name: missing (expected an identifier)");
    CHECK(p.size() == 3);
  }
  SECTION("unknown model lists the known ones") {
    const auto p = problems_of("[experiment]\nname = \"t\"\nmodel = \"nope\"\nseed = 1\n");
    CHECK_PROBLEM(p, "exp.toml:3:9: experiment.model", "fake, fake_det", "got \"nope\"");
  }
  SECTION("name must be an identifier") {
    const auto p = problems_of("[experiment]\nname = \"my exp\"\nmodel = \"fake\"\nseed = 1\n");
    CHECK_PROBLEM(p, "exp.toml:2:8: experiment.name", "expected an identifier", "\"my exp\"");
  }
  SECTION("negative seed, zero replications, huge block size") {
    const auto p = problems_of(
        "[experiment]\nname = \"t\"\nmodel = \"fake\"\nseed = -1\nreplications = 0\n"
        "block_size = 2000000\n");
    CHECK_PROBLEM(p, "exp.toml:4:8: experiment.seed", "an integer >= 0", "got -1");
    CHECK_PROBLEM(p, "exp.toml:5:", "experiment.replications", "got 0");
    CHECK_PROBLEM(p, "exp.toml:6:", "experiment.block_size", "[1, 1048576]");
  }
  SECTION("a deterministic model runs one replication") {
    const auto p = problems_of(
        "[experiment]\nname = \"t\"\nmodel = \"fake_det\"\nseed = 1\nreplications = 10\n");
    CHECK_PROBLEM(p, "exp.toml:5:", "experiment.replications", "deterministic");
  }
  SECTION("malformed TOML") {
    const auto p = problems_of("[experiment]\nname = \"t\"\nmodel = fake\n");
    REQUIRE(p.size() == 1);
    CHECK_PROBLEM(p, "exp.toml:3:", "malformed TOML");
  }
}

TEST_CASE("parameter errors", "[experiment][errors]") {
  SECTION("unknown parameter with a suggestion") {
    CHECK_PROBLEM(problems_of(kHead + "[parameters]\nalpah = 0.3\n"),
                  "exp.toml:6:1: parameters.alpah", "unknown parameter", "did you mean 'alpha'?");
  }
  SECTION("unknown parameter far from any name lists the declared ones") {
    CHECK_PROBLEM(problems_of(kHead + "[parameters]\nzzzzzzzz = 0.3\n"),
                  "exp.toml:6:1: parameters.zzzzzzzz", "declared parameters: alpha, beta");
  }
  SECTION("wrong type") {
    const auto p = problems_of(kHead +
                               "[parameters]\nn_firms = 2.5\nalpha = \"x\"\nmfn = 1\n"
                               "weights = [1, \"a\"]\n");
    CHECK_PROBLEM(p, "exp.toml:6:11: parameters.n_firms", "expected an integer, got 2.5");
    CHECK_PROBLEM(p, "exp.toml:7:9: parameters.alpha", "expected a real number, got \"x\"");
    CHECK_PROBLEM(p, "exp.toml:8:7: parameters.mfn", "expected true or false, got 1");
    CHECK_PROBLEM(p, "exp.toml:9:", "parameters.weights", "array of real numbers");
  }
  SECTION("fixed value out of range") {
    const auto p = problems_of(kHead +
                               "[parameters]\nalpha = 1.5\nn_firms = 0\nweights = [-1]\n"
                               "beta = 0\n");
    CHECK_PROBLEM(p, "exp.toml:6:9: parameters.alpha", "expected a real in [0, 1], got 1.5");
    CHECK_PROBLEM(p, "exp.toml:7:", "parameters.n_firms", "[1, 100]", "got 0");
    CHECK_PROBLEM(p, "exp.toml:8:", "parameters.weights", "each in [0, inf)");
    CHECK_PROBLEM(p, "exp.toml:9:", "parameters.beta", "(0, inf]");
  }
  SECTION("inf is a real when the range allows it") {
    const Experiment e = parse(kHead + "[parameters]\nbeta = inf\n");
    CHECK(std::isinf(std::get<double>(e.fixed.at("beta").value)));
    CHECK_PROBLEM(problems_of(kHead + "[parameters]\nalpha = inf\n"), "parameters.alpha");
    CHECK_PROBLEM(problems_of(kHead + "[parameters]\nalpha = nan\n"), "parameters.alpha",
                  "got nan");
  }
  SECTION("unknown enum choice") {
    CHECK_PROBLEM(problems_of(kHead + "[parameters]\nregime = \"chaos\"\n"),
                  "exp.toml:6:10: parameters.regime", "one of \"rules\" \"power\"",
                  "got \"chaos\"");
    CHECK_PROBLEM(problems_of(kHead + "[grid]\nregime = [\"rules\", \"chaos\"]\n"),
                  "exp.toml:6:20: grid.regime[1]", "one of \"rules\" \"power\"");
  }
  SECTION("a parameter in two sections") {
    const auto p = problems_of(kHead + "[parameters]\nalpha = 0.1\n[grid]\nalpha = [0.2, 0.3]\n");
    CHECK_PROBLEM(p, "exp.toml:8:9: grid.alpha", "at most one of", "[parameters] at exp.toml:6:9");
    const auto q = problems_of(kHead +
                               "[grid]\nk = [1, 2]\n[sample]\nmethod = \"lhs\"\nn = 4\n"
                               "ranges = { k = [0, 3] }\n");
    CHECK_PROBLEM(q, "exp.toml:10:", "sample.ranges.k", "also in [grid] at exp.toml:6:5");
  }
}

TEST_CASE("grid and sample errors", "[experiment][errors]") {
  SECTION("bad linspace") {
    const auto p = problems_of(kHead +
                               "[grid]\nalpha = { linspace = [0.0, 1.0] }\n"
                               "gamma = { linspace = [0.0, 1.0, 0] }\n"
                               "beta = { logspace = [0.0, 1.0, 3] }\n"
                               "k = { linspace = [0, 4, 5] }\n"
                               "theta = { linspace = [0, 1, 3], logspace = [1, 2, 3] }\n"
                               "periods = { linspce = [1, 2, 3] }\n");
    CHECK_PROBLEM(p, "exp.toml:6:", "grid.alpha.linspace", "[lo, hi, n]", "got [0.0, 1.0]");
    CHECK_PROBLEM(p, "exp.toml:7:", "grid.gamma.linspace", "got [0.0, 1.0, 0]");
    CHECK_PROBLEM(p, "exp.toml:8:", "grid.beta.logspace", "lo, hi > 0");
    CHECK_PROBLEM(p, "exp.toml:9:", "grid.k", "need a real parameter");
    CHECK_PROBLEM(p, "exp.toml:10:", "grid.theta", "exactly one of");
    CHECK_PROBLEM(p, "exp.toml:11:", "grid.periods.linspce", "unknown key");
    CHECK(p.size() == 7);  // periods: unknown key, and no spacing given
  }
  SECTION("empty or mistyped axes") {
    const auto p = problems_of(kHead + "[grid]\nalpha = []\nk = [1, 2.5]\ngamma = 0.3\n");
    CHECK_PROBLEM(p, "exp.toml:6:9: grid.alpha", "non-empty", "got []");
    CHECK_PROBLEM(p, "exp.toml:7:9: grid.k[1]", "expected an integer, got 2.5");
    CHECK_PROBLEM(p, "exp.toml:8:9: grid.gamma", "an array of values", "got 0.3");
  }
  SECTION("out-of-range grid and sample values are not errors") {
    const Experiment e = parse(kHead +
                               "[grid]\nalpha = [-1.0, 0.5, 2.0]\n"
                               "beta = { linspace = [-1.0, 1.0, 3] }\n[sample]\nmethod = "
                               "\"uniform\"\nn = 3\nranges = { k = [-5, 50] }\n");
    CHECK(e.grid[0].expanded() == std::vector<Value>{-1.0, 0.5, 2.0});
    CHECK(e.grid[1].expanded() == std::vector<Value>{-1.0, 0.0, 1.0});
    CHECK(e.sample->ranges[0].lo == -5.0);
  }
  SECTION("bad sample") {
    const auto p = problems_of(kHead +
                               "[sample]\nmethod = \"halton\"\nn = 0\n"
                               "ranges = { alpha = [1.0, 0.0], mfn = [0, 1], k = [0.5, 2] }\n");
    CHECK_PROBLEM(p, "exp.toml:6:10: sample.method", "\"sobol\" \"lhs\" \"uniform\"");
    CHECK_PROBLEM(p, "exp.toml:7:5: sample.n", "got 0");
    CHECK_PROBLEM(p, "exp.toml:8:", "sample.ranges.alpha", "lo < hi");
    CHECK_PROBLEM(p, "exp.toml:8:", "sample.ranges.mfn", "a real or integer parameter");
    CHECK_PROBLEM(p, "exp.toml:8:", "sample.ranges.k", "integers lo < hi");
  }
  SECTION("a sample too large to hold in memory") {
    // 2^24 values (n x dimensions) is the most a sample may hold; parsed only, not drawn.
    const Experiment at_bound = parse(kHead +
                                      "[sample]\nmethod = \"sobol\"\nn = 8388608\n"
                                      "ranges = { alpha = [0.0, 1.0], gamma = [0.0, 1.0] }\n");
    CHECK(at_bound.sample->n == 8388608);
    const auto p = problems_of(kHead +
                               "[sample]\nmethod = \"sobol\"\nn = 8388609\n"
                               "ranges = { alpha = [0.0, 1.0], gamma = [0.0, 1.0] }\n");
    CHECK_PROBLEM(p, "exp.toml:7:5: sample.n", "8388609 points x 2 dimensions = 16777218 values",
                  "at most 16777216");
    CHECK(p.size() == 1);
  }
  SECTION("sample without its required keys") {
    const auto p = problems_of(kHead + "[sample]\nn = 4\n");
    CHECK_PROBLEM(p, "exp.toml: [sample] method: missing");
    CHECK_PROBLEM(p, "exp.toml: [sample] ranges: missing");
  }
}

TEST_CASE("output and precision errors", "[experiment][errors]") {
  SECTION("bad quantiles") {
    CHECK_PROBLEM(problems_of(kHead + "[output]\nquantiles = [0.5, 0.2]\n"),
                  "exp.toml:6:13: output.quantiles", "increasing", "(0, 1)");
    CHECK_PROBLEM(problems_of(kHead + "[output]\nquantiles = [0.0, 0.5]\n"),
                  "exp.toml:6:13:", "output.quantiles");
    CHECK_PROBLEM(problems_of(kHead + "[output]\nquantiles = [0.5, 1]\n"),
                  "exp.toml:6:13:", "output.quantiles");
    CHECK_PROBLEM(problems_of(kHead + "[output]\nquantiles = [0.5, 0.5]\n"), "output.quantiles");
  }
  SECTION("series whose length parameter varies") {
    const auto p = problems_of(kHead +
                               "[grid]\nperiods = [10, 20]\n[output]\n"
                               "series = [\"tariff\"]\n");
    CHECK_PROBLEM(p, "exp.toml:8:11: output.series[0]", "length parameter is fixed", "periods",
                  "[grid]");
  }
  SECTION("unknown series") {
    CHECK_PROBLEM(problems_of(kHead + "[output]\nseries = [\"tarif\"]\n"),
                  "exp.toml:6:11: output.series[0]", "(tariff)", "got \"tarif\"");
  }
  SECTION("unknown or repeated output in metrics, with a suggestion") {
    const auto p =
        problems_of(kHead + "[output]\nmetrics = [\"welfar\", \"welfare\", \"welfare\"]\n");
    CHECK_PROBLEM(p, "exp.toml:6:12: output.metrics[0]", "an output of model", "'welfar'",
                  "did you mean 'welfare'?");
    CHECK_PROBLEM(p, "exp.toml:6:33: output.metrics[2]", "each output named once");
    CHECK_PROBLEM(problems_of(kHead + "[output]\nmetrics = \"welfare\"\n"),
                  "exp.toml:6:11:", "output.metrics", "an array of the model's output names");
  }
  SECTION("compression is a deflate level") {
    CHECK_PROBLEM(problems_of(kHead + "[output]\ncompression = 10\n"),
                  "exp.toml:6:15: output.compression", "an integer in [0, 9]", "got 10");
    CHECK_PROBLEM(problems_of(kHead + "[output]\ncompresion = 1\n"), "output.compresion",
                  "did you mean 'compression'?");
    const Experiment e = parse(kHead + "[output]\ncompression = 0\nmetrics = [\"welfare\"]\n");
    CHECK(e.output.compression == 0);
    CHECK(e.output.metrics == std::vector<std::string>{"welfare"});
  }
  SECTION("a series with a fixed length parameter is fine") {
    const Experiment e =
        parse(kHead + "[parameters]\nperiods = 10\n[output]\nseries = [\"tariff\"]\n");
    CHECK(e.output.series.size() == 1);
  }
  SECTION("precision needs both keys, replication metrics and a cap >= replications") {
    CHECK_PROBLEM(problems_of(kHead + "[precision]\ntarget_se = { welfare = 0.1 }\n"),
                  "exp.toml: [precision] max_replications: missing");
    CHECK_PROBLEM(problems_of(kHead + "[precision]\nmax_replications = 10\n"),
                  "exp.toml: [precision] target_se: missing");
    const auto p = problems_of(
        "[experiment]\nname = \"t\"\nmodel = \"fake\"\nseed = 1\nreplications = 50\n[precision]\n"
        "target_se = { threshold = 0.1, welfare = -1 }\nmax_replications = 10\n");
    CHECK_PROBLEM(p, "exp.toml:7:", "precision.target_se.threshold", "replication-level metric");
    CHECK_PROBLEM(p, "exp.toml:7:", "precision.target_se.welfare", "a positive real", "got -1");
    CHECK_PROBLEM(p, "exp.toml:8:", "precision.max_replications", ">= experiment.replications");
    const auto d = problems_of(
        "[experiment]\nname = \"t\"\nmodel = \"fake_det\"\nseed = 1\n[precision]\n"
        "target_se = { welfare = 0.1 }\nmax_replications = 10\n");
    CHECK_PROBLEM(d, "exp.toml:5:1: precision", "deterministic");
  }
}

TEST_CASE("several problems are all reported at once", "[experiment][errors]") {
  const std::string text = R"([experiment]
name = "t"
model = "fake"
seed = "one"
[parameters]
alpha = 2.0
regime = "chaos"
[grid]
alpha = [0.1]
[output]
quantiles = [0.9, 0.1]
[plots]
)";
  try {
    parse(text);
    FAIL("no InputError");
  } catch (const InputError& e) {
    const auto& p = e.problems();
    CHECK(p.size() == 6);
    CHECK_PROBLEM(p, "exp.toml:4:8: experiment.seed");
    CHECK_PROBLEM(p, "exp.toml:6:9: parameters.alpha");
    CHECK_PROBLEM(p, "exp.toml:7:10: parameters.regime");
    CHECK_PROBLEM(p, "exp.toml:9:9: grid.alpha");
    CHECK_PROBLEM(p, "exp.toml:11:13: output.quantiles");
    CHECK_PROBLEM(p, "exp.toml:12:", "plots", "unknown key");
    // what() joins them, one per line, for the CLI.
    CHECK(std::string(e.what()).find("parameters.regime") != std::string::npos);
  }
}

TEST_CASE("unreadable file", "[experiment][errors]") {
  try {
    load_experiment("/nonexistent/dir/exp.toml", {}, registry());
    FAIL("no InputError");
  } catch (const InputError& e) {
    CHECK(std::string(e.what()) ==
          "cannot read experiment file '/nonexistent/dir/exp.toml': No such file or directory");
  }
}

TEST_CASE("command-line overrides (--set)", "[experiment][set]") {
  const std::string grid_file = kHead + R"([parameters]
alpha = 0.1
[grid]
beta = [1.0, 2.0]
theta = [0.0, 1.0]
[sample]
method = "sobol"
n = 4
ranges = { gamma = [0.0, 1.0] }
)";
  SECTION("a number") {
    const Experiment e = parse(grid_file, {"experiment.seed=7", "experiment.replications = 3"});
    CHECK(e.seed == 7);
    CHECK(e.replications == 3);
  }
  SECTION("a string that is not TOML is taken as text") {
    const Experiment e = parse(grid_file, {"output.file=out/x.h5", "experiment.name=\"renamed\""});
    CHECK(e.output.file == "out/x.h5");
    CHECK(e.output.file_where.str() == "--set");
    CHECK(e.name == "renamed");
  }
  SECTION("a bare key means a parameter") {
    const Experiment e = parse(grid_file, {"alpha=0.75", "periods=12"});
    CHECK(std::get<double>(e.fixed.at("alpha").value) == 0.75);
    CHECK(e.where("alpha").str() == "--set");
    CHECK(std::get<std::int64_t>(e.fixed.at("periods").value) == 12);
  }
  SECTION("a dotted key adds a grid axis after the file's axes") {
    const Experiment e = parse(grid_file, {"grid.k=[1, 2, 3]"});
    REQUIRE(e.grid.size() == 3);
    CHECK(e.grid[0].name == "beta");
    CHECK(e.grid[1].name == "theta");
    CHECK(e.grid[2].name == "k");
    // n_firms is an integer: linspace is refused, and the error is located at --set.
    const auto p = problems_of(grid_file, {"grid.n_firms={ linspace = [1, 2, 2] }"});
    CHECK_PROBLEM(p, "--set: grid.n_firms", "need a real parameter");
  }
  SECTION("an override of a grid parameter removes the axis") {
    const Experiment e = parse(grid_file, {"beta=5"});
    REQUIRE(e.grid.size() == 1);
    CHECK(e.grid[0].name == "theta");
    CHECK(std::get<double>(e.fixed.at("beta").value) == 5.0);
    CHECK_FALSE(e.varies("beta"));
    CHECK(e.config_text.find("beta = [") == std::string::npos);
  }
  SECTION("an override of the only sample parameter removes the sample") {
    const Experiment e = parse(grid_file, {"gamma=0.3"});
    CHECK_FALSE(e.sample);
    CHECK(e.config_text.find("[sample]") == std::string::npos);
  }
  SECTION("a grid override moves a fixed parameter onto the grid") {
    const Experiment e = parse(grid_file, {"grid.alpha=[0.2, 0.4]"});
    CHECK(e.fixed.count("alpha") == 0);
    CHECK(e.varies("alpha"));
  }
  SECTION("malformed values and keys are reported as --set") {
    const auto p = problems_of(grid_file, {"alpha=abc", "noequals", "experiment.seed.x=1",
                                           "bogus.key=1", "experiment.sed=3", "a..b=1"});
    CHECK_PROBLEM(p, "--set: parameters.alpha: expected a real number, got \"abc\"");
    CHECK_PROBLEM(p, "--set: noequals: expected key=value");
    CHECK_PROBLEM(p, "--set: experiment.seed.x: expected experiment.seed to be a table");
    CHECK_PROBLEM(p, "--set: bogus: unknown key");
    CHECK_PROBLEM(p, "--set: experiment.sed: unknown key");
    CHECK_PROBLEM(p, "--set: a..b: expected a dotted key");
    CHECK(p.size() == 6);
  }
}
