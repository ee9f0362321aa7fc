#include "tariffsim/runner.hpp"

#include <spdlog/spdlog.h>
#include <tbb/global_control.h>
#include <tbb/parallel_for.h>
#include <tbb/parallel_pipeline.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>

#include "tariffsim/design.hpp"
#include "tariffsim/error.hpp"
#include "tariffsim/progress.hpp"
#include "tariffsim/result_file.hpp"

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
  std::uint64_t batch_points = 1;
};

// One point in flight.
struct PointWork {
  std::vector<Value> values;
  std::int32_t status = kStatusOk;
  std::unique_ptr<PointState> state;
  std::vector<double> point_metrics;       // [M]
  std::vector<double> reps;                // [capacity][M], replication-level metrics
  std::vector<std::vector<double>> series; // per kept series [capacity][T]
  std::uint64_t reps_done = 0;
  std::uint64_t reps_target = 0;
  StreamKey key;
};

struct Batch {
  std::uint64_t first = 0;
  std::uint64_t count = 0;
  std::vector<PointWork> work;
  PointBatch out;
  std::uint64_t replications_run = 0;
};

RunPlan make_plan(const Experiment& exp, const Model* model, const ModelInfo& info,
                  std::uint64_t n_points, std::uint64_t threads) {
  RunPlan plan;
  plan.exp = &exp;
  plan.model = model;
  plan.info = &info;
  plan.initial_reps = std::max<std::uint64_t>(1, exp.replications);
  plan.capacity_reps = std::max(plan.initial_reps, exp.precision.max_replications);
  for (const auto& name : exp.output.series) {
    const auto idx = plan.info->series_index(name);
    if (!idx) throw InputError("output.series: unknown series '" + name + "'");
    plan.series.push_back(*idx);
    const auto& len_param = plan.info->series[*idx].length_param;
    const auto it = exp.fixed.find(len_param);
    const Value len = it != exp.fixed.end() ? it->second.value
                                            : plan.info->find_param(len_param)->default_value;
    plan.series_length.push_back(static_cast<std::uint64_t>(std::get<std::int64_t>(len)));
  }
  for (const auto& [name, target] : exp.precision.target_se) {
    const auto idx = plan.info->metric_index(name);
    if (!idx) throw InputError("precision.target_se: unknown metric '" + name + "'");
    plan.targets.emplace_back(*idx, target);
  }
  // Batches of about 2^16 replications keep every core busy while bounding memory in flight;
  // at least 8 batches per thread keep progress reports and checkpoints frequent on long runs.
  const std::uint64_t by_memory = (1u << 16) / plan.initial_reps;
  const std::uint64_t by_progress = (n_points + 8 * threads - 1) / (8 * threads);
  plan.batch_points = std::clamp<std::uint64_t>(std::min(by_memory, by_progress), 1, 4096);
  return plan;
}

}  // namespace

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
  layout.stored_replications =
      (exp.output.keep_replications || !plan.series.empty()) ? plan.capacity_reps : 0;
  layout.series = plan.series;
  layout.series_length = plan.series_length;
  return layout;
}

