// Shared set-up of the Bown–Crowley tests: streams keyed like the engine's, and one panel
// replication from a design.
#pragma once

#include <vector>

#include "panel.hpp"
#include "panel_draws.hpp"

namespace bc_test {

using namespace tariffsim::bown_crowley;

// A stream source for draw_sectors outside the engine: (seed, point) as the engine keys them.
struct Streams {
  tariffsim::StreamKey key{20261204, 77};
  std::uint64_t replication = 0;
  tariffsim::Stream stream(std::string_view purpose, std::uint32_t substream = 0) const {
    return tariffsim::Stream(key, replication, purpose, substream);
  }
};

// Replication r's panel on the given sectors, as the plugin makes it.
inline PanelWorkspace panel(const Sectors& sectors, const PanelSpec& spec, std::uint64_t r) {
  PanelWorkspace ws;
  tariffsim::Stream shocks = Streams{{20261204, 77}, r}.stream("shocks");
  simulate_panel(sectors, spec, shocks, ws);
  return ws;
}

inline double mean(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x;
  return s / double(v.size());
}

inline double variance(const std::vector<double>& v) {
  const double m = mean(v);
  double s = 0;
  for (double x : v) s += (x - m) * (x - m);
  return s / double(v.size() - 1);
}

}  // namespace bc_test
