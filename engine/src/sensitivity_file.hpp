// The sensitivity/ group of a result file (FORMAT.md, "Sensitivity"), for the writer and merge.
// Internal to the engine.
#pragma once

#include <H5Cpp.h>

#include <string>

#include "tariffsim/result_file.hpp"

namespace tariffsim::detail {

// With the layout: sensitivity/ with its attributes, the input names, and every index NaN. The
// indices' storage is allocated here, so that write_sensitivity() rewrites it in place: a kill
// during that write leaves an incomplete file (complete = 0) whose indices the next finish
// writes again.
void create_sensitivity(H5::Group& experiment_group, const FileLayout& layout);

// Once every point is done, before `complete` is set: the indices of each analysed output from
// its results/<output>/mean (a replication-level output's point means).
void write_sensitivity(H5::Group& experiment_group, const FileLayout& layout);

// `tariffsim info`'s lines on the indices of the file's sensitivity/ (empty without one): one row
// per output and input, each index with its interval.
std::string sensitivity_table(const std::string& path, const std::string& experiment);

}  // namespace tariffsim::detail