namespace {

std::int32_t range_status(const ModelInfo& info, const std::vector<Value>& values) {
  for (std::size_t p = 0; p < info.params.size(); ++p)
    if (!check_value(info.params[p], values[p]).empty()) return kStatusOutOfRange;
  return kStatusOk;
}

void prepare_point(const RunPlan& plan, const Design& design, std::uint64_t index,
                   PointWork& w) {
  const auto& info = *plan.info;
  const std::size_t M = info.metrics.size();
  w.values = design.values(index);
  w.point_metrics.assign(M, kNaN);
  Point point(info, index, w.values);
  w.key = StreamKey{plan.exp->seed, plan.exp->common_random_numbers ? 0 : point.identity()};
  w.status = range_status(info, w.values);
  if (w.status == kStatusOk) {
    if (auto problem = plan.model->check(point)) w.status = problem->status;
  }
  if (w.status == kStatusOk) {
    try {
      PointOutputs out(w.point_metrics);
      w.state = plan.model->prepare(point, out);
    } catch (const DomainError& e) {
      w.status = e.status();
      std::fill(w.point_metrics.begin(), w.point_metrics.end(), kNaN);
    }
  }
  if (w.status != kStatusOk) return;
  w.reps_target = plan.initial_reps;
  w.reps.assign(plan.initial_reps * M, kNaN);
  w.series.resize(plan.series.size());
  for (std::size_t s = 0; s < plan.series.size(); ++s)
    w.series[s].assign(plan.initial_reps * plan.series_length[s], kNaN);
}

void grow_buffers(const RunPlan& plan, PointWork& w) {
  const std::size_t M = plan.info->metrics.size();
  w.reps.resize(w.reps_target * M, kNaN);
  for (std::size_t s = 0; s < plan.series.size(); ++s)
    w.series[s].resize(w.reps_target * plan.series_length[s], kNaN);
}

void run_replications(const RunPlan& plan, PointWork& w, std::uint64_t begin, std::uint64_t end) {
  const std::size_t M = plan.info->metrics.size();
  for (std::uint64_t r = begin; r < end; ++r) {
    // Indexed like the model's SeriesSpec list; series the experiment does not keep stay empty.
    std::vector<std::span<double>> series(plan.info->series.size());
    for (std::size_t s = 0; s < plan.series.size(); ++s) {
      const std::uint64_t T = plan.series_length[s];
      series[plan.series[s]] = std::span<double>(w.series[s].data() + r * T, T);
    }
    Replication rep(w.key, r, std::span<double>(w.reps.data() + r * M, M), std::move(series));
    plan.model->replicate(*w.state, rep);
  }
}

// Adaptive precision: double the replications of a point while a target metric's standard error
// is above its target, up to the cap. The decision depends only on the point's own values, in
// replication order, so it is the same for any thread count.
bool needs_more(const RunPlan& plan, PointWork& w) {
  if (plan.targets.empty() || w.status != kStatusOk || w.reps_done >= plan.capacity_reps)
    return false;
  const std::size_t M = plan.info->metrics.size();
  for (const auto& [m, target] : plan.targets) {
    Accumulator acc;
    for (std::uint64_t r = 0; r < w.reps_done; ++r) acc.add(w.reps[r * M + m]);
    const double se = acc.se();
    if (!(se <= target)) {
      w.reps_target = std::min(plan.capacity_reps, 2 * w.reps_done);
      return true;
    }
  }
  return false;
}

struct Unit {
  std::size_t point;
  std::uint64_t begin, end;
};

void compute_batch(const RunPlan& plan, const Design& design, Batch& b) {
  b.work.resize(b.count);
  tbb::parallel_for(std::uint64_t{0}, b.count,
                    [&](std::uint64_t i) { prepare_point(plan, design, b.first + i, b.work[i]); });
  const std::uint64_t block = plan.exp->block_size;
  for (;;) {
    std::vector<Unit> units;
    for (std::size_t i = 0; i < b.work.size(); ++i) {
      auto& w = b.work[i];
      if (w.status != kStatusOk) continue;
      for (std::uint64_t r = w.reps_done; r < w.reps_target; r += block)
        units.push_back({i, r, std::min(r + block, w.reps_target)});
    }
    if (units.empty()) break;
    tbb::parallel_for(std::size_t{0}, units.size(), [&](std::size_t u) {
      run_replications(plan, b.work[units[u].point], units[u].begin, units[u].end);
    });
    bool more = false;
    for (auto& w : b.work) {
      w.reps_done = std::max(w.reps_done, w.reps_target);
      if (needs_more(plan, w)) {
        grow_buffers(plan, w);
        more = true;
      }
    }
    if (!more) break;
  }
}

void summarise_point(const RunPlan& plan, PointWork& w, std::size_t i, PointBatch& out) {
  const auto& info = *plan.info;
  const std::size_t M = info.metrics.size();
  const auto& probs = plan.exp->output.quantiles;
  const std::size_t Q = probs.size();
  const std::uint64_t R = plan.capacity_reps;
  out.values[i] = std::move(w.values);
  out.status[i] = w.status;
  std::vector<double> column;
  for (std::size_t m = 0; m < M; ++m) {
    Accumulator acc;
    column.clear();
    if (w.status == kStatusOk) {
      if (info.metrics[m].level == OutputLevel::Point) {
        column.push_back(w.point_metrics[m]);
      } else {
        for (std::uint64_t r = 0; r < w.reps_done; ++r) column.push_back(w.reps[r * M + m]);
      }
    }
    for (double x : column) acc.add(x);
    out.stats[i * M + m] = acc;
    if (Q > 0) {
      const auto q = quantiles(column, probs);
      std::copy(q.begin(), q.end(), out.quantiles.begin() + static_cast<std::ptrdiff_t>((i * M + m) * Q));
    }
    if (!out.replications.empty()) {
      for (std::uint64_t r = 0; r < R; ++r) {
        double v = kNaN;
        if (w.status == kStatusOk && r < w.reps_done)
          v = info.metrics[m].level == OutputLevel::Point ? w.point_metrics[m] : w.reps[r * M + m];
        out.replications[(i * R + r) * M + m] = v;
      }
    }
  }
  for (std::size_t s = 0; s < plan.series.size(); ++s) {
    const std::uint64_t T = plan.series_length[s];
    auto* dst = out.series[s].data() + i * R * T;
    if (w.status == kStatusOk) std::copy(w.series[s].begin(), w.series[s].end(), dst);
  }
  w = PointWork{};  // release the point's buffers before the batch is written
}

void summarise_batch(const RunPlan& plan, Batch& b) {
  const std::size_t M = plan.info->metrics.size();
  const std::size_t Q = plan.exp->output.quantiles.size();
  const std::uint64_t R = plan.capacity_reps;
  auto& out = b.out;
  out.first = b.first;
  out.count = b.count;
  out.values.resize(b.count);
  out.status.resize(b.count);
  out.stats.resize(b.count * M);
  out.quantiles.assign(b.count * M * Q, kNaN);
  if (plan.exp->output.keep_replications) out.replications.assign(b.count * R * M, kNaN);
  out.series.resize(plan.series.size());
  for (std::size_t s = 0; s < plan.series.size(); ++s)
    out.series[s].assign(b.count * R * plan.series_length[s], kNaN);
  for (const auto& w : b.work) b.replications_run += w.reps_done;
  tbb::parallel_for(std::uint64_t{0}, b.count,
                    [&](std::uint64_t i) { summarise_point(plan, b.work[i], i, out); });
  b.work.clear();
}

std::string missing_domain_message(const Experiment& exp, const DomainProblem& p) {
  const std::string& key = p.params.front();
  return exp.where(key).str() + ": parameters." + key + ": " + p.message;
}

}  // namespace

