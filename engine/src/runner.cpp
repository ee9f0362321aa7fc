#include "tariffsim/runner.hpp"

#include <spdlog/spdlog.h>
#include <tbb/global_control.h>
#include <tbb/parallel_for.h>
#include <tbb/parallel_pipeline.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <functional>
#include <limits>
#include <mutex>
#include <span>
#include <string>

#include "parallel.hpp"
#include "tariffsim/design.hpp"
#include "tariffsim/error.hpp"
#include "tariffsim/interrupt.hpp"
#include "tariffsim/progress.hpp"
#include "tariffsim/result_file.hpp"
#include "tariffsim/validate.hpp"
#include "value_origins.hpp"

namespace tariffsim {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Everything fixed for the whole run, derived once from the experiment and the model.
struct RunPlan {
  const Experiment* exp = nullptr;
  const Model* model = nullptr;
  const ModelInfo* info = nullptr;
  std::uint64_t initial_reps = 1;
  std::uint64_t capacity_reps = 1;  // max replications a point can reach
  std::vector<std::size_t> series;  // kept series (indices into info->series)
  std::vector<std::uint64_t> series_length;
  std::vector<std::pair<std::size_t, double>> targets;  // metric index -> target se
  // The replication-level metrics (indices into info->metrics): only these are accumulated over
  // replications; a point-level metric has one value, summarised where it is written out.
  std::vector<std::size_t> replication_metrics;
  // The outputs the file keeps ([output] metrics): only these are summarised into a batch's
  // columns (the others' columns stay empty).
  std::vector<std::size_t> kept_metrics;
  std::vector<std::size_t> kept_point_metrics;  // those of kept_metrics that are point-level
  std::vector<std::size_t> varied_params;  // the parameters the design varies (a batch's values)
  // Every replication's metrics are kept only when something needs them after the blocks are
  // merged: [output] replications, or quantiles (which need the whole sample).
  bool keep_values = false;
  std::uint64_t batch_points = 1;
  // The model failures listed in full so far: the first few of each computer's (each run's).
  std::unique_ptr<std::atomic<int>> failures_listed = std::make_unique<std::atomic<int>>(0);
};

// One point in flight: a slot of a batch's workspace, reused point after point (BatchComputer
// keeps the workspaces), so a point allocates only what it hands on to the writer.
struct PointWork {
  // The point's parameter values; where compute_and_summarise runs the batch, a run's points
  // share its first slot's, and the other slots hold none.
  std::vector<Value> values;
  std::int32_t status = kStatusOk;
  std::unique_ptr<PointState> state;  // the model's, made once per slot; null if it keeps none
  // [M]; the replication-level ones hold the blocks run so far, merged in block order.
  std::vector<Accumulator> stats;
  std::vector<double> reps;                 // [reps_target][M] if plan.keep_values, else empty
  std::vector<std::vector<double>> series;  // per kept series [reps_target][T]
  std::uint64_t reps_done = 0;
  std::uint64_t reps_target = 0;
  std::uint64_t reps_scheduled = 0;  // replications handed to work units so far
  PointKey key{StreamKey{}};         // over `values`
  // A replication's metrics when they are not kept, the series spans it is handed and the
  // block's accumulators, for a point whose replications are one block (run_point).
  std::vector<double> scratch;
  std::vector<std::span<double>> series_spans;
  std::vector<Accumulator> block_stats;
};

struct Batch {
  std::uint64_t first = 0;
  std::uint64_t count = 0;
  std::vector<PointWork> work;  // slots [0, count) hold this batch's points; the rest wait
  PointBatch out;
  // [M]: out's column of each kept point-level output (row i = point first + i), null for the
  // other outputs. prepare() writes a point's outputs there, through its PointOutputs.
  std::vector<double*> point_columns;
};

// Whether output m is kept: [output] metrics names it, or names none.
bool kept(const Experiment& exp, const ModelInfo& info, std::size_t m) {
  const auto& named = exp.output.metrics;
  return named.empty() ||
         std::find(named.begin(), named.end(), info.metrics[m].name) != named.end();
}

// Batches of about 2^16 replications keep every core busy; at least 8 batches per thread keep
// progress reports and checkpoints frequent on long runs; and what a batch keeps per replication
// (metrics, series of length T) at the cap stays within kBatchBytes, since adaptive precision
// may take any point there. At most 8192 points: the writer's HDF5 calls and flushes are per
// batch, and a sweep of closed forms gained about 7% from 4096 to 8192 (customs_union, 10^6
// points); 16384 gained nothing more and raised the peak memory again (the batches in flight,
// their columns and slots: 54, 80 and 132 MB at 4096, 8192 and 16384).
std::uint64_t batch_points(const RunPlan& plan, std::uint64_t n_points, std::uint64_t threads) {
  constexpr std::uint64_t kBatchBytes = std::uint64_t{128} << 20;
  std::uint64_t per_replication = plan.keep_values ? plan.info->metrics.size() : 0;
  for (const auto T : plan.series_length) per_replication += T;
  const std::uint64_t per_point =
      std::max<std::uint64_t>(1, 8 * per_replication * plan.capacity_reps);
  const std::uint64_t by_work = (1u << 16) / std::max<std::uint64_t>(1, plan.initial_reps);
  const std::uint64_t by_memory = kBatchBytes / per_point;
  const std::uint64_t by_progress = (n_points + 8 * threads - 1) / (8 * threads);
  return std::clamp<std::uint64_t>(std::min({by_work, by_memory, by_progress}), 1, 8192);
}

RunPlan make_plan(const Experiment& exp, const Model* model, const ModelInfo& info,
                  std::uint64_t n_points, std::uint64_t threads) {
  RunPlan plan;
  plan.exp = &exp;
  plan.model = model;
  plan.info = &info;
  plan.initial_reps =
      runs_replications(exp, info) ? std::max<std::uint64_t>(1, exp.replications) : 0;
  plan.capacity_reps = std::max(plan.initial_reps, exp.precision.max_replications);
  for (const auto& name : exp.output.series) {
    const auto idx = plan.info->series_index(name);
    if (!idx) throw InputError("output.series: unknown series '" + name + "'");
    plan.series.push_back(*idx);
    const auto& len_param = plan.info->series[*idx].length_param;
    const auto it = exp.fixed.find(len_param);
    const Value len =
        it != exp.fixed.end() ? it->second.value : plan.info->find_param(len_param)->default_value;
    plan.series_length.push_back(static_cast<std::uint64_t>(std::get<std::int64_t>(len)));
  }
  for (const auto& [name, target] : exp.precision.target_se) {
    const auto idx = plan.info->metric_index(name);
    if (!idx) throw InputError("precision.target_se: unknown metric '" + name + "'");
    plan.targets.emplace_back(*idx, target);
  }
  for (std::size_t m = 0; m < info.metrics.size(); ++m) {
    if (info.metrics[m].level == OutputLevel::Replication && plan.initial_reps > 0)
      plan.replication_metrics.push_back(m);
    if (!kept(exp, info, m)) continue;
    plan.kept_metrics.push_back(m);
    if (info.metrics[m].level == OutputLevel::Point) plan.kept_point_metrics.push_back(m);
  }
  plan.keep_values = exp.output.keep_replications || !exp.output.quantiles.empty();
  plan.varied_params = varied_params(exp, info);
  plan.batch_points = batch_points(plan, n_points, threads);
  return plan;
}

}  // namespace

