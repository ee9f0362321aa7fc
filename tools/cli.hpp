// The `tariffsim` command line (DESIGN.md §9). All work lives in the libraries; this maps
// subcommands to them and exceptions to exit codes: 0 success, 2 bad input, 1 runtime failure.
#pragma once

namespace tariffsim::cli {

int main(int argc, char** argv);

}  // namespace tariffsim::cli
