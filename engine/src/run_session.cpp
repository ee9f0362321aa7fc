#include "tariffsim/run_session.hpp"

#include <spdlog/spdlog.h>
#include <tbb/global_control.h>
#include <tbb/info.h>
#include <tbb/parallel_pipeline.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <exception>
#include <filesystem>
#include <thread>
#include <vector>

#include "parallel.hpp"
#include "tariffsim/interrupt.hpp"
#include "tariffsim/progress.hpp"
#include "tariffsim/validate.hpp"

namespace tariffsim {

namespace {

// The batches of a run in index order: runs of consecutive points of [first, last) that are not
// done, each at most `size` points, so each batch writes as one slab.
class BatchQueue {
 public:
  BatchQueue(std::uint64_t first, std::uint64_t last, std::vector<std::uint8_t> done,
             std::uint64_t size)
      : first_(first),
        last_(last),
        next_(first),
        size_(std::max<std::uint64_t>(1, size)),
        done_(std::move(done)) {
    for (std::uint64_t i = first_; i < last_; ++i) todo_ += !is_done(i);
  }

  std::optional<BatchRange> next() {
    while (next_ < last_ && is_done(next_)) ++next_;
    if (next_ >= last_) return std::nullopt;
    const std::uint64_t begin = next_;
    while (next_ < last_ && !is_done(next_) && next_ - begin < size_) ++next_;
    return BatchRange{begin, next_ - begin};
  }
  std::uint64_t todo() const noexcept { return todo_; }  // points in all batches
  std::uint64_t already_done() const noexcept { return last_ - first_ - todo_; }

 private:
  bool is_done(std::uint64_t i) const { return !done_.empty() && done_[i] != 0; }
  std::uint64_t first_, last_, next_, size_, todo_ = 0;
  std::vector<std::uint8_t> done_;
};

// How a run opens its file. A job script that always resumes must be able to start the run when
// the first attempt was killed before its file existed.
ResultFile::Mode run_file_mode(const RunOptions& opt, const std::string& path,
                               const std::string& origin) {
  if (opt.resume && !std::filesystem::exists(path)) {
    const bool leftover = !remove_leftover_temporaries(path, origin).empty();
    spdlog::info(
        "{}: no file '{}' yet{}: starting the run", opt.resume_origin, path,
        leftover ? " (only the temporary file of a run killed while creating it, removed)" : "");
    return ResultFile::Mode::Create;
  }
  if (opt.resume) return ResultFile::Mode::Resume;
  if (opt.force) return ResultFile::Mode::Replace;
  refuse_existing_file(
      path, origin,
      "continue it with " + opt.resume_origin + ", or replace it with " + opt.force_origin);
  return ResultFile::Mode::Create;
}

// The run's file. A new one whose placement computes meanwhile is made in two steps
// (ResultFile::Making): the path's checks and the temporary file at once, so that the usual
// mistakes stop the run before it starts; its layout on a thread of its own while the first batches
// compute (at 10^6 points, tens of milliseconds of HDF5 calls and an fsync, which held up every
// core). The writer waits for it before the first batch. A layout that fails (a full disk) stops
// the run as a stop signal does: no batch starts after it.
class RunFile {
 public:
  RunFile(std::unique_ptr<ResultFile> file, ResultFile::Mode mode, ResultFile::Making making)
      : file_(std::move(file)), path_(file_->path()), reopened_(mode == ResultFile::Mode::Resume) {
    if (making == ResultFile::Making::InTwoSteps) maker_ = std::thread([this] { make_layout(); });
  }
  ~RunFile() {
    if (maker_.joinable()) maker_.join();
  }
  RunFile(const RunFile&) = delete;
  RunFile& operator=(const RunFile&) = delete;

  // The file, once its layout is made; what making it threw, every time it is asked.
  ResultFile& ready() {
    if (maker_.joinable()) maker_.join();
    if (error_) std::rethrow_exception(error_);
    return *file_;
  }
  const std::string& path() const noexcept { return path_; }
  // An existing file reopened to resume it (a new one has no point done).
  bool reopened() const noexcept { return reopened_; }
  // Making the layout failed: ready() throws why.
  bool failed() const noexcept { return failed_.load(std::memory_order_acquire); }

