// The runner's statistics and what it keeps per replication: per-block accumulators merged in
// block order (Chan) against one pass over the kept values, independence from the thread count
// and from what is kept, and adaptive precision holding only the replications it ran.
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
#include <tbb/global_control.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "experiment_fixtures.hpp"
#include "tariffsim/error.hpp"
#include "tariffsim/experiment.hpp"
#include "tariffsim/model.hpp"
#include "tariffsim/registry.hpp"
#include "tariffsim/runner.hpp"

namespace {

using namespace tariffsim;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr std::size_t kX = 0, kY = 1, kC = 2;  // metric indices

// x = mu + N(0,1), NaN in every 5th replication (a model may leave a metric undefined);
// y = x^2, left unwritten in every 7th (the engine must count it as NaN, not reuse a value);
// c = mu, a point-level value; series `path` [t] = x + t. It throws, as a buggy model would, in
// check() at mu = 19, prepare() at mu = 17 and in replication 5 at mu = 13.
constexpr double kFailsInCheck = 19, kFailsInPrepare = 17, kFailsInReplicate = 13;
class NoisyModel : public Model {
 public:
  NoisyModel() {
    info_.name = "noisy";
    info_.version = "1";
    info_.params = {real_param("mu", 0.0, Range{-1e9, 1e9}, "", "centre"),
                    int_param("periods", 3, Range{1, 1e6}, "", "series length")};
    info_.metrics = {{"x", "", "", OutputLevel::Replication},
                     {"y", "", "", OutputLevel::Replication},
                     {"c", "", "", OutputLevel::Point}};
    info_.series = {{"path", "", "", "periods"}};
  }
  const ModelInfo& info() const override { return info_; }
  std::unique_ptr<PointState> make_state() const override { return std::make_unique<State>(); }
  std::optional<DomainProblem> check(const Point& p) const override {
    if (std::get<double>(p.values()[0]) == kFailsInCheck)
      throw std::runtime_error("check cannot handle mu = 19");
    return std::nullopt;
  }
  void prepare(const Point& p, PointOutputs& out, PointState& state) const override {
    auto& s = static_cast<State&>(state);
    s.mu = std::get<double>(p.values()[0]);
    if (s.mu == kFailsInPrepare) throw std::runtime_error("prepare cannot handle mu = 17");
    out.set(kC, s.mu);
  }
  void replicate(const PointState& state, Replication& rep) const override {
    const double mu = static_cast<const State&>(state).mu;
    if (mu == kFailsInReplicate && rep.index() == 5)
      throw std::runtime_error("replication 5 cannot handle mu = 13");
    const double x = mu + rep.stream("shock").normal();
    rep.metric(kX, rep.index() % 5 == 3 ? kNaN : x);
    if (rep.index() % 7 != 0) rep.metric(kY, x * x);
    auto path = rep.series(0);
    for (std::size_t t = 0; t < path.size(); ++t) path[t] = x + static_cast<double>(t);
  }

 private:
  struct State : PointState {
    double mu = 0;
  };
  ModelInfo info_;
};

Experiment experiment(const std::string& body) {
  return parse_experiment("[experiment]\nname = \"t\"\nmodel = \"noisy\"\nseed = 3\n" + body,
                          "runner.toml", {}, test::registry_of<NoisyModel>("noisy"));
}

PointBatch compute(const std::string& body, int threads = 1) {
  tbb::global_control limit(tbb::global_control::max_allowed_parallelism,
                            static_cast<std::size_t>(threads));
  const Experiment exp = experiment(body);
  const NoisyModel model;
  const BatchComputer computer(exp, model, 1);
  return computer.compute(0, computer.points());
}

bool same_bits(double a, double b) {
  return std::memcmp(&a, &b, sizeof a) == 0;
}

bool same_stats(const Accumulator& a, const Accumulator& b) {
  return a.n() == b.n() && same_bits(a.mean(), b.mean()) && same_bits(a.sd(), b.sd()) &&
         same_bits(a.min(), b.min()) && same_bits(a.max(), b.max());
}

// Point i's statistics of a replication-level metric m (x or y).
const Accumulator& stats(const PointBatch& b, std::size_t i, std::size_t m) {
  return b.metrics.at(m).stats.at(i);
}

// Point i of `a` and point j of `b` hold the same results, bit for bit: the statistics of x and
// y, the value of the point-level c.
bool same_point(const PointBatch& a, std::size_t i, const PointBatch& b, std::size_t j) {
  return same_stats(stats(a, i, kX), stats(b, j, kX)) &&
         same_stats(stats(a, i, kY), stats(b, j, kY)) &&
         same_bits(a.metrics.at(kC).value.at(i), b.metrics.at(kC).value.at(j));
}

const std::string kGrid = "[grid]\nmu = [0.0, 1.0e6, -3.5]\n";

}  // namespace

