// Counter-based random streams (Philox4x32-10, Random123), keyed by identity, never by worker.
//
// key     = mix(experiment seed, point identity)       (point identity = 0 with common random
// numbers) counter = (block, substream, replication, purpose)  where purpose = hash of a name like
// "shocks"
//
// A stream is therefore a pure function of (seed, point, replication, purpose, substream), which is
// what makes results bitwise identical for any thread count, shard split or rank count, and what
// keeps one purpose's draws from shifting another's. Variates are made here from the uniforms,
// never by std::*_distribution, whose output differs across standard libraries.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace tariffsim {

std::uint32_t purpose_id(std::string_view purpose);  // FNV-1a, stable across platforms
std::uint64_t mix64(std::uint64_t a, std::uint64_t b);

// The replication counter of point-level streams (PointOutputs::stream); experiments allow at
// most kPointReplication replications, indices 0 .. kPointReplication - 1.
inline constexpr std::uint64_t kPointReplication = 0xffffffffULL;

// An index in [0, m) from a uniform on (0, 1); the clamp guards the rounding of u * m up to m.
inline std::size_t uniform_index(double u, std::size_t m) {
  const auto k = static_cast<std::size_t>(u * static_cast<double>(m));
  return k < m ? k : m - 1;
}

struct StreamKey {
  std::uint64_t seed = 0;
  std::uint64_t point = 0;
};

class Stream {
 public:
  Stream(StreamKey key, std::uint64_t replication, std::string_view purpose,
         std::uint32_t substream = 0);

  // Uniform on the open interval (0, 1): (2k + 1) 2^-53 with k = 52 random bits.
  double uniform();
  void fill_uniform(double* out, std::size_t n);
  // Standard normal by Box–Muller on pairs of uniforms.
  double normal();
  void fill_normal(double* out, std::size_t n);

  // Raw 4x32-bit blocks, for kernels that batch their own transforms.
  std::array<std::uint32_t, 4> next_block();

 private:
  void advance(std::uint64_t blocks);  // throws Error if the stream would wrap
  std::uint32_t key_[2];
  std::uint32_t ctr_[4];
  double spare_[2];
  int n_spare_ = 0;
};

}  // namespace tariffsim