 private:
  void make_layout() {
    try {
      file_->make_layout();
    } catch (...) {
      error_ = std::current_exception();
      failed_.store(true, std::memory_order_release);
    }
  }
  std::unique_ptr<ResultFile> file_;
  const std::string path_;
  const bool reopened_;
  std::exception_ptr error_;
  std::atomic<bool> failed_{false};
  std::thread maker_;  // last: started once the members it uses are made
};

// The output file: created (an existing file only with force), or reopened to resume (with no
// file yet, created); at output_path, else the experiment's [output] file.
std::unique_ptr<RunFile> open_run_file(const Experiment& exp, const ModelInfo& info,
                                       const RunOptions& opt, std::uint64_t points,
                                       bool computes_meanwhile) {
  FileLayout layout = file_layout(exp, info, points);
  layout.command_line = opt.command_line;
  layout.shard_index = opt.shard_index;
  layout.shard_count = opt.shard_count;
  layout.resume_origin = opt.resume_origin;
  layout.force_origin = opt.force_origin;
  const auto [path, origin] = output_target(exp, opt);
  layout.path_origin = origin;
  const ResultFile::Mode mode = run_file_mode(opt, path, layout.path_origin);
  // Only a sweep of point-level outputs gains: its first batches take about as long as the layout.
  // A point that runs replications may take minutes, which a failed layout would waste.
  const auto making =
      computes_meanwhile && mode != ResultFile::Mode::Resume && !runs_replications(exp, info)
          ? ResultFile::Making::InTwoSteps
          : ResultFile::Making::Whole;
  return std::make_unique<RunFile>(std::make_unique<ResultFile>(path, layout, mode, making), mode,
                                   making);
}

// The batches this run computes: its shard's range, less the points a resumed file already has.
BatchQueue run_queue(const RunOptions& opt, RunFile& file, std::uint64_t points,
                     std::uint64_t batch_points) {
  const auto [first, last] = shard_range(points, opt.shard_index, opt.shard_count);
  // A new file (--resume with no file yet, as every Slurm array task starts) need not wait for its
  // layout here: it has no point done.
  return BatchQueue(first, last,
                    file.reopened() ? file.ready().done() : std::vector<std::uint8_t>{},
                    batch_points);
}

void log_run_start(const Experiment& exp, const ModelInfo& info, const BatchQueue& queue,
                   std::uint64_t points, const std::string& workers, const std::string& path) {
  const std::string replications =
      runs_replications(exp, info)
          ? " x " + std::to_string(std::max<std::uint64_t>(1, exp.replications)) + " replications"
          : ", point-level outputs only";
  spdlog::info("running {} ({} of {} points{}, model {}) on {} -> {}", exp.name, queue.todo(),
               points, replications, info.name, workers, path);
  if (queue.already_done() > 0)
    spdlog::info("resuming: {} points of this run were already done", queue.already_done());
}

RunSummary start_summary(const std::string& path, std::uint64_t points, const BatchQueue& queue) {
  RunSummary s;
  s.file = path;
  s.points = points;
  s.computed_points = queue.todo();
  s.share_points = queue.todo() + queue.already_done();
  s.done_points = queue.already_done();
  return s;
}

void add_to_summary(RunSummary& s, const PointBatch& batch) {
  s.done_points += batch.count;
  s.failed_points += static_cast<std::uint64_t>(std::count_if(
      batch.status.begin(), batch.status.end(), [](std::int32_t st) { return st != kStatusOk; }));
  for (const std::uint64_t r : batch.replications_run) s.replications += r;
}

void finish_summary(RunSummary& s, std::chrono::steady_clock::time_point started) {
  s.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (s.failed_points > 0)
    spdlog::warn("{} of {} points are outside the model (status != 0; NaN outputs)",
                 s.failed_points, s.computed_points);
}

// The stop signal, if one cut the run short: a signal that arrives once every point of the run's
// share is written ends a finished run, which reports success (a Slurm task then counts as done).
int stopped_early(const RunSummary& s) {
  return s.done_points < s.share_points ? stop_signal() : 0;
}

}  // namespace

// The session is the feed its placement works from.
struct RunSession::Impl final : BatchFeed {
  Impl(const Experiment& experiment, const Model& m, const RunOptions& options,
       BatchPlacement& where)
      : exp(experiment),
        model(m),
        opt(options),
        placement(where),
        batch_computer(exp, model, std::max<std::uint64_t>(1, placement.threads())),
        file(open_run_file(exp, model.info(), opt, batch_computer.points(),
                           placement.computes_while_file_is_made())),
        queue(run_queue(opt, *file, batch_computer.points(), batch_computer.batch_points())) {}

  std::optional<BatchRange> next() override { return stopped() ? std::nullopt : queue.next(); }
  bool stopped() const override { return stop_signal() != 0 || file->failed(); }
  void write(const PointBatch& batch) override {
    file->ready().write(batch);
    add_to_summary(summary, batch);
    progress->advance(batch.count);
  }
  const BatchComputer& computer() const override { return batch_computer; }

