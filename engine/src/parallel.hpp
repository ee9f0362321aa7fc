// The engine's parallel loops, with their hand-offs visible to ThreadSanitizer.
//
// oneTBB passes work between threads through its own synchronisation. Debian's libtbb is not
// built for ThreadSanitizer, so a TSan build sees none of it and reports every read, on a worker,
// of what the calling thread wrote before the loop. Under TSan (GCC and clang define
// __SANITIZE_THREAD__ or __has_feature(thread_sanitizer)) these wrappers state the happens-before
// edges that TBB guarantees, and only those: the caller's writes before every task, each task
// before the caller's return, a pipeline item from one stage to the next, one invocation of a
// serial stage before the next, and the work handed to an arena after the caller's writes and
// before its return. Tasks that TBB runs concurrently stay unordered, so a race between them is
// still reported. Elsewhere the annotations compile to nothing.
#pragma once

#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

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
// Code TSan does not instrument. Clang does not inline across this attribute, in either
// direction, so what such a function calls is still checked.
#define TARIFFSIM_UNSEEN_BY_TSAN __attribute__((no_sanitize("thread")))
#else
#define TARIFFSIM_UNSEEN_BY_TSAN
#endif

#include <utility>

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

// A body handed to TBB, which copies it (a range split, a pipeline filter) and calls the copies on
// its workers. The copy's two pointers are read where TSan does not look: TBB wrote them and TBB
// orders that write before the call, unseen by TSan. Then `key` is acquired, and only after that
// is anything the caller wrote touched: the body itself and its captures. Arguments that TBB hands
// over by value (a pipeline item) are moved out of TBB's buffer here too, for the same reason.
template <typename Body>
class AfterHandOff {
 public:
  AfterHandOff(const void* key, const Body& body) : key_(key), body_(&body) {}
  TARIFFSIM_UNSEEN_BY_TSAN AfterHandOff(const AfterHandOff& other)
      : key_(other.key_), body_(other.body_) {}
  AfterHandOff& operator=(const AfterHandOff&) = delete;

  template <typename... Args>
  TARIFFSIM_UNSEEN_BY_TSAN decltype(auto) operator()(Args&&... args) const {
    return enter<Args...>(key_, *body_, std::forward<Args>(args)...);
  }

 private:
  // Args are the deduced forwarding types: references stay references, values become this
  // function's own parameters.
  template <typename... Args>
  static decltype(auto) enter(const void* key, const Body& body, Args... args) {
    taken_over(key);
    return body(std::forward<Args>(args)...);
  }

  const void* key_;
  const Body* body_;
};

// Runs `launch` on the body wrapped with the loop's two edges: the caller's writes before every
// call of the body (fork), and every call before the caller goes on (join). `launch` hands the
// wrapped body to TBB and returns when TBB has run it.
template <typename Body, typename Launch>
void with_hand_offs(const Body& body, const Launch& launch) {
  const char fork = 0, join = 0;
  const auto task = [&](auto... args) {
    body(args...);
    handed_over(&join);
  };
  handed_over(&fork);
  launch(AfterHandOff(&fork, task));
  taken_over(&join);
}

// tbb::parallel_for over [first, last).
template <typename Index, typename Body>
void parallel_for(Index first, Index last, const Body& body) {
  with_hand_offs(body, [&](const auto& handed) { tbb::parallel_for(first, last, handed); });
}

// tbb::task_arena::execute: `body` runs on the calling thread, or on one of the arena's threads
// while the caller waits.
template <typename Body>
void execute(tbb::task_arena& arena, const Body& body) {
  with_hand_offs(body, [&](const auto& handed) { arena.execute(handed); });
}

}  // namespace tariffsim::detail
