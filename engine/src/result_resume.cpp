#include "result_resume.hpp"

#include <H5Cpp.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <filesystem>
#include <optional>

#include "hdf5_interface.hpp"
#include "row_copy.hpp"
#include "tariffsim/error.hpp"
#include "tariffsim/kernel.hpp"
#include "tariffsim/result_check.hpp"
#include "tariffsim/sha256.hpp"

namespace tariffsim::detail {

namespace {

// A resumed file must go on with the numbers it started with: the same model version, and the
// same vector code path (kernel_isa), whose last bits can differ between instruction sets.
void refuse_other_build(const ResultHeader& h, const std::string& path, const FileLayout& layout) {
  const std::string& model_version = layout.info->version;
  std::string mismatch;
  if (h.model_version != model_version)
    mismatch =
        "it was written by model version " + h.model_version + ", this build has " + model_version;
  else if (h.kernel_isa != kernel_isa())
    mismatch = "its kernels ran as " + h.kernel_isa + ", this machine runs " + kernel_isa();
  if (!mismatch.empty())
    throw InputError(layout.resume_origin + ": '" + path +
                     "' cannot be continued here: " + mismatch +
                     " (the results would not be one run's); resume it with the same build on a "
                     "machine of the same kind, or start over with " +
                     layout.force_origin);
}

// A resumed file continues the same share of the points: a shard file resumed as the whole run,
// or as another shard, would mix shards and claim a completeness it does not have.
void refuse_other_shard(const ResultHeader& h, const std::string& path, const FileLayout& layout) {
  if (h.shard_index == layout.shard_index && h.shard_count == layout.shard_count) return;
  auto name = [](std::uint64_t i, std::uint64_t n) {
    return n == 1 ? std::string("the whole run")
                  : "shard " + std::to_string(i) + "/" + std::to_string(n);
  };
  throw InputError(layout.resume_origin + ": '" + path + "' holds " +
                   name(h.shard_index, h.shard_count) + ", this run is " +
                   name(layout.shard_index, layout.shard_count) + "; resume it as that shard");
}

// A run killed while HDF5 flushed a batch can leave structures written beyond the end of the file
// the superblock records (HDF5 writes that record last): reading them would fail, and new space
// would be allocated on top of them. Moving the recorded end to the real end of the file makes
// them readable and keeps later allocations clear of them.
void cover_whole_file(const H5::H5File& f) {
  if (H5Fincrement_filesize(f.getId(), 0) < 0)
    throw H5::FileIException("H5Fincrement_filesize", "cannot extend the file's recorded end");
}

// Done before the checks of a resume, which would otherwise refuse as damaged a file that only
// lost its recorded end; and only where the file runs past that end, and its root says it is a
// tariffsim result, so that no other file is ever opened for writing (which would change its
// flags). A file too damaged to open is left to the checks.
void repair_recorded_end(const std::string& path) {
  try {
    {
      const H5::H5File read_only(path, H5F_ACC_RDONLY);
      if (string_attr_or(read_only, "format", "") != "tariffsim") return;
      haddr_t recorded_end = 0;
      if (H5Fget_eoa(read_only.getId(), &recorded_end) < 0 ||
          std::filesystem::file_size(path) <= recorded_end)
        return;
    }
    const H5::H5File writable(path, H5F_ACC_RDWR);
    cover_whole_file(writable);
  } catch (const H5::Exception&) {
  }
}

// Everything a resume needs of the file, checked read-only before it is opened for writing: the
// format, the experiment, the config, the build, the shard and every dataset's type and shape.
// Returns true if the file must be rebuilt first: it was cut while a batch's compressed chunks
// were being written (or comes from a build that did not record when that was), so their indexes
// may be torn, and continuing would write into them.
bool check_resumable(const std::string& path, const FileLayout& layout) {
  const auto& exp = *layout.experiment;
  const CheckedResultFile checked(path, layout.resume_origin + ":");
  const ResultHeader& h = checked.header();
  if (h.experiment != exp.name)
    throw InputError(layout.resume_origin + ": '" + path + "' has no experiment '" + exp.name +
                     "' (it holds '" + h.experiment + "')");
  const std::string want = sha256_hex(exp.config_text);
  if (h.config_sha256 != want)
    throw InputError(layout.resume_origin + ": '" + path +
                     "' was written by a different config (sha256 " +
                     h.config_sha256.substr(0, 12) + "..., this config " + want.substr(0, 12) +
                     "...); replace it with " + layout.force_origin + " to start over");
  refuse_other_build(h, path, layout);
  refuse_other_shard(h, path, layout);
  checked.check_layout(layout);
  return layout.has_per_replication() && h.writing_batch.value_or(true);
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
    const std::string cause = hdf5_cause(e);
    {
      const MutedCerr muted;
      target.reset();
    }
    throw IoError("HDF5 error rebuilding '" + from.path + "' as '" + out + "': " + cause + " ('" +
                  from.path + "' is as it was: continue it with " + layout.resume_origin + ")");
  }
}

}  // namespace

void remove_leftovers(const std::string& path, const std::string& origin) {
  for (const auto& leftover : remove_leftover_temporaries(path, origin))
    spdlog::info(
        "removed '{}', left by a run killed while creating or rebuilding its file (it held no "
        "results)",
        leftover);
}

void prepare_resume(const std::string& path, const FileLayout& layout) {
  refuse_if_in_use(path, layout.path_origin);
  if (!is_hdf5_file(path))
    throw InputError(layout.path_origin + ": " + layout.resume_origin + ": '" + path +
                     "' is not an existing result file (expected the partial file of a run)");
  remove_leftovers(path, layout.path_origin);
  repair_recorded_end(path);
  if (!check_resumable(path, layout)) return;
  const std::uint64_t lost = rebuild_result_file(path, layout);
  spdlog::info(
      "{}: '{}' may have been cut while a batch's compressed data was being written "
      "(writing_batch is not 0), so its chunk indexes may be torn: rebuilt it from its done "
      "points{}",
      layout.resume_origin, path,
      lost ? ", less " + std::to_string(lost) + " whose chunks were lost (computed again)" : "");
}

std::uint64_t rebuild_result_file(const std::string& path, const FileLayout& layout) {
  ResultHeader header;
  std::vector<std::uint8_t> keep;
  std::uint64_t done_before = 0;
  {
    const CheckedResultFile checked(path, layout.resume_origin + ":");
    header = checked.header();
    done_before = checked.done_count();
    keep = checked.done_with_chunks(layout);
  }
  const std::string building = temporary_path(path);
  try {
    { ResultFile created(building, layout); }  // the layout, complete = 0, writing_batch = 0
    copy_kept_rows(header, building, layout, keep);
    publish_file(building, path, true, layout.path_origin, layout.force_origin);
  } catch (...) {
    // The file itself is untouched until the rename: a rebuild cut short leaves it as it was.
    std::error_code ignored;
    std::filesystem::remove(building, ignored);
    throw;
  }
  return done_before - static_cast<std::uint64_t>(std::count(keep.begin(), keep.end(), 1));
}

}  // namespace tariffsim::detail
