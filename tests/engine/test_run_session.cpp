// The run driver: threads as asked whatever the affinity mask, messages in the words of RunOptions
// for a programmatic caller, a placement that fails leaving a file a resumed run finishes, and a
// new file made in two steps (the run computes while its layout is written).
#include <tbb/info.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>

#include "tariffsim/error.hpp"
#include "tariffsim/experiment.hpp"
#include "tariffsim/file_publish.hpp"
#include "tariffsim/model.hpp"
#include "tariffsim/registry.hpp"
#include "tariffsim/result_file.hpp"
#include "tariffsim/run_session.hpp"
#include "tariffsim/runner.hpp"

namespace {

using namespace tariffsim;

// Replications that count their arrivals: with `meet` = n > 0, each waits (up to 20 s) until n
// have arrived, so a run of n replications meets only if n threads run them at once.
std::atomic<int> g_arrived{0};
std::atomic<bool> g_gave_up{false};

class MeetingModel : public Model {
 public:
  MeetingModel() {
    info_.name = "meeting";
    info_.version = "1";
    info_.params = {
        real_param("mu", 0.0, Range{-1e9, 1e9}, "", "the value"),
        int_param("meet", 0, Range{0, 4096}, "", "replications that wait for each other")};
    info_.metrics = {{"x", "", "", OutputLevel::Replication}};
  }
  const ModelInfo& info() const override { return info_; }
  std::unique_ptr<PointState> make_state() const override { return std::make_unique<State>(); }
  void prepare(const Point& p, PointOutputs&, PointState& state) const override {
    auto& s = static_cast<State&>(state);
    s.mu = std::get<double>(p.values()[0]);
    s.meet = std::get<std::int64_t>(p.values()[1]);
  }
  void replicate(const PointState& state, Replication& rep) const override {
    const auto& s = static_cast<const State&>(state);
    if (s.meet > 0) wait_for_the_others(static_cast<int>(s.meet));
    rep.metric(0, s.mu);
  }

 private:
  struct State : PointState {
    double mu = 0;
    std::int64_t meet = 0;
  };
  static void wait_for_the_others(int n) {
    g_arrived.fetch_add(1);
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (g_arrived.load() < n) {
      if (std::chrono::steady_clock::now() > give_up) {
        g_gave_up = true;
        return;
      }
      std::this_thread::yield();
    }
  }
  ModelInfo info_;
};

const Registry& registry() {
  static const Registry r = [] {
    Registry reg;
    reg.add("meeting", [] { return std::make_unique<MeetingModel>(); });
    return reg;
  }();
  return r;
}

Experiment experiment(const std::string& body) {
  return parse_experiment("[experiment]\nname = \"t\"\nmodel = \"meeting\"\nseed = 3\n" + body,
                          "session.toml", {}, registry());
}

// A fresh path in the temporary folder, removed with its object.
class TempFile {
 public:
  explicit TempFile(const std::string& name)
      : path_(std::filesystem::temp_directory_path() /
              ("tariffsim_session_" + std::to_string(getpid()) + "_" + name + ".h5")) {
    std::filesystem::remove(path_);
  }
  ~TempFile() { std::filesystem::remove(path_); }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  std::string str() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

RunOptions options_for(const TempFile& file, int threads = 1) {
  RunOptions opt;
  opt.output_path = file.str();
  opt.threads = threads;
  opt.progress = false;
  return opt;
}

// Takes the batches and writes them through the feed on the calling thread; throws, as a
// placement that loses a worker does, after `batches` of them.
class FailingPlacement : public BatchPlacement {
 public:
  explicit FailingPlacement(int batches) : batches_(batches) {}
  std::uint64_t threads() const override { return 1; }
  std::string workers() const override { return "a test placement"; }
  void place(BatchFeed& feed) override {
    for (int written = 0;; ++written) {
      if (written == batches_) throw std::runtime_error("a worker was lost");
      const auto range = feed.next();
      if (!range) return;
      feed.write(feed.computer().compute(range->first, range->count));
    }
  }

