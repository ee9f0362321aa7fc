// Copying result files' rows: `tariffsim merge` (shard files -> the file a single run would have
// written) and the rebuild of a file whose chunk indexes a kill may have torn.
#include <H5Cpp.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <optional>
#include <stdexcept>

#include "hdf5_rows.hpp"
#include "tariffsim/design.hpp"
#include "tariffsim/error.hpp"
#include "tariffsim/kernel.hpp"
#include "tariffsim/registry.hpp"
#include "tariffsim/result_check.hpp"
#include "tariffsim/result_file.hpp"
#include "tariffsim/runner.hpp"

namespace tariffsim {

namespace {

struct Shard {
  ResultHeader header;
  std::vector<std::uint8_t> done;
};

// A shard the data of which cannot be read (a damaged chunk): bad input, unlike a failed write.
class ShardReadError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Shards must come from one run: the same config, model version and vector code path.
void check_same_run(const Shard& shard, const Shard& ref) {
  const ResultHeader& s = shard.header;
  const ResultHeader& r = ref.header;
  if (s.config_sha256 != r.config_sha256 || s.experiment != r.experiment)
    throw InputError(s.path + ": written by a different config than " + r.path +
                     " (config_sha256 differs); shards must come from the same experiment");
  if (s.model_version != r.model_version)
    throw InputError(s.path + ": written by model version " + s.model_version + ", " + r.path +
                     " by " + r.model_version + "; shards must come from the same build");
  if (s.kernel_isa != r.kernel_isa)
    throw InputError(s.path + ": its kernels ran as " + s.kernel_isa + ", " + r.path + "'s as " +
                     r.kernel_isa +
                     " (the last bits of vectorised math differ between them); "
                     "rerun one of them on a machine of the other kind");
}

// A shard checked whole before anything is written: its header, then (once it is known to be of
// the same run as the first) every dataset against the layout the config implies.
Shard read_shard(const std::string& path, const FileLayout& layout, const Shard* ref) {
  const CheckedResultFile file(path, "merge: shard");
  Shard s{file.header(), file.done()};
  if (ref) check_same_run(s, *ref);
  file.check_layout(layout);
  return s;
}

// Together the shards cover each point exactly once.
void check_coverage(const std::vector<Shard>& shards) {
  const std::size_t P = shards.front().done.size();
  std::vector<std::size_t> owner(P, shards.size());
  std::uint64_t missing = 0, first_missing = P;
  for (std::size_t k = 0; k < shards.size(); ++k)
    for (std::size_t i = 0; i < P; ++i) {
      if (!shards[k].done[i]) continue;
      if (owner[i] != shards.size())
        throw InputError("point " + std::to_string(i) + " is in both " +
                         shards[owner[i]].header.path + " and " + shards[k].header.path +
                         "; each point must be in one shard");
      owner[i] = k;
    }
  for (std::size_t i = 0; i < P; ++i)
    if (owner[i] == shards.size()) {
      ++missing;
      first_missing = std::min<std::uint64_t>(first_missing, i);
    }
  if (missing > 0)
    throw InputError(std::to_string(missing) + " of " + std::to_string(P) +
                     " points are in no shard (the first is point " +
                     std::to_string(first_missing) + "); run the missing shards, or --resume them");
}

// Copies rows [first, first + count) x columns [0, cols) of a dataset, in its own file type, from
// src to dst, in pieces of bounded size (hdf5_rows.hpp piece_bytes): a shard's run of rows can be
// far larger than memory.
void copy_box(const H5::DataSet& src, H5::DataSet& dst, hsize_t first, hsize_t count,
              hsize_t cols) {
  const H5::DataType type = src.getDataType();
  std::vector<char> buffer;
  detail::for_each_piece(
      dst, first, count, cols, [&](hsize_t row, hsize_t rows, hsize_t col, hsize_t n) {
        const detail::RowSlab from(src, row, rows, col, n), to(dst, row, rows, col, n);
        buffer.resize(from.elements * type.getSize());
        try {
          src.read(buffer.data(), type, from.memory, from.file);
        } catch (const H5::Exception& e) {
          throw ShardReadError("rows " + std::to_string(row) + ".." +
                               std::to_string(row + rows - 1) +
                               " cannot be read (damaged?): " + detail::hdf5_cause(e));
        }
        dst.write(buffer.data(), type, to.memory, to.file);
      });
}

// Copies rows [first, first + count) of a per-replication dataset: of each point only the columns
// the run wrote (its replications, status/replications, rounded up to whole chunks), so the merged
// file allocates the same chunks as a single run and a point that stopped early costs no more.
void copy_replication_rows(const H5::DataSet& src, H5::DataSet& dst, const H5::DataSet& run,
                           hsize_t first, hsize_t count) {
  constexpr hsize_t kRowsRead = 1u << 16;  // status/replications is read in blocks as well
  std::vector<std::uint64_t> reps;
  for (hsize_t block = first; block < first + count; block += kRowsRead) {
    const hsize_t n = std::min(kRowsRead, first + count - block);
    reps.resize(n);
    const detail::RowSlab slab(run, block, n);
    run.read(reps.data(), H5::PredType::NATIVE_UINT64, slab.memory, slab.file);
    for (hsize_t i = 0; i < n;) {
      hsize_t j = i + 1;
      while (j < n && reps[j] == reps[i]) ++j;
      if (reps[i] > 0)
        copy_box(src, dst, block + i, j - i, detail::replication_extent(dst, reps[i]));
      i = j;
    }
  }
}

// Copies rows [first, first + count) of any dataset of the experiment group.
void copy_rows(const H5::Group& src, const std::string& name, H5::DataSet& dst, hsize_t first,
               hsize_t count) {
  const H5::DataSet from = src.openDataSet(name);
  if (detail::is_per_replication(name)) {
    copy_replication_rows(from, dst, src.openDataSet("status/replications"), first, count);
    return;
  }
  const auto dims = detail::dims_of(dst);
  copy_box(from, dst, first, count, dims.size() >= 2 ? dims[1] : 1);
}

// Calls f(first, count) for each run of consecutive set bits.
void for_each_run(const std::vector<std::uint8_t>& bits,
                  const std::function<void(hsize_t, hsize_t)>& f) {
  for (std::size_t i = 0; i < bits.size();) {
    if (!bits[i]) {
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j < bits.size() && bits[j]) ++j;
    f(i, j - i);
    i = j;
  }
}

// The output's handles, opened once: after a failed write they are dropped with their close
// reports muted (hdf5_rows.hpp MutedCerr).
struct MergeTarget {
  H5::H5File file;
  H5::Group group;
  std::vector<H5::DataSet> datasets;  // as result_dataset_paths
  MergeTarget(const std::string& out, const FileLayout& layout)
      : file(out, H5F_ACC_RDWR), group(file.openGroup(layout.experiment->name)) {
    for (const auto& name : result_dataset_paths(layout))
      datasets.push_back(group.openDataSet(name));
  }
};

void copy_shard(const Shard& shard, MergeTarget& target, const std::vector<std::string>& names) {
  H5::H5File src_file(shard.header.path, H5F_ACC_RDONLY);
  H5::Group src = src_file.openGroup(shard.header.experiment);
  for (std::size_t d = 0; d < names.size(); ++d) {
    try {
      for_each_run(shard.done, [&](hsize_t first, hsize_t count) {
        copy_rows(src, names[d], target.datasets[d], first, count);
      });
    } catch (const ShardReadError& e) {
      throw InputError("merge: shard '" + shard.header.path + "': dataset " + names[d] + ": " +
                       e.what());
    }
  }
}

// Copies every shard's done rows into the created output and marks it complete.
void copy_shards(const std::string& out, const std::vector<Shard>& shards,
                 const FileLayout& layout) {
  std::optional<MergeTarget> target;
  try {
    target.emplace(out, layout);
    // The merged numbers are the shards', so is the code path that made them.
    H5::Attribute isa = target->file.openAttribute("kernel_isa");
    isa.write(isa.getStrType(), shards.front().header.kernel_isa);
    const auto names = result_dataset_paths(layout);
    for (const auto& shard : shards) {
      copy_shard(shard, *target, names);
      spdlog::info("merged {}", shard.header.path);
    }
    const std::uint8_t complete = 1;
    target->group.openAttribute("complete").write(H5::PredType::NATIVE_UINT8, &complete);
    target->file.flush(H5F_SCOPE_GLOBAL);
  } catch (const H5::Exception& e) {
    const std::string cause = detail::hdf5_cause(e);
    {
      const detail::MutedCerr muted;
      target.reset();
    }
    throw IoError("HDF5 error merging into '" + out + "': " + cause);
  }
}

// A rebuilt file is the same run's file: it says who made it, when and how, as the original did.
void copy_root_attributes(const ResultHeader& from, H5::H5File& to) {
  const std::pair<const char*, const std::string*> root[] = {
      {"tariffsim_version", &from.tariffsim_version},
      {"git_commit", &from.git_commit},
      {"kernel_isa", &from.kernel_isa},
      {"created_utc", &from.created_utc},
      {"command_line", &from.command_line}};
  for (const auto& [name, value] : root) {
    H5::Attribute a = to.openAttribute(name);
    a.write(a.getStrType(), *value);
  }
}

// Copies the rows of the points `keep` marks from the file `from` into the created file `out`. A
// point whose rows cannot be read is unmarked and its done bit left 0, so the run computes it
// again (and overwrites its rows whole).
void copy_kept_rows(const ResultHeader& from, const std::string& out, const FileLayout& layout,
                    std::vector<std::uint8_t>& keep) {
  std::optional<MergeTarget> target;
  try {
    target.emplace(out, layout);
    copy_root_attributes(from, target->file);
    const H5::H5File src_file(from.path, H5F_ACC_RDONLY);
    const H5::Group src = src_file.openGroup(from.experiment);
    const auto names = result_dataset_paths(layout);
    std::optional<std::size_t> done_set;
    for (std::size_t d = 0; d < names.size(); ++d) {
      if (names[d] == "status/done") {
        done_set = d;  // copied last, once `keep` is final
        continue;
      }
      // A run of rows that cannot be read is copied again point by point, to keep the others.
      // for_each_run has passed a run's rows before it is copied, so unmarking them is safe.
      for_each_run(keep, [&](hsize_t first, hsize_t count) {
        try {
          copy_rows(src, names[d], target->datasets[d], first, count);
        } catch (const ShardReadError&) {
          for (hsize_t i = first; i < first + count; ++i) try {
              copy_rows(src, names[d], target->datasets[d], i, 1);
            } catch (const ShardReadError&) {
              keep[i] = 0;
            }
        }
      });
    }
    for_each_run(keep, [&](hsize_t first, hsize_t count) {
      copy_rows(src, names.at(*done_set), target->datasets[*done_set], first, count);
    });
    target->file.flush(H5F_SCOPE_GLOBAL);
  } catch (const H5::Exception& e) {
    const std::string cause = detail::hdf5_cause(e);
    {
      const detail::MutedCerr muted;
      target.reset();
    }
    throw IoError("HDF5 error rebuilding '" + from.path + "' as '" + out + "': " + cause + " ('" +
                  from.path + "' is as it was: continue it with --resume)");
  }
}

}  // namespace

std::uint64_t rebuild_result_file(const std::string& path, const FileLayout& layout) {
  ResultHeader header;
  std::vector<std::uint8_t> keep;
  std::uint64_t done_before = 0;
  {
    const CheckedResultFile checked(path, "--resume:");
    header = checked.header();
    done_before = checked.done_count();
    keep = checked.done_with_chunks(layout);
  }
  const std::string building = temporary_path(path);
  try {
    { ResultFile created(building, layout); }  // the layout, complete = 0, writing_batch = 0
    copy_kept_rows(header, building, layout, keep);
    publish_file(building, path, true, layout.path_origin);
  } catch (...) {
    // The file itself is untouched until the rename: a rebuild cut short leaves it as it was.
    std::error_code ignored;
    std::filesystem::remove(building, ignored);
    throw;
  }
  return done_before - static_cast<std::uint64_t>(std::count(keep.begin(), keep.end(), 1));
}

void merge_result_files(const std::string& out, const std::vector<std::string>& paths,
                        const Registry& registry, const std::string& command_line, bool force) {
  silence_hdf5_errors();
  if (paths.empty()) throw InputError("merge: no shard files given");
  for (const auto& p : paths)
    if (std::filesystem::exists(out) && std::filesystem::exists(p) &&
        std::filesystem::equivalent(out, p))
      throw InputError("merge: the output " + out + " is also a shard; name a new file");
  refuse_existing_file(out, "merge", "replace it with --force", force);
  // The first shard's config recreates the experiment, hence the layout every shard must have
  // and a single run would write.
  const auto stored = stored_experiment(CheckedResultFile(paths.front(), "merge: shard"), registry);
  std::vector<Shard> shards;
  shards.reserve(paths.size());
  for (const auto& p : paths)
    shards.push_back(read_shard(p, stored->layout, shards.empty() ? nullptr : &shards.front()));
  check_coverage(shards);

  FileLayout layout = stored->layout;
  layout.command_line = command_line;
  layout.path_origin = "merge";
  // Built whole under a temporary name and never rewritten in place: the point columns can be
  // compressed too (FORMAT.md, "Compression").
  layout.compress_point_columns = layout.compression > 0;
  // The merged file is built under a temporary name and takes the name `out` only when complete.
  for (const auto& leftover : remove_leftover_temporaries(out, "merge"))
    spdlog::info("removed '{}', left by a merge or run that was killed", leftover);
  const std::string building = temporary_path(out);
  try {
    { ResultFile created(building, layout); }  // closes with complete = 0 until every row is copied
    copy_shards(building, shards, layout);
    publish_file(building, out, force, "merge");
  } catch (...) {
    // A merge cut short leaves no output: a partial file could be mistaken for a result.
    std::error_code ignored;
    std::filesystem::remove(building, ignored);
    throw;
  }
}

}  // namespace tariffsim