void check_experiment(const Experiment& exp, const Model& model) {
  const auto& info = model.info();
  Design design(exp, info);
  if (design.size() == 0) throw InputError(exp.config_path + ": the design has no points");
  const Point first = design.point(0);
  if (auto problem = model.check(first)) {
    const bool all_fixed =
        !problem->params.empty() &&
        std::all_of(problem->params.begin(), problem->params.end(),
                    [&](const std::string& p) { return !exp.varies(p); });
    if (all_fixed) throw InputError(missing_domain_message(exp, *problem));
  }
}

std::uint64_t estimated_replications(const Experiment& exp, const Model& model) {
  Design design(exp, model.info());
  return design.size() * std::max<std::uint64_t>(1, exp.replications);
}

RunSummary run_experiment(const Experiment& exp, const Model& model, const RunOptions& opt) {
  if (opt.shard_count == 0 || opt.shard_index >= opt.shard_count)
    throw InputError("--shard: expected i/N with 0 <= i < N, got " +
                     std::to_string(opt.shard_index) + "/" + std::to_string(opt.shard_count));
  check_experiment(exp, model);
  const auto started = std::chrono::steady_clock::now();
  const Design design(exp, model.info());
  const std::uint64_t P = design.size();
  const int threads = opt.threads > 0 ? opt.threads
                                      : static_cast<int>(tbb::info::default_concurrency());
  const RunPlan plan = make_plan(exp, &model, model.info(), P, static_cast<std::uint64_t>(threads));

  FileLayout layout = file_layout(exp, *plan.info, P);
  layout.command_line = opt.command_line;
  layout.shard_index = opt.shard_index;
  layout.shard_count = opt.shard_count;
  const std::string path = opt.output_path.empty() ? exp.output.file : opt.output_path;
  layout.path_origin = opt.output_path.empty() ? exp.output.file_where.str() + ": output.file"
                                               : std::string("--output");
  ResultFile file(path, layout, opt.resume ? ResultFile::Mode::Resume : ResultFile::Mode::Create);

  // The points this run computes: its shard's range, less those a resumed file already has.
  const auto [first, last] = shard_range(P, opt.shard_index, opt.shard_count);
  std::vector<std::uint8_t> done;
  if (opt.resume) done = file.done();
  auto is_done = [&](std::uint64_t i) { return !done.empty() && done[i] != 0; };
  std::uint64_t todo = 0;
  for (std::uint64_t i = first; i < last; ++i) todo += !is_done(i);

  tbb::global_control limit(tbb::global_control::max_allowed_parallelism,
                            static_cast<std::size_t>(threads));
  spdlog::info("running {} ({} of {} points x {} replications, model {}) on {} threads -> {}",
               exp.name, todo, P, plan.initial_reps, plan.info->name, threads, path);
  if (opt.resume) spdlog::info("resuming: {} points of this run were already done", last - first - todo);

  Progress progress("points", todo, opt.progress);
  RunSummary summary;
  summary.file = path;
  summary.points = P;
  summary.computed_points = todo;
  std::uint64_t next = first;
  tbb::parallel_pipeline(
      3,
      tbb::make_filter<void, std::shared_ptr<Batch>>(
          tbb::filter_mode::serial_in_order,
          [&](tbb::flow_control& fc) -> std::shared_ptr<Batch> {
            while (next < last && is_done(next)) ++next;
            if (next >= last) {
              fc.stop();
              return nullptr;
            }
            // A batch is a run of consecutive points not yet done, so it writes as one slab.
            auto b = std::make_shared<Batch>();
            b->first = next;
            while (next < last && !is_done(next) && next - b->first < plan.batch_points) ++next;
            b->count = next - b->first;
            return b;
          }) &
          tbb::make_filter<std::shared_ptr<Batch>, std::shared_ptr<Batch>>(
              tbb::filter_mode::parallel,
              [&](std::shared_ptr<Batch> b) {
                compute_batch(plan, design, *b);
                summarise_batch(plan, *b);
                return b;
              }) &
          tbb::make_filter<std::shared_ptr<Batch>, void>(
              tbb::filter_mode::serial_in_order, [&](std::shared_ptr<Batch> b) {
                file.write(b->out);
                summary.failed_points += static_cast<std::uint64_t>(
                    std::count_if(b->out.status.begin(), b->out.status.end(),
                                  [](std::int32_t s) { return s != kStatusOk; }));
                summary.replications += b->replications_run;
                progress.advance(b->count);
              }));
  progress.finish();
  file.finish();
  summary.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (summary.failed_points > 0)
    spdlog::warn("{} of {} points are outside the model (status != 0; NaN outputs)",
                 summary.failed_points, todo);
  return summary;
}

}  // namespace tariffsim