 private:
  int batches_;
};

}  // namespace

TEST_CASE("a run uses the threads it is given, beyond the CPUs of the affinity mask",
          "[run_session]") {
  // TBB sizes its default arena from the affinity mask; one more thread than it holds must run.
  const int threads = static_cast<int>(tbb::info::default_concurrency()) + 1;
  g_arrived = 0;
  g_gave_up = false;
  const TempFile out("threads");
  const Experiment exp =
      experiment("replications = " + std::to_string(threads) +
                 "\nblock_size = 1\n[parameters]\nmeet = " + std::to_string(threads) + "\n");
  const MeetingModel model;
  const RunSummary s = run_experiment(exp, model, options_for(out, threads));
  CHECK(s.replications == static_cast<std::uint64_t>(threads));
  CHECK(g_arrived.load() == threads);
  CHECK_FALSE(g_gave_up.load());
}

TEST_CASE("a programmatic run's messages name RunOptions, not command-line flags",
          "[run_session]") {
  const TempFile out("messages");
  const Experiment exp = experiment("[grid]\nmu = [1.0, 2.0]\n");
  const MeetingModel model;
  run_experiment(exp, model, options_for(out));
  try {
    run_experiment(exp, model, options_for(out));
    FAIL("a second run onto the file must be refused");
  } catch (const InputError& e) {
    const std::string message = e.what();
    CHECK(message.find("RunOptions::output_path") != std::string::npos);
    CHECK(message.find("RunOptions::resume") != std::string::npos);
    CHECK(message.find("RunOptions::force") != std::string::npos);
    CHECK(message.find("--") == std::string::npos);
  }
}

TEST_CASE("a programmatic resume of another config's file names RunOptions, not flags",
          "[run_session]") {
  const TempFile out("resume-messages");
  const MeetingModel model;
  run_experiment(experiment("[grid]\nmu = [1.0, 2.0]\n"), model, options_for(out));
  RunOptions opt = options_for(out);
  opt.resume = true;
  try {
    run_experiment(experiment("[grid]\nmu = [1.0, 3.0]\n"), model, opt);
    FAIL("resuming a file of another config must be refused");
  } catch (const InputError& e) {
    const std::string message = e.what();
    CHECK(message.find("RunOptions::resume: ") != std::string::npos);
    CHECK(message.find("different config") != std::string::npos);
    CHECK(message.find("RunOptions::force") != std::string::npos);
    CHECK(message.find("--") == std::string::npos);
  }
}

TEST_CASE("a placement that fails leaves a file that a resumed run finishes", "[run_session]") {
  const TempFile out("failing");
  const Experiment exp =
      experiment("[grid]\nmu = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0]\n");
  const MeetingModel model;
  RunOptions opt = options_for(out);
  {
    FailingPlacement fails_after_one(1);
    RunSession session(exp, model, opt, fails_after_one);
    REQUIRE(session.path() == out.str());
    REQUIRE_THROWS_WITH(session.run(), "a worker was lost");
  }

  opt.resume = true;
  FailingPlacement never_fails(-1);
  const RunSummary s = RunSession(exp, model, opt, never_fails).run();
  CHECK(s.points == 12);
  CHECK(s.computed_points > 0);
  CHECK(s.computed_points < 12);  // the first batch was written before the failure
  CHECK(s.done_points == 12);
  CHECK(s.share_points == 12);
  CHECK(s.stopped_by == 0);
}

TEST_CASE("a new file made in two steps: mistakes at once, the name only with the whole layout",
          "[run_session]") {
  const TempFile out("two-steps");
  const std::string path = out.str(), temporary = temporary_path(path);
  const Experiment exp = experiment("[grid]\nmu = [1.0, 2.0, 3.0]\n");
  const MeetingModel model;
  FileLayout layout = file_layout(exp, model.info(), 3);
  layout.path_origin = "test";
  layout.force_origin = "--force";
  using Mode = ResultFile::Mode;
  constexpr auto kTwoSteps = ResultFile::Making::InTwoSteps;

  SECTION("the first step makes the temporary file; the second the layout, under the name") {
    ResultFile file(path, layout, Mode::Create, kTwoSteps);
    CHECK_FALSE(std::filesystem::exists(path));
    CHECK(std::filesystem::exists(temporary));
    file.make_layout();
    CHECK(std::filesystem::exists(path));
    CHECK_FALSE(std::filesystem::exists(temporary));
    file.finish();
  }
  SECTION("a path that cannot be a file is refused by the first step") {
    const TempFile blocker("two-steps-blocker");
    std::ofstream(blocker.str()) << "a file, not a folder\n";
    CHECK_THROWS_AS(ResultFile(blocker.str() + "/out.h5", layout, Mode::Create, kTwoSteps),
                    InputError);
  }
  SECTION("a file that appears at the path meanwhile is kept, and no temporary is left") {
    ResultFile file(path, layout, Mode::Create, kTwoSteps);
    std::ofstream(path) << "precious\n";
    CHECK_THROWS_AS(file.make_layout(), InputError);
    CHECK_FALSE(std::filesystem::exists(temporary));
    std::ifstream in(path);
    std::string line;
    std::getline(in, line);
    CHECK(line == "precious");
  }
  SECTION("a file given up before its second step leaves nothing behind") {
    { const ResultFile file(path, layout, Mode::Create, kTwoSteps); }
    CHECK_FALSE(std::filesystem::exists(path));
    CHECK_FALSE(std::filesystem::exists(temporary));
  }
}
