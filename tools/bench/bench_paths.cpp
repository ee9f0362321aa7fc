// bench_paths: throughput of the hot kernel bagwell_staiger::simulate_path, in simulated
// sector-periods per second (one sector-period = one period of one path).
//
//   1. single thread, one case per distribution (lognormal(1, 0.5) is the headline figure;
//      uniform(0.5, 1.5) and discrete {0.5, 1.5} are printed for information), best of R runs;
//   2. the lognormal case as tbb::parallel_for over paths, limited by tbb::global_control to 1 and
//      then to N threads (default 2), best of R runs each, and the speedup N vs 1.
//
// Each path draws from its own Stream keyed by its index, as the engine does for replications, so
// the summed statistics are identical for any thread count (printed so the run can be checked, and
// so numpy_paths.py can compare its Monte Carlo statistics). Lines starting with "RESULT " are for
// scripts (run_all.sh, numpy_paths.py); everything else is for people. Prints figures only: a
// benchmark never asserts a time. Beside each wall-clock figure it prints the process CPU time, so
// a run disturbed by other processes on the same cores can be recognised (see README.md).
#include <tbb/blocked_range.h>
#include <tbb/global_control.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include "economics.hpp"
#include "simulate.hpp"
#include "tariffsim/rng.hpp"

namespace bs = tariffsim::bagwell_staiger;

namespace {

struct Options {
  std::int64_t paths = 4000;
  std::int64_t periods = 5000;
  int repeats = 3;
  int threads = 2;  // the parallel case compares 1 thread with this many
  double delta = 0.5;
  std::uint64_t seed = 20261123;
  bool single = true, parallel = true;
};

void usage(const char* argv0) {
  std::printf(
      "usage: %s [--paths N] [--periods T] [--repeats R] [--threads N] [--delta D] [--seed S]\n"
      "          [--single-only | --parallel-only] [--quick]\n"
      "  defaults: --paths 4000 --periods 5000 --repeats 3 --threads 2 --delta 0.5\n"
      "  --quick = --paths 400 --periods 2000 (a few seconds in all)\n",
      argv0);
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&]() -> const char* {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "%s needs a value\n", arg.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (arg == "--paths")
      o.paths = std::atoll(value());
    else if (arg == "--periods")
      o.periods = std::atoll(value());
    else if (arg == "--repeats")
      o.repeats = std::atoi(value());
    else if (arg == "--threads")
      o.threads = std::atoi(value());
    else if (arg == "--delta")
      o.delta = std::atof(value());
    else if (arg == "--seed")
      o.seed = std::strtoull(value(), nullptr, 10);
    else if (arg == "--single-only")
      o.parallel = false;
    else if (arg == "--parallel-only")
      o.single = false;
    else if (arg == "--quick") {
      o.paths = 400;
      o.periods = 2000;
    } else if (arg == "-h" || arg == "--help") {
      usage(argv[0]);
      std::exit(0);
    } else {
      std::fprintf(stderr, "unknown option %s\n", arg.c_str());
      usage(argv[0]);
      std::exit(2);
    }
  }
  if (o.paths < 1 || o.periods < 2 || o.repeats < 1 || o.threads < 1 ||
      !(o.delta >= 0 && o.delta < 1)) {
    std::fprintf(stderr,
                 "expected paths >= 1, periods >= 2, repeats >= 1, threads >= 1, 0 <= delta < 1\n");
    std::exit(2);
  }
  return o;
}

struct Case {
  const char* name;
  bs::Distribution dist;
};

// Mean and standard error over paths of each per-path summary, summed in path order so the result
// does not depend on the thread count.
struct Moments {
  double sum = 0, sum2 = 0;
  void add(double x) {
    sum += x;
    sum2 += x * x;
  }
  double mean(double n) const { return sum / n; }
  double se(double n) const {
    const double m = sum / n;
    return std::sqrt(std::max(0.0, (sum2 - n * m * m) / (n - 1)) / n);
  }
};

struct Stats {
  Moments share_protect, share_increase, mean_tau, var_tau, mean_volume, mean_growth;
};

Stats reduce(const std::vector<bs::PathSummary>& s) {
  Stats st;
  for (const auto& p : s) {
    st.share_protect.add(p.share_protect);
    st.share_increase.add(p.share_increase);
    st.mean_tau.add(p.mean_tau);
    st.var_tau.add(p.var_tau);
    st.mean_volume.add(p.mean_volume);
    st.mean_growth.add(p.mean_growth);
  }
  return st;
}

using Clock = std::chrono::steady_clock;

