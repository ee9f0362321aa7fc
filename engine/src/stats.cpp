#include "tariffsim/stats.hpp"

#include <algorithm>
#include <cmath>

namespace tariffsim {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
}

void Accumulator::add(double x) {
  if (!std::isfinite(x)) return;
  ++n_;
  const double delta = x - mean_;
  mean_ += delta / static_cast<double>(n_);
  m2_ += delta * (x - mean_);
  min_ = std::min(min_, x);
  max_ = std::max(max_, x);
}

void Accumulator::merge(const Accumulator& o) {
  if (o.n_ == 0) return;
  if (n_ == 0) {
    *this = o;
    return;
  }
  const double na = static_cast<double>(n_);
  const double nb = static_cast<double>(o.n_);
  const double n = na + nb;
  const double delta = o.mean_ - mean_;
  mean_ += delta * (nb / n);
  m2_ += o.m2_ + delta * delta * (na * nb / n);
  n_ += o.n_;
  min_ = std::min(min_, o.min_);
  max_ = std::max(max_, o.max_);
}

double Accumulator::mean() const {
  return n_ ? mean_ : kNaN;
}
double Accumulator::variance() const {
  return n_ > 1 ? m2_ / static_cast<double>(n_ - 1) : kNaN;
}
double Accumulator::sd() const {
  return std::sqrt(variance());
}
double Accumulator::se() const {
  return n_ > 1 ? sd() / std::sqrt(static_cast<double>(n_)) : kNaN;
}
double Accumulator::min() const {
  return n_ ? min_ : kNaN;
}
double Accumulator::max() const {
  return n_ ? max_ : kNaN;
}

std::vector<double> quantiles(std::span<const double> values, std::span<const double> probs) {
  std::vector<double> finite;
  finite.reserve(values.size());
  for (double v : values)
    if (std::isfinite(v)) finite.push_back(v);
  std::sort(finite.begin(), finite.end());
  std::vector<double> out(probs.size(), kNaN);
  if (finite.empty()) return out;
  const double last = static_cast<double>(finite.size() - 1);
  for (std::size_t i = 0; i < probs.size(); ++i) {
    const double h = last * probs[i];
    const auto lo = static_cast<std::size_t>(std::floor(h));
    const std::size_t hi = std::min(lo + 1, finite.size() - 1);
    out[i] = finite[lo] + (h - std::floor(h)) * (finite[hi] - finite[lo]);
  }
  return out;
}

}  // namespace tariffsim