bool runs_replications(const Experiment& exp, const ModelInfo& info) {
  // A [search]'s outputs are point-level, but a noisy one replicates its model inside prepare():
  // its points keep the configured count, so that no message says they ran none.
  if (exp.search || !exp.output.series.empty() || !exp.precision.target_se.empty()) return true;
  for (std::size_t m = 0; m < info.metrics.size(); ++m)
    if (info.metrics[m].level == OutputLevel::Replication && kept(exp, info, m)) return true;
  return false;
}

OutputTarget output_target(const Experiment& exp, const RunOptions& opt) {
  if (!opt.output_path.empty()) return {opt.output_path, opt.output_origin};
  return {exp.output.file, origins_of(exp).where("output.file").str() + ": output.file"};
}

std::pair<std::uint64_t, std::uint64_t> shard_range(std::uint64_t points, std::uint64_t index,
                                                    std::uint64_t count) {
  const std::uint64_t base = points / count, extra = points % count;
  const std::uint64_t first = index * base + std::min(index, extra);
  return {first, first + base + (index < extra ? 1 : 0)};
}

FileLayout file_layout(const Experiment& exp, const ModelInfo& info, std::uint64_t points) {
  const RunPlan plan = make_plan(exp, nullptr, info, points, 1);
  FileLayout layout;
  layout.info = &info;
  layout.experiment = &exp;
  layout.n_points = points;
  layout.runs_replications = plan.initial_reps > 0;
  for (std::size_t m = 0; m < info.metrics.size(); ++m) {
    if (!kept(exp, info, m)) continue;
    layout.metrics.push_back(m);
    // A point-level output has one value per point: replications/ would repeat it R times.
    if (exp.output.keep_replications && info.metrics[m].level == OutputLevel::Replication)
      layout.replication_metrics.push_back(m);
  }
  layout.stored_replications =
      (!layout.replication_metrics.empty() || !plan.series.empty()) ? plan.capacity_reps : 0;
  layout.series = plan.series;
  layout.series_length = plan.series_length;
  layout.compression = exp.output.compression.value_or(kDefaultCompression);
  for (std::size_t s = 0; s < kKeptStatistics.size(); ++s) {
    const auto& kept = exp.output.statistics;
    if (!kept || std::find(kept->begin(), kept->end(), kKeptStatistics[s].name) != kept->end())
      layout.statistics.push_back(s);
  }
  return layout;
}

