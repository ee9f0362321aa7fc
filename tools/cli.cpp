#include "cli.hpp"

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "mpi_run.hpp"
#include "python_commands.hpp"
#include "tariffsim/design.hpp"
#include "tariffsim/error.hpp"
#include "tariffsim/experiment.hpp"
#include "tariffsim/inspect.hpp"
#include "tariffsim/interrupt.hpp"
#include "tariffsim/merge.hpp"
#include "tariffsim/registry.hpp"
#include "tariffsim/result_check.hpp"
#include "tariffsim/result_file.hpp"
#include "tariffsim/run_session.hpp"
#include "tariffsim/search.hpp"
#include "tariffsim/validate.hpp"

namespace tariffsim::cli {

namespace {

constexpr int kExitOk = 0;
constexpr int kExitRuntime = 1;
constexpr int kExitInput = 2;

struct LogOptions {
  bool quiet = false;
  bool verbose = false;
  std::string log_file;
};

void setup_logging(const LogOptions& o) {
  std::vector<spdlog::sink_ptr> sinks{std::make_shared<spdlog::sinks::stderr_color_sink_mt>()};
  if (!o.log_file.empty())
    sinks.push_back(std::make_shared<spdlog::sinks::basic_file_sink_mt>(o.log_file));
  auto logger = std::make_shared<spdlog::logger>("tariffsim", sinks.begin(), sinks.end());
  logger->set_pattern("[%Y-%m-%d %H:%M:%S] [%^%l%$] %v");
  logger->set_level(o.quiet ? spdlog::level::warn
                            : (o.verbose ? spdlog::level::debug : spdlog::level::info));
  // Every line reaches the log file at once: a batch job killed by its scheduler keeps its log.
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
}

std::string joined_command_line(int argc, char** argv) {
  std::string out;
  for (int i = 0; i < argc; ++i) out += (i ? " " : "") + std::string(argv[i]);
  return out;
}

Experiment load(const std::string& path, const std::vector<std::string>& sets) {
  return load_experiment(path, sets, Registry::global());
}

// "i/N" -> (i, N). `what` names where the text came from, for the error messages: this one and
// validate's, which checks that i < N.
void parse_shard(const std::string& text, RunOptions& opt, const std::string& what) {
  const auto slash = text.find('/');
  try {
    if (slash == std::string::npos) throw std::invalid_argument(text);
    std::size_t used_i = 0, used_n = 0;
    opt.shard_index = std::stoull(text.substr(0, slash), &used_i);
    opt.shard_count = std::stoull(text.substr(slash + 1), &used_n);
    if (used_i != slash || used_n != text.size() - slash - 1) throw std::invalid_argument(text);
  } catch (const std::exception&) {
    throw InputError(what + ": expected i/N (e.g. 3/8, shards numbered from 0), got '" + text +
                     "'");
  }
  opt.shard_origin = what;
}

// "--shard slurm/N": shard SLURM_ARRAY_TASK_ID of N. Only on request, so an array job that runs
// tariffsim for another purpose is never sharded silently. The task id itself is the index (not
// id - SLURM_ARRAY_TASK_MIN), so a task resubmitted alone (--array=2) computes the shard it did
// before; N is given because SLURM_ARRAY_TASK_COUNT counts the tasks submitted, not the shards.
void parse_slurm_shard(const std::string& text, RunOptions& opt) {
  const std::string prefix = "slurm/";
  if (text == "slurm")
    throw InputError(
        "--shard slurm: give the number of shards, as in --shard slurm/32 (the shard "
        "index is SLURM_ARRAY_TASK_ID)");
  const char* id = std::getenv("SLURM_ARRAY_TASK_ID");
  if (!id || !*id)
    throw InputError("--shard " + text +
                     ": SLURM_ARRAY_TASK_ID is not set; run it in a Slurm "
                     "array task (task ids 0 to N-1) or give the shard as i/N");
  parse_shard(id + ("/" + text.substr(prefix.size())), opt,
              "--shard " + text + " with SLURM_ARRAY_TASK_ID=" + id);
  spdlog::info("Slurm array task {}: shard {}/{}", id, opt.shard_index, opt.shard_count);
}

void parse_shard_option(const std::string& text, RunOptions& opt) {
  if (text == "slurm" || text.rfind("slurm/", 0) == 0)
    parse_slurm_shard(text, opt);
  else
    parse_shard(text, opt, "--shard");
}

// results/x.h5 -> results/x.shard-3-of-8.h5, so the shards of one run sit side by side.
std::string shard_file_name(const std::string& file, const RunOptions& opt) {
  std::filesystem::path p(file);
  const std::string tag =
      ".shard-" + std::to_string(opt.shard_index) + "-of-" + std::to_string(opt.shard_count);
  return (p.parent_path() / (p.stem().string() + tag + p.extension().string())).string();
}

// A word as the shell reads it back: quoted unless it is plain.
std::string shell_word(const std::string& word) {
  const bool plain =
      !word.empty() &&
      word.find_first_not_of(
          "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-+=/.,:@%") ==
          std::string::npos;
  if (plain) return word;
  std::string quoted = "'";
  for (const char c : word) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

// The command that continues this run: the same words, with --resume for --force.
std::string resume_command(int argc, char** argv) {
  std::string out;
  bool resumes = false;
  for (int i = 0; i < argc; ++i) {
    const std::string word = argv[i];
    if (word == "--force") continue;
    resumes = resumes || word == "--resume";
    out += (out.empty() ? "" : " ") + shell_word(word);
  }
  return resumes ? out : out + " --resume";
}

// The one line of a run stopped by a signal; its exit code is 128 + the signal, as if killed.
int report_stopped_run(const RunSummary& s, const std::string& resume) {
  spdlog::warn("stopped by {}: {} of {} points done in {}; continue with: {}",
               signal_name(s.stopped_by), s.done_points, s.share_points, s.file, resume);
  return 128 + s.stopped_by;
}

void print_run_summary(const RunSummary& s, const RunOptions& opt) {
  std::printf(
      "wrote %s: %llu of %llu points (%llu outside the model), %llu replications in "
      "%.2f s\n",
      s.file.c_str(), static_cast<unsigned long long>(s.computed_points),
      static_cast<unsigned long long>(s.points), static_cast<unsigned long long>(s.failed_points),
      static_cast<unsigned long long>(s.replications), s.seconds);
  if (opt.shard_count > 1)
    std::printf("shard %llu/%llu: combine the shards with `tariffsim merge OUT.h5 SHARDS...`\n",
                static_cast<unsigned long long>(opt.shard_index),
                static_cast<unsigned long long>(opt.shard_count));
}

// What every rank (or the one process) does before computing: the shard, the experiment and its
// model. Validation is the RunSession's.
struct RunSetup {
  std::optional<Experiment> exp;
  std::unique_ptr<Model> model;
};

// The experiment, or every problem of its file and of the --output path at once (validate() judges
// the path of an experiment it can read; this one could not be read).
Experiment load_for_run(const std::string& path, const std::vector<std::string>& sets,
                        const RunOptions& opt) {
  try {
    return load(path, sets);
  } catch (const InputError& e) {
    const auto output = opt.output_path.empty()
                            ? std::nullopt
                            : output_path_problem(opt.output_path, opt.output_origin);
    if (!output) throw;
    std::vector<std::string> problems = e.problems();
    problems.push_back(*output);
    throw InputError(std::move(problems));
  }
}

RunSetup set_up_run(const std::string& path, const std::vector<std::string>& sets,
                    const std::string& shard, RunOptions& opt) {
  if (!shard.empty()) parse_shard_option(shard, opt);
  RunSetup setup;
  setup.exp = load_for_run(path, sets, opt);
  setup.model = experiment_model(*setup.exp, Registry::global());
  if (opt.shard_count > 1 && opt.output_path.empty()) {
    // The shards' file names come from [output] file, which must name a file to merge them into.
    const OutputTarget merged = output_target(*setup.exp, opt);
    if (auto problem = output_path_problem(merged.path, merged.origin)) throw InputError(*problem);
    opt.output_path = shard_file_name(merged.path, opt);
    opt.output_origin = merged.origin + ", for " + opt.shard_origin;
  }
  return setup;
}

// Under mpirun every rank sets up, then they agree before any work is handed out, so bad input
// stops the whole job with one message and exit code 2 instead of leaving ranks waiting.
// What `run` was asked: the experiment, its overrides and shard, and how to resume it.
struct RunRequest {
  std::string path;
  std::vector<std::string> sets;
  std::string shard;
  std::string resume_command;
};

// The summary and the exit code of a finished or stopped run.
int report_run(const RunSummary& s, const RunOptions& opt, const RunRequest& request) {
  if (s.stopped_by) return report_stopped_run(s, request.resume_command);
  print_run_summary(s, opt);
  return kExitOk;
}

int cmd_run_distributed(const MpiSession& mpi, const RunRequest& request, RunOptions opt) {
  RunSetup setup;
  const SetupError error =
      try_setup([&] { setup = set_up_run(request.path, request.sets, request.shard, opt); });
  const DistributedRun run{setup.exp ? &*setup.exp : nullptr, setup.model.get(), opt};
  RunRequest launched = request;
  launched.resume_command +=
      " (under the same MPI launcher, " + std::to_string(mpi.size()) + " ranks)";
  return run_distributed(mpi, run, error,
                         [&](const RunSummary& s) { return report_run(s, run.options, launched); });
}

int cmd_run(const MpiSession& mpi, const RunRequest& request, RunOptions opt) {
  // Several processes that do not form one MPI job would each compute the whole run.
  if (launched_under_mpi() && !built_with_mpi())
    throw InputError(
        "started by an MPI launcher, but this tariffsim was built without MPI, so "
        "each process would compute the whole run: rebuild with MPI found "
        "(tools/setup.sh installs Open MPI) or run without mpirun");
  install_stop_handlers();
  if (mpi.active()) return cmd_run_distributed(mpi, request, opt);
  const RunSetup setup = set_up_run(request.path, request.sets, request.shard, opt);
  LocalPlacement local(opt.threads);
  return report_run(RunSession(*setup.exp, *setup.model, opt, local).run(), opt, request);
}

int cmd_merge(const std::string& out, const std::vector<std::string>& shards,
              const std::string& command_line, bool force) {
  merge_result_files(out, shards, Registry::global(), command_line, force, "--force");
  std::printf("wrote %s from %zu shards\n", out.c_str(), shards.size());
  return kExitOk;
}

int cmd_validate(const std::string& path, const std::vector<std::string>& sets) {
  const Experiment exp = load(path, sets);
  const auto model = experiment_model(exp, Registry::global());
  validate(exp, *model);
  const Design design(exp, model->info());
  std::printf("%s: valid\n  experiment %s, model %s\n", path.c_str(), exp.name.c_str(),
              exp.model.c_str());
  if (runs_replications(exp, model->info()))
    std::printf("  %llu points x %llu replications = %llu replication units\n",
                static_cast<unsigned long long>(design.size()),
                static_cast<unsigned long long>(exp.replications),
                static_cast<unsigned long long>(estimated_replications(exp, *model)));
  else
    std::printf("  %llu points, point-level outputs only: no replications run\n",
                static_cast<unsigned long long>(design.size()));
  std::printf("  output %s\n", exp.output.file.c_str());
  if (exp.search)
    std::printf("  %s\n", search_plan(dynamic_cast<const SearchModel&>(*model)).c_str());
  return kExitOk;
}

int cmd_models() {
  for (const auto& name : Registry::global().names()) {
    const auto m = Registry::global().create(name);
    std::printf("%-22s %s\n", name.c_str(), m->info().description.c_str());
  }
  return kExitOk;
}

int cmd_describe(const std::string& name) {
  const auto m = Registry::global().create(name);
  std::cout << describe_model(m->info());
  return kExitOk;
}

int cmd_info(const std::string& path) {
  // Reading only: skip HDF5's file lock so a file can be inspected while a run is writing it.
  setenv("HDF5_USE_FILE_LOCKING", "FALSE", 0);
  std::cout << describe_result_file(path, Registry::global());
  return kExitOk;
}

// What the command line asks for: the options CLI11 fills, and the subcommands it parsed.
struct Request {
  LogOptions log;
  std::string exp_path, file_path, model_name, shard, merge_out;
  std::vector<std::string> sets, merge_in;
  RunOptions run_opt;
  bool no_progress = false, merge_force = false;
  CLI::App *run = nullptr, *validate = nullptr, *merge = nullptr, *models = nullptr,
           *describe = nullptr, *info = nullptr;
};

void declare_run(CLI::App& app, Request& r) {
  r.run = app.add_subcommand("run", "run an experiment and write its HDF5 file");
  r.run->add_option("experiment", r.exp_path, "experiment TOML file")->required();
  r.run->add_option("-o,--output", r.run_opt.output_path, "output file (overrides [output] file)");
  r.run
      ->add_option("--threads", r.run_opt.threads,
                   "worker threads (default: one per CPU this process may use)")
      ->check(CLI::Range(1, 4096));
  r.run->add_option("--set", r.sets,
                    "override a config entry: key=value (bare key = parameters.key)");
  r.run->add_flag("--no-progress", r.no_progress, "no progress bar or progress log lines");
  r.run->add_option("--shard", r.shard,
                    "compute shard i of N (i/N, from 0) into a shard file; slurm/N: shard "
                    "SLURM_ARRAY_TASK_ID of N");
  auto* resume = r.run->add_flag(
      "--resume", r.run_opt.resume,
      "reopen the output of an interrupted run and compute only the missing points (starts the "
      "run if it has no file yet)");
  r.run
      ->add_flag("--force", r.run_opt.force,
                 "replace an existing output file (once the new file's layout is complete)")
      ->excludes(resume);
  // The engine's messages name these options as the user typed them.
  r.run_opt.output_origin = "--output";
  r.run_opt.resume_origin = "--resume";
  r.run_opt.force_origin = "--force";
}

void declare_other_commands(CLI::App& app, Request& r) {
  r.validate = app.add_subcommand("validate", "check an experiment; print points and cost");
  r.validate->add_option("experiment", r.exp_path, "experiment TOML file")->required();
  r.validate->add_option("--set", r.sets, "override a config entry: key=value");
  r.merge = app.add_subcommand("merge", "combine shard files into the file one run would write");
  r.merge->add_option("output", r.merge_out, "merged HDF5 file to write")->required();
  r.merge->add_option("shards", r.merge_in, "shard files")->required();
  r.merge->add_flag("--force", r.merge_force,
                    "replace an existing output file (once the merge is complete)");
  r.models = app.add_subcommand("models", "list the models");
  r.describe = app.add_subcommand("describe", "parameters and outputs of a model, with units");
  r.describe->add_option("model", r.model_name, "model name")->required();
  r.info = app.add_subcommand("info", "what a result file holds and whether it is complete");
  r.info->add_option("file", r.file_path, "HDF5 result file")->required();
}

// Runs the parsed subcommand; errors become messages and exit codes.
int dispatch(const MpiSession& mpi, const Request& r, int argc, char** argv) {
  try {
    if (r.run->parsed())
      return cmd_run(mpi, {r.exp_path, r.sets, r.shard, resume_command(argc, argv)}, r.run_opt);
    if (r.merge->parsed())
      return cmd_merge(r.merge_out, r.merge_in, r.run_opt.command_line, r.merge_force);
    if (r.validate->parsed()) return cmd_validate(r.exp_path, r.sets);
    if (r.models->parsed()) return cmd_models();
    if (r.describe->parsed()) return cmd_describe(r.model_name);
    if (r.info->parsed()) return cmd_info(r.file_path);
  } catch (const InputError& e) {
    for (const auto& p : e.problems()) std::fprintf(stderr, "error: %s\n", p.c_str());
    return kExitInput;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return kExitRuntime;
  }
  return kExitInput;
}

// After a failed HDF5 write (a full disk) the library's exit-time cleanup of its half-closed
// handles can crash; everything worth keeping is flushed already, so a failed command leaves
// without it (under MPI too, once MPI is finalised: an MPI rank that fails its set-up returns).
[[noreturn]] void leave_after_failure(MpiSession& mpi) {
  spdlog::default_logger()->flush();
  std::fflush(nullptr);
  mpi.finalize();
  std::_Exit(kExitRuntime);
}

}  // namespace

// dispatch() turns every failure of a command into its exit code; what escapes it (set-up before a
// command runs, e.g. out of memory) still ends with a message and the runtime exit code.
int main(int argc, char** argv) try {
  MpiSession mpi(&argc, &argv);
  silence_hdf5_errors();  // one message per failure, from the exception, not HDF5's stack
  CLI::App app{"tariffsim: parallel Monte Carlo for the game theory of trade agreements"};
  app.require_subcommand(1);
  app.fallthrough();  // --quiet, --verbose and --log-file also after the subcommand
  app.set_version_flag("--version", std::string("tariffsim ") + TARIFFSIM_VERSION + " (" +
                                        TARIFFSIM_GIT_COMMIT + "), MPI " +
                                        (built_with_mpi() ? "yes" : "no"));
  Request r;
  app.add_flag("-q,--quiet", r.log.quiet, "only warnings and errors");
  app.add_flag("-v,--verbose", r.log.verbose, "debug output");
  app.add_option("--log-file", r.log.log_file, "also write the log to this file");
  r.run_opt.command_line = joined_command_line(argc, argv);
  declare_run(app, r);
  declare_other_commands(app, r);
  declare_python_commands(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? kExitOk : kExitInput;
  }
  // Under MPI only rank 0 reports; the others speak up only for warnings and errors.
  if (mpi.rank() != 0) r.log.quiet = true;
  setup_logging(r.log);
  r.run_opt.progress = !r.no_progress && !r.log.quiet;
  // Under mpirun, commands other than run are one process's work: rank 0 does it, the rest exit.
  if (mpi.active() && !r.run->parsed() && mpi.rank() != 0) return kExitOk;
  const int code = dispatch(mpi, r, argc, argv);
  if (code == kExitRuntime) leave_after_failure(mpi);
  return code;
} catch (const std::exception& e) {
  std::fprintf(stderr, "error: %s\n", e.what());
  return kExitRuntime;
} catch (...) {
  std::fprintf(stderr, "error: an unknown exception\n");
  return kExitRuntime;
}

}  // namespace tariffsim::cli
