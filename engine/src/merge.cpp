// `tariffsim merge`: shard files -> the file a single run would have written.
#include <H5Cpp.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <filesystem>
#include <functional>

#include "hdf5_rows.hpp"
#include "tariffsim/design.hpp"
#include "tariffsim/error.hpp"
#include "tariffsim/kernel.hpp"
#include "tariffsim/registry.hpp"
#include "tariffsim/result_file.hpp"
#include "tariffsim/runner.hpp"

namespace tariffsim {

namespace {

struct Shard {
  std::string path;
  std::string experiment;
  std::string model;
  std::string model_version;
  std::string kernel_isa;  // the code path the shard's kernels took (result_file.cpp)
  std::string config;
  std::string config_sha256;
  std::vector<std::uint8_t> done;
};

std::string string_attr(const H5::H5Object& obj, const std::string& name, const std::string& path) {
  if (!obj.attrExists(name)) throw InputError(path + ": attribute '" + name + "' is missing");
  return detail::string_attr_or(obj, name, "");
}

Shard read_shard(const std::string& path) {
  if (!std::filesystem::exists(path)) throw InputError(path + ": no such file");
  if (!detail::is_hdf5_file(path)) throw InputError(path + ": not an HDF5 file");
  try {
    H5::H5File f(path, H5F_ACC_RDONLY);
    Shard s;
    s.path = path;
    if (string_attr(f, "format", path) != "tariffsim")
      throw InputError(path + ": not a tariffsim result file");
    int version = 0;
    f.openAttribute("format_version").read(H5::PredType::NATIVE_INT, &version);
    if (version != kFormatVersion)
      throw InputError(path + ": format_version " + std::to_string(version) + " is not supported");
    H5::Group root = f.openGroup("/");
    if (root.getNumObjs() != 1) throw InputError(path + ": expected exactly one experiment group");
    s.experiment = root.getObjnameByIdx(0);
    H5::Group g = f.openGroup(s.experiment);
    s.model = string_attr(g, "model", path);
    s.model_version = string_attr(g, "model_version", path);
    // Files written before kernel_isa was recorded count as this machine's.
    s.kernel_isa = detail::string_attr_or(f, "kernel_isa", kernel_isa());
    s.config = string_attr(g, "config", path);
    s.config_sha256 = string_attr(g, "config_sha256", path);
    if (!g.nameExists("status/replications"))
      throw InputError(path + ": written by an older tariffsim (no status/replications); rerun "
                       "the shard with this one");
    H5::DataSet done = g.openDataSet("status/done");
    hsize_t n = 0;
    done.getSpace().getSimpleExtentDims(&n);
    s.done.resize(n);
    if (n) done.read(s.done.data(), H5::PredType::NATIVE_UINT8);
    return s;
  } catch (const H5::Exception& e) {
    throw InputError(path + ": cannot read as a tariffsim shard: " + e.getDetailMsg());
  }
}

// Every shard has the same config and together they cover each point exactly once.
void check_coverage(const std::vector<Shard>& shards) {
  const Shard& ref = shards.front();
  for (const auto& s : shards) {
    if (s.config_sha256 != ref.config_sha256 || s.experiment != ref.experiment)
      throw InputError(s.path + ": written by a different config than " + ref.path +
                       " (config_sha256 differs); shards must come from the same experiment");
    if (s.done.size() != ref.done.size())
      throw InputError(s.path + ": has a different number of points than " + ref.path);
    if (s.model_version != ref.model_version)
      throw InputError(s.path + ": written by model version " + s.model_version + ", " + ref.path +
                       " by " + ref.model_version + "; shards must come from the same build");
    if (s.kernel_isa != ref.kernel_isa)
      throw InputError(s.path + ": its kernels ran as " + s.kernel_isa + ", " + ref.path + "'s as " +
                       ref.kernel_isa + " (the last bits of vectorised math differ between them); "
                       "rerun one of them on a machine of the other kind");
  }
  const std::size_t P = ref.done.size();
  std::vector<std::size_t> owner(P, shards.size());
  std::uint64_t missing = 0, first_missing = P;
  for (std::size_t k = 0; k < shards.size(); ++k)
    for (std::size_t i = 0; i < P; ++i) {
      if (!shards[k].done[i]) continue;
      if (owner[i] != shards.size())
        throw InputError("point " + std::to_string(i) + " is in both " + shards[owner[i]].path +
                         " and " + shards[k].path + "; each point must be in one shard");
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

// Every dataset below the experiment group, as paths relative to it.
std::vector<std::string> dataset_paths(const H5::Group& g, const std::string& prefix = "") {
  std::vector<std::string> out;
  for (hsize_t i = 0; i < g.getNumObjs(); ++i) {
    const std::string name = g.getObjnameByIdx(i);
    const std::string path = prefix.empty() ? name : prefix + "/" + name;
    if (g.getObjTypeByIdx(i) == H5G_GROUP) {
      auto sub = dataset_paths(g.openGroup(name), path);
      out.insert(out.end(), sub.begin(), sub.end());
    } else {
      out.push_back(path);
    }
  }
  return out;
}

// Copies rows [first, first + count) x columns [0, cols) of a dataset, in its own file type, from
// src to dst, in pieces of bounded size (hdf5_rows.hpp piece_bytes): a shard's run of rows can be
// far larger than memory.
void copy_box(const H5::DataSet& src, H5::DataSet& dst, hsize_t first, hsize_t count, hsize_t cols) {
  const H5::DataType type = src.getDataType();
  std::vector<char> buffer;
  detail::for_each_piece(dst, first, count, cols, [&](hsize_t row, hsize_t rows, hsize_t col, hsize_t n) {
    const detail::RowSlab from(src, row, rows, col, n), to(dst, row, rows, col, n);
    buffer.resize(from.elements * type.getSize());
    src.read(buffer.data(), type, from.memory, from.file);
    dst.write(buffer.data(), type, to.memory, to.file);
  });
}

// replications/ and series/ have the replication axis as dimension 1.
bool per_replication(const std::string& name) {
  return name.rfind("replications/", 0) == 0 || name.rfind("series/", 0) == 0;
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
      if (reps[i] > 0) copy_box(src, dst, block + i, j - i, detail::replication_extent(dst, reps[i]));
      i = j;
    }
  }
}

// Copies rows [first, first + count) of any dataset of the experiment group.
void copy_rows(const H5::Group& src, const std::string& name, H5::DataSet& dst, hsize_t first,
               hsize_t count) {
  const H5::DataSet from = src.openDataSet(name);
  if (per_replication(name)) {
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

// Writes the merged file at `out` from the checked shards.
void copy_shards(const std::string& out, const std::vector<Shard>& shards, const Experiment& exp,
                 const FileLayout& layout);

}  // namespace

void merge_result_files(const std::string& out, const std::vector<std::string>& paths,
                        const Registry& registry, const std::string& command_line, bool force) {
  H5::Exception::dontPrint();
  if (paths.empty()) throw InputError("merge: no shard files given");
  for (const auto& p : paths)
    if (std::filesystem::exists(out) && std::filesystem::equivalent(out, p))
      throw InputError("merge: the output " + out + " is also a shard; name a new file");
  if (!force) refuse_existing_file(out, "merge", "replace it with --force");
  std::vector<Shard> shards;
  for (const auto& p : paths) shards.push_back(read_shard(p));
  check_coverage(shards);

  // The stored config recreates the experiment, hence the layout a single run would write.
  const Experiment exp = parse_experiment(shards.front().config, shards.front().path + ":config",
                                          {}, registry);
  const auto model = registry.create(shards.front().model);
  // The merged file is laid out by this build's model, so its numbers must be this version's.
  if (shards.front().model_version != model->info().version)
    throw InputError(shards.front().path + ": written by " + shards.front().model + " " +
                     shards.front().model_version + ", this build has " + model->info().version +
                     "; merge with the build that wrote the shards");
  const Design design(exp, model->info());
  if (design.size() != shards.front().done.size())
    throw InputError(shards.front().path + ": its config describes " +
                     std::to_string(design.size()) + " points but the file holds " +
                     std::to_string(shards.front().done.size()));
  FileLayout layout = file_layout(exp, model->info(), design.size());
  layout.command_line = command_line;
  layout.path_origin = "merge";
  // The merged file is built under a temporary name and takes the name `out` only when complete.
  for (const auto& leftover : remove_leftover_temporaries(out, "merge"))
    spdlog::info("removed '{}', left by a merge or run that was killed", leftover);
  const std::string building = temporary_path(out);
  try {
    copy_shards(building, shards, exp, layout);
    publish_file(building, out, force, "merge");
  } catch (...) {
    std::error_code ignored;
    std::filesystem::remove(building, ignored);
    throw;
  }
}

namespace {

void copy_shards(const std::string& out, const std::vector<Shard>& shards, const Experiment& exp,
                 const FileLayout& layout) {
  { ResultFile created(out, layout); }  // closes with complete = 0 until every row is copied

  try {
    H5::H5File dst_file(out, H5F_ACC_RDWR);
    H5::Group dst = dst_file.openGroup(exp.name);
    // The merged numbers are the shards', so is the code path that made them.
    H5::Attribute isa = dst_file.openAttribute("kernel_isa");
    isa.write(isa.getStrType(), shards.front().kernel_isa);
    for (const auto& shard : shards) {
      H5::H5File src_file(shard.path, H5F_ACC_RDONLY);
      H5::Group src = src_file.openGroup(exp.name);
      for (const auto& name : dataset_paths(src)) {
        H5::DataSet to = dst.openDataSet(name);
        for_each_run(shard.done, [&](hsize_t first, hsize_t count) {
          copy_rows(src, name, to, first, count);
        });
      }
      spdlog::info("merged {}", shard.path);
    }
    const std::uint8_t complete = 1;
    dst.openAttribute("complete").write(H5::PredType::NATIVE_UINT8, &complete);
  } catch (const H5::Exception& e) {
    throw IoError("HDF5 error merging into '" + out + "': " + e.getDetailMsg());
  }
}

}  // namespace

}  // namespace tariffsim