namespace {

// The first few failures of a run in full, in the order its threads meet them (so not always the
// lowest indices); then only the count in the run's closing warning. Under MPI each rank that
// computes lists its own first few.
void report_model_error(const RunPlan& plan, std::uint64_t index, const char* what) {
  constexpr int kReportedInFull = 10;
  const int n = plan.failures_listed->fetch_add(1);
  if (n < kReportedInFull)
    spdlog::warn("point {}: the model failed: {}{}", index, what,
                 n + 1 == kReportedInFull ? " (further failures are not listed)" : "");
}

// Buffers for replications [0, reps_target): only what is kept per replication.
void grow_buffers(const RunPlan& plan, PointWork& w) {
  if (plan.keep_values) w.reps.resize(w.reps_target * plan.info->metrics.size(), kNaN);
  for (std::size_t s = 0; s < plan.series.size(); ++s)
    w.series[s].resize(w.reps_target * plan.series_length[s], kNaN);
}

// One point a model cannot handle, in prepare() or in a replication, must not end a million-point
// sweep: it gets status -2 (and NaN outputs when summarised), and the message goes to the log
// with the point's index.
void fail_point(const RunPlan& plan, PointWork& w, std::uint64_t index, const char* what) {
  w.status = kStatusModelError;
  report_model_error(plan, index, what);
}

// Whether run_point finishes every point: no precision target asks for more replications, and a
// point's replications are one block. Then compute_batch's rounds find nothing to do.
bool finished_by_run_point(const RunPlan& plan) {
  return plan.targets.empty() && plan.initial_reps <= plan.exp->block_size;
}

// What a model that keeps no state is handed: a PointState has no data, so sharing one is safe.
PointState& no_state() {
  static PointState none;
  return none;
}

PointState& state_of(const PointWork& w) {
  return w.state ? *w.state : no_state();
}

// Calls the model's check() and prepare() on the point whose values are in `values`; sets
// w.status, w.state and the point-level outputs, in row `row` of `columns`. The values go into
// the Point and come back, so they are not copied.
void solve_point(const RunPlan& plan, std::uint64_t index, std::span<double* const> columns,
                 std::size_t row, std::vector<Value>& values, PointWork& w) {
  Point point(*plan.info, index, std::move(values));
  const PointKey key = plan.exp->common_random_numbers
                           ? PointKey(StreamKey{plan.exp->seed, 0})
                           : PointKey(plan.exp->seed, *plan.info, point.values());
  try {
    if (auto problem = plan.model->check(point)) w.status = problem->status;
    if (w.status == kStatusOk) {
      PointOutputs out(columns, row, key);
      if (!w.state) w.state = plan.model->make_state();
      plan.model->prepare(point, out, state_of(w));
    }
  } catch (const DomainError& e) {
    // Status 0 would pass the outputs written before the throw off as the point's results.
    if (e.status() == kStatusOk)
      fail_point(plan, w, index, ("DomainError with status 0: " + std::string(e.what())).c_str());
    else
      w.status = e.status();
  } catch (const std::exception& e) {
    fail_point(plan, w, index, e.what());
  }
  values = std::move(point).release_values();
  w.key = key.over(values);
  // Blocks of one point may run on several threads at once: they must find the key known.
  if (!finished_by_run_point(plan)) w.key.get();
}

// Resets slot i of the batch for its point (what the previous point left must not leak into this
// one) and prepares it, its parameter values in `values` (the slot's own, or its run's: see
// compute_and_summarise). `values` hold the design's values of the point prepared in them before
// (solve_point hands them back), or none.
void prepare_point(const RunPlan& plan, const Design& design, Batch& b, std::uint64_t i,
                   std::vector<Value>& values) {
  const std::size_t M = plan.info->metrics.size();
  const std::uint64_t index = b.first + i;
  PointWork& w = b.work[i];
  w.reps_done = w.reps_target = w.reps_scheduled = 0;
  if (values.empty())
    design.values_into(index, values);
  else
    design.revalue_into(index, values);
  w.status = design.in_range(values) ? kStatusOk : kStatusOutOfRange;
  w.key = PointKey(StreamKey{});  // no pointer to a slot a resized workspace has moved
  if (w.status == kStatusOk) solve_point(plan, index, b.point_columns, i, values, w);
  if (w.status != kStatusOk) return;
  // Statistics over replications exist only where something reads them: replication-level
  // metrics, and precision targets (a 70-output deterministic model has neither).
  // (Point-level entries, read by a target only, are never written: they stay empty.)
  if (!plan.replication_metrics.empty() || !plan.targets.empty()) w.stats.resize(M);
  for (const std::size_t m : plan.replication_metrics) w.stats[m] = Accumulator{};
  w.reps_target = plan.initial_reps;
  w.reps.clear();  // grow_buffers refills with NaN: nothing of the previous point survives
  w.series.resize(plan.series.size());
  for (auto& s : w.series) s.clear();
  grow_buffers(plan, w);
}

// Runs replications [begin, end) of a point, one block, and accumulates its replication-level
// metrics in acc[plan.replication_metrics.size()] (merged into the point's stats later, in block
// order). `scratch` holds a replication's metrics when they are not kept, `series` the spans
// handed to the model (indexed like the model's SeriesSpec list); both belong to this block only.
// Returns the model's error message if a replication threw, "" otherwise (the point then fails).
std::string run_block(const RunPlan& plan, PointWork& w, std::uint64_t begin, std::uint64_t end,
                      Accumulator* acc, std::span<double> scratch,
                      std::span<std::span<double>> series) {
  const std::size_t M = plan.info->metrics.size();
  std::fill(series.begin(), series.end(), std::span<double>{});  // series not kept stay empty
  for (std::uint64_t r = begin; r < end; ++r) {
    double* values = plan.keep_values ? w.reps.data() + r * M : scratch.data();
    // NaN first: a metric the model leaves unwritten is undefined, not the last replication's.
    std::fill_n(values, M, kNaN);
    for (std::size_t s = 0; s < plan.series.size(); ++s) {
      const std::uint64_t T = plan.series_length[s];
      series[plan.series[s]] = std::span<double>(w.series[s].data() + r * T, T);
    }
    Replication rep(w.key, r, std::span<double>(values, M), series);
    try {
      plan.model->replicate(state_of(w), rep);
    } catch (const std::exception& e) {
      return e.what();
    }
    for (std::size_t k = 0; k < plan.replication_metrics.size(); ++k)
      acc[k].add(values[plan.replication_metrics[k]]);
  }
  return "";
}

// A block's accumulators into its point's stats: called block after block in replication order.
void merge_block(const RunPlan& plan, PointWork& w, const Accumulator* acc) {
  for (std::size_t k = 0; k < plan.replication_metrics.size(); ++k)
    w.stats[plan.replication_metrics[k]].merge(acc[k]);
}

// Adaptive precision: double the replications of a point while a target metric's standard error
// is above its target, up to the cap. The decision depends only on the point's own blocks, merged
// in block order, so it is the same for any thread count.
bool needs_more(const RunPlan& plan, PointWork& w) {
  if (plan.targets.empty() || w.status != kStatusOk || w.reps_done >= plan.capacity_reps)
    return false;
  for (const auto& [m, target] : plan.targets) {
    const double se = w.stats[m].se();
    if (!(se <= target)) {
      w.reps_target = std::min(plan.capacity_reps, 2 * w.reps_done);
      return true;
    }
  }
  return false;
}

// A point whose initial replications are one block runs it in the task that prepared it (one
// parallel loop per batch instead of two, the point's data still in cache); its one block merged
// into empty stats gives what run_round would. A point of no replications has nothing to run.
void run_point(const RunPlan& plan, std::uint64_t index, PointWork& w) {
  if (w.status != kStatusOk || w.reps_target == 0 || w.reps_target > plan.exp->block_size) return;
  w.block_stats.assign(plan.replication_metrics.size(), Accumulator{});
  w.scratch.resize(plan.keep_values ? 0 : plan.info->metrics.size());
  w.series_spans.resize(plan.info->series.size());
  const std::string error =
      run_block(plan, w, 0, w.reps_target, w.block_stats.data(), w.scratch, w.series_spans);
  w.reps_scheduled = w.reps_done = w.reps_target;
  if (!error.empty()) fail_point(plan, w, index, error.c_str());
  merge_block(plan, w, w.block_stats.data());
}

struct Unit {
  std::size_t point;
  std::uint64_t begin, end;
};

// The next at most kWaveUnits blocks not yet scheduled, point by point and in replication order.
// Waves bound the per-block accumulators in memory however many replications a point has.
std::vector<Unit> next_wave(const RunPlan& plan, Batch& b, std::size_t& point) {
  constexpr std::size_t kWaveUnits = 1u << 14;
  const std::uint64_t block = plan.exp->block_size;
  std::vector<Unit> units;
  for (; point < b.count && units.size() < kWaveUnits; ++point) {
    auto& w = b.work[point];
    if (w.status != kStatusOk) continue;
    while (w.reps_scheduled < w.reps_target && units.size() < kWaveUnits) {
      const std::uint64_t end = std::min(w.reps_scheduled + block, w.reps_target);
      units.push_back({point, w.reps_scheduled, end});
      w.reps_scheduled = end;
    }
    if (w.reps_scheduled < w.reps_target) break;  // the wave is full; resume at this point
  }
  return units;
}

// Runs every block of the replications [reps_scheduled, reps_target) of each point; each block's
// accumulators merge into its point's stats in replication order, whatever the thread count.
void run_round(const RunPlan& plan, Batch& b) {
  const std::size_t M = plan.info->metrics.size(), R = plan.replication_metrics.size();
  const std::size_t S = plan.info->series.size(), scratch = plan.keep_values ? 0 : M;
  std::size_t point = 0;
  for (;;) {
    const std::vector<Unit> units = next_wave(plan, b, point);
    if (units.empty()) break;
    std::vector<Accumulator> acc(units.size() * R);
    std::vector<std::string> errors(units.size());
    std::vector<double> values(units.size() * scratch);
    std::vector<std::span<double>> series(units.size() * S);
    detail::parallel_for(std::size_t{0}, units.size(), [&](std::size_t u) {
      errors[u] = run_block(plan, b.work[units[u].point], units[u].begin, units[u].end, &acc[u * R],
                            std::span<double>(values).subspan(u * scratch, scratch),
                            std::span<std::span<double>>(series).subspan(u * S, S));
    });
    for (std::size_t u = 0; u < units.size(); ++u) {
      PointWork& w = b.work[units[u].point];
      if (!errors[u].empty() && w.status == kStatusOk)
        fail_point(plan, w, b.first + units[u].point, errors[u].c_str());
      merge_block(plan, w, &acc[u * R]);
    }
  }
}

// Rows [first, last) of the batch's point-level columns: NaN, so that an output a model leaves
// unwritten reads as undefined, not as a value of a batch these columns held before.
void clear_point_rows(const RunPlan& plan, Batch& b, std::uint64_t first, std::uint64_t last) {
  for (const std::size_t m : plan.kept_point_metrics)
    std::fill(b.point_columns[m] + first, b.point_columns[m] + last, kNaN);
}

// Points [first, last) of the batch, prepared and, if their replications are one block, run.
void prepare_run(const RunPlan& plan, const Design& design, Batch& b, std::uint64_t first,
                 std::uint64_t last) {
  clear_point_rows(plan, b, first, last);
  for (std::uint64_t i = first; i < last; ++i) {
    prepare_point(plan, design, b, i, b.work[i].values);
    run_point(plan, b.first + i, b.work[i]);
  }
}

// Calls f(first, last) on the batch's points in runs, in parallel. Points are prepared and
// summarised in runs of up to 64: long enough for each column's slots of a run to fill whole cache
// lines, short enough for the run's points to stay in cache. A small batch (a search's points, each
// a root search) is cut into shorter runs, at least four per thread of this process (an MPI rank
// computes a batch on its own threads), so that its points still spread over the threads. (A
// std::function, not a template parameter: the lambdas' types inside TBB's made symbol names too
// long for ThreadSanitizer's symbolizer.)
void for_each_run(const Batch& b, const std::function<void(std::uint64_t, std::uint64_t)>& f) {
  constexpr std::uint64_t kLongest = 64;
  const auto threads = static_cast<std::uint64_t>(tbb::this_task_arena::max_concurrency());
  const std::uint64_t length = std::clamp<std::uint64_t>(b.count / (4 * threads), 1, kLongest);
  detail::parallel_for(std::uint64_t{0}, (b.count + length - 1) / length, [&](std::uint64_t r) {
    f(r * length, std::min(b.count, (r + 1) * length));
  });
}

void compute_batch(const RunPlan& plan, const Design& design, Batch& b) {
  for_each_run(b, [&](std::uint64_t first, std::uint64_t last) {
    prepare_run(plan, design, b, first, last);
  });
  for (;;) {
    run_round(plan, b);
    bool more = false;
    for (std::uint64_t i = 0; i < b.count; ++i) {
      PointWork& w = b.work[i];
      w.reps_done = std::max(w.reps_done, w.reps_target);
      if (needs_more(plan, w)) {
        grow_buffers(plan, w);
        more = true;
      }
    }
    if (!more) break;
  }
}

// The quantiles of a replication-level metric over the replications a point ran.
void point_quantiles(const RunPlan& plan, const PointWork& w, std::size_t m, double* out) {
  const std::size_t M = plan.info->metrics.size();
  std::vector<double> column;
  if (w.status == kStatusOk) {
    column.reserve(w.reps_done);
    for (std::uint64_t r = 0; r < w.reps_done; ++r) column.push_back(w.reps[r * M + m]);
  }
  const auto q = quantiles(column, plan.exp->output.quantiles);
  std::copy(q.begin(), q.end(), out);
}

// Point i's values of the parameters the design varies, into the batch's [point][varied] values
// (the writer knows the others). Copied, not moved: a slot keeps its buffers for the next point.
void put_varied(const RunPlan& plan, const std::vector<Value>& values, std::uint64_t i,
                PointBatch& out) {
  const std::size_t V = plan.varied_params.size();
  for (std::size_t v = 0; v < V; ++v) out.values[i * V + v] = values[plan.varied_params[v]];
}

// What a point hands on besides its outputs and values: its status, replications and series.
void summarise_point(const RunPlan& plan, PointWork& w, std::size_t i, PointBatch& out) {
  const bool ok = w.status == kStatusOk;
  out.status[i] = w.status;
  out.replications_run[i] = ok ? w.reps_done : 0;
  // Replications hold every metric's slot; the writer keeps those of replication-level metrics.
  if (plan.exp->output.keep_replications)
    out.replications[i] = ok ? std::move(w.reps) : std::vector<double>{};
  for (std::size_t s = 0; s < plan.series.size(); ++s)
    if (ok) out.series[s][i] = std::move(w.series[s]);
}

// Replication-level metric m of points [first, last) into its columns: output by output within a
// run of points, so each column's slots are written one after another (point by point, a point
// would write one slot in each of the M columns, each its own cache line).
void summarise_metric(const RunPlan& plan, Batch& b, std::size_t m, std::uint64_t first,
                      std::uint64_t last) {
  const std::size_t Q = plan.exp->output.quantiles.size();
  auto& column = b.out.metrics[m];
  for (std::uint64_t i = first; i < last; ++i) {
    // Every slot is written: the columns may be a written batch's, reused.
    column.stats[i] = b.work[i].status == kStatusOk ? b.work[i].stats[m] : Accumulator{};
    if (Q > 0) point_quantiles(plan, b.work[i], m, &column.quantiles[i * Q]);
  }
}

// The point-level outputs are in their columns already (prepare() wrote them there); a point that
// failed, in prepare() or in a replication, has NaN in all of them, whatever it wrote first.
void summarise_run(const RunPlan& plan, Batch& b, std::uint64_t first, std::uint64_t last) {
  for (const std::size_t m : plan.kept_metrics)
    if (plan.info->metrics[m].level == OutputLevel::Replication)
      summarise_metric(plan, b, m, first, last);
  for (std::uint64_t i = first; i < last; ++i) {
    summarise_point(plan, b.work[i], i, b.out);
    if (b.work[i].status == kStatusOk) continue;
    for (const std::size_t m : plan.kept_point_metrics) b.point_columns[m][i] = kNaN;
  }
}

// The batch's columns, sized for its points, before any point is prepared: prepare() writes a
// point's point-level outputs into them, and each other slot is written when its point is
// summarised.
void size_output(const RunPlan& plan, Batch& b) {
  const std::size_t M = plan.info->metrics.size();
  const std::size_t Q = plan.exp->output.quantiles.size();
  auto& out = b.out;
  out.first = b.first;
  out.count = b.count;
  out.values.resize(b.count * plan.varied_params.size());
  out.status.resize(b.count);
  out.metrics.resize(M);
  for (const std::size_t m : plan.kept_metrics) {
    auto& column = out.metrics[m];
    if (plan.info->metrics[m].level == OutputLevel::Point) {
      column.value.resize(b.count);
    } else {
      column.stats.resize(b.count);
      column.quantiles.assign(b.count * Q, kNaN);
    }
  }
  out.replications_run.assign(b.count, 0);
  if (plan.exp->output.keep_replications) out.replications.resize(b.count);
  out.series.assign(plan.series.size(), std::vector<std::vector<double>>(b.count));
  b.point_columns.assign(M, nullptr);
  for (const std::size_t m : plan.kept_point_metrics)
    b.point_columns[m] = out.metrics[m].value.data();
}

void summarise_batch(const RunPlan& plan, Batch& b) {
  for_each_run(b, [&](std::uint64_t first, std::uint64_t last) {
    for (std::uint64_t i = first; i < last; ++i) put_varied(plan, b.work[i].values, i, b.out);
    summarise_run(plan, b, first, last);
  });
}

// compute_batch and summarise_batch of a batch that run_point finishes, fused: each run of points
// is summarised by the task that computed it, while its outputs are still in cache (read back
// after the whole batch, from memory, they were about a tenth of a deremer run). Each point goes
// through the same steps as in the two passes, so its results are the same bits. A point's
// values are needed only until its varied ones are in the batch, so the run's points share one
// set, its first slot's (with a set in every slot, a workspace's first batch spent a tenth of its
// time on the page faults of megabytes of fresh values); a slot's key is then stale once its point
// is done, and nothing reads it.
void compute_and_summarise(const RunPlan& plan, const Design& design, Batch& b) {
  for_each_run(b, [&](std::uint64_t first, std::uint64_t last) {
    clear_point_rows(plan, b, first, last);
    std::vector<Value>& values = b.work[first].values;
    for (std::uint64_t i = first; i < last; ++i) {
      prepare_point(plan, design, b, i, values);
      run_point(plan, b.first + i, b.work[i]);
      put_varied(plan, values, i, b.out);
    }
    summarise_run(plan, b, first, last);
  });
}

}  // namespace

