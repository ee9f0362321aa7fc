// A Sobol analysis of 4 inputs with n = 4096 (a Saltelli design of n (k + 2) = 24,576 points) of
// a deterministic model (deremer), every one of its 70 outputs analysed (the default), run as
// `tariffsim run` runs it (run_experiment, to a file), twice: with one replicate and 1,000
// bootstrap resamples (the costlier intervals), and with the default 16 replicates (Student t
// intervals), against the baseline of the same model on a plain [sample] of the same 24,576 points
// and ranges in the same process. Prints the median wall time of each, the ratios, and the time of
// the bootstrap analysis alone (sobol_indices on one output); RESULT lines for run_all.sh. Never
// asserts a time.
//
//   bench_sensitivity [--threads N] [--repeats R] [--dir DIR] [--n N] [--bootstrap B]
#include <spdlog/spdlog.h>
#include <tbb/global_control.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "tariffsim/experiment.hpp"
#include "tariffsim/registry.hpp"
#include "tariffsim/run_session.hpp"
#include "tariffsim/sensitivity.hpp"

using namespace tariffsim;

namespace {

struct Options {
  int threads = 2;
  int repeats = 3;
  std::uint64_t n = 4096;
  std::uint64_t bootstrap = 1000;
  std::string dir = std::filesystem::temp_directory_path().string();
};

// The box where the stable point exists (experiments/deremer_sobol.toml): every design row is used.
const char* kRanges = "{ gM = [1.0, 1.4], gE = [1.0, 1.25], gMs = [1.0, 1.4], gEs = [1.0, 1.25] }";

enum class Design { plain, bootstrap, replicates };

std::string experiment_text(const Options& o, Design design) {
  std::string text =
      "[experiment]\nname = \"bench\"\nmodel = \"deremer\"\nseed = 1\n"
      "[parameters]\nn_curve = 2\nn_path = 2\n";
  const std::string intervals = design == Design::bootstrap
                                    ? "\nreplicates = 1\nbootstrap = " + std::to_string(o.bootstrap)
                                    : std::string();
  if (design != Design::plain)
    text += "[sensitivity]\nmethod = \"sobol\"\nn = " + std::to_string(o.n) + intervals +
            "\nranges = " + kRanges + "\n";  // every output analysed, the default
  else
    text += "[sample]\nmethod = \"sobol\"\nn = " + std::to_string(o.n * 6) +
            "\nranges = " + kRanges + "\n";
  return text;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// Median wall time of run_experiment to a file (removed after each run).
double time_run(const Experiment& exp, const Model& model, const Options& o) {
  std::vector<double> walls;
  for (int r = 0; r < o.repeats; ++r) {
    RunOptions opt;
    opt.output_path = o.dir + "/bench_sensitivity.h5";
    opt.threads = o.threads;
    opt.force = true;
    opt.progress = false;
    const auto t0 = std::chrono::steady_clock::now();
    run_experiment(exp, model, opt);
    walls.push_back(seconds_since(t0));
    std::filesystem::remove(opt.output_path);
  }
  return median(walls);
}

// The analysis alone, on an output of the design's size (its values do not change the cost).
double time_analysis(const Options& o) {
  std::vector<double> f(o.n * 6);
  for (std::size_t p = 0; p < f.size(); ++p) f[p] = static_cast<double>((p * 2654435761u) % 1000);
  std::vector<double> walls;
  for (int r = 0; r < o.repeats; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    const SobolIndices s = sobol_indices(f, 4, {1, o.bootstrap, 0.95, 1});
    walls.push_back(seconds_since(t0));
    if (!(s.total[0] >= 0)) std::exit(1);
  }
  return median(walls);
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const char* value = i + 1 < argc ? argv[i + 1] : "";
    if (a == "--threads")
      o.threads = std::stoi(value), ++i;
    else if (a == "--repeats")
      o.repeats = std::stoi(value), ++i;
    else if (a == "--n")
      o.n = std::stoull(value), ++i;
    else if (a == "--bootstrap")
      o.bootstrap = std::stoull(value), ++i;
    else if (a == "--dir")
      o.dir = value, ++i;
    else {
      std::fprintf(stderr,
                   "usage: bench_sensitivity [--threads N] [--repeats R] [--n N] "
                   "[--bootstrap B] [--dir DIR]\n");
      std::exit(2);
    }
  }
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = parse(argc, argv);
  spdlog::set_level(spdlog::level::err);  // outputs undefined over the box warn at every run
  const tbb::global_control limit(tbb::global_control::max_allowed_parallelism,
                                  static_cast<std::size_t>(o.threads));
  const Registry& registry = Registry::global();
  const auto model = registry.create("deremer");
  const auto experiment = [&](Design design) {
    return parse_experiment(experiment_text(o, design), "bench.toml", {}, registry);
  };
  const Experiment bootstrap = experiment(Design::bootstrap);
  const Experiment replicates = experiment(Design::replicates);
  const Experiment plain = experiment(Design::plain);
  const double points = static_cast<double>(o.n * 6);
  std::printf(
      "bench_sensitivity: deremer, 4 inputs, n = %llu: %.0f points, %llu "
      "bootstrap resamples, %d threads, median of %d\n",
      static_cast<unsigned long long>(o.n), points, static_cast<unsigned long long>(o.bootstrap),
      o.threads, o.repeats);
  const double baseline = time_run(plain, *model, o);
  const double analysed = time_run(bootstrap, *model, o);
  const double replicated = time_run(replicates, *model, o);
  const double analysis = time_analysis(o);
  std::printf("  plain [sample] run of the same points (baseline):       %.3f s\n", baseline);
  std::printf("  [sensitivity] run, 70 outputs, 1 replicate + bootstrap: %.3f s  (ratio %.2f)\n",
              analysed, analysed / baseline);
  std::printf("  [sensitivity] run, 70 outputs, 16 replicates (t):       %.3f s  (ratio %.2f)\n",
              replicated, replicated / baseline);
  std::printf("  the bootstrap analysis alone (sobol_indices, 1 output):  %.3f s\n", analysis);
  std::printf("RESULT sensitivity.run_s %.3f\n", analysed);
  std::printf("RESULT sensitivity.replicates_run_s %.3f\n", replicated);
  std::printf("RESULT sensitivity.baseline_s %.3f\n", baseline);
  std::printf("RESULT sensitivity.ratio %.3f\n", analysed / baseline);
  return 0;
}