// Machine-readable "RESULT name value" lines, printed together at the end so they do not break up
// the human-readable report.
std::vector<std::string> g_results;
void result(const std::string& name, double value) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", value);
  g_results.push_back("RESULT " + name + " " + buf);
}

// One path with its own stream, keyed like an engine replication: (seed, point) and the path index.
inline bs::PathSummary run_path(const bs::PathSpec& spec, const tariffsim::StreamKey& key,
                                std::int64_t path) {
  tariffsim::Stream stream(key, static_cast<std::uint64_t>(path), "shocks");
  return bs::simulate_path(spec, stream, {});
}

// Wall seconds; `cpu` receives the CPU seconds of the process over the same interval.
double run_serial(const bs::PathSpec& spec, const tariffsim::StreamKey& key,
                  std::vector<bs::PathSummary>& out, double& cpu) {
  const std::clock_t c0 = std::clock();
  const auto t0 = Clock::now();
  for (std::int64_t p = 0; p < static_cast<std::int64_t>(out.size()); ++p)
    out[p] = run_path(spec, key, p);
  const double wall = std::chrono::duration<double>(Clock::now() - t0).count();
  cpu = static_cast<double>(std::clock() - c0) / CLOCKS_PER_SEC;
  return wall;
}

// Wall seconds; `cpu` receives the process CPU seconds (all threads) over the same interval, so a
// poor speedup can be told apart from threads that never got a core of their own.
double run_parallel(const bs::PathSpec& spec, const tariffsim::StreamKey& key,
                    std::vector<bs::PathSummary>& out, int threads, double& cpu) {
  tbb::global_control limit(tbb::global_control::max_allowed_parallelism,
                            static_cast<std::size_t>(threads));
  const std::clock_t c0 = std::clock();
  const auto t0 = Clock::now();
  tbb::parallel_for(tbb::blocked_range<std::int64_t>(0, static_cast<std::int64_t>(out.size())),
                    [&](const tbb::blocked_range<std::int64_t>& r) {
                      for (std::int64_t p = r.begin(); p != r.end(); ++p)
                        out[p] = run_path(spec, key, p);
                    });
  const double wall = std::chrono::duration<double>(Clock::now() - t0).count();
  cpu = static_cast<double>(std::clock() - c0) / CLOCKS_PER_SEC;
  return wall;
}

void print_stats(const char* name, const Stats& st, double n, const bs::Solution& sol) {
  auto line = [&](const char* stat, const Moments& m, double analytic) {
    std::printf("    %-15s %.6f ± %.6f", stat, m.mean(n), m.se(n));
    if (!std::isnan(analytic)) std::printf("   (analytic %.6f)", analytic);
    std::printf("\n");
    result(std::string(name) + "." + stat + ".mean", m.mean(n));
    result(std::string(name) + "." + stat + ".se", m.se(n));
  };
  const double none = std::numeric_limits<double>::quiet_NaN();
  line("share_protect", st.share_protect, sol.P_protect);
  line("share_increase", st.share_increase, sol.P_increase);
  line("mean_tau", st.mean_tau, sol.E_tau);
  line("var_tau", st.var_tau, none);
  line("mean_volume", st.mean_volume, sol.E_V);
  line("mean_growth", st.mean_growth, none);
}

// One thread, best of o.repeats: the headline throughput of a case.
void time_single_thread(const Options& o, const Case& c, const bs::PathSpec& spec,
                        const tariffsim::StreamKey& key, std::vector<bs::PathSummary>& out,
                        const bs::Solution& sol) {
  const double sector_periods = static_cast<double>(o.paths) * static_cast<double>(o.periods);
  double best = std::numeric_limits<double>::infinity(), best_cpu = best;
  for (int r = 0; r < o.repeats; ++r) {
    double cpu = 0;
    const double t = run_serial(spec, key, out, cpu);
    best = std::min(best, t);
    best_cpu = std::min(best_cpu, cpu);
    std::printf("  single thread run %d: %.3f s  %.1f M sector-periods/s  (CPU %.3f s)\n", r + 1, t,
                sector_periods / t / 1e6, cpu);
  }
  const double rate = sector_periods / best / 1e6;
  std::printf(
      "  single thread best: %.1f M sector-periods/s  (%.2f ns per sector-period); "
      "per CPU-second: %.1f M\n",
      rate, best / sector_periods * 1e9, sector_periods / best_cpu / 1e6);
  result(std::string(c.name) + ".single_msps", rate);
  result(std::string(c.name) + ".single_msps_cpu", sector_periods / best_cpu / 1e6);
  print_stats(c.name, reduce(out), static_cast<double>(o.paths), sol);
}

