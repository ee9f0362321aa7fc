// The plugin interface: what a model is to the engine. A model is immutable after construction;
// prepare() and replicate() are called concurrently from many threads.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tariffsim/point.hpp"
#include "tariffsim/rng.hpp"
#include "tariffsim/schema.hpp"

namespace tariffsim {

// Per-point work done once (a fixed point, a Nash equilibrium), shared read-only by replications.
// A model that keeps one derives its own from this and makes it in Model::make_state().
class PointState {
 public:
  virtual ~PointState() = default;
};

// Why a point is outside the model, and which parameters make it so. If every named parameter is
// fixed in the experiment, the engine rejects the config before the run; otherwise the point gets
// NaN outputs and `status`, and the run goes on.
struct DomainProblem {
  int status = 0;
  std::string message;
  std::vector<std::string> params;
};

// A point's stream key, its point part hashed from the point's values when first asked for: a
// deterministic model never draws, and hashing every parameter's name and value was a tenth of
// such a point. Made from a StreamKey it is known from the start. Not thread-safe until known:
// the engine asks for it before it hands a point's replications to several threads.
class PointKey {
 public:
  explicit PointKey(StreamKey key) : key_(key), known_(true) {}
  PointKey(std::uint64_t seed, const ModelInfo& info, const std::vector<Value>& values)
      : key_{seed, 0}, info_(&info), values_(&values), known_(false) {}

  StreamKey get() const {
    if (!known_) {
      key_.point = point_identity(*info_, *values_);
      known_ = true;
    }
    return key_;
  }
  // The same key over `values`, equal to the values it was made over (moved, not changed).
  PointKey over(const std::vector<Value>& values) const {
    PointKey k = *this;
    if (!known_) k.values_ = &values;
    return k;
  }

 private:
  mutable StreamKey key_;
  const ModelInfo* info_ = nullptr;
  const std::vector<Value>* values_ = nullptr;
  mutable bool known_;
};

// Point-level outputs (OutputLevel::Point), written by prepare() through the model's PointMetrics
// blocks (tariffsim/outputs.hpp), and the point's own random streams for draws made once per
// point and shared by all its replications (a design of sectors that every replicated panel
// reuses, say). It writes either into a span of every metric, or (the engine's sweeps) straight
// into row `row` of the batch's output columns, one per metric, null for an output the file
// does not keep: a point's outputs are then stored once, with no copy.
class PointOutputs {
 public:
  explicit PointOutputs(std::span<double> values, StreamKey key = {})
      : values_(values), own_key_(key) {}
  // `key` must outlive this.
  PointOutputs(std::span<double> values, const PointKey& key)
      : values_(values), own_key_(StreamKey{}), key_(&key) {}
  // `columns` (one per metric) and `key` must outlive this.
  PointOutputs(std::span<double* const> columns, std::size_t row, const PointKey& key)
      : columns_(columns), row_(row), own_key_(StreamKey{}), key_(&key) {}

  // Where metric `metric`'s value goes; null for an output the run does not keep.
  double* slot(std::size_t metric) {
    if (columns_.empty()) return &values_[metric];
    double* column = columns_[metric];
    return column ? column + row_ : nullptr;
  }
  void set(std::size_t metric, double v) {
    if (double* s = slot(metric)) *s = v;
  }
  // The point's stream key: a model that runs another model inside (SearchModel) hands it on.
  StreamKey key() const { return (key_ ? *key_ : own_key_).get(); }
  // Keyed like the replications' streams but countered by kPointReplication, which no
  // replication takes, so point-level draws never repeat a replication's.
  Stream stream(std::string_view purpose, std::uint32_t substream = 0) const {
    return Stream(key(), kPointReplication, purpose, substream);
  }

 private:
  std::span<double> values_;
  std::span<double* const> columns_;
  std::size_t row_ = 0;
  PointKey own_key_;
  const PointKey* key_ = nullptr;
};

// What one Monte Carlo replication sees: its streams and where to write (through the model's
// ReplicationMetrics blocks and SeriesOutput spans, tariffsim/outputs.hpp). It refers to storage
// its maker owns (so making one allocates nothing); `series` is indexed like the model's
// SeriesSpec list and must outlive the replication.
class Replication {
 public:
  Replication(StreamKey key, std::uint64_t index, std::span<double> metrics,
              std::span<const std::span<double>> series)
      : own_key_(key), index_(index), metrics_(metrics), series_(series) {}
  // `key` must outlive this.
  Replication(const PointKey& key, std::uint64_t index, std::span<double> metrics,
              std::span<const std::span<double>> series)
      : own_key_(StreamKey{}), key_(&key), index_(index), metrics_(metrics), series_(series) {}

  std::uint64_t index() const noexcept { return index_; }
  Stream stream(std::string_view purpose, std::uint32_t substream = 0) const {
    return Stream((key_ ? *key_ : own_key_).get(), index_, purpose, substream);
  }
  void metric(std::size_t id, double v) { metrics_[id] = v; }
  // Empty span when the experiment did not ask to keep this series.
  std::span<double> series(std::size_t id) {
    return id < series_.size() ? series_[id] : std::span<double>{};
  }

 private:
  PointKey own_key_;
  const PointKey* key_ = nullptr;
  std::uint64_t index_;
  std::span<double> metrics_;
  std::span<const std::span<double>> series_;
};

class Model {
 public:
  virtual ~Model() = default;
  virtual const ModelInfo& info() const = 0;

  // Cheap domain check without solving; see DomainProblem. An exception fails only its point: a
  // DomainError from check() or prepare() gives the point its status; any other std::exception,
  // and any from replicate(), status -2 (a model error, listed in the log).
  virtual std::optional<DomainProblem> check(const Point&) const { return std::nullopt; }
  // The state prepare() leaves for the point's replications, or nullptr (the default) for a model
  // whose replications need none. The engine makes one per point it holds in flight, once, and
  // reuses it point after point (a sweep allocates nothing per point for it): prepare() must set
  // every field that replicate() reads.
  virtual std::unique_ptr<PointState> make_state() const { return nullptr; }
  // Writes the point-level outputs and fills `state`, what make_state() made (an empty
  // PointState if it made none). May throw DomainError for points that turn out to be outside
  // the model while solving.
  virtual void prepare(const Point& p, PointOutputs& out, PointState& state) const = 0;
  // Writes every Replication-level metric (NaN where undefined). Deterministic models are run
  // with one replication and may leave this out.
  virtual void replicate(const PointState& /*state*/, Replication& /*rep*/) const {}
};

}  // namespace tariffsim