TEST_CASE("block merges give the one-pass statistics of the kept replications", "[runner]") {
  const PointBatch b =
      compute("replications = 1000\nblock_size = 7\n" + kGrid + "[output]\nreplications = true\n");
  const std::size_t M = 3;
  REQUIRE(b.count == 3);
  for (std::size_t i = 0; i < b.count; ++i) {
    REQUIRE(b.replications_run[i] == 1000);
    REQUIRE(b.replications[i].size() == 1000 * M);
    for (std::size_t m : {kX, kY}) {
      Accumulator one_pass;
      long double sum = 0;  // the exact mean, near enough: 64-bit mantissa
      for (std::size_t r = 0; r < 1000; ++r) {
        const double v = b.replications[i][r * M + m];
        one_pass.add(v);
        if (std::isfinite(v)) sum += v;
      }
      const Accumulator& merged = stats(b, i, m);
      CHECK(merged.n() == one_pass.n());
      CHECK(merged.min() == one_pass.min());
      CHECK(merged.max() == one_pass.max());
      // Chan's merge and Welford's pass round differently; each mean is within a few ulps per
      // sqrt(n) of the exact one (sqrt(1000) * 2^-52 ~ 7e-15 relative), so both are held to 1e-14.
      const double exact = static_cast<double>(sum / static_cast<long double>(one_pass.n()));
      CHECK(std::abs(merged.mean() - exact) <= 1e-14 * std::abs(exact));
      CHECK(std::abs(one_pass.mean() - exact) <= 1e-14 * std::abs(exact));
      CHECK(std::abs(merged.sd() - one_pass.sd()) <= 1e-9 * one_pass.sd());
    }
    CHECK(stats(b, i, kX).n() == 800);         // every 5th replication is NaN
    CHECK(stats(b, i, kY).n() == 1000 - 143);  // unwritten in r = 0, 7, ..., 994
    // A point-level metric is one value per point (c = mu), with no statistics.
    CHECK(b.metrics[kC].value[i] == std::get<double>(b.values[i * (b.values.size() / b.count)]));
    CHECK(b.metrics[kC].stats.empty());
  }
}

TEST_CASE("statistics do not depend on what is kept per replication", "[runner]") {
  const std::string head = "replications = 500\nblock_size = 16\n" + kGrid;
  const PointBatch none = compute(head);
  const PointBatch kept = compute(head + "[output]\nreplications = true\n");
  const PointBatch quantiles = compute(head + "[output]\nquantiles = [0.1, 0.5]\n");
  CHECK(none.replications.empty());
  CHECK(quantiles.replications.empty());  // kept for the quantiles only, not handed to the writer
  REQUIRE(none.count == 3);
  for (std::size_t i = 0; i < none.count; ++i) {
    CHECK(same_point(none, i, kept, i));
    CHECK(same_point(none, i, quantiles, i));
  }
}

TEST_CASE("statistics are the same for any thread count, across waves of blocks", "[runner]") {
  // block_size = 1: 2 x 20000 blocks, more than one wave of work units.
  const std::string body = "replications = 20000\nblock_size = 1\n[grid]\nmu = [0.0, 2.0]\n";
  const PointBatch one = compute(body, 1);
  const PointBatch three = compute(body, 3);
  REQUIRE(one.count == three.count);
  for (std::size_t i = 0; i < one.count; ++i) CHECK(same_point(one, i, three, i));
  CHECK(stats(one, 0, kX).n() == 16000);  // every block ran exactly once
}

TEST_CASE("adaptive precision keeps only the replications it ran", "[runner]") {
  const std::string outputs = "[output]\nreplications = true\nseries = [\"path\"]\n";
  SECTION("a target met at the initial replications") {
    const PointBatch b =
        compute("replications = 10\n" + kGrid + outputs +
                "[precision]\nmax_replications = 100000\ntarget_se = { x = 1e9 }\n");
    for (std::size_t i = 0; i < b.count; ++i) {
      CHECK(b.replications_run[i] == 10);
      CHECK(b.replications[i].size() == 10 * 3);
      CHECK(b.series[0][i].size() == 10 * 3);
    }
  }
  SECTION("a target never met runs to the cap") {
    const PointBatch b =
        compute("replications = 10\nblock_size = 4\n" + kGrid + outputs +
                "[precision]\nmax_replications = 640\ntarget_se = { x = 1e-12 }\n");
    for (std::size_t i = 0; i < b.count; ++i) {
      CHECK(b.replications_run[i] == 640);
      CHECK(stats(b, i, kX).n() == 512);
      CHECK(b.series[0][i].size() == 640 * 3);
    }
  }
}

