// Runs an experiment with the models registered in this program (coin.cpp) and the engine
// installed from the tariffsim tree: a model can live outside the repository.
#include <cstdio>
#include <tariffsim/error.hpp>
#include <tariffsim/experiment.hpp>
#include <tariffsim/registry.hpp>
#include <tariffsim/run_session.hpp>

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
