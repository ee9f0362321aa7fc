// The one check an experiment passes before it runs, whether it was read from a TOML file or built
// in C++ (DESIGN.md §11: validation happens once, at one boundary). RunSession calls it, for runs
// on this process's threads and under MPI alike (tariffsim/run_session.hpp).
#pragma once

#include <optional>
#include <string>

#include "tariffsim/experiment.hpp"
#include "tariffsim/model.hpp"
#include "tariffsim/runner.hpp"

namespace tariffsim {

// Throws InputError with every problem found at once:
//  - the experiment's rules (values in range, each parameter in one section, the model's series
//    and metrics, a sample that fits in memory), the same rules parse_experiment applies to a
//    file, there located at file:line:col; for an experiment built in C++ they name the key and
//    the SourceLocations its struct carries, else its config_path or "<experiment>";
//  - the run options (a shard index below the shard count) and the output's path (options'
//    output_path, else [output] file): not a folder, nor under a file. Whether a file may be
//    there (resume, force) is the RunSession's to check, as it opens it;
//  - once the rules hold, the design: it has points, and the model's domain check at its first
//    point blames no parameter that is fixed (a problem a grid or sample may cross is a status
//    code of the points it affects, not an error).
void validate(const Experiment& experiment, const Model& model, const RunOptions& options = {});

// What is wrong with `path` as a result file's path, named by `origin` ("--output", "exp.toml:9:8:
// output.file"), or nothing: a folder (or a path ending in '/') or a path under a regular file.
// Missing folders above it are fine: they are made with the file.
std::optional<std::string> output_path_problem(const std::string& path, const std::string& origin);

}  // namespace tariffsim