TEST_CASE(
    "a model that throws at a point fails that point only: in check, prepare or a replication",
    "[runner]") {
  const std::string body = "replications = 20\nblock_size = 4\n[output]\nreplications = true\n";
  const PointBatch mixed = compute(body + "[grid]\nmu = [0.0, 13.0, 17.0, 1.0, 19.0]\n", 2);
  CHECK(mixed.status == std::vector<std::int32_t>{kStatusOk, kStatusModelError, kStatusModelError,
                                                  kStatusOk, kStatusModelError});
  for (std::size_t failed : {std::size_t{1}, std::size_t{2}, std::size_t{4}}) {
    CHECK(mixed.replications_run[failed] == 0);
    for (std::size_t m : {kX, kY}) CHECK(stats(mixed, failed, m).n() == 0);
    CHECK(std::isnan(mixed.metrics[kC].value[failed]));
  }
  // The points that did not fail are exactly what they are in a run without the failing ones.
  const PointBatch clean = compute(body + "[grid]\nmu = [0.0, 1.0]\n", 2);
  CHECK(same_point(mixed, 0, clean, 0));
  CHECK(same_point(mixed, 3, clean, 1));
}

// The default logger's lines while it is in scope, then the logger as it was.
class CapturedLog {
 public:
  CapturedLog()
      : saved_(spdlog::default_logger()),
        sink_(std::make_shared<spdlog::sinks::ostream_sink_mt>(text_)) {
    spdlog::set_default_logger(std::make_shared<spdlog::logger>("captured", sink_));
  }
  ~CapturedLog() { spdlog::set_default_logger(saved_); }
  CapturedLog(const CapturedLog&) = delete;
  CapturedLog& operator=(const CapturedLog&) = delete;
  std::string text() const { return text_.str(); }

 private:
  std::ostringstream text_;
  std::shared_ptr<spdlog::logger> saved_;
  std::shared_ptr<spdlog::sinks::ostream_sink_mt> sink_;
};

std::size_t count_of(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// Ten failures are listed in full, then only counted: per run, so a second run in the same
// process (a notebook, a test suite) lists its own.
TEST_CASE("each computer lists its own first failures in full", "[runner]") {
  std::string grid = "[grid]\nmu = [";
  for (int i = 0; i < 12; ++i) grid += i ? ", 17.0" : "17.0";
  grid += "]\n";
  for (int run = 0; run < 2; ++run) {
    const CapturedLog log;
    const PointBatch b = compute("replications = 2\n" + grid);
    for (const std::int32_t status : b.status) CHECK(status == kStatusModelError);
    CHECK(count_of(log.text(), "the model failed: prepare cannot handle mu = 17") == 10);
    CHECK(count_of(log.text(), "further failures are not listed") == 1);
  }
}

bool same_doubles(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (!same_bits(a[i], b[i])) return false;
  return true;
}

// BatchComputer reuses a batch's workspace (point slots, the model's states, buffers) batch after
// batch: a batch computed after others is bit for bit the batch computed first on a new one, even
// when the slots last held points that failed in prepare() or in a replication.
TEST_CASE("a batch on a reused workspace is the batch on a new one", "[runner]") {
  const Experiment exp = experiment(
      "replications = 12\nblock_size = 5\n[grid]\nmu = [13.0, 17.0, 4.0, 0.5, -2.0, 1.0]\n"
      "[output]\nreplications = true\nseries = [\"path\"]\nquantiles = [0.5]\n");
  const NoisyModel model;
  const BatchComputer reused(exp, model, 1);
  REQUIRE(reused.compute(0, 6).status[1] == kStatusModelError);  // fills every slot first
  const PointBatch again = reused.compute(2, 4);
  const BatchComputer fresh(exp, model, 1);
  const PointBatch first = fresh.compute(2, 4);
  CHECK(again.values == first.values);
  CHECK(again.status == first.status);
  CHECK(again.replications_run == first.replications_run);
  for (std::size_t i = 0; i < first.count; ++i) {
    CHECK(same_point(again, i, first, i));
    CHECK(same_doubles(again.replications[i], first.replications[i]));
    CHECK(same_doubles(again.series[0][i], first.series[0][i]));
  }
  for (std::size_t m : {kX, kY})
    CHECK(same_doubles(again.metrics[m].quantiles, first.metrics[m].quantiles));
}
