// A race the TSan stage of tools/test.sh must report: every task of the engine's parallel_for
// increments one plain counter. The stage runs this first and fails unless TSan reports a data
// race here, so a TSan build that stopped seeing project code (an annotation in parallel.hpp that
// hid too much, say) cannot pass as "0 reports" on test_engine.
#include <cstdio>

#include "parallel.hpp"

int main() {
  long unguarded = 0;
  tariffsim::detail::parallel_for(0, 1 << 16, [&](int) { ++unguarded; });
  std::printf("%ld\n", unguarded);
}
