// `tariffsim plot` and `tariffsim report` are written in Python (the tariffsim package in
// tools/python, with matplotlib); the binary only finds that package and hands the command to it,
// so the figures have one implementation whether they are drawn from the CLI or from Python.
#pragma once

#include <CLI/CLI.hpp>
#include <optional>

namespace tariffsim::cli {

// Lists plot and report in `tariffsim --help`. CLI11 never parses them: main() hands them over
// first, so their options are the Python module's (`tariffsim plot --help`).
void declare_python_commands(CLI::App& app);

// When the subcommand (argv[1], or the first argument past the global flags) is plot or report,
// replaces this process with
// `python3 -m tariffsim.<command> ARGS...` and returns only if that fails (with exit code 1);
// returns nullopt for every other command.
std::optional<int> run_python_command(int argc, char** argv);

}  // namespace tariffsim::cli