  const std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
  const Experiment& exp;
  const Model& model;
  const RunOptions opt;
  BatchPlacement& placement;
  const BatchComputer batch_computer;
  const std::unique_ptr<RunFile> file;
  BatchQueue queue;
  RunSummary summary;
  std::optional<Progress> progress;
};

RunSession::RunSession(const Experiment& experiment, const Model& model, const RunOptions& options,
                       BatchPlacement& placement) {
  validate(experiment, model, options);
  impl_ = std::make_unique<Impl>(experiment, model, options, placement);
}

RunSession::~RunSession() = default;

const std::string& RunSession::path() const noexcept {
  return impl_->file->path();
}

RunSummary RunSession::run() {
  Impl& s = *impl_;
  const std::uint64_t points = s.batch_computer.points();
  log_run_start(s.exp, s.model.info(), s.queue, points, s.placement.workers(), path());
  s.progress.emplace("points", s.queue.todo(), s.opt.progress);
  s.summary = start_summary(path(), points, s.queue);
  try {
    s.placement.place(s);
  } catch (...) {
    s.progress->finish();  // ends a progress bar's line before the error is printed
    throw;
  }
  s.progress->finish();
  s.file->ready().finish();
  finish_summary(s.summary, s.started);
  s.summary.stopped_by = stopped_early(s.summary);
  return s.summary;
}

// The arena gives the work its threads; the global limit lets TBB start workers beyond the
// default it takes from the affinity mask (and keeps every other arena within the count).
struct ComputeThreads::Impl {
  explicit Impl(int threads)
      : count(threads),
        limit(tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(threads)),
        arena(threads) {}
  const int count;
  tbb::global_control limit;
  tbb::task_arena arena;
};

ComputeThreads::ComputeThreads(int threads)
    : impl_(std::make_unique<Impl>(
          threads > 0 ? threads : static_cast<int>(tbb::info::default_concurrency()))) {}

ComputeThreads::~ComputeThreads() = default;

int ComputeThreads::count() const noexcept {
  return impl_->count;
}

void ComputeThreads::run(const std::function<void()>& work) {
  detail::execute(impl_->arena, work);
}

namespace {

// Batches from the feed are computed in parallel and written in order, as they finish. On a stop
// signal no batch starts; batches being computed are finished and written. The detail::
// annotations show ThreadSanitizer the hand-offs TBB makes (parallel.hpp): the caller's state to
// every stage, a batch from stage to stage, and a serial stage's turn to its next invocation.
void compute_and_write(BatchFeed& feed) {
  const char fork = 0, input_turn = 0, output_turn = 0, join = 0;
  const auto take_batch = [&](tbb::flow_control& fc) -> std::shared_ptr<PointBatch> {
    detail::taken_over(&input_turn);
    const auto range = feed.next();
    std::shared_ptr<PointBatch> b;
    if (range) {
      b = std::make_shared<PointBatch>();
      b->first = range->first;
      b->count = range->count;
      detail::handed_over(b.get());
    } else {
      fc.stop();
    }
    detail::handed_over(&input_turn);
    detail::handed_over(&join);
    return b;
  };
  const auto compute = [&](std::shared_ptr<PointBatch> b) -> std::shared_ptr<PointBatch> {
    detail::taken_over(b.get());
    if (feed.stopped()) return nullptr;  // taken, not started: left to a resumed run
    *b = feed.computer().compute(b->first, b->count);
    detail::handed_over(b.get());
    return b;
  };
  const auto write = [&](const std::shared_ptr<PointBatch>& b) {
    detail::taken_over(&output_turn);
    if (b) {
      detail::taken_over(b.get());
      feed.write(*b);
      feed.computer().recycle(std::move(*b));
    }
    detail::handed_over(&output_turn);
    detail::handed_over(&join);
  };
  using detail::AfterHandOff;
  using Item = std::shared_ptr<PointBatch>;
  detail::handed_over(&fork);
  tbb::parallel_pipeline(3, tbb::make_filter<void, Item>(tbb::filter_mode::serial_in_order,
                                                         AfterHandOff(&fork, take_batch)) &
                                tbb::make_filter<Item, Item>(tbb::filter_mode::parallel,
                                                             AfterHandOff(&fork, compute)) &
                                tbb::make_filter<Item, void>(tbb::filter_mode::serial_in_order,
                                                             AfterHandOff(&fork, write)));
  detail::taken_over(&join);
}

}  // namespace

LocalPlacement::LocalPlacement(int threads) : threads_(threads) {}

std::uint64_t LocalPlacement::threads() const {
  return static_cast<std::uint64_t>(threads_.count());
}

std::string LocalPlacement::workers() const {
  return std::to_string(threads_.count()) + " threads";
}

void LocalPlacement::place(BatchFeed& feed) {
  threads_.run([&] { compute_and_write(feed); });
}

RunSummary run_experiment(const Experiment& experiment, const Model& model,
                          const RunOptions& options) {
  LocalPlacement local(options.threads);
  return RunSession(experiment, model, options, local).run();
}

}  // namespace tariffsim