// tbb::parallel_for with 1 and with o.threads threads: the speedup and the CPU efficiency.
void time_threads(const Options& o, const Case& c, const bs::PathSpec& spec,
                  const tariffsim::StreamKey& key, std::vector<bs::PathSummary>& out,
                  const bs::Solution& sol) {
  const double sector_periods = static_cast<double>(o.paths) * static_cast<double>(o.periods);
  double rate[2] = {0, 0}, busy[2] = {0, 0};
  const int counts[2] = {1, o.threads};
  for (int k = 0; k < 2; ++k) {
    double best = std::numeric_limits<double>::infinity(), best_cpu = 0;
    for (int r = 0; r < o.repeats; ++r) {
      double cpu = 0;
      const double t = run_parallel(spec, key, out, counts[k], cpu);
      if (t < best) best = t, best_cpu = cpu;
    }
    rate[k] = sector_periods / best / 1e6;
    std::printf(
        "  parallel_for, %d thread%s: best %.3f s  %.1f M sector-periods/s  "
        "(CPU time / wall = %.2f cores busy)\n",
        counts[k], counts[k] == 1 ? " " : "s", best, rate[k], best_cpu / best);
    busy[k] = best_cpu / best;
    result(std::string(c.name) + (k == 0 ? ".tbb1_cores_busy" : ".tbbN_cores_busy"), busy[k]);
  }
  // Throughput per CPU-second with N threads over that with 1: near 1 when the code scales and
  // only the cores were missing (a busy machine); well below 1 when threads get in each other's
  // way.
  const double efficiency = (rate[1] / busy[1]) / (rate[0] / busy[0]);
  std::printf("  speedup %d vs 1 thread: %.2fx; per CPU-second, %d threads vs 1: %.2f\n", o.threads,
              rate[1] / rate[0], o.threads, efficiency);
  result(std::string(c.name) + ".cpu_efficiency", efficiency);
  result(std::string(c.name) + ".tbb1_msps", rate[0]);
  result(std::string(c.name) + ".tbbN_msps", rate[1]);
  result(std::string(c.name) + ".tbbN_threads", o.threads);
  result(std::string(c.name) + ".speedup", rate[1] / rate[0]);
  // The statistics of the parallel run are bitwise those of the serial one (streams keyed by
  // path).
  if (!o.single) print_stats(c.name, reduce(out), static_cast<double>(o.paths), sol);
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = parse(argc, argv);
  const double sector_periods = static_cast<double>(o.paths) * static_cast<double>(o.periods);
  const tariffsim::StreamKey key{o.seed, 1};
  std::vector<Case> cases = {
      {"lognormal", bs::Distribution::lognormal(1.0, 0.5)},
      {"uniform", bs::Distribution::uniform(0.5, 1.5)},
      {"discrete", bs::Distribution::discrete({0.5, 1.5}, {0.5, 0.5})},
  };

  std::printf(
      "bench_paths: %lld paths x %lld periods = %.3g sector-periods per run, best of %d, "
      "delta = %g, a = 1, seed = %llu, hardware threads = %u\n",
      static_cast<long long>(o.paths), static_cast<long long>(o.periods), sector_periods, o.repeats,
      o.delta, static_cast<unsigned long long>(o.seed), std::thread::hardware_concurrency());
  result("paths", static_cast<double>(o.paths));
  result("periods", static_cast<double>(o.periods));
  result("delta", o.delta);
  result("seed", static_cast<double>(o.seed));

  std::vector<bs::PathSummary> out(static_cast<std::size_t>(o.paths));
  for (const Case& c : cases) {
    if (!o.single && std::strcmp(c.name, "lognormal") != 0) continue;
    const bs::Solution sol = bs::solve(bs::Params{o.delta, 1.0, 0.0, c.dist});
    const bs::PathSpec spec{&c.dist, sol.Vbar, 1.0, 0.0, o.periods};
    std::printf("\n[%s] Vbar = %.17g, P_protect = %.6f\n", c.name, sol.Vbar, sol.P_protect);
    result(std::string(c.name) + ".vbar", sol.Vbar);

    if (o.single) time_single_thread(o, c, spec, key, out, sol);
    if (o.parallel && std::strcmp(c.name, "lognormal") == 0)
      time_threads(o, c, spec, key, out, sol);
  }
  std::printf("\n");
  for (const auto& line : g_results) std::printf("%s\n", line.c_str());
  return 0;
}
