// bench_panels: the Bown–Crowley pipeline on the paper-sized panel (13,900 sectors x 10 periods):
// simulate the panel through the bagwell_staiger path kernel, fit the probit of eq. 7 with
// sector-clustered errors and the eq. 8 effects, exactly as one bown_crowley replication does.
//
//   1. one thread, sectors drawn once (resample_sectors = false): panels/s from the median time
//      per panel, and the probit's share of the time;
//   2. one thread, sectors drawn anew for every panel (resample_sectors = true, V-bar solved for
//      every sector of every panel);
//   3. panels in parallel (tbb::parallel_for, one workspace per thread) on 1 and N threads: the
//      speedup.
// Each runs for at least --seconds of wall time. Lines starting with "RESULT " are for
// bench_panels.sh, which compares them with numpy_panels.py (the same pipeline in NumPy +
// statsmodels) in the same run. Prints figures only: a benchmark never asserts a time.
#include <tbb/enumerable_thread_specific.h>
#include <tbb/global_control.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "panel.hpp"
#include "panel_draws.hpp"

namespace bc = tariffsim::bown_crowley;
using Clock = std::chrono::steady_clock;

namespace {

struct Options {
  std::size_t sectors = 13900;
  std::int64_t periods = 10;
  double seconds = 5.0;
  int threads = 2;
};

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string key = argv[i];
    if (key == "--sectors")
      o.sectors = std::strtoull(argv[i + 1], nullptr, 10);
    else if (key == "--periods")
      o.periods = std::strtoll(argv[i + 1], nullptr, 10);
    else if (key == "--seconds")
      o.seconds = std::strtod(argv[i + 1], nullptr);
    else if (key == "--threads")
      o.threads = std::atoi(argv[i + 1]);
    else {
      std::fprintf(stderr,
                   "usage: %s [--sectors 13900] [--periods 10] [--seconds 5] [--threads 2]\n",
                   argv[0]);
      std::exit(2);
    }
  }
  return o;
}

// Streams keyed as the engine keys a point's replications.
struct Streams {
  std::uint64_t replication = 0;
  tariffsim::Stream stream(std::string_view purpose, std::uint32_t substream = 0) const {
    return tariffsim::Stream({20261204, 1}, replication, purpose, substream);
  }
};

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

struct Timing {
  std::vector<double> total, sectors, probit;
  double checksum = 0;  // the mean of b_g over panels, so the work cannot be optimised away
};

// One replication: (sectors,) panel, probit; the three phases timed.
void one_panel(const bc::Sectors* fixed, const Options& o, std::uint64_t r, bc::PanelWorkspace& ws,
               Timing& t) {
  const bc::PanelSpec spec{o.periods, bc::Timing::Aligned, bc::Outcome::Increase, 0.0,
                           tariffsim::BinaryLink::Probit};
  const auto start = Clock::now();
  bc::Sectors drawn;
  if (!fixed) drawn = bc::draw_sectors(bc::DesignParams{}, o.sectors, Streams{r});
  const double t_sectors = seconds_since(start);
  tariffsim::Stream shocks = Streams{r}.stream("shocks");
  bc::simulate_panel(fixed ? *fixed : drawn, spec, shocks, ws);
  const auto fit_start = Clock::now();
  const bc::Estimates e = bc::estimate(ws.data, spec.link);
  t.probit.push_back(seconds_since(fit_start));
  t.sectors.push_back(t_sectors);
  t.total.push_back(seconds_since(start));
  t.checksum += e.b[bc::kGrowth];
}

Timing serial(const bc::Sectors* fixed, const Options& o) {
  Timing t;
  bc::PanelWorkspace ws;
  const auto start = Clock::now();
  for (std::uint64_t r = 0; r < 3 || seconds_since(start) < o.seconds; ++r)
    one_panel(fixed, o, r, ws, t);
  return t;
}

// Panels per second over `panels` panels run by tbb::parallel_for on `threads` threads.
double parallel_rate(const bc::Sectors& fixed, const Options& o, int threads, std::size_t panels) {
  tbb::global_control limit(tbb::global_control::max_allowed_parallelism, std::size_t(threads));
  tbb::enumerable_thread_specific<bc::PanelWorkspace> workspaces;
  tbb::enumerable_thread_specific<Timing> timings;
  const auto start = Clock::now();
  tbb::parallel_for(std::size_t{0}, panels, [&](std::size_t r) {
    one_panel(&fixed, o, r, workspaces.local(), timings.local());
  });
  return double(panels) / seconds_since(start);
}

void report(const char* name, const Timing& t) {
  double total = 0, probit = 0, sectors = 0;
  for (std::size_t i = 0; i < t.total.size(); ++i) {
    total += t.total[i];
    probit += t.probit[i];
    sectors += t.sectors[i];
  }
  const double med = median(t.total);
  std::printf(
      "%s: %zu panels, median %.2f ms/panel (%.1f panels/s), probit %.0f%%, sector draws "
      "and V-bar %.0f%%, mean b_g %.4f\n",
      name, t.total.size(), 1e3 * med, 1 / med, 100 * probit / total, 100 * sectors / total,
      t.checksum / double(t.total.size()));
  std::printf("RESULT %s_panels_per_s %.3f\nRESULT %s_probit_share %.4f\n", name, 1 / med, name,
              probit / total);
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = parse(argc, argv);
  std::printf("bench_panels: %zu sectors x %lld periods, >= %.0f s per case\n", o.sectors,
              static_cast<long long>(o.periods), o.seconds);
  const bc::Sectors fixed = bc::draw_sectors(bc::DesignParams{}, o.sectors, Streams{0});
  report("fixed", serial(&fixed, o));
  report("resample", serial(nullptr, o));
  // Size the parallel runs from the serial rate: about o.seconds on one thread.
  const double rate1 = parallel_rate(fixed, o, 1, 8);
  const auto panels = static_cast<std::size_t>(std::max(8.0, rate1 * o.seconds));
  const double one = parallel_rate(fixed, o, 1, panels);
  const double many = parallel_rate(fixed, o, o.threads, panels);
  std::printf("parallel: %zu panels, %.1f panels/s on 1 thread, %.1f on %d: speedup %.2f\n", panels,
              one, many, o.threads, many / one);
  std::printf("RESULT speedup %.3f\n", many / one);
  return 0;
}
