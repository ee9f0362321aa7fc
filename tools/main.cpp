#include "cli.hpp"

int main(int argc, char** argv) {
  return tariffsim::cli::main(argc, argv);
}
