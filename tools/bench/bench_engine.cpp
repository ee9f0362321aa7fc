// bench_engine: what the engine costs on a deterministic sweep (one replication per point,
// point-level outputs), measured four ways on the same grid in one run, each repeated, medians:
//
//   bare     the model's point function, called through the model's own economics library in a
//            plain C++ loop over the grid (tbb::parallel_for over points, N threads): the floor;
//   compute  the engine without the writer: BatchComputer::compute on every batch (the design,
//            Point, check/prepare/replicate through the plugin, statistics, the PointBatch),
//            batches in tbb::parallel_for, the results dropped;
//   run      run_experiment(), what `tariffsim run` calls: compute and the HDF5 writer, to a file,
//            in this process (warm: its memory and TBB's threads are those of the repeat before);
//   command  `tariffsim run` itself, a new process each time (cold: its start-up, the libraries'
//            loading, first-touch page faults, all counted), the binary beside this one's folder.
//
// It prints points/s of each, command / bare and run / bare (the engine's overhead, cold and
// warm), compute / bare, the share of the run that is the writer, (run - compute) / run, and the
// file's bytes per point. Models:
//   deremer          gM x gE grid (all 70 outputs point-level; no series kept)
//   customs_union    alpha_i x alpha_j, L = 1
//   bagwell_staiger  delta x sd, lognormal Vf (mean 1), periods = 1: V-bar solved per point
// The file keeps the model's point-level outputs (its closed forms, what the bare loop computes),
// so no replication is run; --all-outputs keeps every output, and each point of the two stochastic
// models then also runs one replication (customs_union a one-sector cross-section,
// bagwell_staiger a one-period path), which the bare loop does not.
// Prints figures only (RESULT lines for run_all.sh); never asserts a time.
#include <fcntl.h>
#include <spawn.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <tbb/global_control.h>
#include <tbb/parallel_for.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "tariffsim/experiment.hpp"
#include "tariffsim/registry.hpp"
#include "tariffsim/run_session.hpp"
#include "tariffsim/runner.hpp"

namespace bench_engine {
// The point functions, in bench_engine_models.cpp (one per model, each its economics only).
double deremer_point(double gM, double gE);
double customs_union_point(double alpha_i, double alpha_j);
double bagwell_staiger_point(double delta, double sd);
}  // namespace bench_engine

