#include "tariffsim/root_search.hpp"

#include <algorithm>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/tools/toms748_solve.hpp>
#include <cmath>
#include <limits>
#include <utility>
#include <vector>

namespace tariffsim {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// TOMS 748 reaches any tolerance a double can hold in far fewer calls (it is at worst a few times
// bisection's ~60); reaching the cap means the function misbehaves (the status says so).
constexpr std::uintmax_t kMaxIterations = 200;
// A noisy search resolves each end of its interval to tolerance / kResolutionDivisor, so that
// rounding the ends outwards widens the interval by at most tolerance / 8.
constexpr double kResolutionDivisor = 16;

SearchResult with_status(SearchStatus status, std::uint64_t evaluations) {
  SearchResult r{kNaN, kNaN, kNaN, evaluations, 0, status};
  return r;
}

SearchResult exact(double x, std::uint64_t evaluations) {
  return SearchResult{x, x, x, evaluations, 0, SearchStatus::Converged};
}

double resolution(const SearchBracket& b) {
  return b.integer ? 1.0 : b.tolerance / kResolutionDivisor;
}

// The next trial value strictly inside (a, b): the midpoint, an integer one for integer brackets
// (b − a ≥ 2 there, so floor((a + b)/2) is strictly inside).
double midpoint(double a, double b, bool integer) {
  return integer ? std::floor(a + (b - a) / 2) : a + (b - a) / 2;
}

// [a, b] with g(a) < 0 <= g(b), halved until it is at most `step` wide, or until no double lies
// between a and b (a step below the doubles' spacing there). A NaN counts as < 0; the caller's
// evaluation notes it.
template <class G>
std::pair<double, double> bisect(const G& g, double a, double b, double step, bool integer) {
  while (b - a > step) {
    const double m = midpoint(a, b, integer);
    if (m <= a || m >= b) break;
    (g(m) >= 0 ? b : a) = m;
  }
  return {a, b};
}

}  // namespace

SearchResult deterministic_search(const std::function<double(double)>& f, const SearchBracket& br) {
  std::uint64_t calls = 0;
  bool undefined = false;
  auto g = [&](double x) {
    ++calls;
    const double v = f(x) - br.level;
    undefined = undefined || std::isnan(v);
    return v;
  };
  const double g_lo = g(br.lo), g_hi = g(br.hi);
  if (undefined) return with_status(SearchStatus::Undefined, calls);
  // The crossing is where the output, going up from lo, reaches the level from the side lo is
  // strictly on: lo at the level, or hi short of it, is no crossing. A step output (0/1) searched
  // at one of its values then finds the step, not an end of a flat stretch at the level.
  const double sign = g_lo < 0 ? 1.0 : -1.0;
  if (g_lo == 0 || sign * g_hi < 0) return with_status(SearchStatus::NoSignChange, calls);
  // sign·g ≥ 0 where the level is reached: an exact zero counts as reached.
  const auto as_reached = [sign](double v) {
    return sign * v == 0 ? std::numeric_limits<double>::min() : sign * v;
  };
  const auto reached = [&](double x) { return as_reached(g(x)); };
  std::pair<double, double> ends;
  if (br.integer) {  // the smallest integer where the level is reached
    ends = bisect(reached, br.lo, br.hi, 1.0, true);
    if (undefined) return with_status(SearchStatus::Undefined, calls);
    return exact(ends.second, calls);
  }
  std::uintmax_t iterations = kMaxIterations;
  const double tol = br.tolerance;
  ends = boost::math::tools::toms748_solve(
      reached, br.lo, br.hi, sign * g_lo, as_reached(g_hi),
      [tol](double a, double b) { return b - a <= tol; }, iterations);
  if (undefined) return with_status(SearchStatus::Undefined, calls);
  const bool converged = ends.second - ends.first <= tol;
  return SearchResult{ends.first + (ends.second - ends.first) / 2,
                      ends.first,
                      ends.second,
                      calls,
                      0,
                      converged ? SearchStatus::Converged : SearchStatus::BudgetExhausted};
}

