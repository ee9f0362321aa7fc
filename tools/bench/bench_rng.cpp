// Uniforms per second from the engine's Stream::fill_uniform (Philox4x32-10 vectorised over
// counters), against Random123's own Philox4x32 called block by block with the same conversion
// to (0, 1): the baseline a project without its own kernel would use. Both give the same numbers
// (tests/engine/test_rng.cpp); this prints the time per uniform and the ratio. Best of 5.
#include <Random123/philox.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <vector>

#include "tariffsim/kernel.hpp"
#include "tariffsim/rng.hpp"

namespace {

constexpr std::size_t kBuffer = 4096;  // uniforms per call, as a model's chunk would ask
constexpr int kCalls = 20000;
constexpr int kRepeats = 5;

double to_open01(std::uint32_t hi, std::uint32_t lo) {
  const std::uint64_t k = ((static_cast<std::uint64_t>(hi) << 32) | lo) >> 12;
  double one_to_two;
  const std::uint64_t bits = k | 0x3ff0000000000000ULL;
  std::memcpy(&one_to_two, &bits, sizeof bits);
  return (one_to_two - 1.0) + 0x1.0p-53;
}

template <class Fill>
double best_ns_per_uniform(Fill fill, double& checksum) {
  std::vector<double> buffer(kBuffer);
  double best = 1e300;
  for (int rep = 0; rep < kRepeats; ++rep) {
    const auto start = std::chrono::steady_clock::now();
    for (int call = 0; call < kCalls; ++call) {
      fill(static_cast<std::uint32_t>(call), buffer.data());
      checksum += buffer[call % kBuffer];
    }
    const double s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    best = std::min(best, s / (double(kCalls) * double(kBuffer)) * 1e9);
  }
  return best;
}

}  // namespace

int main() {
  double checksum = 0;
  const double engine = best_ns_per_uniform(
      [](std::uint32_t call, double* out) {
        tariffsim::Stream s({20261201, 1}, call, "bench");
        s.fill_uniform(out, kBuffer);
      },
      checksum);
  const double random123 = best_ns_per_uniform(
      [](std::uint32_t call, double* out) {
        r123::Philox4x32 rng;
        const r123::Philox4x32::key_type key = {{0x1234, 0x5678}};
        for (std::size_t b = 0; b < kBuffer / 2; ++b) {
          const r123::Philox4x32::ctr_type ctr = {{static_cast<std::uint32_t>(b), 0, call, 7}};
          const auto x = rng(ctr, key);
          out[2 * b] = to_open01(x[0], x[1]);
          out[2 * b + 1] = to_open01(x[2], x[3]);
        }
      },
      checksum);
  std::printf("bench_rng: %d x %zu uniforms per run, best of %d, kernel_isa %s (checksum %.3f)\n",
              kCalls, kBuffer, kRepeats, tariffsim::kernel_isa(), checksum);
  std::printf("  engine Stream::fill_uniform : %.3f ns per uniform\n", engine);
  std::printf("  Random123 Philox4x32, scalar: %.3f ns per uniform\n", random123);
  std::printf("  ratio (Random123 / engine)  : %.2fx\n", random123 / engine);
  std::printf("RESULT rng.engine_ns %.4f\nRESULT rng.random123_ns %.4f\nRESULT rng.ratio %.3f\n",
              engine, random123, random123 / engine);
}
