// `tariffsim merge`: shard files -> the file a single run would have written.
#include "tariffsim/merge.hpp"

#include <H5Cpp.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <optional>
#include <stdexcept>

#include "hdf5_interface.hpp"
#include "result_layout.hpp"
#include "row_copy.hpp"
#include "sensitivity_file.hpp"
#include "tariffsim/design.hpp"
#include "tariffsim/error.hpp"
#include "tariffsim/kernel.hpp"
#include "tariffsim/registry.hpp"
#include "tariffsim/result_check.hpp"
#include "tariffsim/result_file.hpp"
#include "tariffsim/runner.hpp"

namespace tariffsim {

namespace {

using detail::copy_rows;
using detail::for_each_run;
using detail::MergeTarget;
using detail::ShardReadError;
using detail::write_finished_utc;

struct Shard {
  ResultHeader header;
  std::vector<std::uint8_t> done;
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
                     std::to_string(first_missing) + "); run the missing shards, or resume them");
}

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

std::string earliest_creation(const std::vector<Shard>& shards) {
  std::string earliest = shards.front().header.created_utc;
  for (const auto& s : shards) earliest = std::min(earliest, s.header.created_utc);  // ISO 8601
  return earliest;
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
    // The run began when its first shard was created and ends now, with the complete file.
    H5::Attribute created = target->file.openAttribute("created_utc");
    created.write(created.getStrType(), earliest_creation(shards));
    detail::write_sensitivity(target->group, layout);  // needs every point, as in a single run
    write_finished_utc(target->file);
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

}  // namespace

void merge_result_files(const std::string& out, const std::vector<std::string>& paths,
                        const Registry& registry, const std::string& command_line, bool force,
                        const std::string& force_origin) {
  silence_hdf5_errors();
  if (paths.empty()) throw InputError("merge: no shard files given");
  for (const auto& p : paths)
    if (std::filesystem::exists(out) && std::filesystem::exists(p) &&
        std::filesystem::equivalent(out, p))
      throw InputError("merge: the output " + out + " is also a shard; name a new file");
  refuse_existing_file(out, "merge", "replace it with " + force_origin, force);
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
    publish_file(building, out, force, "merge", force_origin);
  } catch (...) {
    // A merge cut short leaves no output: a partial file could be mistaken for a result.
    std::error_code ignored;
    std::filesystem::remove(building, ignored);
    throw;
  }
}

}  // namespace tariffsim
