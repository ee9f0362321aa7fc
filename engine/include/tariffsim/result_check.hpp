// What a well-formed result file is, checked in one place for every command that reads one back
// (`info`, each shard of `merge`, `run --resume`): a damaged, foreign, newer or mismatched file
// is refused with an InputError that names the file and what is wrong, before anything is written.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tariffsim/experiment.hpp"
#include "tariffsim/model.hpp"
#include "tariffsim/result_file.hpp"

namespace tariffsim {

class Registry;

// HDF5 prints its whole error stack to stderr on every failed call, dozens of lines before the
// one that matters. This turns that printing off for the process and keeps, instead, the
// innermost cause of the last failure (for example "No space left on device") for
// last_hdf5_error(). Idempotent; every entry point that touches HDF5 calls it. Defined with the
// typed HDF5 layer (src/hdf5_interface.cpp).
void silence_hdf5_errors();

// The innermost cause of this thread's last failed HDF5 call ("" if none was recorded).
std::string last_hdf5_error();

// The root and experiment-group attributes of a result file, read with their types checked.
struct ResultHeader {
  std::string path;
  std::string format_version;  // "major.minor"
  std::int64_t format_minor = 0;
  std::string experiment;  // the one experiment group's name
  std::string tariffsim_version, git_commit, created_utc, command_line;
  std::string finished_utc;  // empty until the file is complete, and in format 2.0 files
  std::string kernel_isa;    // files written before it was recorded count as this machine's
  std::string model, model_version, config, config_sha256;
  std::uint64_t seed = 0, replications = 0, n_points = 0;
  std::uint64_t shard_index = 0, shard_count = 1;
  bool complete = false;
  // `writing_batch`: 1 from before a batch's compressed chunks are written until they are flushed.
  // Absent in files written before it was recorded, which had no such guard.
  std::optional<bool> writing_batch;
};

// A result file opened read-only and checked for what every reader needs: an HDF5 file whose root
// says format "tariffsim" and this build's major format_version, with exactly one experiment group
// holding its attributes (of their types; config_sha256 the hash of config), a status/done bitmap
// of n_points entries each 0 or 1, and `complete` only where every point is done. Messages start
// with `who` and name the file, e.g. "merge: shard 's1.h5': ...".
class CheckedResultFile {
 public:
  CheckedResultFile(const std::string& path, const std::string& who);
  ~CheckedResultFile();
  CheckedResultFile(const CheckedResultFile&) = delete;
  CheckedResultFile& operator=(const CheckedResultFile&) = delete;

  const ResultHeader& header() const;
  const std::vector<std::uint8_t>& done() const;
  std::uint64_t done_count() const;

  // Every dataset `layout` implies exists with its type and shape and nothing else is there, and
  // points/index of each done row is that row's index.
  void check_layout(const FileLayout& layout) const;

  // The done bitmap less the points a torn chunk index lost: a done point stays done only if
  // every compressed chunk its replications fill (status/replications, whole chunks) is in its
  // dataset's index, inside the file.
  std::vector<std::uint8_t> done_with_chunks(const FileLayout& layout) const;

  // The names in a group below the experiment group (e.g. "points"); none if it is absent.
  std::vector<std::string> members(const std::string& group) const;

  // "<who> '<path>': <what>", for the callers' own refusals.
  std::string problem(const std::string& what) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The experiment a file's `config` attribute describes, recreated with this build's model, and the
// layout a run of it writes. Not movable: `layout` points into it.
struct StoredExperiment {
  Experiment experiment;
  std::unique_ptr<Model> model;
  FileLayout layout;
};

// InputError (naming the file) if the config does not parse, the model is not in `registry`, its
// version differs from the file's, or the design's size is not the file's n_points.
std::unique_ptr<StoredExperiment> stored_experiment(const CheckedResultFile& file,
                                                    const Registry& registry);

// The paths of every dataset a file of `layout` holds, relative to the experiment group.
std::vector<std::string> result_dataset_paths(const FileLayout& layout);

// The text a parameter's value is stored as in points/ (enums, lists), and the widest text a
// parameter can take in an experiment: the fixed width of its string column.
std::string parameter_text(const Value& value);
std::size_t parameter_text_width(const ParamSpec& spec, const Experiment& experiment);

}  // namespace tariffsim
