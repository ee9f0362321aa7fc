#include "cli.hpp"
#include "python_commands.hpp"

int main(int argc, char** argv) {
  // plot and report are Python's: hand them over before MPI or HDF5 start.
  if (const auto code = tariffsim::cli::run_python_command(argc, argv)) return *code;
  return tariffsim::cli::main(argc, argv);
}
