// Declarations of glibc's vector math (libmvec) for kernels compiled with
// -O3 -ffast-math -fno-finite-math-only -fopenmp-simd.
//
// glibc's <math.h> declares the vector variants only under __FAST_MATH__, which
// -fno-finite-math-only turns off (kernels keep NaN semantics: NaN marks what is undefined). The
// variants are in libmvec all the same, so a kernel that includes this header lets GCC vectorise
// loops that call these functions. Include it only from files compiled with those flags.
#pragma once

#include <cmath>

extern "C" {
__attribute__((simd("notinbranch"))) double exp(double) noexcept;
__attribute__((simd("notinbranch"))) double log(double) noexcept;
__attribute__((simd("notinbranch"))) double log1p(double) noexcept;
__attribute__((simd("notinbranch"))) double sin(double) noexcept;
__attribute__((simd("notinbranch"))) double erfc(double) noexcept;
}
