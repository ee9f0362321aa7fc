// A race the TSan stage of tools/test.sh must report: two tasks of the engine's parallel_for write
// one plain variable. The stage runs this first and fails unless TSan reports a data race here, so
// a TSan build that stopped seeing project code (an annotation in parallel.hpp that hid too much,
// say) cannot pass as "0 reports" on test_engine.
//
// The two tasks wait for each other first, so they run on two threads at once whatever the
// machine: on a quick loop TBB's workers may not have woken before the caller has done every
// iteration itself, and then there is no race to see. The wait is relaxed (no happens-before for
// TSan) and gives up after 30 s, when no second thread came (then nothing is reported). The loop
// runs in an arena of two slots: TBB sizes its default arena from the CPUs in the affinity mask,
// and where that mask holds one CPU (the CI machine, it seems; `taskset -c 0` reproduces its
// silence) the two tasks ran one after the other.
#include <tbb/global_control.h>
#include <tbb/task_arena.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>

#include "parallel.hpp"

int main() {
  const tbb::global_control two_threads(tbb::global_control::max_allowed_parallelism, 2);
  std::atomic<int> arrived{0};
  long unguarded = 0;
  tbb::task_arena two_slots(2);
  two_slots.execute([&] {
    tariffsim::detail::parallel_for(0, 2, [&](int) {
      arrived.fetch_add(1, std::memory_order_relaxed);
      const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
      while (arrived.load(std::memory_order_relaxed) < 2 &&
             std::chrono::steady_clock::now() < give_up)
        std::this_thread::yield();
      ++unguarded;
    });
  });
  std::printf("%ld\n", unguarded);
}
