// Progress of a long run: a live bar with rate and ETA when stderr is a terminal, a log line every
// few seconds otherwise (batch jobs write to files, where a bar is noise).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace tariffsim {

class Progress {
 public:
  Progress(std::string what, std::uint64_t total, bool enabled);
  void advance(std::uint64_t n);  // called from one thread (the writer)
  void finish();

 private:
  void draw(bool final);
  std::string what_;
  std::uint64_t total_;
  std::uint64_t done_ = 0;
  bool enabled_;
  bool terminal_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_;
};

}  // namespace tariffsim
