// The smallest complete model: a coin with probability p of heads, flipped n times per replication.
// It shows the whole plugin interface, and that a model can live outside this repository.
#include <tariffsim/error.hpp>
#include <tariffsim/experiment.hpp>
#include <tariffsim/model.hpp>
#include <tariffsim/registry.hpp>
#include <tariffsim/runner.hpp>

#include <cstdio>

namespace {

class Coin final : public tariffsim::Model {
 public:
  const tariffsim::ModelInfo& info() const override {
    static const tariffsim::ModelInfo info = [] {
      tariffsim::ModelInfo m;
      m.name = "coin";
      m.version = "1.0.0";
      m.description = "share of heads in n flips of a coin with P(heads) = p";
      m.params = {
          {"p", tariffsim::ParamType::Real, 0.5, {0, 1}, {}, "1", "probability of heads"},
          {"n", tariffsim::ParamType::Integer, std::int64_t{100}, {1, 1e9}, {}, "flips",
           "flips per replication"},
      };
      m.metrics = {{"p_exact", "1", "p itself", tariffsim::OutputLevel::Point},
                   {"share", "1", "share of heads", tariffsim::OutputLevel::Replication}};
      return m;
    }();
    return info;
  }
  struct State : tariffsim::PointState {
    double p = 0;
    std::int64_t n = 0;
  };
  std::unique_ptr<tariffsim::PointState> prepare(const tariffsim::Point& point,
                                                 tariffsim::PointOutputs& out) const override {
    auto s = std::make_unique<State>();
    s->p = point.real("p");
    s->n = point.integer("n");
    out.set(0, s->p);
    return s;
  }
  void replicate(const tariffsim::PointState& base, tariffsim::Replication& rep) const override {
    const auto& s = static_cast<const State&>(base);
    tariffsim::Stream flips = rep.stream("flips");
    std::int64_t heads = 0;
    for (std::int64_t i = 0; i < s.n; ++i) heads += flips.uniform() < s.p;
    rep.metric(1, static_cast<double>(heads) / static_cast<double>(s.n));
  }
};

}  // namespace

TARIFFSIM_REGISTER_MODEL(Coin)

// external_model EXPERIMENT.toml OUTPUT.h5
int main(int argc, char** argv) {
  if (argc != 3) return 2;
  try {
    const auto exp = tariffsim::load_experiment(argv[1], {}, tariffsim::Registry::global());
    const auto model = tariffsim::Registry::global().create(exp.model);
    tariffsim::RunOptions options;
    options.output_path = argv[2];
    options.progress = false;
    const auto summary = tariffsim::run_experiment(exp, *model, options);
    std::printf("%llu points\n", static_cast<unsigned long long>(summary.points));
    return 0;
  } catch (const tariffsim::InputError& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 2;
  }
}