std::uint64_t stage_replications(const SearchBracket& br, std::uint64_t n) {
  const double steps = std::ceil(std::log2((br.hi - br.lo) / resolution(br)));
  return n * (2 + 3 * static_cast<std::uint64_t>(std::max(0.0, steps)));
}

namespace {

// One stage of a noisy search: every trial value gets the same n replications. Trial values are
// cached, since the three bisections share their first steps (and always both ends).
class NoisyStage {
 public:
  NoisyStage(const NoisyFunction& f, const SearchBracket& br, std::uint64_t n, double z)
      : f_(f), br_(br), n_(n), z_(z) {}

  SearchResult run();

 private:
  NoisyMean at(double x);
  // Going up from lo, where s·(mean − level) + k·z·se first becomes ≥ 0: the bracket [a, b] of
  // it, or {lo, lo} if it holds at lo, {hi, hi} if not even at hi.
  std::pair<double, double> first_crossing(double k);

  const NoisyFunction& f_;
  const SearchBracket& br_;
  std::uint64_t n_;
  double z_;
  double sign_ = 1;
  bool undefined_ = false;
  std::vector<std::pair<double, NoisyMean>> seen_;
};

NoisyMean NoisyStage::at(double x) {
  for (const auto& [seen_x, mean] : seen_)
    if (seen_x == x) return mean;
  const NoisyMean m = f_(x, n_);
  undefined_ = undefined_ || std::isnan(m.mean) || std::isnan(m.se);
  seen_.emplace_back(x, m);
  return m;
}

std::pair<double, double> NoisyStage::first_crossing(double k) {
  auto g = [&](double x) {
    const NoisyMean m = at(x);
    return sign_ * (m.mean - br_.level) + k * z_ * m.se;
  };
  if (g(br_.lo) >= 0) return {br_.lo, br_.lo};
  if (g(br_.hi) < 0) return {br_.hi, br_.hi};
  return bisect(g, br_.lo, br_.hi, resolution(br_), br_.integer);
}

SearchResult NoisyStage::run() {
  const NoisyMean lo = at(br_.lo), hi = at(br_.hi);
  sign_ = hi.mean >= lo.mean ? 1.0 : -1.0;
  const auto lower = first_crossing(+1), estimate = first_crossing(0), upper = first_crossing(-1);
  SearchResult r;
  r.evaluations = seen_.size();
  r.replications = seen_.size() * n_;
  // The optimistic bound never reaches the level, or the pessimistic one is past it at lo.
  const bool no_crossing = lower.first == br_.hi || upper.second == br_.lo;
  if (undefined_ || no_crossing) {
    SearchResult none = with_status(
        undefined_ ? SearchStatus::Undefined : SearchStatus::NoSignChange, r.evaluations);
    none.replications = r.replications;
    return none;
  }
  // Integer ends are exact (the first integer where each holds); real ends round outwards.
  r.lo = br_.integer ? lower.second : lower.first;
  r.hi = upper.second;
  r.star = br_.integer ? estimate.second : estimate.first + (estimate.second - estimate.first) / 2;
  return r;
}

}  // namespace

SearchResult noisy_search(const NoisyFunction& f, const SearchBracket& br,
                          const NoisySearch& options) {
  const double z = boost::math::quantile(boost::math::normal(), (1 + options.confidence) / 2);
  SearchResult total;
  // Two replications at least: a standard error needs them (and 0 would never grow).
  for (std::uint64_t n = std::max<std::uint64_t>(2, options.first_stage);; n *= 2) {
    SearchResult stage = NoisyStage(f, br, n, z).run();
    stage.evaluations += total.evaluations;
    stage.replications += total.replications;
    total = stage;
    if (stage.status != SearchStatus::Converged) return stage;
    if (stage.hi - stage.lo <= br.tolerance) return stage;
    if (stage.replications + stage_replications(br, 2 * n) > options.budget) {
      stage.status = SearchStatus::BudgetExhausted;
      return stage;
    }
  }
}

}  // namespace tariffsim