std::uint64_t estimated_replications(const Experiment& exp, const Model& model) {
  Design design(exp, model.info());
  if (!runs_replications(exp, model.info())) return 0;
  return design.size() * std::max<std::uint64_t>(1, exp.replications);
}

struct BatchComputer::Impl {
  Impl(const Experiment& exp, const Model& model, std::uint64_t parallelism)
      : design(exp, model.info()),
        plan(make_plan(exp, &model, model.info(), design.size(),
                       std::max<std::uint64_t>(1, parallelism))) {
    // spdlog makes its registry and default logger on first use. A point's failure is logged
    // from a worker; made there, by whichever task failed first, the logger would be handed to
    // the other workers by a static's guard inside libspdlog, which ThreadSanitizer does not see.
    // Made here, before any batch, it is in place before TBB starts the tasks.
    spdlog::default_logger_raw();
  }

  // A batch's workspace: a free one, or a new one when every one is in use. So there are as many
  // as batches were ever computed at once (the pipeline's tokens), each reused batch after batch.
  std::unique_ptr<Batch> take_workspace() {
    const std::lock_guard lock(mutex);
    if (free.empty()) return std::make_unique<Batch>();
    std::unique_ptr<Batch> b = std::move(free.back());
    free.pop_back();
    return b;
  }
  // Per-replication data that the batch did not hand on (a failed point's, or values kept for
  // quantiles only) is freed: it can be most of a batch, and the next batch needs other sizes.
  void give_back(std::unique_ptr<Batch> b) {
    for (PointWork& w : b->work) {
      w.reps = {};
      w.series = {};
    }
    const std::lock_guard lock(mutex);
    free.push_back(std::move(b));
  }

