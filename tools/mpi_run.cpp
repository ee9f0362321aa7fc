#include "mpi_run.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdlib>
#include <string>

#if TARIFFSIM_HAVE_MPI
#include <mpi.h>

#include <chrono>
#include <cstdint>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <thread>
#include <type_traits>

#include "tariffsim/error.hpp"
#include "tariffsim/kernel.hpp"
#include "tariffsim/run_session.hpp"
#endif

namespace tariffsim::cli {

bool launched_under_mpi() {
  // The job's size where the launcher says it (Open MPI's mpirun, MPICH/Hydra); PMIx and PMI
  // launches such as srun --mpi=pmix give a rank, and MPI_Init tells the size.
  for (const char* var : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE"})
    if (const char* v = std::getenv(var)) return std::atoi(v) > 1;
  return std::getenv("PMIX_RANK") != nullptr || std::getenv("PMI_RANK") != nullptr;
}

#if !TARIFFSIM_HAVE_MPI

bool built_with_mpi() {
  return false;
}
MpiSession::MpiSession(int*, char***) {}
MpiSession::~MpiSession() = default;
void MpiSession::finalize() {}
int run_distributed(const MpiSession&, const DistributedRun&, const SetupError&, const RunReport&) {
  return 1;  // unreachable: cmd_run refuses a launch of several processes without MPI
}

#else

bool built_with_mpi() {
  return true;
}

MpiSession::MpiSession(int* argc, char*** argv) {
  if (!launched_under_mpi()) return;
  initialised_ = true;
  // Only the main thread calls MPI; TBB's workers never do.
  int provided = 0;
  MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
  active_ = size_ > 1;
}

MpiSession::~MpiSession() {
  finalize();
}

void MpiSession::finalize() {
  if (initialised_) MPI_Finalize();
  initialised_ = false;
}

namespace {

enum Tag : int { kTagAssign = 1, kTagStop, kTagResultSize, kTagResultBytes, kTagFailed };
constexpr std::uint64_t kChunkBytes = std::uint64_t{1} << 30;  // MPI counts are ints

// --- a PointBatch (less its parameter values, which rank 0 recomputes) as bytes -------------

class ByteWriter {
 public:
  template <class T>
  void put(const T& x) {
    static_assert(std::is_trivially_copyable_v<T>);
    const auto* p = reinterpret_cast<const char*>(&x);
    bytes_.insert(bytes_.end(), p, p + sizeof(T));
  }
  template <class T>
  void put_vector(const std::vector<T>& v) {
    static_assert(std::is_trivially_copyable_v<T>);
    put<std::uint64_t>(v.size());
    const auto* p = reinterpret_cast<const char*>(v.data());
    bytes_.insert(bytes_.end(), p, p + v.size() * sizeof(T));
  }
  // One vector per point (a point's replications, however many it ran).
  template <class T>
  void put_rows(const std::vector<std::vector<T> >& rows) {
    put<std::uint64_t>(rows.size());
    for (const auto& v : rows) put_vector(v);
  }
  std::vector<char>& bytes() { return bytes_; }

 private:
  std::vector<char> bytes_;
};

class ByteReader {
 public:
  explicit ByteReader(const std::vector<char>& bytes) : bytes_(bytes) {}
  template <class T>
  T get() {
    T x;
    std::memcpy(&x, take(sizeof(T)), sizeof(T));
    return x;
  }
  template <class T>
  std::vector<T> get_vector() {
    const auto n = get<std::uint64_t>();
    std::vector<T> v(n);
    if (n > 0) std::memcpy(v.data(), take(n * sizeof(T)), n * sizeof(T));
    return v;
  }
  template <class T>
  std::vector<std::vector<T> > get_rows() {
    std::vector<std::vector<T> > rows(get<std::uint64_t>());
    for (auto& v : rows) v = get_vector<T>();
    return rows;
  }

 private:
  const char* take(std::size_t n) {
    if (bytes_.size() - pos_ < n) throw std::runtime_error("MPI: a result message is truncated");
    const char* p = bytes_.data() + pos_;
    pos_ += n;
    return p;
  }
  const std::vector<char>& bytes_;
  std::size_t pos_ = 0;
};

std::vector<char> encode(const PointBatch& b) {
  ByteWriter w;
  w.put(b.first);
  w.put(b.count);
  w.put_vector(b.status);
  w.put<std::uint64_t>(b.metrics.size());
  for (const auto& m : b.metrics) {
    w.put_vector(m.value);
    w.put_vector(m.stats);
    w.put_vector(m.quantiles);
  }
  w.put_vector(b.replications_run);
  w.put_rows(b.replications);
  w.put<std::uint64_t>(b.series.size());
  for (const auto& s : b.series) w.put_rows(s);
  return std::move(w.bytes());
}

PointBatch decode(const std::vector<char>& bytes) {
  ByteReader r(bytes);
  PointBatch b;
  b.first = r.get<std::uint64_t>();
  b.count = r.get<std::uint64_t>();
  b.status = r.get_vector<std::int32_t>();
  b.metrics.resize(r.get<std::uint64_t>());
  for (auto& m : b.metrics) {
    m.value = r.get_vector<double>();
    m.stats = r.get_vector<Accumulator>();
    m.quantiles = r.get_vector<double>();
  }
  b.replications_run = r.get_vector<std::uint64_t>();
  b.replications = r.get_rows<double>();
  b.series.resize(r.get<std::uint64_t>());
  for (auto& s : b.series) s = r.get_rows<double>();
  return b;
}

// --- messages ------------------------------------------------------------------------------

// Waits without spinning: a busy MPI_Probe would take a core from the worker beside rank 0.
MPI_Status wait_for_message(int source) {
  MPI_Status st;
  auto pause = std::chrono::microseconds(20);
  for (int flag = 0;;) {
    MPI_Iprobe(source, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &st);
    if (flag) return st;
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::microseconds(2000));
  }
}

void send_bytes(const std::vector<char>& bytes, int dest) {
  const std::uint64_t size = bytes.size();
  MPI_Send(&size, 1, MPI_UINT64_T, dest, kTagResultSize, MPI_COMM_WORLD);
  for (std::uint64_t at = 0; at < size; at += kChunkBytes) {
    const int n = static_cast<int>(std::min(kChunkBytes, size - at));
    MPI_Send(bytes.data() + at, n, MPI_BYTE, dest, kTagResultBytes, MPI_COMM_WORLD);
  }
}

std::vector<char> receive_bytes(int source) {
  std::uint64_t size = 0;
  MPI_Recv(&size, 1, MPI_UINT64_T, source, kTagResultSize, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
  std::vector<char> bytes(size);
  for (std::uint64_t at = 0; at < size; at += kChunkBytes) {
    const int n = static_cast<int>(std::min(kChunkBytes, size - at));
    MPI_Recv(bytes.data() + at, n, MPI_BYTE, source, kTagResultBytes, MPI_COMM_WORLD,
             MPI_STATUS_IGNORE);
  }
  return bytes;
}

void send_text(const std::string& text, int dest, int tag) {
  MPI_Send(text.data(), static_cast<int>(text.size()), MPI_CHAR, dest, tag, MPI_COMM_WORLD);
}

std::string receive_text(int source, int tag) {
  MPI_Status st;
  MPI_Probe(source, tag, MPI_COMM_WORLD, &st);
  int n = 0;
  MPI_Get_count(&st, MPI_CHAR, &n);
  std::string text(static_cast<std::size_t>(n), '\0');
  MPI_Recv(text.data(), n, MPI_CHAR, source, tag, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
  return text;
}

// Every rank reports its setup; if any failed, all stop with the worst exit code. The failure
// is printed once: by rank 0 if it failed, else by the lowest failing rank.
int agree_on_setup(const MpiSession& mpi, const SetupError& mine) {
  std::vector<int> codes(static_cast<std::size_t>(mpi.size()));
  MPI_Allgather(&mine.code, 1, MPI_INT, codes.data(), 1, MPI_INT, MPI_COMM_WORLD);
  const auto first_failed = std::find_if(codes.begin(), codes.end(), [](int c) { return c != 0; });
  if (first_failed == codes.end()) return 0;
  if (first_failed - codes.begin() == mpi.rank()) {
    const std::string who = mpi.rank() == 0 ? "" : "rank " + std::to_string(mpi.rank()) + ": ";
    for (const auto& m : mine.messages)
      std::fprintf(stderr, "error: %s%s\n", who.c_str(), m.c_str());
  }
  return *std::max_element(codes.begin(), codes.end());
}

// Ranks whose CPUs take different kernel clones would write a file of mixed last bits.
SetupError same_kernels_everywhere(const MpiSession& mpi) {
  char mine[16] = {};
  std::strncpy(mine, kernel_isa(), sizeof mine - 1);
  std::vector<char> all(sizeof mine * static_cast<std::size_t>(mpi.size()));
  MPI_Allgather(mine, sizeof mine, MPI_CHAR, all.data(), sizeof mine, MPI_CHAR, MPI_COMM_WORLD);
  std::string listing;
  bool mixed = false;
  for (int r = 0; r < mpi.size(); ++r) {
    const std::string isa(all.data() + r * sizeof mine);
    mixed = mixed || isa != mine;
    listing += (r ? ", " : "") + ("rank " + std::to_string(r) + ": " + isa);
  }
  if (!mixed || mpi.rank() != 0) return {mixed ? 2 : 0, {}};
  return {2,
          {"the ranks' CPUs run different vector code paths (" + listing +
           "), whose last bits differ: run the job on nodes of one kind"}};
}

// Threads on every rank together (rank 0 writes and computes nothing): they size the batches.
int total_threads(int mine) {
  int total = 0;
  MPI_Allreduce(&mine, &total, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
  return total;
}

// A worker could not compute its batch: rank 0 has written the batches in flight and stopped
// every worker, so the job ends without an abort.
struct WorkerFailed : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// --- rank 0: hand out batches; its RunSession writes them -------------------------------------

class MpiPlacement final : public BatchPlacement {
 public:
  MpiPlacement(const MpiSession& mpi, int parallelism) : mpi_(mpi), parallelism_(parallelism) {}

  std::uint64_t threads() const override { return static_cast<std::uint64_t>(parallelism_); }
  std::string workers() const override {
    return std::to_string(mpi_.size() - 1) + " MPI ranks (" + std::to_string(parallelism_) +
           " threads)";
  }

  // Writes each batch as it arrives; throws WorkerFailed once the batches in flight are written
  // if a worker failed.
  void place(BatchFeed& feed) override {
    for (int w = 1; w < mpi_.size(); ++w) hand_out(feed, w);
    while (busy_ > 0) {
      const MPI_Status st = wait_for_message(MPI_ANY_SOURCE);
      const int worker = st.MPI_SOURCE;
      --busy_;
      if (st.MPI_TAG == kTagFailed) {
        spdlog::error("rank {}: {}", worker, receive_text(worker, kTagFailed));
        failed_ = true;
        hand_out(feed, worker);
        continue;
      }
      PointBatch batch = decode(receive_bytes(worker));
      // The worker computes its next batch while this one is written.
      hand_out(feed, worker);
      // The workers do not send a batch's parameter values: rank 0's design gives the same ones.
      feed.computer().fill_values(batch);
      feed.write(batch);
    }
    if (failed_) throw WorkerFailed("a rank failed");
  }

 private:
  // Gives the worker the next batch, or tells it to stop (no batches left, a rank failed, or a
  // stop signal came: the batches in flight are still written).
  void hand_out(BatchFeed& feed, int worker) {
    const auto range = failed_ ? std::nullopt : feed.next();
    const std::uint64_t msg[2] = {range ? range->first : 0, range ? range->count : 0};
    MPI_Send(msg, 2, MPI_UINT64_T, worker, range ? kTagAssign : kTagStop, MPI_COMM_WORLD);
    busy_ += range ? 1 : 0;
  }

  const MpiSession& mpi_;
  const int parallelism_;
  int busy_ = 0;
  bool failed_ = false;
};

// Rank 0: sets up its RunSession (validation, the file), waits for the workers' setup, then runs
// and reports.
int coordinate(const MpiSession& mpi, const DistributedRun& run, const RunReport& report) {
  MpiPlacement placement(mpi, total_threads(0));
  std::unique_ptr<RunSession> session;
  const SetupError opened = try_setup([&] {
    session = std::make_unique<RunSession>(*run.experiment, *run.model, run.options, placement);
  });
  if (const int code = agree_on_setup(mpi, opened)) return code;
  if (const int code = agree_on_setup(mpi, {})) return code;  // the workers' computers
  try {
    return report(session->run());
  } catch (const WorkerFailed&) {
    spdlog::error("{}: incomplete (complete = 0); `tariffsim run --resume` computes the rest",
                  session->path());
    return 1;
  }
}

// --- ranks 1..K-1: compute what rank 0 hands out ---------------------------------------------

void work(const BatchComputer& computer, ComputeThreads& threads) {
  for (;;) {
    const MPI_Status st = wait_for_message(0);
    std::uint64_t msg[2];
    MPI_Recv(msg, 2, MPI_UINT64_T, 0, st.MPI_TAG, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    if (st.MPI_TAG == kTagStop) return;
    try {
      PointBatch batch;
      // Only the computation runs on the threads: MPI is called from this thread alone.
      threads.run([&] { batch = computer.compute(msg[0], msg[1]); });
      send_bytes(encode(batch), 0);
    } catch (const std::exception& e) {
      send_text("points " + std::to_string(msg[0]) + " to " + std::to_string(msg[0] + msg[1] - 1) +
                    ": " + e.what(),
                0, kTagFailed);
    }
  }
}

// A worker builds its computer only once rank 0 has validated the experiment: a design is built
// from valid experiments alone.
int serve(const MpiSession& mpi, const DistributedRun& run) {
  ComputeThreads threads(run.options.threads);
  const int parallelism = total_threads(threads.count());
  if (const int code = agree_on_setup(mpi, {})) return code;  // rank 0's session
  std::unique_ptr<BatchComputer> computer;
  const SetupError built = try_setup([&] {
    computer = std::make_unique<BatchComputer>(*run.experiment, *run.model,
                                               static_cast<std::uint64_t>(parallelism));
  });
  if (const int code = agree_on_setup(mpi, built)) return code;
  work(*computer, threads);
  return 0;
}

}  // namespace

int run_distributed(const MpiSession& mpi, const DistributedRun& run, const SetupError& setup_error,
                    const RunReport& report) {
  if (const int code = agree_on_setup(mpi, setup_error)) return code;
  if (const int code = agree_on_setup(mpi, same_kernels_everywhere(mpi))) return code;
  try {
    return mpi.rank() == 0 ? coordinate(mpi, run, report) : serve(mpi, run);
  } catch (const std::exception& e) {
    // The other ranks wait on this one and would never return: end the job. What is written is
    // flushed batch by batch, so a resumed run continues it.
    std::fprintf(stderr, "error: rank %d: %s\n", mpi.rank(), e.what());
    spdlog::default_logger()->flush();
    MPI_Abort(MPI_COMM_WORLD, 1);
    return 1;
  }
}

#endif

}  // namespace tariffsim::cli
