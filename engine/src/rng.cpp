#include "tariffsim/rng.hpp"

#include <Random123/philox.h>

#include <cmath>
#include <numbers>

#include "tariffsim/error.hpp"

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

std::array<std::uint32_t, 4> Stream::next_block() {
  r123::Philox4x32 rng;
  const r123::Philox4x32::ctr_type c = {{ctr_[0], ctr_[1], ctr_[2], ctr_[3]}};
  const r123::Philox4x32::key_type k = {{key_[0], key_[1]}};
  const auto r = rng(c, k);
  if (++ctr_[0] == 0) throw Error("random stream exhausted (2^32 blocks)");
  return {r[0], r[1], r[2], r[3]};
}

namespace {
// 53 random bits, shifted by half an ulp so 0 and 1 are never returned.
inline double to_open01(std::uint32_t hi, std::uint32_t lo) {
  const std::uint64_t bits = ((static_cast<std::uint64_t>(hi) << 32) | lo) >> 11;
  return (static_cast<double>(bits) + 0.5) * 0x1.0p-53;
}
}  // namespace

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
  for (; i + 2 <= n; i += 2) {
    const auto b = next_block();
    out[i] = to_open01(b[0], b[1]);
    out[i + 1] = to_open01(b[2], b[3]);
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
