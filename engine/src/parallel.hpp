// The engine's parallel loops, with their hand-offs visible to ThreadSanitizer.
//
// oneTBB passes work between threads through its own synchronisation. Debian's libtbb is not
// built for ThreadSanitizer, so a TSan build sees none of it and reports every read, on a worker,
// of what the calling thread wrote before the loop. Under TSan (GCC and clang define
// __SANITIZE_THREAD__ or __has_feature(thread_sanitizer)) these wrappers state the happens-before
// edges that TBB guarantees, and only those: the caller's writes before every task, each task
// before the caller's return, a pipeline item from one stage to the next, and one invocation of a
// serial stage before the next. Tasks that TBB runs concurrently stay unordered, so a race between
// them is still reported. Elsewhere the annotations compile to nothing.
#pragma once

#include <tbb/parallel_for.h>

#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define TARIFFSIM_TSAN 1
#endif
#endif
#if defined(__SANITIZE_THREAD__)
#define TARIFFSIM_TSAN 1
#endif

#ifdef TARIFFSIM_TSAN
#include <sanitizer/tsan_interface.h>
#endif

namespace tariffsim::detail {

// A happens-before edge from every handed_over(key) to any later taken_over(key).
inline void handed_over([[maybe_unused]] const void* key) {
#ifdef TARIFFSIM_TSAN
  __tsan_release(const_cast<void*>(key));
#endif
}

inline void taken_over([[maybe_unused]] const void* key) {
#ifdef TARIFFSIM_TSAN
  __tsan_acquire(const_cast<void*>(key));
#endif
}

// tbb::parallel_for over [first, last).
template <typename Index, typename Body>
void parallel_for(Index first, Index last, const Body& body) {
  const char fork = 0, join = 0;
  handed_over(&fork);
  tbb::parallel_for(first, last, [&](Index i) {
    taken_over(&fork);
    body(i);
    handed_over(&join);
  });
  taken_over(&join);
}

}  // namespace tariffsim::detail
