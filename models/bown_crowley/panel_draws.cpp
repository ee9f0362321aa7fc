#include "panel_draws.hpp"

#include "simulate.hpp"

namespace tariffsim::bown_crowley {

void simulate_panel(const Sectors& sectors, const PanelSpec& spec, Stream& shocks,
                    PanelWorkspace& ws) {
  const std::size_t S = sectors.size();
  const auto P = static_cast<std::size_t>(simulated_periods(spec));
  ws.data.resize(static_cast<Eigen::Index>(S * static_cast<std::size_t>(spec.periods)));
  ws.tariff.resize(P);
  ws.growth.resize(P);
  for (std::size_t k = 0; k < S; ++k) {
    const bagwell_staiger::PathSpec path{&sectors.volume[k], sectors.vbar[k], sectors.slope[k],
                                         spec.theta, static_cast<std::int64_t>(P)};
    bagwell_staiger::simulate_path(path, shocks, {ws.tariff, {}, ws.growth});
    record_sector(spec, k, sectors.lne[k], ws.tariff, ws.growth, ws.data);
  }
}

}  // namespace tariffsim::bown_crowley
