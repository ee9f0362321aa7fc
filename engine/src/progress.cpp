#include "tariffsim/progress.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>

namespace tariffsim {

namespace {
std::string clock_time(double seconds) {
  if (!(seconds >= 0) || seconds > 1e7) return "--:--";
  const long s = std::lround(seconds);
  char buf[32];
  if (s >= 3600)
    std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, (s / 60) % 60, s % 60);
  else
    std::snprintf(buf, sizeof buf, "%02ld:%02ld", s / 60, s % 60);
  return buf;
}
}  // namespace

Progress::Progress(std::string what, std::uint64_t total, bool enabled)
    : what_(std::move(what)),
      total_(total),
      enabled_(enabled),
      terminal_(isatty(2) != 0),
      start_(std::chrono::steady_clock::now()),
      last_(start_) {}

void Progress::advance(std::uint64_t n) {
  done_ += n;
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  const auto interval = terminal_ ? std::chrono::milliseconds(200) : std::chrono::seconds(10);
  if (now - last_ >= interval) {
    last_ = now;
    draw(false);
  }
}

void Progress::finish() {
  if (enabled_ && terminal_) draw(true);
}

void Progress::draw(bool final) {
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const double rate = elapsed > 0 ? static_cast<double>(done_) / elapsed : 0.0;
  const double eta = rate > 0 ? static_cast<double>(total_ - done_) / rate : -1.0;
  const double frac = total_ ? static_cast<double>(done_) / static_cast<double>(total_) : 1.0;
  if (terminal_) {
    constexpr int kWidth = 30;
    const int filled = static_cast<int>(frac * kWidth);
    std::string bar(static_cast<std::size_t>(filled), '=');
    bar.resize(kWidth, ' ');
    std::fprintf(stderr, "\r[%s] %5.1f%% %llu/%llu %s  %.0f/s  ETA %s   ", bar.c_str(),
                 100.0 * frac, static_cast<unsigned long long>(done_),
                 static_cast<unsigned long long>(total_), what_.c_str(), rate,
                 clock_time(eta).c_str());
    if (final) std::fputc('\n', stderr);
    std::fflush(stderr);
  } else {
    spdlog::info("progress: {}/{} {} ({:.1f}%), {:.0f}/s, ETA {}", done_, total_, what_,
                 100.0 * frac, rate, clock_time(eta));
  }
}

}  // namespace tariffsim