  // A written batch's columns, for the next batch to fill: fresh ones are megabytes of new pages
  // (page faults) every batch. Their per-replication data was handed on and is dropped.
  PointBatch take_spent() {
    const std::lock_guard lock(mutex);
    if (spent.empty()) return {};
    PointBatch out = std::move(spent.back());
    spent.pop_back();
    return out;
  }
  void keep_spent(PointBatch&& b) {
    b.replications.clear();
    b.series.clear();
    constexpr std::size_t kKept = 4;  // about the batches in flight (the pipeline's tokens)
    const std::lock_guard lock(mutex);
    if (spent.size() < kKept) spent.push_back(std::move(b));
  }

  Design design;
  RunPlan plan;
  std::mutex mutex;
  std::vector<std::unique_ptr<Batch>> free;
  std::vector<PointBatch> spent;
};

BatchComputer::BatchComputer(const Experiment& exp, const Model& model, std::uint64_t parallelism)
    : impl_(std::make_unique<Impl>(exp, model, parallelism)) {}
BatchComputer::~BatchComputer() = default;

std::uint64_t BatchComputer::points() const {
  return impl_->design.size();
}
std::uint64_t BatchComputer::batch_points() const {
  return impl_->plan.batch_points;
}
void BatchComputer::fill_values(PointBatch& batch) const {
  std::vector<Value> point;
  batch.values.resize(batch.count * impl_->plan.varied_params.size());
  for (std::uint64_t i = 0; i < batch.count; ++i) {
    impl_->design.values_into(batch.first + i, point);
    put_varied(impl_->plan, point, i, batch);
  }
}

PointBatch BatchComputer::compute(std::uint64_t first, std::uint64_t count) const {
  std::unique_ptr<Batch> b = impl_->take_workspace();
  // Columns a written batch gave back, taken now rather than when this workspace last finished:
  // by now the writer has usually returned one (then, it often had not, and the batch's columns
  // were megabytes of fresh pages again).
  b->out = impl_->take_spent();
  b->first = first;
  b->count = count;
  if (b->work.size() < count) b->work.resize(count);
  size_output(impl_->plan, *b);
  if (finished_by_run_point(impl_->plan)) {
    compute_and_summarise(impl_->plan, impl_->design, *b);
  } else {
    compute_batch(impl_->plan, impl_->design, *b);
    summarise_batch(impl_->plan, *b);
  }
  PointBatch out = std::move(b->out);
  impl_->give_back(std::move(b));
  return out;
}

void BatchComputer::recycle(PointBatch&& written) const {
  impl_->keep_spent(std::move(written));
}

}  // namespace tariffsim
