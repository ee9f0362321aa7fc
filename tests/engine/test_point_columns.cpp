// Point-level outputs are written by prepare() straight into a batch's columns, which are a
// written batch's columns handed back (recycle): nothing of the earlier batch may show through,
// whatever a point's fate. A point that fails, in prepare() (before or after writing outputs) or
// in a replication, or is out of range has NaN in every point-level output; an output a model
// leaves unwritten is NaN.
#include <catch2/catch.hpp>
#include <cmath>
#include <memory>
#include <stdexcept>
#include <string>

#include "experiment_fixtures.hpp"
#include "tariffsim/error.hpp"
#include "tariffsim/experiment.hpp"
#include "tariffsim/model.hpp"
#include "tariffsim/registry.hpp"
#include "tariffsim/runner.hpp"

namespace {

using namespace tariffsim;

constexpr std::size_t kX = 0, kC = 1, kD = 2;  // metric indices
constexpr int kStatusDomain = 4;

// c = mu and d = 2 mu (point-level), d left unwritten where mu < 0; x = 1 per replication. After
// writing c, prepare() throws a DomainError at mu = 5, a runtime_error at mu = 6 and a DomainError
// of status 0 (a model's mistake) at mu = 8; replication 1 throws at mu = 7. mu above 100 is out
// of range.
class PartialModel : public Model {
 public:
  PartialModel() {
    info_.name = "partial";
    info_.version = "1";
    info_.params = {real_param("mu", 0.0, Range{-1e9, 100}, "", "centre")};
    info_.metrics = {{"x", "", "", OutputLevel::Replication},
                     {"c", "", "", OutputLevel::Point},
                     {"d", "", "", OutputLevel::Point}};
    info_.status_codes = {{kStatusDomain, "mu = 5"}};
  }
  const ModelInfo& info() const override { return info_; }
  std::unique_ptr<PointState> make_state() const override { return std::make_unique<State>(); }
  void prepare(const Point& p, PointOutputs& out, PointState& state) const override {
    const double mu = p.real("mu");
    static_cast<State&>(state).mu = mu;
    out.set(kC, mu);
    if (mu == 5) throw DomainError(kStatusDomain, "mu = 5 is outside the model");
    if (mu == 6) throw std::runtime_error("prepare cannot handle mu = 6");
    if (mu == 8) throw DomainError(kStatusOk, "a domain error without a status");
    if (mu >= 0) out.set(kD, 2 * mu);
  }
  void replicate(const PointState& state, Replication& rep) const override {
    if (static_cast<const State&>(state).mu == 7 && rep.index() == 1)
      throw std::runtime_error("replication 1 cannot handle mu = 7");
    rep.metric(kX, 1.0);
  }

 private:
  struct State : PointState {
    double mu = 0;
  };
  ModelInfo info_;
};

Experiment experiment(const std::string& extra) {
  return parse_experiment(
      "[experiment]\nname = \"t\"\nmodel = \"partial\"\nseed = 3\nreplications = 2\n"
      "[grid]\nmu = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, -1.0, 200.0, 7.0, 8.0]\n" +
          extra,
      "partial.toml", {}, test::registry_of<PartialModel>("partial"));
}

}  // namespace

TEST_CASE("a recycled batch's point columns show nothing of the batch before", "[runner]") {
  // The one-pass path (each point's replications one block) and the rounds of adaptive precision.
  for (const std::string extra :
       {std::string(),
        std::string("[precision]\ntarget_se = { x = 1e-9 }\nmax_replications = 8\n")}) {
    INFO("extra config: " << extra);
    const Experiment exp = experiment(extra);
    const PartialModel model;
    const BatchComputer computer(exp, model, 1);
    for (int round = 0; round < 3; ++round) {
      PointBatch first = computer.compute(0, 4);  // every output written, every slot filled
      REQUIRE(first.metrics[kD].value[3] == 8.0);
      computer.recycle(std::move(first));
      const PointBatch b = computer.compute(4, 6);
      CHECK(b.status[0] == kStatusDomain);
      CHECK(b.status[1] == kStatusModelError);
      CHECK(b.status[2] == kStatusOk);
      CHECK(b.status[3] == kStatusOutOfRange);
      CHECK(b.status[4] == kStatusModelError);  // its replication failed
      CHECK(b.status[5] == kStatusModelError);  // a DomainError of status 0
      for (const int i : {0, 1, 3, 4, 5}) {
        INFO("point " << 4 + i);
        CHECK(std::isnan(b.metrics[kC].value[i]));
        CHECK(std::isnan(b.metrics[kD].value[i]));
      }
      CHECK(b.metrics[kC].value[2] == -1.0);
      CHECK(std::isnan(b.metrics[kD].value[2]));  // left unwritten by the model
      computer.recycle(PointBatch(b));
    }
  }
}
