// TARIFFSIM_KERNEL marks a hot loop that should be compiled for several instruction sets and
// picked at load time (GCC function multi-versioning), so one portable binary uses AVX-512 or AVX2
// where the CPU has them. All clones compute the same integer results; floating-point results of
// vectorised math (libmvec) can differ in the last bit between instruction sets, so bitwise
// reproducibility holds among machines that take the same clone (any thread count, shard split or
// rank count). kernel_isa() names that clone; result files record it, and resume, merge and MPI
// refuse to mix files or ranks that took different ones.
#pragma once

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && \
    !defined(TARIFFSIM_NO_MULTIVERSION)
#define TARIFFSIM_KERNEL __attribute__((target_clones("avx512f", "avx2", "default")))
#define TARIFFSIM_KERNEL_CLONES 1
#else
#define TARIFFSIM_KERNEL
#endif

namespace tariffsim {

// The clone of every TARIFFSIM_KERNEL function this CPU runs: GCC's resolver takes the first
// supported target in the order avx512f, avx2, default.
inline const char* kernel_isa() {
#ifdef TARIFFSIM_KERNEL_CLONES
  if (__builtin_cpu_supports("avx512f")) return "avx512f";
  if (__builtin_cpu_supports("avx2")) return "avx2";
  return "x86-64";
#else
  return "single";  // one code path, compiled for the build's target
#endif
}

}  // namespace tariffsim
