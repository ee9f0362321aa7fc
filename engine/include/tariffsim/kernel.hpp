// TARIFFSIM_KERNEL marks a hot loop that should be compiled for several instruction sets and
// picked at load time (GCC function multi-versioning), so one portable binary uses AVX-512 or AVX2
// where the CPU has them. All clones compute the same integer results; floating-point results of
// vectorised math (libmvec) can differ in the last bit between instruction sets, so bitwise
// reproducibility holds on one machine type (any thread count, shard split or rank count).
#pragma once

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && \
    !defined(TARIFFSIM_NO_MULTIVERSION)
#define TARIFFSIM_KERNEL __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define TARIFFSIM_KERNEL
#endif