namespace {

using namespace tariffsim;

struct Options {
  std::string model = "deremer";
  std::uint64_t n1 = 1000, n2 = 1000;  // grid axes: points = n1 x n2
  int threads = 2;
  int repeats = 3;
  std::string dir = std::filesystem::temp_directory_path().string();
  std::string only;       // "bare", "compute", "run" or "command": that one alone (for a profiler)
  std::string tariffsim;  // the binary the command runs; default: ../tariffsim from this one's
  bool all_outputs = false;  // keep every output, not the point-level ones only
};

// One model's grid: its fixed parameters, two axes (name, lo, hi) and its point function.
struct Case {
  const char* model;
  const char* parameters;
  const char* name1;
  double lo1, hi1;
  const char* name2;
  double lo2, hi2;
  double (*point)(double, double);
};

const Case kCases[] = {
    {"deremer", "n_curve = 2\nn_path = 2\n", "gM", 1.0, 1.6, "gE", 1.0, 1.4,
     bench_engine::deremer_point},
    {"customs_union", "L = 1\n", "alpha_i", 0.0, 0.5, "alpha_j", 0.0, 0.5,
     bench_engine::customs_union_point},
    {"bagwell_staiger", "dist = \"lognormal\"\nmean = 1.0\nperiods = 1\n", "delta", 0.01, 0.98,
     "sd", 0.05, 1.0, bench_engine::bagwell_staiger_point},
};

const Case& find_case(const std::string& model) {
  for (const Case& c : kCases)
    if (model == c.model) return c;
  std::fprintf(stderr, "bench_engine: unknown model %s\n", model.c_str());
  std::exit(2);
}

std::string axis(const char* name, double lo, double hi, std::uint64_t n) {
  char text[160];
  std::snprintf(text, sizeof text, "%s = { linspace = [%.17g, %.17g, %llu] }\n", name, lo, hi,
                static_cast<unsigned long long>(n));
  return text;
}

// [output] metrics naming the model's point-level outputs.
std::string point_level_metrics(const ModelInfo& info) {
  std::string list;
  for (const auto& m : info.metrics)
    if (m.level == OutputLevel::Point) list += (list.empty() ? "\"" : ", \"") + m.name + "\"";
  return "metrics = [" + list + "]\n";
}

// The experiment: the case's grid; replications = 1, so that --all-outputs runs one per point.
std::string toml(const Case& c, const Options& o, const ModelInfo& info) {
  return std::string("[experiment]\nname = \"bench_engine\"\nmodel = \"") + c.model +
         "\"\nseed = 1\nreplications = 1\n\n[parameters]\n" + c.parameters + "\n[grid]\n" +
         axis(c.name1, c.lo1, c.hi1, o.n1) + axis(c.name2, c.lo2, c.hi2, o.n2) +
         "\n[output]\nfile = \"unused.h5\"\n" + (o.all_outputs ? "" : point_level_metrics(info));
}

// np.linspace's values, as the engine's grid axes compute them.
double linspace(double lo, double hi, std::uint64_t n, std::uint64_t i) {
  return n == 1 ? lo : lo + (hi - lo) * static_cast<double>(i) / static_cast<double>(n - 1);
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

struct Timing {
  double wall = 0, cpu = 0;
};

Timing timed(const std::function<void()>& f) {
  const double c0 = cpu_seconds();
  const auto t0 = std::chrono::steady_clock::now();
  f();
  return {seconds_since(t0), cpu_seconds() - c0};
}

// The point function over the grid; the sum keeps the work live (and is printed).
double bare_loop(const Options& o, const Case& c) {
  std::vector<double> sums(o.n1, 0.0);
  tbb::parallel_for(std::uint64_t{0}, o.n1, [&](std::uint64_t i) {
    const double x = linspace(c.lo1, c.hi1, o.n1, i);
    double s = 0;
    for (std::uint64_t j = 0; j < o.n2; ++j) s += c.point(x, linspace(c.lo2, c.hi2, o.n2, j));
    sums[i] = s;
  });
  double total = 0;
  for (const double s : sums) total += s;
  return total;
}

// Every batch through BatchComputer, in parallel, the results dropped: the engine minus the writer.
// Each batch's columns are handed back for the next batch to fill, as the run's writer does
// (fresh ones would be page faults the run does not have).
std::uint64_t compute_only(const Experiment& exp, const Model& model, int threads) {
  const BatchComputer computer(exp, model, static_cast<std::uint64_t>(threads));
  const std::uint64_t P = computer.points(), B = computer.batch_points();
  std::vector<std::uint64_t> done((P + B - 1) / B, 0);
  tbb::parallel_for(std::size_t{0}, done.size(), [&](std::size_t k) {
    const std::uint64_t first = k * B;
    PointBatch batch = computer.compute(first, std::min(B, P - first));
    done[k] = batch.count;
    computer.recycle(std::move(batch));
  });
  std::uint64_t n = 0;
  for (const std::uint64_t d : done) n += d;
  return n;
}

std::string run_path(const Options& o) {
  return o.dir + "/bench_engine_" + o.model + ".h5";
}

// Untimed, after each run: the next measurement starts without this file's pages still being
// written back, as a run in a job of its own would (back-to-back runs of 10^6 points measured
// their predecessor's write-back as much as themselves).
void remove_run_file(const Options& o) {
  std::filesystem::remove(run_path(o));
  ::sync();
}

// The experiment as a file, for the command; its [output] file is overridden by -o.
std::string write_toml(const Options& o, const std::string& text) {
  std::string path = o.dir + "/bench_engine_" + o.model + ".toml";
  std::ofstream(path) << text;
  return path;
}

// `tariffsim run`, a process of its own, waited for; returns its CPU seconds. Exits the benchmark
// if it fails.
double run_command(const Options& o, const std::string& toml_path) {
  const std::string threads = std::to_string(o.threads), out = run_path(o);
  const char* argv[] = {
      o.tariffsim.c_str(), "-q",        "run",           toml_path.c_str(), "-o",
      out.c_str(),         "--threads", threads.c_str(), "--no-progress",   nullptr};
  posix_spawn_file_actions_t quiet;  // its closing line ("wrote ...") would bury the figures
  posix_spawn_file_actions_init(&quiet);
  posix_spawn_file_actions_addopen(&quiet, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  pid_t pid = 0;
  int status = 0;
  rusage usage{};
  const bool spawned =
      posix_spawn(&pid, argv[0], &quiet, nullptr, const_cast<char* const*>(argv), environ) == 0;
  posix_spawn_file_actions_destroy(&quiet);
  if (!spawned || wait4(pid, &status, 0, &usage) != pid || !WIFEXITED(status) ||
      WEXITSTATUS(status) != 0) {
    std::fprintf(stderr, "bench_engine: %s run failed\n", argv[0]);
    std::exit(1);
  }
  const auto seconds = [](timeval t) {
    return static_cast<double>(t.tv_sec) + 1e-6 * static_cast<double>(t.tv_usec);
  };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

std::uintmax_t run_to_file(const Experiment& exp, const Model& model, const Options& o) {
  RunOptions opt;
  opt.output_path = run_path(o);
  opt.threads = o.threads;
  opt.force = true;
  opt.progress = false;
  run_experiment(exp, model, opt);
  return std::filesystem::file_size(opt.output_path);
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const auto next = [&]() -> std::string {
      if (i + 1 >= argc) std::exit(2);
      return argv[++i];
    };
    if (a == "--model")
      o.model = next();
    else if (a == "--n1")
      o.n1 = std::stoull(next());
    else if (a == "--n2")
      o.n2 = std::stoull(next());
    else if (a == "--threads")
      o.threads = std::stoi(next());
    else if (a == "--repeats")
      o.repeats = std::stoi(next());
    else if (a == "--dir")
      o.dir = next();
    else if (a == "--only")
      o.only = next();
    else if (a == "--tariffsim")
      o.tariffsim = next();
    else if (a == "--quick")
      o.n1 = 100;
    else if (a == "--all-outputs")
      o.all_outputs = true;
    else {
      std::printf(
          "usage: %s [--model deremer|customs_union|bagwell_staiger] [--n1 N] [--n2 N]\n"
          "          [--threads N] [--repeats R] [--dir DIR] [--only bare|compute|run|command]\n"
          "          [--quick] [--all-outputs] [--tariffsim PATH]\n"
          "  defaults: deremer, 1000 x 1000 points, 2 threads, 3 repeats, the temp directory,\n"
          "            the tariffsim binary in the folder above this one's\n"
          "  --quick = --n1 100 (10^5 points)\n"
          "  --all-outputs: keep every output (default: the point-level ones, no replications)\n",
          argv[0]);
      std::exit(a == "-h" || a == "--help" ? 0 : 2);
    }
  }
  if (o.tariffsim.empty())
    o.tariffsim =
        (std::filesystem::canonical("/proc/self/exe").parent_path().parent_path() / "tariffsim")
            .string();
  return o;
}

void print_line(const char* what, const std::vector<double>& wall, const std::vector<double>& cpu,
                double points) {
  std::printf("  %-8s", what);
  for (const double w : wall) std::printf(" %7.3f s", w);
  std::printf("   median %7.3f s = %9.0f points/s (cores busy %.2f)\n", median(wall),
              points / median(wall), median(cpu) / median(wall));
}

enum Way { kBare, kCompute, kRun, kCommand, kWays };
const char* const kWayNames[kWays] = {"bare", "compute", "run", "command"};

struct Measured {
  std::vector<double> wall[kWays], cpu[kWays];
  double live = 0, bytes = 0;  // the bare loop's checksum; the file's size
  double median_wall(Way w) const { return median(wall[w]); }
  double median_cpu(Way w) const { return median(cpu[w]); }
};

// Each way `repeats` times, interleaved, so that a slow patch of a shared machine hits all alike.
Measured measure(const Options& o, const Case& c, const Experiment& exp, const Model& model,
                 const std::string& toml_path) {
  Measured m;
  const std::function<Timing()> work[kWays] = {
      [&] { return timed([&] { m.live = bare_loop(o, c); }); },
      [&] {
        return timed([&] {
          if (compute_only(exp, model, o.threads) != o.n1 * o.n2) std::exit(1);
        });
      },
      [&] { return timed([&] { m.bytes = static_cast<double>(run_to_file(exp, model, o)); }); },
      [&] {
        Timing t;
        t.wall = timed([&] { t.cpu = run_command(o, toml_path); }).wall;
        return t;
      }};
  for (int r = 0; r < o.repeats; ++r)
    for (int i = 0; i < kWays; ++i) {
      if (!o.only.empty() && o.only != kWayNames[i]) continue;
      const Timing t = work[i]();
      m.wall[i].push_back(t.wall);
      m.cpu[i].push_back(t.cpu);
      if (i == kRun || i == kCommand) remove_run_file(o);
    }
  return m;
}

void report(const Options& o, const Measured& r, double points) {
  for (int i = 0; i < kWays; ++i) print_line(kWayNames[i], r.wall[i], r.cpu[i], points);
  const double bare = r.median_wall(kBare), compute = r.median_wall(kCompute),
               run = r.median_wall(kRun), command = r.median_wall(kCommand);
  std::printf(
      "  command / bare %.2fx, run / bare %.2fx, compute / bare %.2fx, writer share of the "
      "run %.0f%%\n",
      command / bare, run / bare, compute / bare, 100.0 * (run - compute) / run);
  std::printf("  file: %.0f bytes per point; bare-loop checksum %.17g (per point %.12f)\n",
              r.bytes / points, r.live, r.live / points);
  const char* m = o.model.c_str();
  std::printf("RESULT %s.points %.0f\n", m, points);
  std::printf("RESULT %s.bare_pps %.0f\n", m, points / bare);
  std::printf("RESULT %s.compute_pps %.0f\n", m, points / compute);
  std::printf("RESULT %s.run_pps %.0f\n", m, points / run);
  std::printf("RESULT %s.command_pps %.0f\n", m, points / command);
  // Per CPU-second: what a core does when it runs, which other load on a shared machine disturbs
  // much less than the wall time (the per-core comparison with NumPy uses it too).
  std::printf("RESULT %s.compute_pps_cpu %.0f\n", m, points / r.median_cpu(kCompute));
  std::printf("RESULT %s.run_pps_cpu %.0f\n", m, points / r.median_cpu(kRun));
  std::printf("RESULT %s.command_over_bare %.2f\n", m, command / bare);
  std::printf("RESULT %s.run_over_bare %.2f\n", m, run / bare);
  std::printf("RESULT %s.compute_over_bare %.2f\n", m, compute / bare);
  std::printf("RESULT %s.writer_share %.2f\n", m, (run - compute) / run);
  std::printf("RESULT %s.bytes_per_point %.0f\n", m, r.bytes / points);
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = parse(argc, argv);
  spdlog::set_level(spdlog::level::warn);  // run_experiment's progress lines would bury the figures
  const Case& c = find_case(o.model);
  const Registry& registry = Registry::global();
  const auto model = registry.create(o.model);
  const std::string text = toml(c, o, model->info());
  const Experiment exp = parse_experiment(text, "bench_engine.toml", {}, registry);
  const std::string toml_path = write_toml(o, text);
  const double points = static_cast<double>(o.n1 * o.n2);
  const tbb::global_control limit(tbb::global_control::max_allowed_parallelism,
                                  static_cast<std::size_t>(o.threads));
  std::printf("bench_engine: %s, %llu x %llu = %.0f points, %d threads, %d repeats; command: %s\n",
              o.model.c_str(), static_cast<unsigned long long>(o.n1),
              static_cast<unsigned long long>(o.n2), points, o.threads, o.repeats,
              o.tariffsim.c_str());
  const Measured r = measure(o, c, exp, *model, toml_path);
  std::filesystem::remove(toml_path);
  if (!o.only.empty()) {
    for (int i = 0; i < kWays; ++i)
      if (!r.wall[i].empty()) print_line(kWayNames[i], r.wall[i], r.cpu[i], points);
    return 0;
  }
  report(o, r, points);
  return 0;
}
