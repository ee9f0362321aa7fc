// libFuzzer target for the experiment loader: TOML text -> checked experiment, the steps of
// `tariffsim validate` (cmd_validate in tools/cli.cpp) on text instead of a file. An InputError is
// the CLI's exit 2, a normal outcome for bad input; any other exception (the CLI's exit 1), a
// crash, a sanitizer report or a hang is a finding.
#include <spdlog/spdlog.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>

#include "tariffsim/design.hpp"
#include "tariffsim/error.hpp"
#include "tariffsim/experiment.hpp"
#include "tariffsim/registry.hpp"
#include "tariffsim/runner.hpp"
#include "tariffsim/search.hpp"
#include "tariffsim/validate.hpp"

namespace {

void validate_text(const std::string& text) {
  using namespace tariffsim;
  const Experiment exp = parse_experiment(text, "fuzz.toml", {}, Registry::global());
  const auto model = experiment_model(exp, Registry::global());
  validate(exp, *model);
  const Design design(exp, model->info());
  // What validate prints; computed so that the fuzzer reaches it.
  volatile std::uint64_t work = design.size() + estimated_replications(exp, *model);
  (void)work;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  spdlog::set_level(spdlog::level::off);  // warnings about accepted input are not findings
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    validate_text(std::string(reinterpret_cast<const char*>(data), size));
  } catch (const tariffsim::InputError&) {
    // Bad input, reported with file, line and key: what validate is for.
  } catch (const std::exception& e) {
    std::fprintf(stderr,
                 "fuzz_experiment: an exception other than InputError (exit 1 from the "
                 "CLI): %s\n",
                 e.what());
    std::abort();
  }
  return 0;
}
