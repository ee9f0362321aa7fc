// Copying the rows of result files, shared by `merge` (shard files -> the file a single run
// would have written) and the rebuild of a file whose chunk indexes a kill may have torn
// (result_resume.cpp). Internal to the engine.
#pragma once

#include <H5Cpp.h>

#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "tariffsim/result_file.hpp"

namespace tariffsim::detail {

// A source the data of which cannot be read (a damaged chunk): bad input, unlike a failed write.
class ShardReadError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Copies rows [first, first + count) of the dataset `name` of the experiment group `src` into
// `dst` (the same dataset of another file of the same layout), in pieces of bounded size; of
// replications/ and series/ only the columns each point ran. ShardReadError if `src` cannot be
// read.
void copy_rows(const H5::Group& src, const std::string& name, H5::DataSet& dst, hsize_t first,
               hsize_t count);

// Calls f(first, count) for each run of consecutive set bits.
void for_each_run(const std::vector<std::uint8_t>& bits,
                  const std::function<void(hsize_t, hsize_t)>& f);

// The output's handles, opened once: after a failed write they are dropped with their close
// reports muted (hdf5_interface.hpp MutedCerr).
struct MergeTarget {
  H5::H5File file;
  H5::Group group;
  std::vector<H5::DataSet> datasets;  // as result_dataset_paths
  MergeTarget(const std::string& out, const FileLayout& layout);
};

}  // namespace tariffsim::detail
