// Time paths of the cooperative rule (spec §8), one replication at a time. The hot loop of the
// project: draws are made in chunks so the transforms vectorise.
#pragma once

#include <cstdint>
#include <span>

#include "distributions.hpp"
#include "tariffsim/rng.hpp"

namespace tariffsim::bagwell_staiger {

// Per-replication aggregates over the periods of one path.
struct PathSummary {
  double share_protect = 0;   // share of periods with a recorded tariff > 0
  double share_increase = 0;  // share of periods t >= 1 with τ_t > τ_{t−1}
  double share_onset = 0;     // share of periods t >= 1 with τ_{t−1} = 0 < τ_t
  double mean_tau = 0;        // mean recorded tariff
  double mean_tau2 = 0;       // mean squared recorded tariff
  double var_tau = 0;         // sample variance of the recorded tariff over periods
  double mean_volume = 0;     // mean trade volume V_t
  double mean_growth = 0;     // mean of growth_t = V_t/V_{t−1} − 1 over defined periods
};

struct PathSpec {
  const Distribution* dist = nullptr;
  double vbar = 0;
  double a = 1;
  double theta = 0;  // recording threshold on τ/Pf with Pf = 1
  std::int64_t periods = 0;
};

// Optional per-period outputs; empty spans are skipped.
struct PathSeries {
  std::span<double> tariff, volume, growth;
};

// Draws `n` i.i.d. values of Vf from `stream` into `out`.
void draw_volumes(const Distribution& d, Stream& stream, double* out, std::size_t n);

PathSummary simulate_path(const PathSpec& spec, Stream& stream, PathSeries series);

// Many short paths at once, all of `periods` P and lognormal Vf (a panel's sectors): the volumes
// of every path come from one batch of `stream` (Box–Muller over the whole batch, then
// exp(ln-mean + ln-sd z) per path), so the draws vectorise however short the paths; then the rule
// of simulate_path, period by period. Path k writes tariff and growth [k P, k P + P). The draws
// are not simulate_path's (which pairs uniforms within each path's chunks).
void simulate_lognormal_paths(std::span<const PathSpec> specs, Stream& stream,
                              std::span<double> tariff, std::span<double> growth);

}  // namespace tariffsim::bagwell_staiger
