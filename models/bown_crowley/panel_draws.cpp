#include "panel_draws.hpp"

#include <span>

namespace tariffsim::bown_crowley {

void simulate_panel(const Sectors& sectors, const PanelSpec& spec, Stream& shocks,
                    PanelWorkspace& ws) {
  const std::size_t S = sectors.size();
  const auto P = static_cast<std::size_t>(simulated_periods(spec));
  ws.data.resize(static_cast<Eigen::Index>(S * static_cast<std::size_t>(spec.periods)));
  ws.paths.resize(S);
  for (std::size_t k = 0; k < S; ++k)
    ws.paths[k] = {&sectors.volume[k], sectors.vbar[k], sectors.slope[k], spec.theta,
                   static_cast<std::int64_t>(P)};
  ws.tariff.resize(S * P);
  ws.growth.resize(S * P);
  bagwell_staiger::simulate_lognormal_paths(ws.paths, shocks, ws.tariff, ws.growth);
  const std::span<const double> tariff(ws.tariff), growth(ws.growth);
  for (std::size_t k = 0; k < S; ++k)
    record_sector(spec, k, sectors.lne[k], tariff.subspan(k * P, P), growth.subspan(k * P, P),
                  ws.data);
}

}  // namespace tariffsim::bown_crowley
