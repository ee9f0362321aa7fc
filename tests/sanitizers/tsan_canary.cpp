// A race the TSan stage of tools/test.sh must report: two tasks of the engine's parallel_for write
// one plain variable. The stage runs this first and fails unless TSan reports a data race here, so
// a TSan build that stopped seeing project code (an annotation in parallel.hpp that hid too much,
// say) cannot pass as "0 reports" on test_engine.
//
// The two tasks wait for each other first, so they run on two threads at once whatever the
// machine: on a quick loop TBB's workers may not have woken before the caller has done every
// iteration itself, and then there is no race to see. Then task 0 writes first and task 1 writes
// after it has seen task 0's write: two writes at the same instant can both check TSan's shadow
// before either stores to it, and then neither is reported (seen: the CI run's canary was silent
// three times in a row, and a plain two-thread race released at one instant lost reports here).
// Every wait is relaxed (no happens-before for TSan) and gives up after 30 s, when no second
// thread came (then nothing is reported). The loop runs in an arena of two slots: TBB sizes its
// default arena from the CPUs in the affinity mask, and where that mask holds one CPU
// (`taskset -c 0`) the two tasks would run one after the other on one thread.
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
  std::atomic<int> written{0};
  long unguarded = 0;
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  const auto wait_until_count = [&](const std::atomic<int>& counter, int count) {
    while (counter.load(std::memory_order_relaxed) < count &&
           std::chrono::steady_clock::now() < give_up)
      std::this_thread::yield();
  };
  tbb::task_arena two_slots(2);
  two_slots.execute([&] {
    tariffsim::detail::parallel_for(0, 2, [&](int task) {
      arrived.fetch_add(1, std::memory_order_relaxed);
      wait_until_count(arrived, 2);
      if (task == 1) wait_until_count(written, 1);
      ++unguarded;
      written.fetch_add(1, std::memory_order_relaxed);
    });
  });
  std::printf("%ld\n", unguarded);
}
