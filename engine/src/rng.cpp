#include "tariffsim/rng.hpp"

#include <bit>
#include <cmath>
#include <numbers>

#include "tariffsim/error.hpp"
#include "tariffsim/kernel.hpp"

#ifdef TARIFFSIM_KERNEL_CLONES
#include <immintrin.h>
#endif

namespace tariffsim {

std::uint32_t purpose_id(std::string_view purpose) {
  std::uint32_t h = 2166136261u;
  for (unsigned char c : purpose) {
    h ^= c;
    h *= 16777619u;
  }
  return h;
}

// SplitMix64-style finaliser of a combined pair: a bijective avalanche, so distinct (seed, point)
// pairs give keys that differ in about half their bits.
std::uint64_t mix64(std::uint64_t a, std::uint64_t b) {
  std::uint64_t z = a ^ (b + 0x9e3779b97f4a7c15ULL + (a << 6) + (a >> 2));
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

Stream::Stream(StreamKey key, std::uint64_t replication, std::string_view purpose,
               std::uint32_t substream) {
  if (replication > 0xffffffffULL) throw Error("replication index exceeds 2^32");
  const std::uint64_t k = mix64(key.seed, key.point);
  key_[0] = static_cast<std::uint32_t>(k);
  key_[1] = static_cast<std::uint32_t>(k >> 32);
  ctr_[0] = 0;
  ctr_[1] = substream;
  ctr_[2] = static_cast<std::uint32_t>(replication);
  ctr_[3] = purpose_id(purpose);
}

namespace {

// Philox4x32-10 (Salmon et al. 2011), written as straight-line code on one block so that a loop
// over blocks vectorises (the 32x32->64 multiplies become vpmuludq). Random123 is the reference:
// tests/engine/test_rng.cpp checks this against r123::Philox4x32 on its known-answer vector and on
// random counters.
constexpr std::uint32_t kMul0 = 0xD2511F53, kMul1 = 0xCD9E8D57;
constexpr std::uint32_t kWeyl0 = 0x9E3779B9, kWeyl1 = 0xBB67AE85;

inline void philox_block(std::uint32_t k0, std::uint32_t k1, std::uint32_t& x0, std::uint32_t& x1,
                         std::uint32_t& x2, std::uint32_t& x3) {
#pragma GCC unroll 10
  for (int round = 0; round < 10; ++round) {
    const std::uint64_t p0 = static_cast<std::uint64_t>(kMul0) * x0;
    const std::uint64_t p1 = static_cast<std::uint64_t>(kMul1) * x2;
    const auto hi0 = static_cast<std::uint32_t>(p0 >> 32), lo0 = static_cast<std::uint32_t>(p0);
    const auto hi1 = static_cast<std::uint32_t>(p1 >> 32), lo1 = static_cast<std::uint32_t>(p1);
    x0 = hi1 ^ x1 ^ k0;
    x1 = lo1;
    x2 = hi0 ^ x3 ^ k1;
    x3 = lo0;
    k0 += kWeyl0;
    k1 += kWeyl1;
  }
}

// 52 random bits -> (2k + 1) * 2^-53: uniform on the open interval (0, 1), every value exact, and
// computable with integer operations that vectorise.
// Built from the bits of 1 + k 2^-52 in [1, 2), so no integer-to-double conversion is needed
// (it would not vectorise without AVX-512DQ): (1 + k 2^-52) - 1 is exact, and so is adding 2^-53.
inline double to_open01(std::uint32_t hi, std::uint32_t lo) {
  const std::uint64_t k = ((static_cast<std::uint64_t>(hi) << 32) | lo) >> 12;
  const double one_to_two = std::bit_cast<double>(k | 0x3ff0000000000000ULL);
  return (one_to_two - 1.0) + 0x1.0p-53;
}

// philox_block with every 32-bit word in a 64-bit lane, for the vector loop below: the
// multiplies read only the low 32 bits of their lanes (exactly what vpmuludq does), so the words
// are never widened or narrowed between rounds, and the bits above 32 are don't-cares, masked
// at the multiplies and at the output. Same results as philox_block (tests/engine/test_rng.cpp).
inline void philox_block_wide(std::uint64_t k0, std::uint64_t k1, std::uint64_t& x0,
                              std::uint64_t& x1, std::uint64_t& x2, std::uint64_t& x3) {
  constexpr std::uint64_t kLow = 0xffffffffULL;
#pragma GCC unroll 10
  for (int round = 0; round < 10; ++round) {
    const std::uint64_t p0 = (x0 & kLow) * kMul0;
    const std::uint64_t p1 = (x2 & kLow) * kMul1;
    x0 = (p1 >> 32) ^ x1 ^ k0;
    x1 = p1;
    x2 = (p0 >> 32) ^ x3 ^ k1;
    x3 = p0;
    k0 += kWeyl0;
    k1 += kWeyl1;
  }
}

// Two uniforms from each of `blocks` consecutive counters starting at c0.
TARIFFSIM_KERNEL void philox_uniforms_generic(std::uint32_t k0, std::uint32_t k1, std::uint32_t c0,
                                              std::uint32_t c1, std::uint32_t c2, std::uint32_t c3,
                                              std::size_t blocks, double* out) {
  for (std::size_t i = 0; i < blocks; ++i) {
    // The counter's low word wraps at 2^32 as in philox_block (Stream::advance forbids overflow).
    std::uint64_t x0 = static_cast<std::uint32_t>(c0 + static_cast<std::uint32_t>(i)), x1 = c1,
                  x2 = c2, x3 = c3;
    philox_block_wide(k0, k1, x0, x1, x2, x3);
    out[2 * i] = to_open01(static_cast<std::uint32_t>(x0), static_cast<std::uint32_t>(x1));
    out[2 * i + 1] = to_open01(static_cast<std::uint32_t>(x2), static_cast<std::uint32_t>(x3));
  }
}

#ifdef TARIFFSIM_KERNEL_CLONES
// GCC 12's own AVX-512 headers trip -Wmaybe-uninitialized (their _mm512_undefined_* operands).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
// The AVX-512 loop in intrinsics: GCC lowers the vectorised multiply of a 64-bit lane by a 32-bit
// constant to a three-multiply 64x64 emulation, where Philox needs only vpmuludq (the low 32 bits
// of each lane, widened). Eight blocks per iteration; the same numbers as philox_block.
__attribute__((target("avx512f"))) void philox_uniforms_avx512(std::uint32_t k0, std::uint32_t k1,
                                                               std::uint32_t c0, std::uint32_t c1,
                                                               std::uint32_t c2, std::uint32_t c3,
                                                               std::size_t blocks, double* out) {
  const __m512i low = _mm512_set1_epi64(0xffffffffLL);
  const __m512i mul0 = _mm512_set1_epi64(kMul0), mul1 = _mm512_set1_epi64(kMul1);
  const __m512i lanes = _mm512_set_epi64(7, 6, 5, 4, 3, 2, 1, 0);
  const __m512i exponent_of_one = _mm512_set1_epi64(0x3ff0000000000000LL);
  const __m512d one = _mm512_set1_pd(1.0), half_ulp = _mm512_set1_pd(0x1.0p-53);
  // out[2j] takes the first uniform of block j, out[2j + 1] the second.
  const __m512i first_half = _mm512_set_epi64(11, 3, 10, 2, 9, 1, 8, 0);
  const __m512i second_half = _mm512_set_epi64(15, 7, 14, 6, 13, 5, 12, 4);
  std::size_t i = 0;
  for (; i + 8 <= blocks; i += 8) {
    // The counter's low word wraps at 2^32 as in philox_block (Stream::advance forbids overflow).
    __m512i x0 = _mm512_and_si512(
        _mm512_add_epi64(_mm512_set1_epi64(static_cast<long long>(c0) + static_cast<long long>(i)),
                         lanes),
        low);
    __m512i x1 = _mm512_set1_epi64(c1), x2 = _mm512_set1_epi64(c2), x3 = _mm512_set1_epi64(c3);
    std::uint32_t key0 = k0, key1 = k1;
    for (int round = 0; round < 10; ++round) {
      const __m512i p0 = _mm512_mul_epu32(x0, mul0);
      const __m512i p1 = _mm512_mul_epu32(x2, mul1);
      x0 = _mm512_xor_si512(_mm512_xor_si512(_mm512_srli_epi64(p1, 32), x1),
                            _mm512_set1_epi64(key0));
      x1 = p1;
      x2 = _mm512_xor_si512(_mm512_xor_si512(_mm512_srli_epi64(p0, 32), x3),
                            _mm512_set1_epi64(key1));
      x3 = p0;
      key0 += kWeyl0;
      key1 += kWeyl1;
    }
    // to_open01 of (hi, lo) per lane: 52 bits into [1, 2), minus 1, plus 2^-53.
    const __m512i ka = _mm512_srli_epi64(
        _mm512_or_si512(_mm512_slli_epi64(x0, 32), _mm512_and_si512(x1, low)), 12);
    const __m512i kb = _mm512_srli_epi64(
        _mm512_or_si512(_mm512_slli_epi64(x2, 32), _mm512_and_si512(x3, low)), 12);
    const __m512d a = _mm512_add_pd(
        _mm512_sub_pd(_mm512_castsi512_pd(_mm512_or_si512(ka, exponent_of_one)), one), half_ulp);
    const __m512d b = _mm512_add_pd(
        _mm512_sub_pd(_mm512_castsi512_pd(_mm512_or_si512(kb, exponent_of_one)), one), half_ulp);
    _mm512_storeu_pd(out + 2 * i, _mm512_permutex2var_pd(a, first_half, b));
    _mm512_storeu_pd(out + 2 * i + 8, _mm512_permutex2var_pd(a, second_half, b));
  }
  if (i < blocks)
    philox_uniforms_generic(k0, k1, c0 + static_cast<std::uint32_t>(i), c1, c2, c3, blocks - i,
                            out + 2 * i);
}
#pragma GCC diagnostic pop
#endif

void philox_uniforms(std::uint32_t k0, std::uint32_t k1, std::uint32_t c0, std::uint32_t c1,
                     std::uint32_t c2, std::uint32_t c3, std::size_t blocks, double* out) {
#ifdef TARIFFSIM_KERNEL_CLONES
  static const bool avx512 = __builtin_cpu_supports("avx512f");
  if (avx512) return philox_uniforms_avx512(k0, k1, c0, c1, c2, c3, blocks, out);
#endif
  philox_uniforms_generic(k0, k1, c0, c1, c2, c3, blocks, out);
}

}  // namespace

std::array<std::uint32_t, 4> Stream::next_block() {
  std::uint32_t x0 = ctr_[0], x1 = ctr_[1], x2 = ctr_[2], x3 = ctr_[3];
  philox_block(key_[0], key_[1], x0, x1, x2, x3);
  advance(1);
  return {x0, x1, x2, x3};
}

void Stream::advance(std::uint64_t blocks) {
  if (blocks > 0xffffffffULL - ctr_[0]) throw Error("random stream exhausted (2^32 blocks)");
  ctr_[0] += static_cast<std::uint32_t>(blocks);
}

double Stream::uniform() {
  if (n_spare_ == 0) {
    const auto b = next_block();
    spare_[0] = to_open01(b[0], b[1]);
    spare_[1] = to_open01(b[2], b[3]);
    n_spare_ = 2;
  }
  return spare_[2 - n_spare_--];
}

void Stream::fill_uniform(double* out, std::size_t n) {
  std::size_t i = 0;
  while (i < n && n_spare_ > 0) out[i++] = uniform();
  const std::size_t blocks = (n - i) / 2;
  if (blocks > 0) {
    const std::uint32_t c0 = ctr_[0];
    advance(blocks);  // checks for exhaustion before any draw is used
    philox_uniforms(key_[0], key_[1], c0, ctr_[1], ctr_[2], ctr_[3], blocks, out + i);
    i += 2 * blocks;
  }
  if (i < n) out[i] = uniform();
}

double Stream::normal() {
  const double u1 = uniform();
  const double u2 = uniform();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

void Stream::fill_normal(double* out, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) out[i] = normal();
}

}  // namespace tariffsim
