// How a plugin declares its outputs and writes them: each output is declared once, bound to the
// function that reads its value off what the model computed, so a name, its unit and the value
// written under it cannot drift apart.
//
//   struct Flips { double heads = 0, n = 0; };
//   ReplicationMetrics<Flips> flips_{info_, {
//       {"share", "1", "share of heads", [](const Flips& f) { return f.heads / f.n; }},
//       {"heads", "flips", "number of heads", field<&Flips::heads>},
//   }};
//   ...and in replicate(): flips_.write(flips, rep);
//
// (models/README.md has a complete model.)
//
// Declaring a block appends its metrics to the model's ModelInfo and remembers where they start,
// so the file order is the order of declaration: declare the ModelInfo first and the blocks after
// it (class members are initialised in declaration order). The getters are plain function
// pointers (captureless lambdas, or `field<&S::member>`) fixed when the model is built: writing a
// point's or a replication's outputs is one indirect call per output and allocates nothing.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "tariffsim/error.hpp"
#include "tariffsim/model.hpp"
#include "tariffsim/schema.hpp"

namespace tariffsim {

// The getter that reads `member` as it is (bools as 0/1, enums as their value). Source may derive
// from the member's class, so one source can carry a solution's fields and what else the outputs
// need beside them.
template <auto member, class Source>
double field(const Source& source) {
  return static_cast<double>(source.*member);
}

// One scalar output: its schema entry and how to read its value off a Source.
template <class Source>
struct Metric {
  std::string name;
  std::string unit;
  std::string description;
  double (*value)(const Source&) = nullptr;
};

// Consecutive metrics of one level, all read off one Source. Point-level blocks are written in
// prepare(), replication-level blocks in replicate().
template <OutputLevel level, class Source>
class MetricBlock {
 public:
  using Sink = std::conditional_t<level == OutputLevel::Point, PointOutputs, Replication>;

  MetricBlock(ModelInfo& info, std::vector<Metric<Source>> metrics) : first_(info.metrics.size()) {
    values_.reserve(metrics.size());
    for (Metric<Source>& m : metrics) {
      // Refused at model construction: aggregate initialisation would let a getter go missing.
      if (!m.value) throw Error("output '" + m.name + "' has no getter");
      info.metrics.push_back(
          {std::move(m.name), std::move(m.unit), std::move(m.description), level});
      values_.push_back(m.value);
    }
  }

  void write(const Source& source, Sink& sink) const {
    for (std::size_t i = 0; i < values_.size(); ++i) {
      if constexpr (level == OutputLevel::Point) {
        // Called even for an output the run does not keep: a getter that throws fails the point
        // whichever outputs the file keeps.
        const double value = values_[i](source);
        if (double* slot = sink.slot(first_ + i)) *slot = value;
      } else {
        sink.metric(first_ + i, values_[i](source));
      }
    }
  }

 private:
  std::size_t first_;
  std::vector<double (*)(const Source&)> values_;
};

template <class Source>
using PointMetrics = MetricBlock<OutputLevel::Point, Source>;
template <class Source>
using ReplicationMetrics = MetricBlock<OutputLevel::Replication, Source>;

// A per-replication series (its length is an integer parameter); the model fills its span, since
// series are written period by period as a path is simulated, not read off a finished result.
class SeriesOutput {
 public:
  SeriesOutput(ModelInfo& info, SeriesSpec spec) : index_(info.series.size()) {
    info.series.push_back(std::move(spec));
  }
  // Empty when the experiment does not keep this series.
  std::span<double> span(Replication& rep) const { return rep.series(index_); }

 private:
  std::size_t index_;
};

}  // namespace tariffsim
