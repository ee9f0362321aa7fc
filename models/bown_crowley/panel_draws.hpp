// One synthetic panel from the engine's random streams: the sector design and every sector's path
// through the bagwell_staiger path kernel. The streams are the only engine types the economics
// does not see.
#pragma once

#include <vector>

#include "panel.hpp"
#include "simulate.hpp"
#include "tariffsim/rng.hpp"

namespace tariffsim::bown_crowley {

// The standard draws of S sectors come from three substreams of `purpose` (volume, CV, ln e), so
// that each characteristic keeps its draws when another's parameters change.
template <typename StreamSource>
Sectors draw_sectors(const DesignParams& p, std::size_t S, const StreamSource& source) {
  std::vector<double> z_volume(S), u_cv(S), z_lne(S);
  source.stream("sectors", 0).fill_normal(z_volume.data(), S);
  source.stream("sectors", 1).fill_uniform(u_cv.data(), S);
  source.stream("sectors", 2).fill_normal(z_lne.data(), S);
  return make_sectors(p, z_volume, u_cv, z_lne);
}

// Buffers of one panel, reused across the replications a thread runs.
struct PanelWorkspace {
  PanelData data;
  std::vector<bagwell_staiger::PathSpec> paths;
  std::vector<double> tariff, growth;  // sector-major, simulated_periods per sector
};

// Simulates every sector's path from `shocks` (one batch for all sectors, through the
// bagwell_staiger path kernel) and records the rows in ws.data.
void simulate_panel(const Sectors& sectors, const PanelSpec& spec, Stream& shocks,
                    PanelWorkspace& ws);

}  // namespace tariffsim::bown_crowley
