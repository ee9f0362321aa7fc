// A complete model: a coin with P(heads) = p, flipped n times in each replication.
#include <tariffsim/outputs.hpp>
#include <tariffsim/registry.hpp>

namespace coin {

using namespace tariffsim;

// What prepare() works out once per point; every replication of the point reads it.
struct Coin : PointState {
  double p = 0;
  std::size_t n = 0;
};
// What one replication computes.
struct Flips {
  double heads = 0, n = 0;
};

ModelInfo make_info() {
  ModelInfo m;
  m.name = "coin";
  m.version = "1.0.0";
  m.description = "share of heads in n flips of a coin with P(heads) = p";
  m.params = {real_param("p", 0.5, {0, 1}, "1", "probability of heads"),
              int_param("n", 100, {1, 1e9}, "flips", "flips per replication")};
  return m;  // the metrics and series are added by the bindings below
}

class CoinModel final : public Model {
 public:
  const ModelInfo& info() const override { return info_; }

  // One Coin per point in flight, reused from point to point: prepare() sets all of it.
  std::unique_ptr<PointState> make_state() const override { return std::make_unique<Coin>(); }

  void prepare(const Point& point, PointOutputs& out, PointState& state) const override {
    auto& coin = static_cast<Coin&>(state);
    coin.p = point.real(p_);
    coin.n = static_cast<std::size_t>(point.integer(n_));
    exact_.write(coin, out);
  }

  void replicate(const PointState& state, Replication& rep) const override {
    const auto& coin = static_cast<const Coin&>(state);
    Stream draws = rep.stream("flips");
    const std::span<double> path = heads_so_far_.span(rep);  // empty unless the run keeps it
    Flips flips{0, static_cast<double>(coin.n)};
    for (std::size_t i = 0; i < coin.n; ++i) {
      if (draws.uniform() < coin.p) flips.heads += 1;
      if (i < path.size()) path[i] = flips.heads;
    }
    flips_.write(flips, rep);
  }

 private:
  ModelInfo info_ = make_info();
  // The parameters prepare() reads, found by name once, here: a misspelt name fails as the model
  // is made, and a point's value is then read by position.
  const ParamRef p_{info_, "p"}, n_{info_, "n"};
  // The outputs, in file order; each name is bound to the value written under it.
  PointMetrics<Coin> exact_{info_, {{"p_exact", "1", "p itself", field<&Coin::p>}}};
  ReplicationMetrics<Flips> flips_{
      info_,
      {
          {"share", "1", "share of heads", [](const Flips& f) { return f.heads / f.n; }},
          {"heads", "flips", "number of heads", field<&Flips::heads>},
      }};
  SeriesOutput heads_so_far_{info_, {"heads_so_far", "flips", "heads after each flip", "n"}};
};

TARIFFSIM_REGISTER_MODEL(CoinModel)

}  // namespace coin
